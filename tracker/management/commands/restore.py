"""Restore a backup made by `manage.py backup`: its rows and its evidence files, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.backups import BackupProblem, describe, restore_backup
from tracker.management.database import require_migrated


class Command(BaseCommand):
    help = (
        "Restore a backup (from `manage.py backup`) into a migrated, empty database and its evidence store. The "
        "archive is checked whole first; a damaged one, or a database that already holds data, changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup archive to restore")

    def handle(self, *args, path: str, **options):
        require_migrated()
        try:
            summary = restore_backup(Path(path))
        except BackupProblem as exc:
            raise CommandError(f"Nothing restored: {exc}") from None
        self.stdout.write(f"Restored {describe(summary)} from {path}.")
        if summary.missing:
            self.stderr.write(
                f"Warning: the backup lacks {len(summary.missing)} evidence file(s) that were already missing when "
                f"it was made: {', '.join(summary.missing[:5])}"
            )
