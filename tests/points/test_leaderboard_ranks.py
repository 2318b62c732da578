"""Tied scores share a rank on the leaderboard (1, 1, 3), on the page and in the selector."""
import re

import pytest

from points.models import Stage
from points.selectors import leaderboard_members, leaderboard_ranked

pytestmark = pytest.mark.django_db


def test_tied_members_share_a_rank(client, period, drive, member, teammate):
    drive(period, Stage.PUBLISHED, captain_values={"member": 18, "teammate": 18, "outsider": 10})
    members = leaderboard_members(period=period)
    ranks = {r.member.username: r.rank for r in leaderboard_ranked(rows=members, members=members)}
    assert ranks["member"] == ranks["teammate"] == 1
    assert ranks["outsider"] == 3
    body = client.get(f"/leaderboard/?period={period.pk}").content.decode()
    rows = [(rank, name.strip()) for rank, name in re.findall(r"<tr><td[^>]*>(\d+)</td><td[^>]*>([^<]+)", body)]
    assert ("1", "赵青锋") in rows and ("1", "钱同队") in rows and ("3", "周外队") in rows


def test_every_page_ranks_as_the_whole_list_would(api_client, monkeypatch):
    """A page's ranks come from the members above it only: they must equal the ranks of the whole
    list, ties across a page boundary included."""
    from datetime import date

    from django.utils import timezone

    from points.models import MemberResult, Period, TeamRating
    from tests.factories import TeamFactory, UserFactory

    period = Period.objects.create(name="排名", starts_on=date(2026, 7, 1), ends_on=date(2026, 9, 30),
                                   stage=Stage.PUBLISHED, published_at=timezone.now())
    team = TeamFactory()
    TeamRating.objects.create(period=period, team=team, average=80, stars=3)
    totals = [90, 90, 85, 85, 85, 85, 70, 0, 0, 60, 90, 50, 85]
    for n, total in enumerate(totals):
        MemberResult.objects.create(period=period, team=team, member=UserFactory(username=f"rank{n}"), total=total)
    expected = {}
    for n, total in enumerate(totals):
        above = sum(1 for other in totals if other > total)
        expected[f"rank{n}"] = above + 1
    from points import api

    monkeypatch.setattr(api._KnownCountPagination, "page_size", 5)
    seen = {}
    for page in (1, 2, 3):
        body = api_client.get(f"/api/v1/leaderboard/?period={period.pk}&page={page}").json()
        assert len(body["results"]) == (5 if page < 3 else 3)
        # By member id: two of the made-up display names can be the same person's name.
        seen.update({row["member"]: row["rank"] for row in body["results"]})
    ids = {f"rank{n}": UserFactory._meta.model.objects.get(username=f"rank{n}").pk for n in range(len(totals))}
    assert {username: seen[pk] for username, pk in ids.items()} == expected


def test_the_five_star_team_shows_five_stars_in_its_card_on_a_phone(client, period, drive):
    """At 375 px the leaderboard is one card a team (no sideways scroll hiding the stars): the
    tables carry the cards class and every cell names its column."""
    from points.models import TeamRating

    drive(period, Stage.PUBLISHED)
    TeamRating.objects.filter(period=period).update(stars=5)
    body = client.get(f"/leaderboard/?period={period.pk}").content.decode()
    teams = re.search(r'<table class="cards-sm" id="team-ranks">(.*?)</table>', body, re.S).group(1)
    assert re.search(r'<td data-label="[^"]+"><span class="stars" aria-label="[^"]+">★★★★★</span>\s*</td>', teams)
