"""/me/ starts with what waits for the person, then short sections with "show all" links."""
import re

import pytest
from django.urls import reverse

from tests.factories import ActivityFactory, BookingFactory, CaseTaskFactory

pytestmark = pytest.mark.django_db


def _waiting(body: str) -> str:
    block = re.search(r'<section class="card todo".*?</section>', body, re.S).group(0)
    return re.sub(r"\s+", " ", block)


def _english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


def test_it_puts_what_waits_first(client_as, officer):
    client = client_as(officer)
    _english(client)
    CaseTaskFactory(assignee=officer)
    CaseTaskFactory(assignee=officer)
    body = client.get(reverse("accounts:me")).content.decode()
    assert body.index("Waiting for me") < body.index("Edit my profile")
    waiting = _waiting(body)
    assert "2 case tasks to finish" in waiting
    assert f'href="{reverse("cases:my_tasks")}"' in waiting


def test_it_says_so_when_nothing_waits(client_as, entrepreneur):
    client = client_as(entrepreneur)
    _english(client)
    assert "Nothing waits for you right now." in _waiting(client.get(reverse("accounts:me")).content.decode())


def test_it_asks_the_founder_to_rate_a_completed_service(client_as, entrepreneur):
    client = client_as(entrepreneur)
    _english(client)
    BookingFactory(user=entrepreneur, status="completed")
    waiting = _waiting(client.get(reverse("accounts:me")).content.decode())
    assert "1 completed service to rate" in waiting
    assert "?status=completed" in waiting


def test_it_asks_the_captain_to_approve_hours(client_as, captain, team, member):
    from volunteers.models import Attendance

    client = client_as(captain)
    _english(client)
    Attendance.objects.create(activity=ActivityFactory(team=team), user=member, proposed_hours=2)
    waiting = _waiting(client.get(reverse("accounts:me")).content.decode())
    assert "1 activity with hours to approve" in waiting
    assert reverse("volunteers:hours_to_approve") in waiting


def test_it_asks_the_member_for_the_peer_reviews_they_owe(client_as, member, captain, team):
    from points.models import MemberResult, Stage, TeamRating
    from tests.factories import PeriodFactory

    period = PeriodFactory(stage=Stage.PEER_REVIEW, name="2026 Q4")
    TeamRating.objects.create(period=period, team=team)
    for person in (member, captain):
        MemberResult.objects.create(period=period, team=team, member=person)
    client = client_as(member)
    _english(client)
    waiting = _waiting(client.get(reverse("accounts:me")).content.decode())
    assert "Peer reviews to give in 2026 Q4" in waiting
    assert reverse("points:peer_review", args=[period.pk]) in waiting


def test_it_keeps_sections_short_with_a_show_all_link(client_as, entrepreneur):
    client = client_as(entrepreneur)
    _english(client)
    for _ in range(8):
        BookingFactory(user=entrepreneur)
    body = client.get(reverse("accounts:me")).content.decode()
    section = re.search(r'<section class="card" id="my-bookings".*?</section>', body, re.S).group(0)
    assert section.count('<li>') == 5
    assert "Show all my bookings" in section and reverse("services:booking_list") in section
