"""The statements a booking runs most, written by hand: the slot with its bundle and item
(``services.selectors.slot_get``, the start of every booking, move and pick), and those of the
booking's transaction: the person's lock, their active bookings, the slot's place and the two
INSERTs of the booking and its history row (``services.actions.booking_create`` calls them;
nothing else should).

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
from services.models import Booking, Bundle, ServiceItem, Slot


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


@cache
def _slot_read() -> tuple[str, list[tuple]]:
    """The slot joined to its bundle and its item, every concrete column of the three, and for each
    model (model, attnames, [(column, converters)]): the backend's and the field's converters of
    every column (SQLite's datetimes and booleans), applied as the ORM applies them."""
    parts, columns = [], []
    for alias, model in (("s", Slot), ("b", Bundle), ("i", ServiceItem)):
        fields = model._meta.concrete_fields
        converters = []
        for field in fields:
            col = field.get_col(alias)
            converters.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
            columns.append(f"{alias}.{connection.ops.quote_name(field.column)}")
        parts.append((model, [field.attname for field in fields], converters))
    # The pk first in each model's columns: None there is a LEFT JOIN that found nothing.
    assert all(names[0] == model._meta.pk.attname for model, names, _converters in parts)
    sql = (
        f"SELECT {', '.join(columns)} FROM {_name(Slot)} s "
        f"LEFT JOIN {_name(Bundle)} b ON b.{_name(Bundle, 'id')} = s.{_name(Slot, 'bundle')} "
        f"LEFT JOIN {_name(ServiceItem)} i ON i.{_name(ServiceItem, 'id')} = s.{_name(Slot, 'item')} "
        f"WHERE s.{_name(Slot, 'id')} = %s"
    )
    return sql, parts


def slot_with_subject(*, slot_id: int) -> Slot | None:
    """The slot with this id, its bundle and item loaded with it (as ``select_related`` would), or
    None: one statement, and the instances built by ``Model.from_db`` as the ORM builds them."""
    low, high = connection.ops.integer_field_range(Slot._meta.pk.get_internal_type())
    if not low <= slot_id <= high:  # no such row, where the database would refuse the number
        return None
    sql, parts = _slot_read()
    with connection.cursor() as cursor:
        cursor.execute(sql, [slot_id])
        row = cursor.fetchone()
    if row is None:
        return None
    loaded, start = [], 0
    for model, names, converters in parts:
        values = list(row[start:start + len(names)])
        start += len(names)
        if values[0] is None:  # no bundle (or no item): the LEFT JOIN found nothing
            loaded.append(None)
            continue
        for index, (col, field_converters) in enumerate(converters):
            for converter in field_converters:
                values[index] = converter(values[index], col, connection)
        loaded.append(model.from_db(connection.alias, names, values))
    slot, bundle, item = loaded
    Slot.bundle.field.set_cached_value(slot, bundle)
    Slot.item.field.set_cached_value(slot, item)
    return slot


@cache
def _insert_statement(model) -> tuple[str, list]:
    fields = [field for field in model._meta.local_concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    sql = f"INSERT INTO {_name(model)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    if connection.features.can_return_columns_from_insert:
        sql += f" RETURNING {connection.ops.quote_name(model._meta.pk.column)}"
    return sql, fields


def insert(instance) -> None:
    """INSERT one new row of ``instance`` (its pk the database's next), as ``save()`` would write it:
    each field's ``pre_save`` (``auto_now_add`` stamps the time) and database value, but no
    ``pre_save``/``post_save`` signals (nothing in the portal listens for these models')."""
    model = type(instance)
    sql, fields = _insert_statement(model)
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        if connection.features.can_return_columns_from_insert:
            pk = cursor.fetchone()[0]
        else:
            pk = connection.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias


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
