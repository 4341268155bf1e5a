"""Load report fixtures all-or-nothing, with a one-line reason when one cannot be loaded."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tracker.importer import ImportProblem, load_fixture_text
from tracker.management.database import require_migrated


class Command(BaseCommand):
    help = "Load report fixtures (default: every fixtures/reports/*.json) in one transaction. Safe to repeat."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="Fixture files; default fixtures/reports/*.json")

    def handle(self, *args, files: list[str], **options):
        require_migrated()
        paths = [Path(f) for f in files] or sorted(Path("fixtures/reports").glob("*.json"))
        total = 0
        try:
            with transaction.atomic():
                for path in paths:
                    total += load_fixture_text(read_fixture(path), label=str(path), via="manage.py load_reports")
        except ImportProblem as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Loaded {len(paths)} report fixture(s), {total} objects.")


def read_fixture(path: Path) -> str:
    """Return a fixture file's text, or raise ImportProblem saying why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImportProblem(f"No such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportProblem(f"{path} cannot be read: {exc.__class__.__name__}") from None
