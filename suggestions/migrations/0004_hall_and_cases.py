import django.db.models.deletion
from django.db import migrations, models
from django.db.migrations.operations.base import Operation


class InApp(Operation):
    """Apply ``operation`` to a model of another app (``app_label``) instead of this one.

    This migration is the last one that knows two things of other apps that they cannot drop
    themselves, because they never depend on this app: services' old Department (this app's
    first migrations point at it) and the cases' old column linking a case to its entry.
    """

    def __init__(self, app_label: str, operation: Operation):
        self.app_label = app_label
        self.operation = operation
        self.reversible = operation.reversible
        self.reduces_to_sql = operation.reduces_to_sql

    def deconstruct(self):
        return self.__class__.__name__, [], {"app_label": self.app_label, "operation": self.operation}

    def state_forwards(self, app_label, state):
        self.operation.state_forwards(self.app_label, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self.operation.database_forwards(self.app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self.operation.database_backwards(self.app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"{self.operation.describe()} (in {self.app_label})"


def _quoted(apps, schema_editor) -> tuple:
    quote = schema_editor.quote_name
    case_table = quote(apps.get_model("cases", "Case")._meta.db_table)
    entry_table = quote(apps.get_model("suggestions", "Suggestion")._meta.db_table)
    return quote, case_table, entry_table


def link_copy(apps, schema_editor):
    """Each case's old link becomes its entry's ``case``; the case keeps the ledger number."""
    quote, case_table, entry_table = _quoted(apps, schema_editor)
    old, pk = quote("suggestion_id"), quote("id")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {entry_table} SET {quote('case_id')} = "
            f"(SELECT c.{pk} FROM {case_table} c WHERE c.{old} = {entry_table}.{pk}) "
            f"WHERE {pk} IN (SELECT {old} FROM {case_table} WHERE {old} IS NOT NULL)"
        )
        cursor.execute(
            f"UPDATE {case_table} SET {quote('source_reference')} = "
            f"(SELECT s.{quote('number')} FROM {entry_table} s WHERE s.{pk} = {case_table}.{old}) "
            f"WHERE {old} IS NOT NULL"
        )


def old_link_drop(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    schema_editor.remove_field(Case, Case._meta.get_field("old_suggestion_link"))


def old_link_restore(apps, schema_editor):
    """Backwards: the case's link column to its entry comes back with its values (and, where the
    database adds one in place, its foreign key: PostgreSQL; SQLite would rebuild the table)."""
    Case = apps.get_model("cases", "Case")
    schema_editor.add_field(Case, Case._meta.get_field("old_suggestion_link"))
    quote, case_table, entry_table = _quoted(apps, schema_editor)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {case_table} SET {quote('suggestion_id')} = "
            f"(SELECT s.{quote('id')} FROM {entry_table} s WHERE s.{quote('case_id')} = {case_table}.{quote('id')})"
        )
    if schema_editor.connection.vendor != "sqlite":
        link = models.OneToOneField(
            apps.get_model("suggestions", "Suggestion"), null=True, on_delete=models.PROTECT, related_name="+"
        )
        link.set_attributes_from_name("suggestion")
        schema_editor.execute(schema_editor._create_fk_sql(Case, link, "_fk_%(to_table)s_%(to_column)s"))


class Migration(migrations.Migration):
    """The ideas ledger holds the link to the case a blocker became; departments are the hall's.

    Departments and cases moved to the hall's apps (hall 0001, cases 0001) with their tables, so
    the department foreign keys only change in Django's state, and services' old Department,
    which this app's first migrations point at, leaves the state here. The link moves: a new
    column on the entry (``case_id``) takes each case's old ``services_case.suggestion_id``, the
    case keeps the ledger number as data, and the old column is dropped. Runs backwards: the old
    column comes back with its values.
    """

    dependencies = [
        ("suggestions", "0003_history_fields"),
        ("hall", "0001_initial"),
        ("services", "0004_hall_and_cases_leave"),
        ("cases", "0002_history_by_and_source_reference"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="suggestion",
                    name="department",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="suggestions", to="hall.department", verbose_name="department"),
                ),
                migrations.AlterField(
                    model_name="suggestionanswer",
                    name="department",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="suggestion_answers", to="hall.department", verbose_name="answering department"),
                ),
                migrations.AlterField(
                    model_name="suggestionevent",
                    name="department",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="hall.department", verbose_name="department"),
                ),
                InApp("services", migrations.DeleteModel(name="Department")),
            ],
        ),
        migrations.AddField(
            model_name="suggestion",
            name="case",
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="cases.case", verbose_name="case"),
        ),
        migrations.RunPython(link_copy, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(old_link_drop, old_link_restore)],
            state_operations=[InApp("cases", migrations.RemoveField(model_name="case", name="old_suggestion_link"))],
        ),
    ]
