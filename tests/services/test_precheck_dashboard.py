"""The dashboard's 最多跑一次 figures: settled in one visit, with and without pre-check, per bundle and month."""
from datetime import timedelta

from django.utils import timezone, translation

from services import actions
from services.dashboard import one_visit_figures
from services.selectors import one_visit_rates
from tests.factories import BookingFactory, BundleFactory, SlotFactory
from tests.services.conftest import jpeg


def _completed(bundle, *, settled, starts_at, prechecked=False, entrepreneur=None, material=None, officer=None):
    booking = BookingFactory(slot=SlotFactory(bundle=bundle, starts_at=starts_at), status="booked",
                             **({"user": entrepreneur} if entrepreneur else {}))
    if prechecked:
        upload = actions.precheck_upload_create(booking=booking, material=material, files=[jpeg()], by=entrepreneur)
        actions.precheck_upload_accept(upload=upload, by=officer)
    booking.status = "completed"
    booking.settled_in_one_visit = settled
    booking.save()
    return booking


def test_it_reports_the_one_visit_share_with_and_without_precheck(precheck_bundle, materials, entrepreneur, officer,
                                                                 django_assert_max_num_queries):
    now = timezone.now()
    start = now + timedelta(days=2)
    for n, settled in enumerate([True, True, True, False]):
        _completed(precheck_bundle, settled=settled, starts_at=start + timedelta(hours=n), prechecked=True,
                   entrepreneur=entrepreneur, material=materials["id"], officer=officer)
    for n, settled in enumerate([True, False]):
        _completed(precheck_bundle, settled=settled, starts_at=start + timedelta(hours=10 + n))
    other = BundleFactory(slug="logistics", name="青创+物流一件事")
    _completed(other, settled=False, starts_at=start - timedelta(days=40))
    BookingFactory(slot=SlotFactory(bundle=other), status="completed")  # not recorded: left out

    rows = {(row["subject"], timezone.localtime(row["month"]).strftime("%Y-%m")): row for row in one_visit_rates()}
    month = timezone.localtime(start).strftime("%Y-%m")
    restaurant = rows[("青创+餐饮企业一件事", month)]
    assert (restaurant["with_total"], restaurant["with_rate"]) == (4, 75)
    assert (restaurant["without_total"], restaurant["without_rate"]) == (2, 50)
    with django_assert_max_num_queries(1), translation.override("en"):
        figures = {figure["label"]: figure for figure in one_visit_figures()}
    assert figures["Settled in one visit, with pre-check"]["value"] == 75
    assert figures["Settled in one visit, without pre-check"]["value"] == 33  # 1 of 3
    chart = {row["label"]: row["value"] for row in figures["Settled in one visit, without pre-check"]["chart"]}
    earlier = timezone.localtime(start - timedelta(days=40)).strftime("%Y-%m")
    assert chart[f"青创+物流一件事 · {earlier}"] == 0
    assert chart[f"青创+餐饮企业一件事 · {month}"] == 50


def test_it_shows_a_dash_without_completed_bookings(client, db):
    with translation.override("en"):
        figures = {figure["label"]: figure for figure in one_visit_figures()}
    assert figures["Settled in one visit, with pre-check"]["value"] == "—"
    assert figures["Settled in one visit, without pre-check"]["chart"] == []
    assert client.get("/dashboard/").status_code == 200
