"""The header shows each person what their roles can do, marks the current page, and the footer
tells everyone where the hall is."""
import html
import re
import warnings
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ActivityFactory, BookingFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _nav(body: str) -> dict[str, str]:
    """{href: label} of the main navigation's links."""
    nav = re.search(r'<nav class="site-nav".*?</nav>', body, re.S).group(0)
    return {html.unescape(href): html.unescape(label).strip() for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)', nav)}


def _english(client) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


def test_it_shows_a_visitor_the_public_pages_and_sign_in(client):
    _english(client)
    links = _nav(client.get("/").content.decode())
    assert links["/services/"] == "Services"
    assert "/ratings/" not in links and "/cases/" not in links and "/admin/" not in links
    assert links[reverse("accounts:login")] == "Sign in"


def test_it_shows_the_entrepreneur_their_bookings_ideas_and_activities(client_as, entrepreneur):
    client = client_as(entrepreneur)
    _english(client)
    links = _nav(client.get("/").content.decode())
    assert links["/bookings/"] == "My bookings"
    assert links["/me/#my-ideas"] == "My ideas"
    assert links["/me/#my-activities"] == "My activities"
    assert "/cases/" not in links


def test_it_shows_hall_staff_the_cases_board_new_case_todays_bookings_and_the_admin(client_as, hall_staff):
    client = client_as(hall_staff)
    _english(client)
    links = _nav(client.get("/").content.decode())
    assert links["/cases/"] == "Cases board"
    assert links["/cases/new/"] == "New case"
    assert links["/admin/"] == "Admin"
    today = [href for href, label in links.items() if label == "Today's bookings"]
    assert today and today[0].startswith("/admin/services/booking/?slot__starts_at__gte=")


def test_todays_bookings_lists_the_halls_today_from_its_midnight_to_the_next(client_as, hall_staff):
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    for reference, at in (("EARLYTODAY", midnight + timedelta(minutes=10)), ("LATETODAY", midnight + timedelta(hours=23, minutes=50)),
                          ("YESTERDAY", midnight - timedelta(minutes=10)), ("TOMORROW", midnight + timedelta(days=1, minutes=10))):
        BookingFactory(reference=reference, slot=SlotFactory(starts_at=at, ends_at=at + timedelta(minutes=30)))
    client = client_as(hall_staff)
    _english(client)
    href = next(href for href, label in _nav(client.get("/").content.decode()).items() if label == "Today's bookings")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # a bare date would be read as a naive datetime
        page = client.get(html.unescape(href)).content.decode()
    assert "EARLYTODAY" in page and "LATETODAY" in page
    assert "YESTERDAY" not in page and "TOMORROW" not in page
    # The admin's own "Today" choice of the date filter shows as the one selected.
    assert re.search(r'<li class="selected">\s*<a href="[^"]*"[^>]*>Today</a>', page)


def test_it_shows_the_officer_my_tasks_and_the_ideas_of_their_department(client_as, officer, department):
    client = client_as(officer)
    _english(client)
    links = _nav(client.get("/").content.decode())
    assert links["/cases/my-tasks/"] == "My tasks"
    assert links[f"/ideas/?department={department.code}"] == "Ideas for my department"


def test_it_shows_the_captain_scoring_and_hours_to_approve(client_as, captain):
    client = client_as(captain)
    _english(client)
    links = _nav(client.get("/").content.decode())
    assert links["/ratings/"] == "Scoring"
    assert links[reverse("volunteers:hours_to_approve")] == "Hours to approve"
    assert list(links).count("/ratings/") == 1


@pytest.mark.parametrize("persona", ["reviewer", "alliance", "member"])
def test_it_lets_reviewers_the_alliance_and_members_reach_the_rating_work_queue(client_as, request, persona):
    client = client_as(request.getfixturevalue(persona))
    _english(client)
    links = _nav(client.get("/").content.decode())
    assert links["/ratings/"] == "Rating work"
    assert client.get("/ratings/").status_code == 200


