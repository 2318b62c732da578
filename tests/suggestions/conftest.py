"""Helpers for the ledger tests: entries made through the real actions, walked along the machine."""
import pytest

from suggestions import actions
from suggestions.models import Suggestion

PATH = ["submitted", "accepted", "assigned", "answered"]


@pytest.fixture
def submit(entrepreneur):
    def make(*, submitter=None, kind="idea", category="service", title="延长青年专区周末服务时间",
             content="周末也有很多创业青年需要办事，建议青年专区周六上午开放。") -> Suggestion:
        return actions.suggestion_submit(
            by=submitter or entrepreneur, kind=kind, category=category, title=title, content=content
        )

    return make


@pytest.fixture
def walk(hall_staff, department):
    """``walk(entry, "answered")`` moves an entry along the main path as hall staff."""

    def move(entry: Suggestion, status: str, *, dept=None) -> Suggestion:
        for step in PATH[PATH.index(entry.status) + 1:PATH.index(status) + 1]:
            kwargs = {}
            if step == "assigned":
                kwargs["department"] = dept or department
            if step == "answered":
                kwargs["answer"] = "已协调青年专区周六上午开放，自下月起执行。"
            entry = actions.suggestion_move(suggestion=entry, to=step, **kwargs, by=hall_staff)
        return entry

    return move
