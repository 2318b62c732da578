import pytest
from django.apps import apps
from django.core.management import call_command

from portal.accounts.models import User
from portal.demo import DEMO_PASSWORD
from portal.roles import Role, has_role

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for config in apps.get_app_configs()
        if config.label in {"accounts", "hall", "cases", "services", "volunteers", "points", "suggestions"}
        for model in config.get_models()
    }


def test_it_seeds_demo_data_idempotently():
    call_command("seed_demo", stdout=None)
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert first["hall.Department"] >= 8
    assert first["volunteers.Team"] == 10


def test_it_makes_one_demo_account_per_role_with_the_documented_password():
    call_command("seed_demo")
    for role, username in [
        (Role.ENTREPRENEUR, "founder"), (Role.HALL_STAFF, "staff"), (Role.DEPARTMENT_OFFICER, "officer"),
        (Role.TEAM_MEMBER, "member"), (Role.TEAM_CAPTAIN, "captain"), (Role.COMMITTEE_REVIEWER, "reviewer"),
        (Role.ALLIANCE_MEMBER, "alliance"),
    ]:
        user = User.objects.get(username=username)
        assert has_role(user, role)
        assert user.check_password(DEMO_PASSWORD)
