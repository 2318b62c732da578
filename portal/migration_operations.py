"""Migration operations that build and drop indexes without blocking writes on PostgreSQL
(CREATE/DROP INDEX CONCURRENTLY) and do the plain thing on SQLite, the laptop default, where no
other process is writing. Use them in a migration with ``atomic = False`` (README, "Upgrades
without downtime"); ``manage.py check_migrations`` accepts them as it does Django's own."""
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations


class _ConcurrentlyOnPostgres:
    """Runs ``concurrent``'s database side on PostgreSQL and ``plain``'s elsewhere."""

    concurrent: type
    plain: type

    def _side(self, schema_editor) -> type:
        return self.concurrent if schema_editor.connection.vendor == "postgresql" else self.plain

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._side(schema_editor).database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._side(schema_editor).database_backwards(self, app_label, schema_editor, from_state, to_state)


class AddIndexWithoutLocking(_ConcurrentlyOnPostgres, AddIndexConcurrently):
    concurrent, plain = AddIndexConcurrently, migrations.AddIndex


class RemoveIndexWithoutLocking(_ConcurrentlyOnPostgres, RemoveIndexConcurrently):
    concurrent, plain = RemoveIndexConcurrently, migrations.RemoveIndex
