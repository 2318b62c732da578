from django.db import migrations


class Migration(migrations.Migration):
    """An activity's history uses the field names every app's history uses: ``at``, ``by``,
    ``from_status``, ``to_status``, ``note``. Renames only: the rows are kept and the migration
    runs backwards."""

    dependencies = [
        ("volunteers", "0002_activities"),
    ]

    operations = [
        migrations.RenameField(model_name="activitystatuschange", old_name="changed_by", new_name="by"),
        migrations.RenameField(model_name="activitystatuschange", old_name="reason", new_name="note"),
        migrations.RenameField(model_name="activitystatuschange", old_name="changed_at", new_name="at"),
        migrations.AlterModelOptions(
            name="activitystatuschange",
            options={
                "ordering": ["at", "id"],
                "verbose_name": "activity status change",
                "verbose_name_plural": "activity status changes",
            },
        ),
    ]
