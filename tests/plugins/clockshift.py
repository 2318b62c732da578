"""Run the tests as if the wall clock read ``CLOCK_AT`` (ISO 8601 with its offset), ticking on.

    CLOCK_AT=2026-12-04T00:10:00+08:00 make test PYTEST_ARGS="-p tests.plugins.clockshift -n auto"

For the tests' own clock assumptions: a test that builds a time from "now" and then travels to a
little before it can cross the hall's midnight, and passes or fails by the hour CI happens to run
(the founder journey did, from 23:20 Beijing time). Each xdist worker shifts its own clock; the
live server's threads share it, separate processes (a Celery worker, gunicorn behind nginx) do
not, so use it on the SQLite pass. Without ``CLOCK_AT`` it does nothing.
"""
import os

import time_machine

_travel = None


def pytest_configure(config):
    global _travel
    at = os.environ.get("CLOCK_AT")
    if at and _travel is None:
        _travel = time_machine.travel(at, tick=True)
        _travel.start()


def pytest_unconfigure(config):
    global _travel
    if _travel is not None:
        _travel.stop()
        _travel = None
