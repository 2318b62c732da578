"""The language of a person's notifications. The column has a database default, so the code still
running during the upgrade inserts people without naming it."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_roles'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='language',
            field=models.CharField(blank=True, default='', db_default='', choices=[('zh-hans', 'Simplified Chinese'), ('en', 'English')], help_text='The language of your notifications and e-mails.', max_length=10, verbose_name='language'),
        ),
    ]