def test_it_marks_the_current_page_and_only_that_one(client_as, hall_staff):
    client = client_as(hall_staff)
    body = client.get("/cases/new/").content.decode()
    current = re.findall(r'<a href="([^"]+)" aria-current="page"', body)
    assert current == ["/cases/new/"]
    body = client.get("/services/").content.decode()
    assert re.findall(r'<a href="([^"]+)" aria-current="page"', body) == ["/services/"]


def test_it_switches_language_in_one_step(client):
    body = client.get("/").content.decode()
    form = re.search(r'<form class="language-switch".*?</form>', body, re.S).group(0)
    assert '<select' not in form
    assert 'name="language" value="en"' in form
    response = client.post(reverse("set_language"), {"language": "en", "next": "/services/"})
    assert response.status_code == 302 and response["Location"] == "/services/"
    body = client.get("/services/").content.decode()
    assert '<html lang="en">' in body and 'name="language" value="zh-hans"' in body


def test_it_has_a_menu_button_favicon_and_description_and_no_inline_script(client):
    body = client.get("/").content.decode()
    assert 'class="menu-button" aria-expanded="true" aria-controls="site-nav"' in body
    assert 'rel="icon"' in body and client.get("/static/img/favicon.svg").status_code == 200
    assert re.search(r'<meta name="description" content="[^"]{20,}">', body)
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)
    assert client.get("/static/js/nav.js").status_code == 200


def test_it_shows_the_halls_address_hours_phone_and_host_in_every_footer(client, settings):
    settings.HALL_CONTACT = {"address": "青年路1号", "hours": "9:00-17:00", "phone": "0571-1234 5678", "host": "开发区行政审批局"}
    for url in ["/", "/services/", "/ideas/", "/no-such-page/"]:
        body = client.get(url).content.decode()
        footer = re.search(r'<footer.*?</footer>', body, re.S).group(0)
        for value in ["青年路1号", "9:00-17:00", "0571-1234 5678", "开发区行政审批局"]:
            assert value in footer, (url, value)
        assert 'href="tel:0571-12345678"' in footer


def test_hours_to_approve_lists_the_captains_activities_waiting(client_as, captain, team, member):
    from volunteers.models import Attendance

    activity = ActivityFactory(team=team, title="帮办代办志愿服务")
    Attendance.objects.create(activity=activity, user=member, proposed_hours=2)
    other = ActivityFactory(title="别队的活动")
    Attendance.objects.create(activity=other, user=member, proposed_hours=2)
    body = client_as(captain).get(reverse("volunteers:hours_to_approve")).content.decode()
    assert "帮办代办志愿服务" in body and "别队的活动" not in body
    assert reverse("volunteers:activity_detail", args=[activity.pk]) in body


def test_hours_to_approve_is_refused_to_a_plain_member(client_as, member):
    assert client_as(member).get(reverse("volunteers:hours_to_approve")).status_code == 403


def test_hours_to_approve_needs_sign_in(client):
    response = client.get(reverse("volunteers:hours_to_approve"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_it_gives_hall_staff_the_reception_desk_and_the_windows_they_sit_at(client_as, hall_staff):
    from services.models import Window, Zone

    zone = Zone.objects.create(letter="A", name="青年专区")
    mine = Window.objects.create(number=3, zone=zone)
    mine.staff.add(hall_staff)
    other = Window.objects.create(number=4, zone=zone)
    client = client_as(hall_staff)
    _english(client)
    links = _nav(client.get("/").content.decode())
    assert links[reverse("services:hall_desk")] == "Reception desk"
    assert links[reverse("services:hall_window", args=[mine.pk])] == "Window 3"
    assert reverse("services:hall_window", args=[other.pk]) not in links
    assert client.get(reverse("services:hall_window", args=[mine.pk])).status_code == 200
