"""Appeals after publication: within the window, upheld or reopened, corrected by a compensating entry."""
import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from points.models import Appeal, LedgerEntry, MemberResult, PeriodEvent, Stage
from tests.points.conftest import full_scores

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(period, drive):
    return drive(period, Stage.PUBLISHED)


def _appeal(client, period, reason="我的服务时长没有计入"):
    return client.post(reverse("api-period-appeals", args=[period.pk]), {"reason": reason}, format="json")


def test_a_reopened_appeal_is_rescored_and_corrected_in_the_ledger(api_as, published, member, captain, reviewer):
    response = _appeal(api_as(member), published)
    assert response.status_code == 201
    appeal_id = response.json()["id"]
    response = api_as(reviewer).post(reverse("api-appeal-decide", args=[appeal_id]),
                                     {"decision": "reopen", "reason": "核实后重新评分"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "reopened"
    response = api_as(captain).post(reverse("api-period-captain-scores", args=[published.pk]),
                                    {"member": member.pk, "scores": full_scores(published, 19)}, format="json")
    assert response.status_code == 200, response.json()
    appeal = Appeal.objects.get()
    assert (appeal.status, appeal.old_total, appeal.new_total) == ("resolved", 90, 95)
    result = MemberResult.objects.get(period=published, member=member)
    assert (result.total, result.stars) == (95, 5)
    correction = LedgerEntry.objects.get(source="correction")
    assert correction.points == 5 and correction.corrects.source == "period_result"
    assert sum(LedgerEntry.objects.filter(member=member).values_list("points", flat=True)) == 95
    kinds = set(PeriodEvent.objects.filter(period=published).values_list("kind", flat=True))
    assert {"appeal_filed", "appeal_reopened", "appeal_resolved"} <= kinds
    # once resolved, the captain cannot rescore again
    again = api_as(captain).post(reverse("api-period-captain-scores", args=[published.pk]),
                                 {"member": member.pk, "scores": full_scores(published, 20)}, format="json")
    assert again.status_code == 409


def test_an_upheld_appeal_changes_nothing(api_as, published, member, reviewer, captain):
    appeal_id = _appeal(api_as(member), published).json()["id"]
    response = api_as(reviewer).post(reverse("api-appeal-decide", args=[appeal_id]),
                                     {"decision": "uphold", "reason": "评分有据"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "upheld"
    assert not LedgerEntry.objects.filter(source="correction").exists()
    rescore = api_as(captain).post(reverse("api-period-captain-scores", args=[published.pk]),
                                   {"member": member.pk, "scores": full_scores(published, 19)}, format="json")
    assert rescore.status_code == 409
    again = api_as(reviewer).post(reverse("api-appeal-decide", args=[appeal_id]), {"decision": "reopen"},
                                  format="json")
    assert again.status_code == 409


def test_appeals_close_after_the_window(api_as, published, member, settings):
    settings.POINTS_APPEAL_WINDOW_DAYS = 3
    with time_machine.travel(timezone.now() + dt.timedelta(days=4)):
        response = _appeal(api_as(member), published)
    assert response.status_code == 409
    assert not Appeal.objects.exists()


def test_one_appeal_per_result_and_a_reason_is_needed(api_as, published, member):
    assert _appeal(api_as(member), published, reason="").status_code == 400
    assert _appeal(api_as(member), published).status_code == 201
    assert _appeal(api_as(member), published).status_code == 409
    assert Appeal.objects.count() == 1


def test_only_rated_members_appeal_and_only_reviewers_decide(api_as, published, member, captain, period, drive):
    assert _appeal(api_as(captain), published).status_code == 403
    appeal_id = _appeal(api_as(member), published).json()["id"]
    assert api_as(member).post(reverse("api-appeal-decide", args=[appeal_id]), {"decision": "reopen"},
                               format="json").status_code == 403
    assert api_as(captain).post(reverse("api-appeal-decide", args=[appeal_id]), {"decision": "reopen"},
                                format="json").status_code == 404


def test_appeals_wait_for_publication(api_as, period, drive, member):
    drive(period, Stage.ALLIANCE_DECISION)
    assert _appeal(api_as(member), period).status_code == 409


def test_a_refused_page_decision_keeps_the_reason_beside_the_error(api_as, client_as, published, member, reviewer):
    appeal_id = _appeal(api_as(member), published).json()["id"]
    client = client_as(reviewer)
    url = reverse("points:appeal_decide", args=[appeal_id])
    response = client.post(url, {"decision": "maybe", "reason": "再核实一次"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "再核实一次" in body
    field = body.index(f'id="decision-{appeal_id}"')
    assert field < body.index(f'id="decision-{appeal_id}_error"') < body.index(f'id="reason-{appeal_id}"')
    assert Appeal.objects.get().status == "open"
    # Deciding twice: the second is a conflict, said above the list since the appeal has left it.
    assert client.post(url, {"decision": "uphold", "reason": ""}).status_code == 302
    again = client.post(url, {"decision": "reopen", "reason": ""})
    assert again.status_code == 409 and 'id="refused"' in again.content.decode()
    assert Appeal.objects.get().status != "reopened"
