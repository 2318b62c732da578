import pytest
from django.core.management import call_command
from django.utils import timezone

from volunteers.models import Activity, Attendance, SignUp, Team

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        Team.objects.count(), Activity.objects.count(), SignUp.objects.count(), Attendance.objects.count(),
        sorted(Activity.objects.values_list("status", "signed_up")),
    )


def test_the_demo_has_ten_teams_past_and_upcoming_activities_and_is_idempotent():
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first
    assert Team.objects.count() == 10
    now = timezone.now()
    past = Activity.objects.filter(ends_at__lt=now)
    assert past.exists() and not past.filter(hours_approved_at__isnull=True).exclude(status="cancelled").exists()
    assert Attendance.objects.filter(approved_hours__gt=0).exists()
    upcoming = Activity.objects.filter(starts_at__gt=now)
    assert upcoming.filter(status="open").count() == upcoming.count() > 0
    assert all(a.signed_up <= a.capacity for a in Activity.objects.all())
