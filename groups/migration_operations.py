"""A migration operation of groups that changes a model of sessions_app: the outbox rows about seats are the
groups app's messages, so the rules of those rows change with groups' migrations (groups 0002), while
sessions_app's own migrations stay its own."""

from django.db.migrations.operations.base import Operation


class OnModelOf(Operation):
    """Runs `operation` (AddConstraint, RemoveConstraint …) on a model of the app `app_label` rather than of
    the migration's own app: in the project state and in the database alike, so that the autodetector and
    SQLite's table rebuilds see the same constraints as PostgreSQL has."""

    reversible = True

    def __init__(self, app_label: str, operation: Operation) -> None:
        self.app_label = app_label
        self.operation = operation

    def deconstruct(self):
        return (f"{__name__}.{type(self).__qualname__}", [self.app_label, self.operation], {})

    def state_forwards(self, app_label, state) -> None:
        self.operation.state_forwards(self.app_label, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        self.operation.database_forwards(self.app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        self.operation.database_backwards(self.app_label, schema_editor, from_state, to_state)

    def describe(self) -> str:
        return f"{self.operation.describe()} (on {self.app_label})"

    @property
    def migration_name_fragment(self) -> str:
        return self.operation.migration_name_fragment

    def references_model(self, name, app_label) -> bool:
        return app_label == self.app_label and self.operation.references_model(name, self.app_label)
