import pytest
from django.contrib.auth.models import AnonymousUser, Group

from portal.roles import ROLE_PERMISSIONS, Role, has_role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_creates_a_group_for_every_role():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


def test_it_gives_each_role_the_permissions_it_needs():
    for role, wanted in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == set(wanted), role


def test_hall_staff_can_keep_the_holiday_calendar():
    staff = UserFactory(is_staff=True, roles=[Role.HALL_STAFF])
    assert staff.has_perm("hall.change_holiday")
    founder = UserFactory(roles=[Role.ENTREPRENEUR])
    assert not founder.has_perm("hall.change_holiday")


def test_has_role_answers_for_held_roles_only():
    captain = UserFactory(roles=[Role.TEAM_MEMBER, Role.TEAM_CAPTAIN])
    assert has_role(captain, Role.TEAM_CAPTAIN)
    assert has_role(captain, Role.HALL_STAFF, Role.TEAM_MEMBER)
    assert not has_role(captain, Role.HALL_STAFF)


def test_has_role_is_false_for_anonymous_and_inactive_people():
    assert not has_role(AnonymousUser(), Role.ENTREPRENEUR)
    assert not has_role(None, Role.ENTREPRENEUR)
    inactive = UserFactory(is_active=False, roles=[Role.HALL_STAFF])
    assert not has_role(inactive, Role.HALL_STAFF)


def test_superusers_hold_every_role():
    root = UserFactory(is_superuser=True, roles=[])
    assert all(has_role(root, role) for role in Role)
