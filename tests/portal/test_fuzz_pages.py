"""Every page's query parameters and every form, fed random and extreme values (Hypothesis).

As each demo persona, the site is crawled (as test_crawl.py does, the admin included for staff)
and every form found is remembered: its action, method and fields, with the values a person
could pick. Hypothesis then sends pages and forms values a person should never be able to break
the site with: dates at the calendar's ends, huge, negative and non-finite numbers, NUL and
other control characters, very long strings, unicode, several values for one field. Required:
a 2xx, 3xx or 4xx answer, never a 5xx; and a refused request (anything but a redirect) writes
nothing.

Bounded for CI: derandomized (the same examples every run) and FUZZ_MAX_EXAMPLES examples per
persona (default 30) on at most FUZZ_PAGES pages each (default 40). Run longer locally with
e.g. ``FUZZ_MAX_EXAMPLES=2000 FUZZ_PAGES=200``.
"""
import os
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.accounts.models import User

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "30"))
PAGES_PER_PERSONA = int(os.environ.get("FUZZ_PAGES", "40"))
LINK = re.compile(r'href="(/[^"#]*)"')
# Logging out would end the persona's session; downloads and static files have no forms.
SKIP = ("/static/", "/media/", "/api/", "/i18n/", "/accounts/logout/", "/admin/logout/", "/admin/jsi18n/")
SKIP_PARTS = ("/delete/", "/history/", "/password/", ".ics", "/export", "/autocomplete/")

EXTREMES = [
    "0001-01-01", "9999-12-31", "0000-00-00", "2026-02-30", "10000-01-01", "-2026-01-01",
    "0001-01-01T00:00", "9999-12-31 23:59:59", "00:00-23:59", "23:59-00:00", "24:00-25:00",
    "0", "-1", "1", "1.5", "1e309", "-1e309", "1e-309", "NaN", "nan", "inf", "-Infinity",
    "99999999999999999999", str(2**63), str(-(2**63) - 1), str(2**31), "0x10", "1_000", "٣", "²", "１",
    "\x00", "a\x00b", "\x01\x02\x1f\x7f", "\r\n", "\t", "\x1b[31m", "\u202e", "\ufeff", "𝕏" * 40,
    "林小创" * 30, "x" * 5000, "", " ", "true", "false", "on", "null", "[]", "{}",
    "<script>alert(1)</script>", "%(value)s", "{value}", "%s%s%s", "../../etc/passwd", "' OR 1=1 --",
]
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
NUMBER = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
DATE = st.dates().map(lambda d: d.isoformat())
NASTY = st.one_of(st.sampled_from(EXTREMES), TEXT, NUMBER, DATE)


class FormCollector(HTMLParser):
    """Forms on a page: [{"action", "method", "fields": {name: [values a person could send]}}]."""

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self.forms: list[dict] = []
        self.current: dict | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = (attrs.get("action") or self.url).replace("&amp;", "&")
            if action.startswith("?"):
                action = urlsplit(self.url).path + action
            self.current = {"action": action, "method": (attrs.get("method") or "get").lower(), "fields": {}}
            self.forms.append(self.current)
            return
        if self.current is None or not attrs.get("name"):
            return
        name = attrs["name"]
        fields = self.current["fields"]
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "reset", "image"):
                return
            values = fields.setdefault(name, {"kind": kind, "values": []})["values"]
            if attrs.get("value") is not None:
                values.append(attrs["value"])
            elif kind in ("checkbox", "radio"):
                values.append("on")
        elif tag == "select":
            self.select = name
            fields.setdefault(name, {"kind": "select", "values": []})
        elif tag == "option" and self.select:
            fields[self.select]["values"].append(attrs.get("value", ""))
        elif tag == "textarea":
            self.textarea = name
            fields.setdefault(name, {"kind": "textarea", "values": []})

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def collect(client: Client, starts: list[str], limit: int) -> tuple[list[str], list[dict]]:
    """Pages reachable from ``starts`` and the forms on them (one of each action and method)."""
    pages, forms, seen = [], {}, set()
    queue = deque(starts)
    while queue and len(pages) < limit:
        url = queue.popleft().replace("&amp;", "&")
        if url in seen or url.startswith(SKIP) or any(part in url for part in SKIP_PARTS):
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        pages.append(url)
        html = response.content.decode()
        collector = FormCollector(url)
        collector.feed(html)
        for form in collector.forms:
            if form["action"].startswith("/") and not form["action"].startswith(SKIP):
                forms.setdefault((urlsplit(form["action"]).path, form["method"]), form)
        queue.extend(link for link in LINK.findall(html) if link not in seen)
    return pages, list(forms.values())


