"""Working-day arithmetic for deadlines (限时办结): weekends are off, the holiday calendar decides
the exceptions (public holidays off, make-up working days 调休 on).
"""
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from portal.hall.models import Holiday


class BeyondCalendar(ValueError):
    """The walk would leave the dates Python knows (year 1 to 9999)."""


def _shifted(day: date, days: int) -> date:
    """``day`` moved by ``days``, held at the calendar's ends: for the windows of holiday reads."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def _step(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        raise BeyondCalendar("no working day within the calendar")


def _exceptions(start: date, end: date) -> dict[date, bool]:
    """{date: is_working_day} for calendar exceptions in [start, end], in one query."""
    return {
        day: kind == Holiday.Kind.WORKING_DAY
        for day, kind in Holiday.objects.filter(date__range=(start, end)).values_list("date", "kind")
    }


def is_working_day(day: date, exceptions: dict[date, bool] | None = None) -> bool:
    if exceptions is None:
        exceptions = _exceptions(day, day)
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def holiday_exceptions(start: date, end: date) -> dict[date, bool]:
    """The calendar's exceptions in [start, end] in one query, for callers that do many sums."""
    return _exceptions(start, end)


def add_working_days(start: date, days: int, exceptions: dict[date, bool] | None = None) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself never counts).

    ``add_working_days(friday, 1)`` is the next Monday unless the calendar says otherwise.
    With ``days == 0`` it is ``start`` when that is a working day, else the next working day.
    ``exceptions`` (from ``holiday_exceptions``) must cover the dates walked; without it the
    calendar is read here. Raises BeyondCalendar when the walk would pass 9999-12-31.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if exceptions is None:
        # Long holidays (Spring Festival, National Day) fit easily in a window of 3x + 30 days.
        exceptions = _exceptions(start, _shifted(start, days * 3 + 30))
    current = start
    if days == 0:
        while not is_working_day(current, exceptions):
            current = _step(current, 1)
        return current
    remaining = days
    while remaining:
        current = _step(current, 1)
        if is_working_day(current, exceptions):
            remaining -= 1
    return current


def subtract_working_days(start: date, days: int, exceptions: dict[date, bool] | None = None) -> date:
    """The working day ``days`` working days before ``start`` (``start`` itself never counts).

    ``subtract_working_days(monday, 1)`` is the Friday before, unless the calendar says otherwise;
    with ``days == 0`` it is ``start`` when that is a working day, else the working day before.
    Raises BeyondCalendar when the walk would pass 0001-01-01.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if exceptions is None:
        exceptions = _exceptions(_shifted(start, -(days * 3 + 30)), start)
    current = start
    if days == 0:
        while not is_working_day(current, exceptions):
            current = _step(current, -1)
        return current
    remaining = days
    while remaining:
        current = _step(current, -1)
        if is_working_day(current, exceptions):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    if end <= start:
        return 0
    exceptions = _exceptions(start, end)
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current, exceptions):
            count += 1
    return count


def start_of_day(day: date) -> datetime:
    """The midnight that begins ``day`` in the hall's time zone (a day's lower bound in queries)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def end_of_working_day(day: date) -> datetime:
    """A deadline on ``day`` means the end of that day in the hall's time zone."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def deadline_after_working_days(start: datetime, days: int) -> datetime:
    return end_of_working_day(add_working_days(timezone.localdate(start), days))
