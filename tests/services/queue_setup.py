"""Shared set-up for the queue tests: zone A, window 3 for one item with its staff member, a day."""
from datetime import datetime
from zoneinfo import ZoneInfo

from portal.roles import Role
from services.models import Window, Zone
from tests.factories import BookingFactory, ServiceItemFactory, SlotFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


# Tuesday 2026-12-08, 09:50 in the hall.
NOW = local(2026, 12, 8, 9, 50)


def hall(*, staff=None, number: int = 3, letter: str = "A", item=None):
    zone = Zone.objects.get_or_create(letter=letter, defaults={"name": f"专区{letter}"})[0]
    item = item or ServiceItemFactory(code="company-setup", name="企业设立登记")
    window = Window.objects.create(number=number, zone=zone)
    window.items.add(item)
    if staff is not None:
        window.staff.add(staff)
    return zone, window, item


def window_staff(username: str = "clerk"):
    return UserFactory(username=username, is_staff=True, roles=[Role.HALL_STAFF])


def booking_at(item, *, starts_at, user=None, reference=None):
    slot = SlotFactory(bundle=None, item=item, starts_at=starts_at, booked_count=1)
    kwargs = {"slot": slot}
    if user is not None:
        kwargs["user"] = user
    if reference is not None:
        kwargs["reference"] = reference
    return BookingFactory(**kwargs)