def row_counts() -> dict[str, int]:
    # Sessions and the signed-in user's last_login change on every visit; everything else counts.
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        # Sessions change with every request, and a refused sign-in is meant to be counted (django-axes).
        if model._meta.label not in ("sessions.Session", "axes.AccessAttempt", "axes.AccessFailureLog", "axes.AccessLog")
        and not model._meta.proxy
    }


@st.composite
def field_value(draw, field: dict):
    """A value for one field: mostly what the page offers, often something it never would."""
    offered = [value for value in field["values"] if value is not None]
    if field["kind"] == "file":
        content = draw(st.one_of(st.binary(max_size=200), st.sampled_from([b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n"])))
        return SimpleUploadedFile(draw(st.sampled_from(["a.pdf", "a.png", "a.html", "\x00.pdf"])), content)
    choices = [NASTY]
    if offered:
        choices.insert(0, st.sampled_from(offered))
    value = draw(st.one_of(*choices))
    if draw(st.integers(0, 9)) == 0:
        return [value, draw(NASTY)]  # one field given twice
    return value


@st.composite
def request_for(draw, pages: list[str], forms: list[dict]):
    """(method, path, data): a form filled in, or a page with query parameters."""
    if forms and draw(st.booleans()):
        form = draw(st.sampled_from(forms))
        data = {}
        for name, field in form["fields"].items():
            if draw(st.integers(0, 5)) == 0:
                continue  # a field left out
            data[name] = draw(field_value(field))
        if draw(st.integers(0, 5)) == 0:
            data[draw(st.sampled_from(["page", "week", "period", "id", "q", "next"]))] = draw(NASTY)
        return form["method"], urlsplit(form["action"]).path, data
    path = urlsplit(draw(st.sampled_from(pages))).path
    names = sorted({name for form in forms if form["method"] == "get" for name in form["fields"]}
                   | {"page", "week", "period", "team", "kind", "status", "search", "date_from", "date_to",
                      "next", "o", "p", "q", "e", "lang"})
    params = draw(st.dictionaries(st.sampled_from(names), NASTY, max_size=4))
    return "get", path, params


PERSONAS = [None, "founder", "staff", "officer", "member", "captain", "reviewer", "alliance"]


def fuzz_as(username: str | None) -> None:
    client = Client(raise_request_exception=False)
    user = User.objects.get(username=username) if username else None
    if user:
        client.force_login(user)
    starts = ["/", "/me/" if user else "/accounts/login/", "/dashboard/", "/activities/", "/ideas/new/"]
    if user and user.is_staff:
        starts += ["/admin/", "/admin/services/slot/open/"]
    pages, forms = collect(client, starts, PAGES_PER_PERSONA)
    assert len(pages) > 5 and forms, username

    @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(request_for(pages, forms))
    def check(request):
        method, path, data = request
        if user:
            client.force_login(user)  # a fuzzed form may have signed the persona out
        before = row_counts()
        response = client.post(path, data) if method == "post" else client.get(path, data)
        assert response.status_code < 500, (username, method, path, data)
        if method == "post" and not 300 <= response.status_code < 400:
            # Refused: nothing written, not even half of it.
            after = row_counts()
            changed = {label: (before[label], after[label]) for label in before if before[label] != after[label]}
            assert changed == {}, (username, path, data, response.status_code)

    check()


@pytest.mark.django_db
def test_it_answers_any_input_on_pages_and_forms_without_a_server_error():
    # One test for all personas: the demo data takes seconds to build, so it is built once.
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    for username in PERSONAS:
        fuzz_as(username)
