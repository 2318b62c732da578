"""manage.py check_migrations: a migration that would lock a table with rows for long, or break
the release still serving during the upgrade, is refused; the project's migrations pass."""
import pytest
from django.contrib.postgres.operations import AddIndexConcurrently
from django.core.management import CommandError, call_command
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader

from portal import migration_safety
from portal.migration_operations import AddIndexWithoutLocking
from portal.migration_safety import migration_findings, operation_problems


def _migration(*operations, app="services", name="0099_test"):
    migration = migrations.Migration(name, app)
    migration.operations = list(operations)
    return migration


def _reasons(migration, loader=None):
    return [finding.reason for finding in migration_findings(migration, loader)]


def test_it_passes_the_projects_migrations(capsys):
    call_command("check_migrations")
    assert "safe" in capsys.readouterr().out


def test_it_refuses_an_index_built_under_lock_but_not_concurrently():
    index = models.Index(fields=["starts_at", "capacity"], name="slot_start_capacity")
    assert "CONCURRENTLY" in _reasons(_migration(migrations.AddIndex("slot", index)))[0]
    assert _reasons(_migration(AddIndexConcurrently("slot", index))) == []
    assert _reasons(_migration(AddIndexWithoutLocking("slot", index))) == []


@pytest.mark.django_db
def test_the_leaderboard_index_serves_its_order_on_this_database():
    """points.0007 built (period, -total, member) with the portable operations, on SQLite and
    PostgreSQL alike, and dropped the index it replaces."""
    from django.db import connection

    from points.models import MemberResult

    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, MemberResult._meta.db_table))
    assert "points_memberresult_board" in names
    assert "points_memb_period__18af8f_idx" not in names


def test_it_refuses_a_not_null_column_old_code_cannot_fill():
    column = migrations.AddField("booking", "channel", models.CharField(max_length=10, default="web"))
    assert "NOT NULL" in _reasons(_migration(column))[0]
    nullable = migrations.AddField("booking", "channel", models.CharField(max_length=10, null=True))
    with_db_default = migrations.AddField("booking", "channel",
                                          models.CharField(max_length=10, db_default="web"))
    assert _reasons(_migration(nullable)) == [] and _reasons(_migration(with_db_default)) == []


def test_it_refuses_constraints_renames_and_drops_on_existing_tables():
    check = models.CheckConstraint(condition=models.Q(capacity__gte=1), name="slot_capacity_positive")
    assert _reasons(_migration(migrations.AddConstraint("slot", check)))
    assert _reasons(_migration(migrations.RenameField("booking", "note", "remark")))
    assert _reasons(_migration(migrations.RemoveField("booking", "note")))
    assert _reasons(_migration(migrations.DeleteModel("review")))


def test_it_lets_anything_happen_to_a_table_made_in_the_same_migration():
    made = migrations.CreateModel("kiosk", [("id", models.BigAutoField(primary_key=True))])
    index = models.Index(fields=["id"], name="kiosk_id")
    assert _reasons(_migration(made, migrations.AddField("kiosk", "name", models.CharField(max_length=9)),
                               migrations.AddIndex("kiosk", index))) == []


def test_it_judges_alter_field_by_what_changes_in_the_database():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    latest = max(name for app, name in loader.disk_migrations if app == "services")

    class Before:  # the project state after the latest services migration
        app_label = "services"
        apps = loader.project_state(("services", latest)).apps

    def unsafe(field) -> bool:
        return bool(operation_problems(migrations.AlterField("booking", "note", field), created=set(),
                                       before=Before))

    # A new help text changes nothing in the database; a shorter column does; NULL allowed is free.
    assert not unsafe(models.CharField("note", max_length=500, blank=True, help_text="What the applicant adds."))
    assert unsafe(models.CharField("note", max_length=200, blank=True))
    assert not unsafe(models.CharField("note", max_length=500, blank=True, null=True))


def test_it_names_a_refused_migration_in_the_command(monkeypatch):
    # Without the list of historical migrations, the ideas ledger's old constraints are refused.
    monkeypatch.setattr(migration_safety, "HISTORICAL_MIGRATIONS", {})
    with pytest.raises(CommandError, match="suggestions.0002_ledger"):
        call_command("check_migrations")
