"""The home page: one main action, a search over items and bundles, popular bundles with what they
save, this week's activities and the latest answered ideas; every link on it is real."""
import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def test_it_offers_one_main_action_a_search_and_the_sections(client, demo):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert body.count('class="button hero-action"') == 1 and "Book a one-thing service" in body
    assert re.search(r'<form method="get" action="/services/" role="search"', body)
    for title in ["Popular one-thing bundles", "This week&#x27;s activities", "Latest answered golden ideas"]:
        assert title in body, title
    assert "Saves " in body and "% of the steps" in body


def test_the_home_search_finds_the_restaurant_bundle(client, demo):
    body = client.get("/services/?search=餐饮").content.decode()
    assert "青创+餐饮企业一件事" in body and "/bundles/restaurant/" in body
    assert "/bundles/logistics/" not in body


def test_every_link_on_the_home_page_answers(client, demo):
    body = client.get("/").content.decode()
    links = set(re.findall(r'href="(/[^"#]*)"', body)) - {"/static/css/portal.css", "/static/img/favicon.svg"}
    assert len(links) > 15
    for link in sorted(links):
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link
