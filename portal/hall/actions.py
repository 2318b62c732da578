"""Writes of the hall's shared parts: the holiday calendar.

Every change of the calendar (an import, a day added, changed or removed in the admin) goes
through here, so that what depends on it is re-planned in the same transaction: the apps built on
the hall subscribe through ``portal.hall.hooks.calendar_changed_subscriber``.
"""
import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.exceptions import Conflict, Invalid
from portal.hall import hooks
from portal.hall.models import Holiday
from portal.hall.workdays import holiday_exceptions, is_working_day

# The State Council's yearly notice has ~40 rows; a file far larger than this is not a calendar.
HOLIDAY_FILE_MAX_BYTES = 256 * 1024
HOLIDAY_FILE_MAX_ROWS = 1000
# The file's words (off/work) and the model's own values are both accepted.
KIND_WORDS = {
    "off": Holiday.Kind.DAY_OFF, Holiday.Kind.DAY_OFF.value: Holiday.Kind.DAY_OFF,
    "work": Holiday.Kind.WORKING_DAY, Holiday.Kind.WORKING_DAY.value: Holiday.Kind.WORKING_DAY,
}
NAME_MAX_LENGTH = Holiday._meta.get_field("name").max_length


@dataclass(frozen=True)
class CalendarChange:
    """The days whose status changed: ``now_off`` were working days and are days off now,
    ``now_working`` the reverse. A day off on a weekend changes nothing and is in neither."""

    now_off: frozenset[date] = frozenset()
    now_working: frozenset[date] = frozenset()

    @property
    def days(self) -> frozenset[date]:
        return self.now_off | self.now_working

    def __bool__(self) -> bool:
        return bool(self.days)


@dataclass
class HolidayImport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    change: CalendarChange = field(default_factory=CalendarChange)


@dataclass(frozen=True)
class HolidayRow:
    date: date
    kind: str
    name: str


