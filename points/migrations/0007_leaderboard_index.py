# The leaderboard's order with its tie-break (period, -total, member): at 10,000 members the
# page query read every member sharing the page's totals and sorted them; now it reads the page.
# Built before the old index is dropped, both without blocking writes on PostgreSQL.
from django.conf import settings
from django.db import migrations, models

from portal.migration_operations import AddIndexWithoutLocking, RemoveIndexWithoutLocking


class Migration(migrations.Migration):
    atomic = False  # CREATE / DROP INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ('points', '0006_english_translations'),
        ('volunteers', '0005_english_choice_labels'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexWithoutLocking(
            model_name='memberresult',
            index=models.Index(fields=['period', '-total', 'member'], name='points_memberresult_board'),
        ),
        RemoveIndexWithoutLocking(
            model_name='memberresult',
            name='points_memb_period__18af8f_idx',
        ),
    ]
