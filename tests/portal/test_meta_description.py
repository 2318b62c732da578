"""Every page has one meta description: base.html's default, and its own text on the main pages
(a search result or a shared link says what the page is)."""
import re

import pytest

from tests.factories import ActivityFactory, BundleFactory, ServiceItemFactory, SuggestionFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _description(body: str) -> str:
    found = re.findall(r'<meta name="description" content="([^"]*)">', body)
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def pages(db):
    item, bundle, team = ServiceItemFactory(), BundleFactory(), TeamFactory()
    return ["/services/", f"/services/{item.code}/", f"/bundles/{bundle.slug}/", "/ideas/",
            f"/ideas/{SuggestionFactory().number}/", "/activities/", f"/activities/{ActivityFactory(team=team).pk}/",
            "/teams/", f"/teams/{team.slug}/", "/leaderboard/", "/accounts/login/", "/accounts/signup/"]


def test_each_main_page_describes_itself(client, pages):
    default = _description(client.get("/").content.decode())
    assert default
    seen = {}
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        text = _description(response.content.decode())
        assert text and text != default, path
        seen.setdefault(text, []).append(path)
    assert all(len(paths) == 1 for paths in seen.values()), seen


def test_every_page_links_the_favicon_served_from_static(client):
    from django.conf import settings

    body = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in body
    icon = (settings.BASE_DIR / "static" / "img" / "favicon.svg").read_text()
    assert icon.lstrip().startswith("<svg") or "<svg" in icon[:200]
