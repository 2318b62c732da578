import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The models that moved here from the services app, by content-type model name.
MOVED = ["case", "casetask", "caseevent"]


def content_types_to_cases(apps, schema_editor):
    """Permissions, group grants, admin log entries and the reminders' generic links point at
    content-type ids: keep the ids, rename the app. A content type the new app already has (none
    on a real upgrade) is left alone."""
    _content_types_move(apps, schema_editor, old="services", new="cases")


def content_types_to_services(apps, schema_editor):
    _content_types_move(apps, schema_editor, old="cases", new="services")


def _content_types_move(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    taken = ContentType.objects.using(db).filter(app_label=new, model__in=MOVED).values_list("model", flat=True)
    ContentType.objects.using(db).filter(app_label=old, model__in=MOVED).exclude(model__in=list(taken)).update(
        app_label=new
    )


class Migration(migrations.Migration):
    """Cross-department cases move from services to portal.cases, with their tables.

    State only: services_case, services_casetask and services_caseevent keep every row. The
    models are described as services 0003 left them; the next migration renames and adds. The
    old link to the ideas ledger (services_case.suggestion_id) is described as a plain column,
    since this app never depends on the ledger: the ledger's own migration (suggestions 0004)
    copies it to the entries and drops it.
    """

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("hall", "0001_initial"),
        ("services", "0004_hall_and_cases_leave"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Case",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("title", models.CharField(max_length=120, verbose_name="title")),
                        ("description", models.TextField(max_length=5000, verbose_name="description")),
                        ("source", models.CharField(choices=[("blocker", "Blocker from the ideas ledger"), ("idea", "Golden idea"), ("walk_in", "Walk-in at the youth zone"), ("staff", "Raised by hall staff")], default="walk_in", max_length=20, verbose_name="source")),
                        ("status", models.CharField(choices=[("open", "Open"), ("in_progress", "In progress"), ("done", "Done"), ("cancelled", "Cancelled")], default="open", max_length=20, verbose_name="status")),
                        ("opened_at", models.DateTimeField(auto_now_add=True, verbose_name="opened at")),
                        ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed at")),
                        ("applicant", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="cases_applied", to=settings.AUTH_USER_MODEL, verbose_name="applicant")),
                        ("lead_department", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="cases_led", to="hall.department", verbose_name="lead department")),
                        ("opened_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="cases_opened", to=settings.AUTH_USER_MODEL, verbose_name="opened by")),
                        # The old link to the ideas ledger, as a plain column: kept in this app's
                        # state (so that rebuilding the table, as SQLite does, keeps its values)
                        # until the ledger's migration has copied it and drops it.
                        ("old_suggestion_link", models.BigIntegerField(blank=True, db_column="suggestion_id", editable=False, null=True, unique=True)),
                    ],
                    options={
                        "verbose_name": "case",
                        "verbose_name_plural": "cases",
                        "db_table": "services_case",
                        "ordering": ["-opened_at", "-id"],
                        "indexes": [models.Index(fields=["status", "lead_department"], name="services_ca_status_425488_idx")],
                        "constraints": [models.CheckConstraint(condition=models.Q(models.Q(("closed_at__isnull", False), ("status__in", ["done", "cancelled"])), models.Q(("closed_at__isnull", True), ("status__in", ["open", "in_progress"])), _connector="OR"), name="case_closed_at_matches_status")],
                    },
                ),
                migrations.CreateModel(
                    name="CaseTask",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("description", models.TextField(max_length=2000, verbose_name="what to do")),
                        ("due_at", models.DateTimeField(verbose_name="due at")),
                        ("status", models.CharField(choices=[("open", "To do"), ("done", "Done"), ("cancelled", "Cancelled")], default="open", max_length=20, verbose_name="status")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        ("completed_at", models.DateTimeField(blank=True, null=True, verbose_name="completed at")),
                        ("note", models.TextField(blank=True, max_length=2000, verbose_name="completion note")),
                        ("next_reminder_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="next reminder at")),
                        ("assignee", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="case_tasks", to=settings.AUTH_USER_MODEL, verbose_name="responsible person")),
                        ("case", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="tasks", to="cases.case", verbose_name="case")),
                        ("completed_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="completed by")),
                        ("department", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="case_tasks", to="hall.department", verbose_name="department")),
                    ],
                    options={
                        "verbose_name": "case task",
                        "verbose_name_plural": "case tasks",
                        "db_table": "services_casetask",
                        "ordering": ["due_at", "id"],
                        "indexes": [
                            models.Index(fields=["next_reminder_at"], name="casetask_next_reminder"),
                            models.Index(fields=["assignee", "status", "due_at"], name="casetask_assignee_due"),
                            models.Index(fields=["department", "status", "due_at"], name="casetask_department_due"),
                        ],
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(models.Q(("completed_at__isnull", False), ("status", "done")), models.Q(models.Q(("status", "done"), _negated=True), ("completed_at__isnull", True)), _connector="OR"), name="casetask_completed_at_matches_status"),
                            models.CheckConstraint(condition=models.Q(("status", "open"), ("next_reminder_at__isnull", True), _connector="OR"), name="casetask_no_reminder_when_closed"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="CaseEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("opened", "Case opened"), ("task_added", "Task added"), ("task_completed", "Task completed"), ("task_rescheduled", "Deadline moved"), ("task_cancelled", "Task cancelled"), ("status_changed", "Status changed")], max_length=30, verbose_name="kind")),
                        ("from_status", models.CharField(blank=True, max_length=20, verbose_name="from")),
                        ("to_status", models.CharField(blank=True, max_length=20, verbose_name="to")),
                        ("note", models.TextField(blank=True, verbose_name="note")),
                        ("at", models.DateTimeField(auto_now_add=True, verbose_name="at")),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="by")),
                        ("case", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="events", to="cases.case", verbose_name="case")),
                        ("task", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="events", to="cases.casetask", verbose_name="task")),
                    ],
                    options={
                        "verbose_name": "case history entry",
                        "verbose_name_plural": "case history",
                        "db_table": "services_caseevent",
                        "ordering": ["at", "id"],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_to_cases, content_types_to_services),
    ]
