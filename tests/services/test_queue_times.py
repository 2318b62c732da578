"""Waiting and service times measured per item and window, for staff and on the dashboard."""
from datetime import timedelta

import pytest
import time_machine

from services import actions, selectors
from services.dashboard import queue_time_figures
from tests.services.queue_setup import NOW, hall, window_staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]  # the figures are read by their English labels


def _serve(*, window, clerk, desk, item, wait_minutes: int, service_minutes: int, start):
    """A walk-in checked in at ``start``, called after ``wait_minutes`` and done ``service_minutes`` later."""
    with time_machine.travel(start, tick=False):
        actions.queue_walk_in(item=item, by=desk)
    with time_machine.travel(start + timedelta(minutes=wait_minutes), tick=False):
        ticket = actions.queue_call_next(window=window, by=clerk)
    with time_machine.travel(start + timedelta(minutes=wait_minutes + service_minutes), tick=False):
        actions.queue_done(ticket=ticket, by=clerk)


@pytest.fixture
def served(db):
    clerk, desk = window_staff("clerk"), window_staff("desk")
    _zone, window, item = hall(staff=clerk)
    # Ten people: waits 1..10 minutes, services 2..20 minutes, one after another.
    start = NOW - timedelta(hours=1)
    for n in range(1, 11):
        _serve(window=window, clerk=clerk, desk=desk, item=item, wait_minutes=n, service_minutes=2 * n,
               start=start + timedelta(minutes=40 * (n - 1)) - timedelta(hours=4))
    return window, clerk


def test_it_measures_median_and_90th_percentile_waits_and_services(served, django_assert_num_queries):
    window, _clerk = served
    with time_machine.travel(NOW, tick=False):
        with django_assert_num_queries(1):
            times = selectors.queue_times_today()
    assert times["all"] == {
        "called": 10, "served": 10,
        "wait_median": 5.0, "wait_p90": 9.0, "service_median": 10.0, "service_p90": 18.0,
    }
    assert [row["key"] for row in times["per_window"]] == [3]
    assert times["per_subject"][0]["key"] == "企业设立登记"


def test_it_shows_the_times_on_the_window_page_and_the_dashboard(served, client_as, client, settings):
    settings.LANGUAGE_CODE = "en"
    window, clerk = served
    with time_machine.travel(NOW, tick=False):
        page = client_as(clerk).get(f"/hall/windows/{window.pk}/").content.decode()
        assert "Waiting and service times today" in page and "<td>9.0</td>" in page
        figures = {str(figure["label"]): figure for figure in queue_time_figures()}
        dashboard = client.get("/dashboard/")
    assert figures["Waiting time at the windows today, median"]["value"] == 5.0
    assert figures["Service time at the windows today, 90th percentile"]["value"] == 18.0
    assert "Waiting time at the windows today, 90th percentile" in dashboard.content.decode()


def test_it_shows_a_dash_before_anyone_is_called(db):
    with time_machine.travel(NOW, tick=False):
        figures = {str(figure["label"]): figure for figure in queue_time_figures()}
    assert figures["Waiting time at the windows today, median"]["value"] == "—"


def test_it_names_each_item_in_the_page_s_language(served):
    from django.utils import translation

    from services.models import ServiceItem

    ServiceItem.objects.filter(name="企业设立登记").update(name_en="Company registration")
    with time_machine.travel(NOW, tick=False):
        with translation.override("en"):
            assert selectors.queue_times_today()["per_subject"][0]["key"] == "Company registration"
        with translation.override("zh-hans"):
            assert selectors.queue_times_today()["per_subject"][0]["key"] == "企业设立登记"
