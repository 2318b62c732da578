import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The holiday calendar now belongs to the hall (portal.hall), the cases to portal.cases, and
    the catalogue's items point at the hall's departments. State only: the tables, their rows and
    the foreign keys in the database stay exactly as they are.

    ``services.Department`` itself stays in the state until the ideas ledger's migration
    (suggestions 0004) has moved its own foreign keys and takes it out: the ledger's first
    migrations point at it, this app never waits for the ledger, and a state without the model
    could not run them on a fresh database.
    """

    dependencies = [
        ("services", "0003_cases"),
        ("hall", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="serviceitem",
                    name="department",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="service_items",
                        to="hall.department", verbose_name="department",
                    ),
                ),
                migrations.DeleteModel(name="CaseEvent"),
                migrations.DeleteModel(name="CaseTask"),
                migrations.DeleteModel(name="Case"),
                migrations.DeleteModel(name="Holiday"),
            ],
        ),
    ]
