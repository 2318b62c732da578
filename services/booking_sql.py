"""The three statements of a booking's transaction that the booking rush runs most, written by
hand (``services.actions.booking_create`` calls them; nothing else should).

On the 2-core machine the ORM spends 0.4 to 1.8 ms of Python building each of these (lookups
through the slot, the ``F()`` comparison, ``select_for_update``), where the database needs 0.1 to
0.3 ms: a third of a booking. The same SQL by hand costs a quarter of that (``make bench``, the
booking rush). Table and column names come from the models, values go as parameters, and each
statement runs on PostgreSQL and on SQLite alike; the ORM selector
``services.selectors.booking_active_for_subject`` says the same thing as ``active_bookings`` for
the pages, and the tests of the cap hold both to it.
"""
from __future__ import annotations

from functools import cache

from django.db import connection
from django.utils import timezone

from portal.accounts.models import User
from portal.hall.workdays import start_of_day
from services.models import Booking, Slot


def _name(model, field: str | None = None) -> str:
    quote = connection.ops.quote_name
    return quote(model._meta.db_table if field is None else model._meta.get_field(field).column)


@cache
def _statements() -> dict[str, str]:
    user, booking, slot = _name(User), _name(Booking), _name(Slot)
    b = {field: "b." + _name(Booking, field) for field in ("id", "user", "slot", "status", "reference")}
    s = {field: "s." + _name(Slot, field) for field in ("id", "bundle", "item", "starts_at")}
    active = ", ".join(["%s"] * len(Booking.ACTIVE))
    return {
        # The person's row, held until the booking's transaction ends (PostgreSQL only).
        "lock": f"SELECT 1 FROM {user} WHERE {_name(User, 'id')} = %s FOR UPDATE",
        # (slot id, reference) of their active bookings of one bundle (or item) from today on.
        "active": (
            f"SELECT {b['slot']}, {b['reference']} FROM {booking} b JOIN {slot} s ON {s['id']} = {b['slot']} "
            f"WHERE {b['user']} = %s AND {b['status']} IN ({active}) AND {s['starts_at']} >= %s "
            f"AND {{subject}} = %s ORDER BY {s['starts_at']}, {b['id']}"
        ),
        "bundle": s["bundle"],
        "item": s["item"],
        # One place taken, only while the slot is open, not started and not full.
        "take": (
            f"UPDATE {slot} SET {_name(Slot, 'booked_count')} = {_name(Slot, 'booked_count')} + 1 "
            f"WHERE {_name(Slot, 'id')} = %s AND {_name(Slot, 'is_open')} = %s AND {_name(Slot, 'starts_at')} > %s "
            f"AND {_name(Slot, 'booked_count')} < {_name(Slot, 'capacity')}"
        ),
    }


def person_lock(*, user: User) -> None:
    """Lock the person's row for the rest of the transaction, so two tabs booking at once are
    counted one after the other. SQLite has no row locks and serialises writers itself."""
    if not connection.features.has_select_for_update:
        return
    with connection.cursor() as cursor:
        cursor.execute(_statements()["lock"], [user.pk])


def active_bookings(*, user: User, slot: Slot) -> list[tuple[int, str]]:
    """(slot id, reference) of the person's active bookings of ``slot``'s bundle or item whose slot
    starts today or later, earliest first: what the booking checks need."""
    statements = _statements()
    subject, subject_id = ("bundle", slot.bundle_id) if slot.bundle_id is not None else ("item", slot.item_id)
    since = connection.ops.adapt_datetimefield_value(start_of_day(timezone.localdate()))
    with connection.cursor() as cursor:
        cursor.execute(statements["active"].format(subject=statements[subject]),
                       [user.pk, *(str(status) for status in Booking.ACTIVE), since, subject_id])
        return [(slot_id, reference) for slot_id, reference in cursor.fetchall()]


def slot_take(*, slot_id: int) -> bool:
    """Take one place with a single conditional UPDATE; False when the slot is closed, started or
    full. Two requests racing for the last place are serialised on the row by the database: the
    second finds it full and updates nothing."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_statements()["take"], [slot_id, True, now])
        return cursor.rowcount == 1
