"""The one access helper per model: 404 when the person may not see it, 403 when they may not manage it."""
import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import ActivityFactory, MembershipFactory, TeamFactory, UserFactory
from volunteers.exceptions import NotCaptain, NotFound
from volunteers.selectors import activity_get_for_user, activity_list, team_get_for_user, user_can_manage_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(team):
    return ActivityFactory(team=team, status="planned")


@pytest.fixture
def public(team):
    return ActivityFactory(team=team)


@pytest.mark.parametrize("who", ["anonymous", "entrepreneur", "member", "other_captain"])
def test_a_draft_is_not_found_for_people_who_do_not_run_it(request, who, draft):
    user = AnonymousUser()
    if who == "other_captain":
        user = UserFactory()
        MembershipFactory(team=TeamFactory(), user=user, role="captain")
    elif who != "anonymous":
        user = request.getfixturevalue(who)
    with pytest.raises(NotFound):
        activity_get_for_user(user=user, activity_id=draft.pk)
    assert draft not in activity_list(user=user)


@pytest.mark.parametrize("who", ["captain", "hall_staff"])
def test_the_captain_and_staff_see_and_manage_drafts(request, who, draft):
    user = request.getfixturevalue(who)
    assert activity_get_for_user(user=user, activity_id=draft.pk, manage=True) == draft
    assert draft in activity_list(user=user)


@pytest.mark.parametrize("who", ["entrepreneur", "member"])
def test_others_see_a_public_activity_but_may_not_manage_it(request, who, public):
    user = request.getfixturevalue(who)
    assert activity_get_for_user(user=user, activity_id=public.pk) == public
    with pytest.raises(NotCaptain):
        activity_get_for_user(user=user, activity_id=public.pk, manage=True)


def test_a_former_captain_may_no_longer_manage(team, public):
    from volunteers.actions import membership_end
    from volunteers.models import Membership

    former = UserFactory()
    membership = MembershipFactory(team=team, user=former, role="captain")
    membership_end(membership=Membership.objects.get(pk=membership.pk))
    assert not user_can_manage_team(user=former, team=team)


@pytest.mark.parametrize("bad_id", ["abc", None, 0, 10**9])
def test_unknown_activity_ids_are_not_found(entrepreneur, bad_id):
    with pytest.raises(NotFound):
        activity_get_for_user(user=entrepreneur, activity_id=bad_id)


def test_teams_are_public_and_unknown_slugs_not_found(team):
    assert team_get_for_user(user=AnonymousUser(), slug=team.slug) == team
    with pytest.raises(NotFound):
        team_get_for_user(user=AnonymousUser(), slug="nope")
