from django.db import migrations, models


class Migration(migrations.Migration):
    """The history names the person acting ``by``, as every history in the portal does (a
    rename: rows kept, runs backwards). A case keeps where it came from as data: the reference
    of the record it was opened from (the ledger number), filled for existing cases by the
    ledger's migration (suggestions 0004)."""

    dependencies = [
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="caseevent", old_name="actor", new_name="by"),
        migrations.AddField(
            model_name="case",
            name="source_reference",
            field=models.CharField(blank=True, default="", editable=False, max_length=40, verbose_name="ledger entry"),
            preserve_default=False,
        ),
    ]
