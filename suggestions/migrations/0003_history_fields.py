from django.db import migrations


class Migration(migrations.Migration):
    """The history of an entry uses the field names every app's history uses: ``at``, ``by``,
    ``from_status``, ``to_status``, ``note`` (and ``by_role`` beside ``by``). Renames only: the
    rows are kept and the migration runs backwards."""

    dependencies = [
        ("suggestions", "0002_ledger"),
    ]

    operations = [
        migrations.RenameField(model_name="suggestionevent", old_name="actor", new_name="by"),
        migrations.RenameField(model_name="suggestionevent", old_name="actor_role", new_name="by_role"),
        migrations.RenameField(model_name="suggestionevent", old_name="created_at", new_name="at"),
        migrations.AlterModelOptions(
            name="suggestionevent",
            options={"ordering": ["at", "id"], "verbose_name": "history entry", "verbose_name_plural": "history"},
        ),
    ]
