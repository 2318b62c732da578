"""Achievements (先锋亮绩): posting with evidence, the captain's decision, the per-indicator cap."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from points.models import Achievement, LedgerEntry, Stage
from tests.portal.test_files import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

PNG = png_bytes()
PDF = pdf_bytes()


@pytest.fixture
def open_period(period, drive):
    return drive(period, Stage.PEER_REVIEW)


def _post(client, **data):
    base = {"indicator": "five-1", "title": "帮办代办30件", "description": "在青年专区帮办代办30件一件事。",
            "points_claimed": 8}
    base.update(data)
    return client.post(reverse("api-achievement-list"), base, format="multipart")


def test_a_member_posts_an_achievement_with_a_pdf(api_as, member, open_period, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = _post(api_as(member), evidence=SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf"))
    assert response.status_code == 201, response.json()
    achievement = Achievement.objects.get()
    assert achievement.status == "pending" and achievement.team.slug == "vanguard"
    assert achievement.evidence.name.endswith(".pdf")


@pytest.mark.parametrize("name,content", [("x.exe", b"MZ..."), ("fake.png", b"not a png"), ("doc.docx", PDF)])
def test_it_refuses_evidence_of_the_wrong_type(api_as, member, open_period, name, content, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = _post(api_as(member), evidence=SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert "evidence" in response.json()["errors"]
    assert not Achievement.objects.exists()


def test_it_refuses_evidence_that_is_too_large(api_as, member, open_period, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.POINTS_EVIDENCE_MAX_BYTES = 50
    response = _post(api_as(member), evidence=SimpleUploadedFile("big.png", PNG))
    assert response.status_code == 400
    assert not Achievement.objects.exists()


def test_it_refuses_points_above_the_indicator_maximum(api_as, member, open_period):
    assert _post(api_as(member), points_claimed=21).status_code == 400
    assert _post(api_as(member), points_claimed=0).status_code == 400
    assert _post(api_as(member), indicator="nope").status_code == 400
    assert not Achievement.objects.exists()


def test_without_a_period_in_progress_posting_is_a_conflict(api_as, member, period):
    assert _post(api_as(member)).status_code == 409


def test_posting_needs_a_team_member(api_as, entrepreneur, api_client, open_period):
    assert _post(api_as(entrepreneur)).status_code == 403
    assert _post(api_client).status_code == 401


def test_the_captain_approves_into_points_capped_per_indicator(api_as, member, captain, open_period):
    client = api_as(member)
    ids = [_post(client, points_claimed=12).json()["id"], _post(client, points_claimed=12).json()["id"]]
    for pk in ids:
        response = api_as(captain).post(reverse("api-achievement-decide", args=[pk]), {"decision": "approve"},
                                        format="json")
        assert response.status_code == 200
    awarded = list(Achievement.objects.order_by("pk").values_list("points_awarded", flat=True))
    assert awarded == [12, 8]  # the indicator's maximum is 20 per period
    assert sum(LedgerEntry.objects.filter(member=member).values_list("points", flat=True)) == 20
    again = api_as(captain).post(reverse("api-achievement-decide", args=[ids[0]]), {"decision": "reject",
                                                                                      "reason": "x"}, format="json")
    assert again.status_code == 409


def test_only_the_members_captain_decides(api_as, member, teammate, other_team, open_period):
    pk = _post(api_as(member)).json()["id"]
    url = reverse("api-achievement-decide", args=[pk])
    assert api_as(other_team.captain_user).post(url, {"decision": "approve"}, format="json").status_code == 404
    assert api_as(member).post(url, {"decision": "approve"}, format="json").status_code == 403
    assert api_as(teammate).post(url, {"decision": "approve"}, format="json").status_code == 404
    assert Achievement.objects.get().status == "pending" and not LedgerEntry.objects.exists()


def test_rejecting_needs_a_reason(api_as, member, captain, open_period):
    pk = _post(api_as(member)).json()["id"]
    url = reverse("api-achievement-decide", args=[pk])
    assert api_as(captain).post(url, {"decision": "reject"}, format="json").status_code == 400
    response = api_as(captain).post(url, {"decision": "reject", "reason": "证明材料不足"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert not LedgerEntry.objects.exists()


def test_members_list_their_own_and_captains_their_teams(api_as, member, teammate, captain, other_team, open_period):
    _post(api_as(member))
    _post(api_as(teammate))
    assert api_as(member).get(reverse("api-achievement-list")).json()["count"] == 1
    assert api_as(captain).get(reverse("api-achievement-list")).json()["count"] == 2
    assert api_as(other_team.captain_user).get(reverse("api-achievement-list")).json()["count"] == 0


def test_the_achievements_page_posts_and_shows_errors_beside_the_field(client_as, member, open_period):
    client = client_as(member)
    assert client.get(reverse("points:achievements")).status_code == 200
    indicator = open_period.indicators.get(code="five-1")
    response = client.post(reverse("points:achievements"), {
        "indicator": indicator.pk, "title": "走访企业", "description": "走访园区企业20家", "points_claimed": 5,
        "evidence": SimpleUploadedFile("a.txt", b"hello"),
    })
    assert response.status_code == 400
    assert "PDF" in response.content.decode()
    response = client.post(reverse("points:achievements"), {
        "indicator": indicator.pk, "title": "走访企业", "description": "走访园区企业20家", "points_claimed": 5,
    })
    assert response.status_code == 302
    assert Achievement.objects.filter(title="走访企业").exists()


def test_an_achievement_still_pending_at_publication_can_still_be_decided(
        api_as, client_as, member, captain, period, drive):
    drive(period, Stage.PEER_REVIEW)
    late, other = _post(api_as(member)).json()["id"], _post(api_as(member), points_claimed=5).json()["id"]
    drive(period, Stage.PUBLISHED)
    response = api_as(captain).post(reverse("api-achievement-decide", args=[late]), {"decision": "approve"},
                                    format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert LedgerEntry.objects.get(achievement_id=late).points == 8
    # The captain's page decides it as well, and it leaves the list of those waiting.
    client = client_as(captain)
    client.post(reverse("points:achievement_decide", args=[other]), {"decision": "reject", "reason": "证明不足"})
    assert Achievement.objects.get(pk=other).status == "rejected"
    assert not Achievement.objects.filter(status="pending").exists()


def test_a_refused_decision_comes_back_with_what_the_captain_typed(api_as, client_as, member, captain, open_period):
    pk = _post(api_as(member)).json()["id"]
    response = client_as(captain).post(reverse("points:achievement_decide", args=[pk]),
                                       {"decision": "reject", "points": "7", "reason": ""})
    assert response.status_code == 400
    body = response.content.decode()
    # The achievements page again: this item's form keeps the choice and the points, the error beside the reason.
    assert '<option value="reject" selected>' in body and f'id="points-{pk}"' in body and 'value="7"' in body
    field = body.index(f'id="reason-{pk}"')
    assert field < body.index(f'id="reason-{pk}_error"') < body.index("</form>", field)
    assert Achievement.objects.get(pk=pk).status == "pending" and not LedgerEntry.objects.exists()
