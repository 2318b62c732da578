"""API.md's single ``score`` for captain scoring, beside the per-indicator ``scores``."""
import pytest
from django.urls import reverse

from points.actions import scores_from_total
from points.models import CaptainScore, Stage
from tests.points.conftest import full_scores

pytestmark = pytest.mark.django_db


def _url(period):
    return reverse("api-period-captain-scores", args=[period.pk])


@pytest.mark.parametrize("total", [0, 1, 37, 88, 99, 100])
def test_it_spreads_a_total_over_the_indicators_exactly_and_within_their_maxima(period, total):
    parts = scores_from_total(period=period, total=total)
    maxima = {ind.code: ind.max_points for ind in period.indicators.all()}
    assert set(parts) == set(maxima)
    assert sum(parts.values()) == total
    assert all(0 <= parts[code] <= maxima[code] for code in parts)


def test_it_accepts_one_score_out_of_100_from_the_captain(api_as, period, drive, captain, member):
    drive(period, Stage.CAPTAIN_SCORING)
    response = api_as(captain).post(_url(period), {"member": member.pk, "score": 88, "comment": "表现突出"},
                                    format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["score"] == 88
    assert sum(body["scores"].values()) == 88
    assert sum(CaptainScore.objects.filter(period=period, member=member).values_list("points", flat=True)) == 88


@pytest.mark.parametrize("body", [{"score": 101}, {"score": -1}, {"score": "很多"}, {}, {"score": 80, "scores": {}}])
def test_it_refuses_a_bad_single_score_and_writes_nothing(api_as, period, drive, captain, member, body):
    drive(period, Stage.CAPTAIN_SCORING)
    response = api_as(captain).post(_url(period), {"member": member.pk, **body}, format="json")
    assert response.status_code == 400
    # serializer refusals are "invalid", the domain's range check is "bad_score"; both name the field
    assert response.json()["code"] in {"invalid", "bad_score"}
    assert set(response.json()["errors"]) & {"score", "scores"}
    assert not CaptainScore.objects.filter(period=period, member=member).exists()


def test_per_indicator_scores_still_work(api_as, period, drive, captain, member):
    drive(period, Stage.CAPTAIN_SCORING)
    response = api_as(captain).post(_url(period), {"member": member.pk, "scores": full_scores(period, 5)}, format="json")
    assert response.status_code == 200
    assert response.json()["score"] == 5 * period.indicators.count()
