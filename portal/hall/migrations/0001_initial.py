from django.conf import settings
from django.db import migrations, models

# The models that moved here from the services app, by content-type model name.
MOVED = ["department", "holiday"]


def content_types_to_hall(apps, schema_editor):
    """Permissions, group grants and admin log entries point at content-type ids: keep the ids,
    rename the app. A content type the new app already has (none on a real upgrade) is left alone."""
    _content_types_move(apps, schema_editor, old="services", new="hall")


def content_types_to_services(apps, schema_editor):
    _content_types_move(apps, schema_editor, old="hall", new="services")


def _content_types_move(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    taken = ContentType.objects.using(db).filter(app_label=new, model__in=MOVED).values_list("model", flat=True)
    ContentType.objects.using(db).filter(app_label=old, model__in=MOVED).exclude(model__in=list(taken)).update(
        app_label=new
    )


class Migration(migrations.Migration):
    """Departments and the holiday calendar move from services to the hall, with their tables.

    State only: the tables (services_department, services_department_officers, services_holiday)
    and every row stay where services created them. No dependency on services: its own migration
    repoints its foreign keys here and forgets its copy of the models.
    """

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Department",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
                        ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                        ("short_name", models.CharField(blank=True, max_length=30, verbose_name="short name")),
                        ("description", models.TextField(blank=True, verbose_name="description")),
                        ("window", models.CharField(blank=True, max_length=60, verbose_name="window")),
                        ("position", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                        ("officers", models.ManyToManyField(blank=True, related_name="departments", to=settings.AUTH_USER_MODEL, verbose_name="department officers")),
                    ],
                    options={
                        "verbose_name": "department",
                        "verbose_name_plural": "departments",
                        "db_table": "services_department",
                        "ordering": ["position", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="Holiday",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("date", models.DateField(unique=True, verbose_name="date")),
                        ("kind", models.CharField(choices=[("day_off", "Public holiday (day off)"), ("working_day", "Make-up working day (调休)")], default="day_off", max_length=20, verbose_name="kind")),
                        ("name", models.CharField(max_length=60, verbose_name="name")),
                    ],
                    options={
                        "verbose_name": "holiday calendar day",
                        "verbose_name_plural": "holiday calendar",
                        "db_table": "services_holiday",
                        "ordering": ["date"],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_to_hall, content_types_to_services),
    ]
