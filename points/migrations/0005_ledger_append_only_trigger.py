from django.db import migrations

# PostgreSQL: one row-level trigger for UPDATE and DELETE (an UPSERT's DO UPDATE fires it too).
# TRUNCATE is not a row operation and does not fire it, so Django's flush (tests, `manage.py
# flush`) still empties the table there. SQLSTATE 23001 (restrict_violation) reaches Django as an
# IntegrityError. The function has no percent sign: the migration executor would take it for a
# parameter placeholder.
POSTGRESQL_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION points_ledgerentry_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING
            MESSAGE = 'points ledger entries are append-only: ' || TG_OP || ' refused',
            ERRCODE = 'restrict_violation',
            HINT = 'Correct an entry with a new, compensating entry.';
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS points_ledgerentry_append_only ON points_ledgerentry",
    """
    CREATE TRIGGER points_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON points_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION points_ledgerentry_append_only()
    """,
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS points_ledgerentry_append_only ON points_ledgerentry",
    "DROP FUNCTION IF EXISTS points_ledgerentry_append_only()",
]

# SQLite: RAISE(ABORT) is a constraint failure (an IntegrityError). Django's flush on SQLite is a
# DELETE FROM, which the delete trigger refuses as well: tests/conftest.py lifts it for the
# test runner's flush only; a development database is started over by deleting its file.
SQLITE_DELETE_TRIGGER = """
    CREATE TRIGGER IF NOT EXISTS points_ledgerentry_no_delete BEFORE DELETE ON points_ledgerentry
    BEGIN SELECT RAISE(ABORT, 'points ledger entries are append-only: DELETE refused'); END
"""
SQLITE_FORWARD = [
    """
    CREATE TRIGGER IF NOT EXISTS points_ledgerentry_no_update BEFORE UPDATE ON points_ledgerentry
    BEGIN SELECT RAISE(ABORT, 'points ledger entries are append-only: UPDATE refused'); END
    """,
    SQLITE_DELETE_TRIGGER,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS points_ledgerentry_no_update",
    "DROP TRIGGER IF EXISTS points_ledgerentry_no_delete",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    """The database itself refuses UPDATE and DELETE of points ledger rows (raw SQL, bulk upserts,
    anything that gets past LedgerEntry's own guards), on PostgreSQL and on SQLite.

    On SQLite, a later migration that rebuilds the table (most AlterField operations) drops its
    triggers: such a migration must create them again (tests/points/test_ledger_append_only.py
    fails if it does not). Reversible: backwards drops the triggers.
    """

    dependencies = [
        ("points", "0004_evidence_private"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="ledgerentry",
            options={
                "base_manager_name": "objects",
                "ordering": ["-created_at", "-id"],
                "verbose_name": "points ledger entry",
                "verbose_name_plural": "points ledger",
            },
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
            elidable=False,
        ),
    ]
