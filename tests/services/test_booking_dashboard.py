"""Dashboard figures of the catalogue and bookings, computed live with a fixed number of queries."""
import pytest
from django.utils import translation

from services.dashboard import catalogue_and_booking_figures
from services.models import Evaluation, Step
from services.selectors import satisfaction
from tests.factories import BookingFactory, BundleFactory, BundleItemFactory, ServiceItemFactory, StepFactory

pytestmark = pytest.mark.django_db


def _review(grade: int) -> None:
    Evaluation.objects.create(booking=BookingFactory(status="completed"), stage="completion", grade=grade)


def test_it_defines_satisfaction_as_the_share_of_the_three_upper_grades():
    assert satisfaction()["rate"] is None
    for grade in (5, 4, 3, 2, 5, 1, 3, 4):
        _review(grade)
    assert satisfaction() == {"rate": 75.0, "reviews": 8, "satisfied": 6}


def _bundle():
    bundle = BundleFactory()
    for position in range(2):
        item = ServiceItemFactory(visits=1)
        StepFactory(item=item, name="受理", kind=Step.Kind.JOINT)
        StepFactory(item=item, name="审查", kind=Step.Kind.OWN)
        BundleItemFactory(bundle=bundle, item=item, position=position)


def test_it_reports_items_bundles_savings_bookings_and_satisfaction(django_assert_max_num_queries):
    _bundle()
    BookingFactory(status="cancelled")
    _review(5)
    with django_assert_max_num_queries(8), translation.override("en"):
        figures = {figure["label"]: figure for figure in catalogue_and_booking_figures()}
    assert figures["Service items"]["value"] == 2
    assert figures["One-thing bundles"]["value"] == 3  # with the bundles of the two bookings
    assert figures["Handling steps saved by bundles (average)"]["value"] == 25
    assert figures["Visits saved by bundles (average)"]["value"] == 50
    assert figures["Bookings"]["value"] == 1  # the cancelled one does not count
    assert figures["Satisfaction (share of the three upper grades)"]["value"] == 100.0
    for _n in range(10):
        _bundle()
    with django_assert_max_num_queries(8):
        catalogue_and_booking_figures()


def test_it_shows_the_figures_on_the_dashboard(client):
    _bundle()
    response = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    values = {str(figure["label"]): figure["value"] for figure in response.context["figures"]}
    assert values["Handling steps saved by bundles (average)"] == 25
