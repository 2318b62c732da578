"""The queue zones' names in English beside the Chinese (django-modeltranslation). The zones that
exist keep their Chinese as the Chinese translation; English falls back to it until staff fill
it in. A hall has a handful of zones, so the unique indexes build at once."""
from django.db import migrations, models
from django.db.models import F


def copy_chinese(apps, schema_editor):
    apps.get_model("services", "Zone").objects.update(name_zh_hans=F("name"))


class Migration(migrations.Migration):

    dependencies = [
        ('services', '0010_reviews_to_evaluations'),
    ]

    operations = [
        migrations.AddField(
            model_name='zone',
            name='name_en',
            field=models.CharField(max_length=100, null=True, unique=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='zone',
            name='name_zh_hans',
            field=models.CharField(max_length=100, null=True, unique=True, verbose_name='name'),
        ),
        migrations.RunPython(copy_chinese, migrations.RunPython.noop),
    ]
