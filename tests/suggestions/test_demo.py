import pytest
from django.core.management import call_command

from suggestions.models import Suggestion, SuggestionEvent, Support

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(Suggestion.objects.values_list("number", "status", "support_count")),
        SuggestionEvent.objects.count(),
        Support.objects.count(),
    )


def test_the_demo_ledger_has_every_state_and_is_idempotent():
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first
    statuses = {status for _n, status, _s in first[0]}
    assert {"submitted", "accepted", "assigned", "answered", "adopted", "not_adopted", "implemented",
            "merged"} <= statuses
    answering = Suggestion.objects.filter(published_answer__isnull=False).values("published_answer__department")
    assert answering.distinct().count() >= 3
    assert Suggestion.objects.filter(hidden_at__isnull=False).exists()
    assert Suggestion.objects.filter(case__isnull=False).exists()
    assert Suggestion.objects.filter(submitter__username="founder").count() == 2
