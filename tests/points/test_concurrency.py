"""Races on PostgreSQL: simultaneous approvals never exceed an indicator's cap; a stage moves once."""
import threading

import pytest
from django.db import connection

from points import actions
from points.models import Achievement, LedgerEntry, PeriodEvent, Stage
from portal.exceptions import DomainError


def _race(*calls):
    errors, barrier = [], threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            call()
        except DomainError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_approvals_stay_under_the_cap(period, drive, member, captain):
    drive(period, Stage.PEER_REVIEW)
    indicator = period.indicators.get(code="five-1")
    achievements = [
        actions.achievement_create(by=member, indicator=indicator, title=f"亮绩{n}", description="服务",
                                   points_claimed=15)
        for n in range(2)
    ]
    _race(*[lambda achievement=achievement: actions.achievement_approve(achievement=achievement, by=captain)
            for achievement in achievements])
    assert sum(LedgerEntry.objects.filter(member=member).values_list("points", flat=True)) == 20
    assert sorted(Achievement.objects.values_list("points_awarded", flat=True)) == [5, 15]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_moving_the_same_stage_move_it_once(period, reviewer):
    errors = _race(*[lambda: actions.period_advance(period=period, by=reviewer, to=Stage.PEER_REVIEW)
                     for _ in range(2)])
    assert len(errors) == 1
    assert PeriodEvent.objects.filter(period=period, kind="advanced").count() == 1
