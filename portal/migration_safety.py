"""Migrations that can run while the previous release still serves (README, "Upgrades without
downtime"): `manage.py check_migrations` refuses an operation that would lock a table that already
holds rows for as long as it takes to scan or rewrite it, or that would break the old code still
running during the upgrade. CI runs it in the lint step.

Refused, on a table created by an *earlier* migration (a table created in the same migration is
empty, so anything goes there):

- a new NOT NULL column without ``db_default``: old code inserts rows without it (add it nullable
  or with ``db_default``, fill it, then make it NOT NULL in a later release);
- an index built without CONCURRENTLY (``AddIndex``, ``db_index=True``, ``unique=True``,
  ``index_together``): writes wait for the whole build; use
  ``django.contrib.postgres.operations.AddIndexConcurrently`` in a non-atomic migration;
- a new constraint (``AddConstraint``): the table is scanned under lock; add it ``NOT VALID`` and
  validate in a second migration (RunSQL);
- ``AlterField`` (a type change or NOT NULL may rewrite or scan the table) and renames, removals
  and deletions (the old code still reads the column): do them in the release after the code
  stopped using it, and say so by listing the migration in ``ACKNOWLEDGED`` with the reason.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

# A later migration whose reviewer accepted the operation (a drop one release after the code
# stopped using the column, a table known to be small): (app label, migration name): the reason.
ACKNOWLEDGED: dict[tuple[str, str], str] = {
    ("services", "0011_zone_english"): "the queue zones: a handful of rows, the unique indexes build at once",
}

# Apps whose migrations are not ours to judge.
THIRD_PARTY = {"admin", "auth", "contenttypes", "sessions", "authtoken", "axes", "django_prometheus"}


@dataclass(frozen=True)
class Finding:
    app: str
    migration: str
    operation: str
    reason: str

    def __str__(self) -> str:
        return f"{self.app}.{self.migration}: {self.operation}: {self.reason}"


def _field_problems(field: models.Field) -> list[str]:
    problems = []
    if not field.null and not field.many_to_many and getattr(field, "db_default", models.NOT_PROVIDED) is models.NOT_PROVIDED:
        problems.append("a NOT NULL column without db_default on a table that has rows (old code inserts without it)")
    if field.db_index or field.unique or (field.is_relation and field.many_to_one and field.db_constraint):
        problems.append("an index built without CONCURRENTLY (writes wait for the whole build)")
    return problems


def _alter_changes_the_column(operation, before) -> bool:
    """False when the column stays as it is in the database (choices, help texts, verbose names,
    Python defaults) or only stops being NOT NULL: both cost no lock."""
    from django.db import connection

    if before is None:
        return True
    model = before.apps.get_model(before.app_label, operation.model_name)
    old = model._meta.get_field(operation.name)
    new = operation.field.clone()
    new.set_attributes_from_name(operation.name)
    new.model = model
    # The schema editor's own rule, without opening a connection.
    if not connection.SchemaEditorClass(connection)._field_should_be_altered(old, new):
        return False
    old_kwargs, new_kwargs = old.deconstruct()[3], new.deconstruct()[3]
    ignored = set(old.non_db_attrs) | set(new.non_db_attrs) | {"null"}
    same_otherwise = {k: v for k, v in old_kwargs.items() if k not in ignored} == {
        k: v for k, v in new_kwargs.items() if k not in ignored}
    return not (same_otherwise and type(old) is type(new) and not old.null and new.null)


def operation_problems(operation, *, created: set[str], before=None) -> list[str]:
    """Why this operation is unsafe on an existing table ([] when it is safe). ``created``: the
    models (lower-case names) created earlier in the same migration; ``before``: the project state
    just before it (for AlterField), with its ``app_label``."""
    model = getattr(operation, "model_name", None) or getattr(operation, "name_lower", None)
    if isinstance(operation, migrations.CreateModel):
        return []
    if model in created:
        return []
    if isinstance(operation, migrations.AddField):
        return _field_problems(operation.field)
    if isinstance(operation, AddIndexConcurrently):  # also portal.migration_operations
        return []
    if isinstance(operation, migrations.AddIndex):
        return ["an index built without CONCURRENTLY (writes wait for the whole build); use AddIndexConcurrently"]
    if isinstance(operation, migrations.AddConstraint):
        return ["a constraint validated over the whole table under lock; add it NOT VALID, validate later"]
    if isinstance(operation, migrations.AlterField):
        if not _alter_changes_the_column(operation, before):
            return []
        return ["a change of column that may rewrite or scan the table; add a new column instead"]
    if isinstance(operation, (migrations.AlterUniqueTogether, migrations.AlterIndexTogether)):
        return ["an index or constraint built under lock"]
    if isinstance(operation, (migrations.RemoveField, migrations.DeleteModel, migrations.RenameField,
                              migrations.RenameModel, migrations.AlterModelTable)):
        return ["the code still running during the upgrade uses it: drop or rename one release later"]
    return []


class _Before:
    """The project state before one operation, rendered only when an AlterField asks for it."""

    def __init__(self, loader, migration, index):
        self.loader, self.migration, self.index, self.app_label = loader, migration, index, migration.app_label

    @property
    def apps(self):
        state = self.loader.project_state((self.migration.app_label, self.migration.name), at_end=False)
        for operation in self.migration.operations[: self.index]:
            operation.state_forwards(self.migration.app_label, state)
        return state.apps


def migration_findings(migration, loader=None) -> list[Finding]:
    key = (migration.app_label, migration.name)
    if key in ACKNOWLEDGED:
        return []
    findings, created = [], set()
    for index, operation in enumerate(migration.operations):
        before = _Before(loader, migration, index) if loader is not None else None
        for reason in operation_problems(operation, created=created, before=before):
            findings.append(Finding(migration.app_label, migration.name, operation.describe(), reason))
        if isinstance(operation, migrations.CreateModel):
            created.add(operation.name_lower)
    return findings


def project_findings(*, include_historical: bool = False) -> list[Finding]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    findings = []
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if app in THIRD_PARTY:
            continue
        if not include_historical and name in HISTORICAL_MIGRATIONS.get(app, ()):
            continue
        findings.extend(migration_findings(migration, loader))
    return findings


# The migrations on main that the check refused when it was introduced, all written before the
# portal first ran anywhere with data (nothing to lock, no old release serving): renames to the shared history fields (by, at, note),
# English columns (django-modeltranslation) with their indexes, NOT NULL columns with a Python
# default, the ideas ledger's constraints, the evidence moved to private storage. Only the
# migrations named here are let through, and nothing may be added to this list.
HISTORICAL_MIGRATIONS: dict[str, tuple[str, ...]] = {
    "cases": ("0002_history_by_and_source_reference",),
    "hall": ("0002_english_translations",),
    "notifications": ("0003_reminder_batch",),
    "points": ("0003_conventions", "0004_evidence_private", "0006_english_translations"),
    "services": ("0005_bookingevent_by", "0007_english_translations"),
    "suggestions": ("0002_ledger", "0003_history_fields", "0004_hall_and_cases"),
    "volunteers": ("0003_conventions", "0004_english_translations"),
}
