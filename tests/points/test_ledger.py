"""The points ledger is append-only everywhere: model, queryset, admin and API."""
import pytest
from django.urls import reverse

from points import actions
from points.models import AppendOnlyError, LedgerEntry, Stage
from portal.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(member):
    return LedgerEntry.objects.create(member=member, points=10, reason="测试", source="achievement")


def test_it_refuses_to_save_an_existing_entry_again(entry):
    entry.points = 99
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert LedgerEntry.objects.get(pk=entry.pk).points == 10


def test_it_refuses_to_delete_an_entry(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().update(points=0)
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.bulk_update([entry], ["points"])
    assert LedgerEntry.objects.get(pk=entry.pk).points == 10


def test_a_correction_is_a_new_compensating_entry(entry, reviewer, member):
    correction = actions.ledger_correct(entry=entry, by=reviewer, points=-4, reason="重复计分")
    assert correction.corrects == entry and correction.source == "correction"
    assert LedgerEntry.objects.count() == 2
    from points.selectors import member_balance
    assert member_balance(member=member) == 6


def test_only_reviewers_correct_and_they_give_a_reason(entry, member, reviewer):
    with pytest.raises(actions.NotAllowed):
        actions.ledger_correct(entry=entry, by=member, points=-4, reason="x")
    with pytest.raises(actions.Invalid):
        actions.ledger_correct(entry=entry, by=reviewer, points=-4, reason=" ")
    assert LedgerEntry.objects.count() == 1


def test_the_admin_is_read_only(client_as, entry):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True, roles=[])
    client = client_as(admin)
    assert client.get(reverse("admin:points_ledgerentry_changelist")).status_code == 200
    assert client.get(reverse("admin:points_ledgerentry_add")).status_code == 403
    response = client.post(reverse("admin:points_ledgerentry_change", args=[entry.pk]), {"points": 50})
    assert response.status_code == 403
    assert client.post(reverse("admin:points_ledgerentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert LedgerEntry.objects.get(pk=entry.pk).points == 10


def test_the_api_has_no_way_to_write_the_ledger(api_as, reviewer, entry):
    client = api_as(reviewer)
    assert client.post(reverse("api-ledger"), {"member": entry.member_id, "points": 5}, format="json").status_code == 405
    assert client.delete(reverse("api-ledger")).status_code == 405


def test_members_see_their_own_entries_and_reviewers_everyones(api_as, entry, member, teammate, reviewer):
    LedgerEntry.objects.create(member=teammate, points=3, reason="别人的", source="achievement")
    mine = api_as(member).get(reverse("api-ledger"), {"member": teammate.pk}).json()
    assert mine["count"] == 0
    assert api_as(member).get(reverse("api-ledger")).json()["count"] == 1
    everyone = api_as(reviewer).get(reverse("api-ledger")).json()
    assert everyone["count"] == 2
    assert api_as(reviewer).get(reverse("api-ledger"), {"member": teammate.pk}).json()["count"] == 1


def test_a_malformed_ledger_filter_is_a_400(api_as, reviewer):
    response = api_as(reviewer).get(reverse("api-ledger"), {"period": "abc"})
    assert response.status_code == 400


def test_the_ledger_needs_sign_in(api_client):
    assert api_client.get(reverse("api-ledger")).status_code == 401


def test_service_hours_become_points_once(member, captain):
    first = actions.service_hours_award(member=member, hours="2.5", reference="hours:1", reason="志愿服务", by=captain)
    assert first.points == 5 and first.source == "service_hours"
    assert actions.service_hours_award(member=member, hours=2.5, reference="hours:1", reason="志愿服务") is None
    assert LedgerEntry.objects.count() == 1


def test_the_ledger_page_query_count_does_not_grow(client_as, member, django_assert_max_num_queries):
    client = client_as(member)
    LedgerEntry.objects.create(member=member, points=1, reason="一", source="achievement")
    with django_assert_max_num_queries(14):
        assert client.get(reverse("points:my_points")).status_code == 200
    LedgerEntry.objects.bulk_create(
        [LedgerEntry(member=member, points=i, reason=f"第{i}条", source="achievement") for i in range(40)]
    )
    with django_assert_max_num_queries(14):
        response = client.get(reverse("points:my_points"))
    assert "<svg" in response.content.decode()


def test_period_results_are_written_once(period, drive, alliance):
    drive(period, Stage.PUBLISHED)
    assert LedgerEntry.objects.filter(source="period_result").count() == 3
    assert UserFactory(roles=[Role.HALL_STAFF])  # unrelated people change nothing
