"""Write one file holding the database and every evidence file its notes point to (tracker/backups.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.backups import BackupProblem, describe, make_backup
from tracker.management.database import require_migrated


class Command(BaseCommand):
    help = (
        "Back up the database and the evidence store together into one gzipped tar archive (restore it with "
        "`manage.py restore`). The rows are read in one snapshot, so the site can stay up while it runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive to write, e.g. tracker-2026-12-02.tar.gz")

    def handle(self, *args, path: str, **options):
        require_migrated()
        target = Path(path)
        if target.exists():
            raise CommandError(f"{target} already exists: name a new file, so no backup is overwritten.")
        try:
            summary = make_backup(target)
        except (BackupProblem, OSError) as exc:
            target.unlink(missing_ok=True)
            raise CommandError(f"No backup written: {exc}") from None
        self.stdout.write(f"Backed up {describe(summary)} to {target}.")
        if summary.missing:
            self.stderr.write(
                f"Warning: {len(summary.missing)} evidence file(s) that notes point to are not in the evidence store "
                f"and so not in the backup (listed in its manifest): {', '.join(summary.missing[:5])}"
            )
