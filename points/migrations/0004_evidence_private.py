import points.models
import portal.files
from django.core.files.storage import default_storage
from django.db import migrations, models


def _move(apps, source, target):
    """Move every achievement's evidence file from ``source`` to ``target`` storage, keeping its
    name where it is free. A file already moved (absent from ``source``) is left alone, so the
    migration can be run again after a crash halfway."""
    Achievement = apps.get_model("points", "Achievement")
    for achievement in Achievement.objects.exclude(evidence="").only("pk", "evidence").iterator():
        name = achievement.evidence.name
        if not source.exists(name):
            continue
        with source.open(name, "rb") as handle:
            new_name = target.save(name, handle)
        if new_name != name:
            Achievement.objects.filter(pk=achievement.pk).update(evidence=new_name)
        source.delete(name)


def to_private(apps, schema_editor):
    _move(apps, default_storage, portal.files.private_storage)


def to_public(apps, schema_editor):
    _move(apps, portal.files.private_storage, default_storage)


class Migration(migrations.Migration):
    """Achievement evidence leaves MEDIA_ROOT (served by anyone who guesses ``/media/...``) for
    PRIVATE_MEDIA_ROOT, which has no URL; points.views.achievement_evidence serves it to those
    allowed. Reversible: backwards moves the files back under MEDIA_ROOT."""

    dependencies = [
        ("points", "0003_conventions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="achievement",
            name="evidence",
            field=models.FileField(blank=True, storage=portal.files.private_storage_get,
                                   upload_to=points.models.evidence_path, verbose_name="evidence"),
        ),
        migrations.RunPython(to_private, to_public, elidable=False),
    ]
