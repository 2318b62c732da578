"""Tied scores share a rank on the leaderboard (1, 1, 3), on the page and in the selector."""
import re

import pytest

from points.models import Stage
from points.selectors import leaderboard_members

pytestmark = pytest.mark.django_db


def test_tied_members_share_a_rank(client, period, drive, member, teammate):
    drive(period, Stage.PUBLISHED, captain_values={"member": 18, "teammate": 18, "outsider": 10})
    ranks = {r.member.username: r.rank for r in leaderboard_members(period=period)}
    assert ranks["member"] == ranks["teammate"] == 1
    assert ranks["outsider"] == 3
    body = client.get(f"/leaderboard/?period={period.pk}").content.decode()
    rows = [(rank, name.strip()) for rank, name in re.findall(r"<tr><td[^>]*>(\d+)</td><td[^>]*>([^<]+)", body)]
    assert ("1", "赵青锋") in rows and ("1", "钱同队") in rows and ("3", "周外队") in rows


def test_the_five_star_team_shows_five_stars_in_its_card_on_a_phone(client, period, drive):
    """At 375 px the leaderboard is one card a team (no sideways scroll hiding the stars): the
    tables carry the cards class and every cell names its column."""
    from points.models import TeamRating

    drive(period, Stage.PUBLISHED)
    TeamRating.objects.filter(period=period).update(stars=5)
    body = client.get(f"/leaderboard/?period={period.pk}").content.decode()
    teams = re.search(r'<table class="cards-sm" id="team-ranks">(.*?)</table>', body, re.S).group(1)
    assert re.search(r'<td data-label="[^"]+"><span class="stars" aria-label="[^"]+">★★★★★</span>\s*</td>', teams)
