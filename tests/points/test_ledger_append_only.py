"""The points ledger is append-only in the database too: every way of changing or removing a row
fails, on PostgreSQL (a trigger) and on SQLite (triggers), and the row is unchanged after each.

Run on PostgreSQL with DATABASE_URL=postgres://... (README, "Tests"); the same tests run on SQLite.
"""
import pytest
from django.db import DatabaseError, connection, models, transaction

from points.models import AppendOnlyError, LedgerEntry

pytestmark = pytest.mark.django_db

REFUSED = (AppendOnlyError, DatabaseError)  # IntegrityError is a DatabaseError
TABLE = LedgerEntry._meta.db_table


@pytest.fixture
def entry(member):
    return LedgerEntry.objects.create(member=member, points=10, reason="亮绩加分", source="achievement",
                                      reference="test:1")


def _unchanged(entry) -> None:
    row = LedgerEntry.objects.filter(pk=entry.pk).values_list("points", "reason", "source", "reference").get()
    assert row == (10, "亮绩加分", "achievement", "test:1")
    assert LedgerEntry.objects.count() == 1


def _refused(attempt) -> BaseException:
    # Each attempt in its own savepoint: on PostgreSQL a failed statement aborts the transaction.
    with pytest.raises(REFUSED) as refusal, transaction.atomic():
        attempt()
    return refusal.value


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_sql_update_is_refused_by_the_database(entry):
    refusal = _refused(lambda: _raw(f"UPDATE {TABLE} SET points = 99 WHERE id = %s", [entry.pk]))
    assert "append-only" in str(refusal)
    _unchanged(entry)


def test_raw_sql_delete_is_refused_by_the_database(entry):
    refusal = _refused(lambda: _raw(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk]))
    assert "append-only" in str(refusal)
    _refused(lambda: _raw(f"DELETE FROM {TABLE}", []))
    _unchanged(entry)


def test_the_base_manager_refuses_update_and_delete(entry):
    _refused(lambda: LedgerEntry._base_manager.filter(pk=entry.pk).update(points=99))
    _refused(lambda: LedgerEntry._base_manager.filter(pk=entry.pk).delete())
    _refused(lambda: LedgerEntry._base_manager.all()._raw_delete(connection.alias))
    _unchanged(entry)


def test_a_plain_queryset_past_the_models_guards_is_refused_by_the_database(entry):
    # What any code that builds its own QuerySet would do: only the trigger stands in the way.
    plain = models.QuerySet(LedgerEntry)
    _refused(lambda: plain.filter(pk=entry.pk).update(points=99))
    _refused(lambda: plain.filter(pk=entry.pk)._raw_delete(connection.alias))
    _unchanged(entry)


def _clash(entry) -> LedgerEntry:
    return LedgerEntry(id=entry.pk, member_id=entry.member_id, points=99, reason="覆盖", source="correction",
                       reference="test:2")


def test_bulk_create_with_update_conflicts_is_refused(entry):
    _refused(lambda: LedgerEntry.objects.bulk_create(
        [_clash(entry)], update_conflicts=True, unique_fields=["id"], update_fields=["points", "reason"]))
    refusal = _refused(lambda: models.QuerySet(LedgerEntry).bulk_create(
        [_clash(entry)], update_conflicts=True, unique_fields=["id"], update_fields=["points", "reason"]))
    assert "append-only" in str(refusal)
    _unchanged(entry)


def test_saving_a_new_object_over_an_existing_id_is_refused(entry):
    _refused(lambda: _clash(entry).save())
    _refused(lambda: _clash(entry).save(force_insert=False))
    _refused(lambda: _clash(entry).save(force_update=True))
    _refused(lambda: _clash(entry).save(update_fields=["points"]))
    _unchanged(entry)


def test_ordinary_model_save_past_the_guard_is_refused_by_the_database(entry):
    # Django's own save path (an UPDATE by id), called around LedgerEntry.save's guard.
    clash = _clash(entry)
    _refused(lambda: models.Model.save(clash, force_update=True))
    _unchanged(entry)


def test_inserting_is_still_allowed(entry, member):
    LedgerEntry.objects.create(member=member, points=-4, reason="更正", source="correction", corrects=entry)
    LedgerEntry.objects.bulk_create([LedgerEntry(member=member, points=2, reason="时长", source="service_hours")])
    # A retried insert with the same reference is skipped, not changed.
    LedgerEntry.objects.bulk_create([LedgerEntry(member=member, points=50, reason="重复", source="achievement",
                                                 reference="test:1")], ignore_conflicts=True)
    assert sorted(LedgerEntry.objects.values_list("points", flat=True)) == [-4, 2, 10]


@pytest.mark.django_db(transaction=True)
def test_flush_after_a_transactional_test_still_empties_the_ledger(member):
    # The teardown of this test flushes the table (TRUNCATE on PostgreSQL, which fires no row
    # trigger; DELETE on SQLite, let through by tests/conftest.py); the next test checks it is empty.
    LedgerEntry.objects.create(member=member, points=10, reason="亮绩加分", source="achievement", reference="flush")
    _refused(lambda: _raw(f"DELETE FROM {TABLE}", []))
    assert LedgerEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_ledger_is_empty_after_the_previous_flush():
    assert not LedgerEntry.objects.exists()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
            assert {name for (name,) in cursor.fetchall()} == {"points_ledgerentry_no_update",
                                                               "points_ledgerentry_no_delete"}
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                           [TABLE])
            assert [name for (name,) in cursor.fetchall()] == ["points_ledgerentry_append_only"]
