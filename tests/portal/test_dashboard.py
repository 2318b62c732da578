"""The dashboard adds up: each headline equals the sum of its own bars, says what it counts, reads
well in English ("10 teams"), and its trends come with the numbers as a table."""
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from portal.dashboard import dashboard_all, per_month, recent_months
from services.models import Booking, Stage
from tests.factories import BookingFactory, BundleFactory, BundleItemFactory, ServiceItemFactory, SlotFactory

pytestmark = pytest.mark.django_db


def test_every_headline_equals_the_sum_of_its_bars_on_the_demo_data():
    call_command("seed_demo", verbosity=0)
    with translation.override("en"):
        figures = dashboard_all()
    checked = 0
    for figure in figures:
        assert figure.get("description"), figure["label"]
        if figure["chart"] and not figure["trend"]:
            assert sum(row["value"] for row in figure["chart"]) == figure["value"], figure["label"]
            checked += 1
    assert checked >= 5
    labels = {str(f["label"]) for f in figures}
    assert {"Bookings", "Golden ideas collected", "Cross-department cases open", "Service hours"} <= labels


def test_the_units_are_words_with_a_space_and_the_right_plural():
    call_command("seed_demo", verbosity=0)
    with translation.override("en"):
        figures = {str(f["label"]): f for f in dashboard_all()}
    assert figures["Service teams"]["display"] == f"{figures['Service teams']['value']} teams"
    assert re.fullmatch(r"\d+ (booking|bookings)", figures["Bookings"]["display"])
    assert figures["Handling steps saved by bundles (average)"]["display"].endswith("%")


def test_it_counts_new_businesses_from_completed_registration_bundle_bookings():
    registration = BundleFactory()
    BundleItemFactory(bundle=registration, item=ServiceItemFactory(stage=Stage.REGISTRATION), position=0)
    housing = BundleFactory()
    BundleItemFactory(bundle=housing, item=ServiceItemFactory(stage=Stage.HOUSING), position=0)
    start = timezone.now() + timedelta(days=3)
    for hours, status in enumerate(("completed", "completed", "booked")):
        BookingFactory(slot=SlotFactory(bundle=registration, starts_at=start + timedelta(hours=hours)), status=status)
    BookingFactory(slot=SlotFactory(bundle=housing, starts_at=start), status="completed")
    with translation.override("en"):
        figures = {str(f["label"]): f for f in dashboard_all()}
    assert figures["New businesses started by young founders"]["value"] == 2
    assert figures["New businesses started by young founders"]["display"] == "2 businesses"


def test_trends_cover_the_last_six_months_with_empty_months_as_zero():
    months = recent_months(today=timezone.localdate().replace(month=2, day=10))
    assert [m.month for m in months] == [9, 10, 11, 12, 1, 2]
    BookingFactory(slot=SlotFactory(starts_at=timezone.now()))
    BookingFactory(slot=SlotFactory(starts_at=timezone.now() - timedelta(days=400)))  # too old to show
    bars = per_month(Booking.objects.all(), "slot__starts_at")
    assert len(bars) == 6 and sum(bar["value"] for bar in bars) == 1
    assert bars[-1] == {"label": timezone.localdate().strftime("%Y-%m"), "value": 1}


def test_the_page_draws_bars_without_inline_style_and_gives_the_numbers_as_tables(client, django_assert_max_num_queries):
    call_command("seed_demo", verbosity=0)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    with django_assert_max_num_queries(60):
        body = client.get("/dashboard/").content.decode()
    assert "style=" not in body
    assert "Bookings per month" in body and "Satisfaction per quarter" in body
    assert "Service hours per month" in body and "Ideas and blockers per month" in body
    assert body.count('<table class="visually-hidden">') >= 8
    assert re.search(r"\d(teams|hours|points)", body) is None


def test_answered_on_time_counts_the_overdue_unanswered_entries_against_it():
    from suggestions.selectors import suggestion_headline_counts
    from tests.factories import DepartmentFactory, SuggestionFactory

    now = timezone.now()
    SuggestionFactory(status="answered", department=DepartmentFactory(), answer_due_at=now + timedelta(days=1), answered_at=now)
    SuggestionFactory(status="accepted", answer_due_at=now - timedelta(days=1))
    assert suggestion_headline_counts()["on_time_percent"] == 50
