from datetime import date

import pytest

from tests.factories import UserFactory
from volunteers.actions import membership_add, membership_end, team_captain_set
from volunteers.exceptions import ActivityInvalid, MembershipConflict
from volunteers.models import Membership

pytestmark = pytest.mark.django_db


def test_it_refuses_a_second_captain_and_changes_nothing(team, captain):
    other = UserFactory()
    with pytest.raises(MembershipConflict):
        membership_add(team=team, user=other, role=Membership.Role.CAPTAIN)
    assert not Membership.objects.filter(user=other).exists()
    assert team.captain == captain


def test_it_refuses_a_second_active_membership(team, member):
    with pytest.raises(MembershipConflict):
        membership_add(team=team, user=member)
    assert Membership.objects.filter(user=member).count() == 1


def test_it_keeps_history_when_the_captain_changes(team, captain, member):
    team_captain_set(team=team, user=member, on=date(2026, 6, 1))
    assert team.captain == member
    old = Membership.objects.get(user=captain)
    assert old.left_on == date(2026, 6, 1)
    rows = Membership.objects.filter(user=member).order_by("joined_on")
    assert [(m.role, m.left_on) for m in rows] == [("member", date(2026, 6, 1)), ("captain", None)]


def test_it_lets_someone_rejoin_after_leaving(team, member):
    membership = Membership.objects.get(user=member)
    membership_end(membership=membership, left_on=date(2026, 1, 1))
    again = membership_add(team=team, user=member, joined_on=date(2026, 3, 1))
    assert again.is_active and Membership.objects.filter(user=member).count() == 2


def test_it_refuses_a_leaving_date_before_joining_or_a_second_end(team, member):
    membership = Membership.objects.get(user=member)
    with pytest.raises(ActivityInvalid):
        membership_end(membership=membership, left_on=date(2024, 1, 1))
    membership_end(membership=membership, left_on=date(2026, 1, 1))
    with pytest.raises(MembershipConflict):
        membership_end(membership=membership)