def holiday_rows_parse(data: bytes | str) -> list[HolidayRow]:
    """The rows of a calendar CSV (columns ``date``, ``kind``, ``name``; UTF-8, a BOM allowed).

    All or nothing: raises Invalid (field ``file``) naming the first lines that are wrong (a
    date that is not ISO, an unknown kind, no name, a date twice), so nothing half-imports.
    """
    if isinstance(data, bytes):
        if len(data) > HOLIDAY_FILE_MAX_BYTES:
            raise Invalid(_("The file is too large for a calendar: at most %(kb)d KB.")
                          % {"kb": HOLIDAY_FILE_MAX_BYTES // 1024}, field="file")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid(_("The file must be a CSV file in UTF-8."), field="file") from None
    if "\x00" in data:
        raise Invalid(_("The file must be a CSV file in UTF-8."), field="file")
    reader = csv.DictReader(io.StringIO(data, newline=""))
    if not reader.fieldnames or not {"date", "kind", "name"} <= {(name or "").strip() for name in reader.fieldnames}:
        raise Invalid(_("The first line must name the columns date, kind and name."), field="file")
    rows: list[HolidayRow] = []
    errors: list[str] = []
    seen: set[date] = set()
    try:
        for number, record in enumerate(reader, start=2):
            if number - 1 > HOLIDAY_FILE_MAX_ROWS:
                raise Invalid(_("A calendar has at most %(rows)d rows.") % {"rows": HOLIDAY_FILE_MAX_ROWS},
                              field="file")
            record = {(key or "").strip(): (value or "").strip() for key, value in record.items()
                      if isinstance(value, str | None)}
            if not any(record.values()):
                continue  # a blank line
            try:
                day = date.fromisoformat(record.get("date", ""))
            except ValueError:
                errors.append(_("line %(line)d: %(value)r is not a date (YYYY-MM-DD)")
                              % {"line": number, "value": record.get("date", "")[:20]})
                continue
            kind = KIND_WORDS.get(record.get("kind", "").lower())
            name = record.get("name", "")
            if kind is None:
                errors.append(_("line %(line)d: the kind must be off or work") % {"line": number})
            elif not name or len(name) > NAME_MAX_LENGTH:
                errors.append(_("line %(line)d: the name must have 1 to %(max)d characters")
                              % {"line": number, "max": NAME_MAX_LENGTH})
            elif day in seen:
                errors.append(_("line %(line)d: %(date)s is in the file twice") % {"line": number, "date": day})
            else:
                seen.add(day)
                rows.append(HolidayRow(day, kind, name))
    except csv.Error as exc:
        raise Invalid(_("The file is not a readable CSV file: %(error)s") % {"error": str(exc)[:100]},
                      field="file") from None
    if errors:
        shown = "; ".join(errors[:5]) + ("; …" if len(errors) > 5 else "")
        raise Invalid(_("Nothing was imported. %(errors)s") % {"errors": shown}, field="file")
    if not rows:
        raise Invalid(_("The file holds no calendar days."), field="file")
    return rows


def _working_status(days: set[date]) -> dict[date, bool]:
    if not days:
        return {}
    exceptions = holiday_exceptions(min(days), max(days))
    return {day: is_working_day(day, exceptions) for day in days}


def _calendar_changed(*, before: dict[date, bool], by: User | None) -> CalendarChange:
    after = _working_status(set(before))
    change = CalendarChange(
        now_off=frozenset(day for day, working in before.items() if working and not after[day]),
        now_working=frozenset(day for day, working in before.items() if not working and after[day]),
    )
    if change:
        hooks.calendar_changed_notify(change=change, by=by)
    return change


def holiday_import(*, rows: list[HolidayRow], by: User | None = None) -> HolidayImport:
    """Bring the calendar in line with ``rows`` (from ``holiday_rows_parse``) in one transaction.

    A day in the file is created or updated to match; a day not in the file is left alone (a
    local closure staff added stays). Idempotent: importing the same rows again changes nothing.
    What depends on the calendar is re-planned inside the same transaction (the hooks).
    """
    result = HolidayImport()
    try:
        with transaction.atomic():
            existing = {h.date: h for h in Holiday.objects.select_for_update().filter(date__in=[r.date for r in rows])}
            before = _working_status({row.date for row in rows})
            new, changed = [], []
            for row in rows:
                holiday = existing.get(row.date)
                if holiday is None:
                    new.append(Holiday(date=row.date, kind=row.kind, name=row.name))
                elif (holiday.kind, holiday.name) != (row.kind, row.name):
                    holiday.kind, holiday.name = row.kind, row.name
                    changed.append(holiday)
                else:
                    result.unchanged += 1
            Holiday.objects.bulk_create(new)
            Holiday.objects.bulk_update(changed, ["kind", "name"])
            result.created, result.updated = len(new), len(changed)
            result.change = _calendar_changed(before=before, by=by)
    except IntegrityError:
        # Another import created one of these days meanwhile; the whole import is undone.
        raise Conflict(_("The calendar was changed meanwhile; please import again.")) from None
    return result


def holiday_save(*, holiday: Holiday, by: User | None = None) -> Holiday:
    """Save one calendar day (added or changed in the admin) and re-plan what depends on it.

    ``holiday`` is the unsaved or changed instance; when its date moved, both the old and the
    new date are re-planned.
    """
    try:
        with transaction.atomic():
            old = Holiday.objects.select_for_update().filter(pk=holiday.pk).first() if holiday.pk else None
            days = {holiday.date} | ({old.date} if old else set())
            before = _working_status(days)
            holiday.save()
            _calendar_changed(before=before, by=by)
    except IntegrityError:
        raise Conflict(_("This date is already in the calendar.")) from None
    return holiday


def holiday_delete(*, holidays: list[Holiday], by: User | None = None) -> int:
    """Remove calendar days (the weekday rule applies again) and re-plan what depends on them."""
    with transaction.atomic():
        days = {h.date for h in holidays}
        before = _working_status(days)
        deleted, _per_model = Holiday.objects.filter(pk__in=[h.pk for h in holidays]).delete()
        _calendar_changed(before=before, by=by)
    return deleted
