"""Every page a person can reach by following links works for people.

The crawl starts at the home page and the personal page, as each demo persona, and follows the
site's own links (the admin, logout and downloads aside). On every page: no server error, every
visible form field has a label, and nothing loads from another host (no CDN). A template or view
that breaks for one role is found even when no unit test looks at that page.
"""
import re
from collections import deque
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client

from portal.accounts.models import User

LINK = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/admin/", "/static/", "/media/", "/api/", "/i18n/", "/accounts/logout/")
PER_PERSONA = 120
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class PageAudit(HTMLParser):
    """Collects form fields without a label and resources loaded from other hosts."""

    def __init__(self):
        super().__init__()
        self.label_for: set[str] = set()
        self.fields: list[dict] = []
        self.inside_label = 0
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.inside_label += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        if tag in {"input", "select", "textarea"} and attrs.get("type", "text") not in UNLABELLED_TYPES:
            self.fields.append({**attrs, "_tag": tag, "_wrapped": self.inside_label > 0})
        if tag in {"script", "img", "iframe"} and (attrs.get("src") or "").startswith(("http:", "https:", "//")):
            self.external.append(attrs["src"])
        if tag == "link" and (attrs.get("href") or "").startswith(("http:", "https:", "//")):
            self.external.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "label":
            self.inside_label -= 1

    def unlabelled(self) -> list[str]:
        return [
            f"<{field['_tag']} name={field.get('name')}>"
            for field in self.fields
            if not (field["_wrapped"] or field.get("id") in self.label_for
                    or field.get("aria-label") or field.get("aria-labelledby") or field.get("title"))
        ]


def crawl(client: Client, starts: list[str]) -> tuple[dict[str, int], dict[str, list[str]]]:
    seen: dict[str, int] = {}
    problems: dict[str, list[str]] = {}
    queue = deque(starts)
    while queue and len(seen) < PER_PERSONA:
        url = queue.popleft().replace("&amp;", "&")
        if url in seen or url.startswith(SKIP):
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            html = response.content.decode()
            audit = PageAudit()
            audit.feed(html)
            found = [f"unlabelled {field}" for field in audit.unlabelled()]
            found += [f"external {src}" for src in audit.external]
            if found:
                problems[url] = found
            for link in LINK.findall(html):
                if link not in seen:
                    queue.append(link)
    return seen, problems


@pytest.mark.django_db
@pytest.mark.parametrize("username", [None, "founder", "staff", "officer", "member", "captain", "reviewer", "alliance"])
def test_it_serves_every_linked_page_labelled_self_hosted_and_without_errors(username):
    call_command("seed_demo")
    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))
    seen, problems = crawl(client, ["/", "/me/" if username else "/accounts/login/", "/dashboard/"])
    assert {url: status for url, status in seen.items() if status >= 500} == {}
    assert problems == {}
    assert len(seen) > 20
    assert sum(1 for status in seen.values() if status == 200) > 15
