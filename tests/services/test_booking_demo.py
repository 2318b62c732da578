"""The demo catalogue: 40 items over four stages, bundles saving about 70% of steps, slots ahead."""
import pytest

from services import demo
from services.models import Booking, Bundle, ServiceItem, Slot, Stage
from services.selectors import bundle_list, bundle_savings

pytestmark = pytest.mark.django_db


def test_it_seeds_the_catalogue_once_and_changes_nothing_the_second_time():
    from portal import demo as portal_demo
    from portal.hall import demo as hall_demo

    portal_demo.seed()
    hall_demo.seed()
    demo.seed()
    counts = (ServiceItem.objects.count(), Bundle.objects.count(), Slot.objects.count(), Booking.objects.count())
    demo.seed()
    assert (ServiceItem.objects.count(), Bundle.objects.count(), Slot.objects.count(), Booking.objects.count()) == counts
    assert counts[0] == 40
    assert set(ServiceItem.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert counts[1] >= 5
    assert Slot.objects.filter(bundle__slug="restaurant", booked_count__lt=4).exists()
    savings = [bundle_savings(bundle) for bundle in bundle_list()]
    average = sum(row["steps_saved_percent"] for row in savings) / len(savings)
    assert 60 <= average <= 80
    assert all(row["bundle_materials"] < row["separate_materials"] for row in savings)


def test_it_seeds_a_zone_with_two_staffed_windows_and_numbers_for_the_screen(client):
    from portal import demo as portal_demo
    from portal.hall import demo as hall_demo
    from services.models import QueueTicket, Window

    portal_demo.seed()
    hall_demo.seed()
    demo.seed()
    demo.seed()
    windows = list(Window.objects.order_by("number"))
    assert [w.number for w in windows] == [1, 2]
    assert all(w.staff.filter(username="staff").exists() for w in windows)
    # Every item has a window, so every booking can be checked in.
    assert not ServiceItem.objects.filter(windows=None).exists()
    assert QueueTicket.objects.count() == 3
    called = QueueTicket.objects.get(status=QueueTicket.Status.CALLED)
    assert called.code in client.get("/hall/screen/").content.decode()
