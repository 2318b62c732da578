"""Every response carries the Content-Security-Policy, and no page needs what it forbids (an inline
script, an inline style, an event-handler attribute, a javascript: link)."""
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client

from portal.accounts.models import User
from tests.portal.test_crawl import crawl

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def _directives(header: str) -> dict[str, str]:
    parts = [part.strip().split(None, 1) for part in header.split(";") if part.strip()]
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def assert_policy(response) -> None:
    header = response.get("Content-Security-Policy")
    assert header, f"{response.wsgi_request.path} has no Content-Security-Policy"
    directives = _directives(header)
    if response.get("Content-Disposition") and directives.get("default-src") == "'none'":
        # A private file (portal/files.py) gets a stricter policy still: it may load nothing at all.
        assert directives.get("default-src") == "'none'" and "sandbox" in directives, response.wsgi_request.path
        assert directives.get("frame-ancestors") == "'none'", response.wsgi_request.path
    else:
        for name, value in POLICY.items():
            assert directives.get(name) == value, (response.wsgi_request.path, name, directives.get(name))
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert "http" not in header  # no other host anywhere


class InlineAudit(HTMLParser):
    """What the policy would block: <script> without src, <style>, style="", on...="", javascript:."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._script_without_src = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self._script_without_src = attrs.get("type") not in ("application/json",)
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs.items():
            if name == "style":
                self.found.append(f"<{tag} style={value!r}>")
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...>")

    def handle_data(self, data):
        if self._script_without_src and data.strip():
            self.found.append(f"inline <script> {data.strip()[:40]!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_without_src = False


class AuditingClient(Client):
    """A test client that checks the policy header and the markup of every page it fetches."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pages = 0
        self.inline: dict[str, list[str]] = {}

    def get(self, path, *args, **kwargs):
        response = super().get(path, *args, **kwargs)
        assert_policy(response)
        self.pages += 1
        if response.get("Content-Type", "").startswith("text/html"):
            audit = InlineAudit()
            audit.feed(response.content.decode())
            if audit.found:
                self.inline[path] = audit.found
        return response


@pytest.mark.django_db
@pytest.mark.parametrize("username", [None, "founder", "staff", "officer", "member", "captain", "reviewer", "alliance"])
def test_every_page_the_crawl_visits_carries_the_policy_and_needs_no_inline_code(username):
    call_command("seed_demo")
    client = AuditingClient()
    if username:
        client.force_login(User.objects.get(username=username))
    seen, _problems = crawl(client, ["/", "/me/" if username else "/accounts/login/", "/dashboard/"])
    assert client.pages == len(seen) > 20
    assert client.inline == {}


@pytest.mark.django_db
def test_the_admin_api_docs_static_files_and_errors_carry_it_too():
    call_command("seed_demo")
    client = AuditingClient()
    client.force_login(User.objects.get(username="admin"))
    paths = [
        "/admin/", "/admin/suggestions/suggestion/", "/admin/services/booking/", "/admin/services/slot/open/",
        "/admin/cases/case/", "/admin/points/ledgerentry/", "/admin/accounts/user/", "/admin/axes/accessattempt/",
        "/api/docs/", "/api/docs/?script=", "/api/schema/", "/api/v1/services/", "/static/css/portal.css",
        "/no-such-page/",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
    assert client.inline == {}
    for name in ("suggestion", "booking", "case"):
        model = {"suggestion": "suggestions/suggestion", "booking": "services/booking", "case": "cases/case"}[name]
        listing = client.get(f"/admin/{model}/").content.decode()
        first = re.search(rf'href="(/admin/{model}/\d+/change/[^"]*)"', listing)
        assert first, name
        assert client.get(first.group(1).replace("&amp;", "&")).status_code == 200
    assert client.inline == {}


def test_the_api_docs_page_loads_its_start_up_script_from_a_url(client, db):
    page = client.get("/api/docs/").content.decode()
    assert '<script src="/api/docs/?script="></script>' in page
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
