from django.db import migrations


class Migration(migrations.Migration):
    """A booking's history names the person acting ``by``, as every history in the portal does.
    A rename: the rows are kept and the migration runs backwards."""

    dependencies = [
        ("services", "0004_hall_and_cases_leave"),
    ]

    operations = [
        migrations.RenameField(model_name="bookingevent", old_name="actor", new_name="by"),
    ]
