"""What the tracker's commands check about the database before they touch it."""

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor


def require_migrated(using: str = DEFAULT_DB_ALIAS) -> None:
    """Raise CommandError saying what to run when the database is missing tables (migrations not applied)."""
    try:
        executor = MigrationExecutor(connections[using])
        unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise CommandError(f"The database cannot be read ({reason}): check DATABASE_URL.") from None
    if unapplied:
        raise CommandError(
            "The database is not set up yet (migrations not applied): run `make migrate` "
            "(or `manage.py migrate`), then `make load-fixtures` for the forces."
        )
