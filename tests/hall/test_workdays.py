"""Working-day arithmetic: weekends off, the holiday calendar's days off and make-up working days."""
from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from portal.hall.models import Holiday
from portal.hall.workdays import (
    add_working_days,
    deadline_after_working_days,
    holiday_exceptions,
    is_working_day,
    start_of_day,
    subtract_working_days,
    working_days_between,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def national_day():
    """2026's National Day: Oct 1-7 off (1, 2, 5, 6, 7 are weekdays), Saturday Oct 10 is worked."""
    for day in (1, 2, 5, 6, 7):
        Holiday.objects.create(date=date(2026, 10, day), kind=Holiday.Kind.DAY_OFF, name="国庆节")
    Holiday.objects.create(date=date(2026, 10, 10), kind=Holiday.Kind.WORKING_DAY, name="国庆调休上班")


def test_it_skips_the_weekend():
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday + 1 = Monday
    assert add_working_days(date(2026, 3, 6), 5) == date(2026, 3, 13)


def test_it_skips_a_weekend_and_a_holiday_together():
    Holiday.objects.create(date=date(2026, 3, 9), kind=Holiday.Kind.DAY_OFF, name="测试假日")
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 10)
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 13)) == 4


def test_it_counts_a_make_up_working_day_on_a_saturday(national_day):
    assert is_working_day(date(2026, 10, 10))
    assert add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)
    assert subtract_working_days(date(2026, 10, 12), 1) == date(2026, 10, 10)


def test_it_jumps_the_national_day_week(national_day):
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert subtract_working_days(date(2026, 10, 8), 1) == date(2026, 9, 30)
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 12)) == 4  # 8, 9, 10, 12


def test_it_subtracts_across_a_weekend():
    assert subtract_working_days(date(2026, 3, 9), 1) == date(2026, 3, 6)
    assert subtract_working_days(date(2026, 3, 8), 0) == date(2026, 3, 6)  # Sunday, 0 days: the Friday


def test_it_moves_zero_days_to_the_next_working_day():
    assert add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 9)
    assert add_working_days(date(2026, 3, 9), 0) == date(2026, 3, 9)


def test_it_refuses_negative_days():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 6), -1)
    with pytest.raises(ValueError):
        subtract_working_days(date(2026, 3, 6), -1)


def test_it_sets_deadlines_at_the_end_of_the_working_day():
    start = timezone.make_aware(datetime(2026, 3, 6, 10, 0))
    deadline = deadline_after_working_days(start, 2)
    assert timezone.localtime(deadline).date() == date(2026, 3, 10)
    assert (timezone.localtime(deadline).hour, timezone.localtime(deadline).minute) == (23, 59)


def test_a_day_starts_at_the_halls_midnight_not_utcs():
    start = start_of_day(date(2026, 3, 6))
    assert timezone.localtime(start).replace(tzinfo=None) == datetime(2026, 3, 6, 0, 0)
    assert start.astimezone(UTC).replace(tzinfo=None) == datetime(2026, 3, 5, 16, 0)  # Asia/Shanghai


def test_it_reads_the_calendar_once_for_many_sums(national_day, django_assert_num_queries):
    with django_assert_num_queries(1):
        exceptions = holiday_exceptions(date(2026, 9, 1), date(2026, 11, 30))
        days = [add_working_days(date(2026, 9, 28), n, exceptions) for n in range(1, 20)]
        back = subtract_working_days(date(2026, 10, 12), 3, exceptions)
    assert days[2] == date(2026, 10, 8)
    assert back == date(2026, 10, 8)
