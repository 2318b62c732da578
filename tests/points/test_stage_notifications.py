"""When a period enters a stage, everyone who now owes their part is told, the committee and the
alliance included."""
import pytest

from points.models import Stage
from portal.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_committee_and_the_alliance_are_told_when_their_stage_opens(period, drive, reviewer, alliance):
    drive(period, Stage.COMMITTEE_REVIEW)
    assert Notification.objects.filter(user=reviewer, title__contains=period.name).exists()
    assert not Notification.objects.filter(user=alliance).exists()
    drive(period, Stage.ALLIANCE_DECISION)
    assert Notification.objects.filter(user=alliance, title__contains=period.name).exists()
