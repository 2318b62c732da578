from django.db import migrations


class Migration(migrations.Migration):
    """A period's history uses the field names every app's history uses: ``at``, ``by``,
    ``from_status``, ``to_status``, ``note``. Renames only: the rows are kept and the migration
    runs backwards."""

    dependencies = [
        ("points", "0002_ledger_labels"),
    ]

    operations = [
        migrations.RenameField(model_name="periodevent", old_name="from_stage", new_name="from_status"),
        migrations.RenameField(model_name="periodevent", old_name="to_stage", new_name="to_status"),
        migrations.RenameField(model_name="periodevent", old_name="actor", new_name="by"),
        migrations.RenameField(model_name="periodevent", old_name="reason", new_name="note"),
        migrations.RenameField(model_name="periodevent", old_name="created_at", new_name="at"),
        migrations.AlterModelOptions(
            name="periodevent",
            options={"ordering": ["at", "id"], "verbose_name": "period event", "verbose_name_plural": "period events"},
        ),
    ]
