"""Every page a person can reach by following links answers without a server error.

The crawl starts at the home page and the personal page, as each demo persona, and follows the
site's own links (the admin, logout and downloads aside), so a template or view that breaks for
one role is found even when no unit test looks at that page.
"""
import re
from collections import deque

import pytest
from django.core.management import call_command
from django.test import Client

from portal.accounts.models import User

LINK = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/admin/", "/static/", "/media/", "/api/", "/i18n/", "/accounts/logout/")
PER_PERSONA = 120


def crawl(client: Client, starts: list[str]) -> tuple[dict[str, int], int]:
    seen: dict[str, int] = {}
    queue = deque(starts)
    while queue and len(seen) < PER_PERSONA:
        url = queue.popleft().replace("&amp;", "&")
        if url in seen or url.startswith(SKIP):
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            for link in LINK.findall(response.content.decode()):
                if link not in seen:
                    queue.append(link)
    return seen, len(queue)


@pytest.mark.django_db
@pytest.mark.parametrize("username", [None, "founder", "staff", "officer", "member", "captain", "reviewer", "alliance"])
def test_it_answers_every_linked_page_without_a_server_error(username):
    call_command("seed_demo")
    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))
    seen, _left = crawl(client, ["/", "/me/" if username else "/accounts/login/", "/dashboard/"])
    errors = {url: status for url, status in seen.items() if status >= 500}
    assert errors == {}
    assert len(seen) > 20
    assert sum(1 for status in seen.values() if status == 200) > 15
