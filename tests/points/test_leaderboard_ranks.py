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
    rows = [(rank, name.strip()) for rank, name in re.findall(r"<tr><td>(\d+)</td><td>([^<]+)", body)]
    assert ("1", "赵青锋") in rows and ("1", "钱同队") in rows and ("3", "周外队") in rows
