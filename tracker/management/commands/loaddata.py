"""
Django's loaddata, with report fixtures (the natural-key files report_to_fixture writes) loaded as
load_reports loads them: upserted by natural key, keeping the work done, with history saying who imported.

Everything else (fixtures/forces.json, a dumpdata backup with its primary keys and history) is Django's
plain loaddata, untouched.
"""

import json
from pathlib import Path

from django.core.management.base import CommandError
from django.core.management.commands import loaddata
from django.db import DEFAULT_DB_ALIAS, transaction

from tracker.importer import ImportProblem, load_fixture_text
from tracker.loading import is_report_fixture
from tracker.management.database import require_migrated
from tracker.models import ForceSummary


def report_fixture_text(label: str) -> str | None:
    """Return the text of the file `label` names when it is a report fixture, else None."""
    path = Path(label)
    if path.suffix != ".json" or not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
        return text if is_report_fixture(json.loads(text)) else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None  # Django's loaddata says what is wrong with it


class Command(loaddata.Command):
    help = loaddata.Command.help + " A report fixture (from report_to_fixture) is loaded as load_reports loads it."

    def handle(self, *fixture_labels, **options):
        plain = options["database"] != DEFAULT_DB_ALIAS or options["app_label"] or options["exclude"]
        reports = {} if plain else {label: report_fixture_text(label) for label in fixture_labels}
        reports = {label: text for label, text in reports.items() if text is not None}
        if not reports:
            return super().handle(*fixture_labels, **options)
        require_migrated()
        others = [label for label in fixture_labels if label not in reports]
        total = 0
        try:
            with transaction.atomic():
                if others:  # first: the forces a report fixture names may be among them
                    super().handle(*others, **options)
                for label, text in reports.items():
                    total += load_fixture_text(text, label=label, via="manage.py loaddata")
        except ImportProblem as exc:
            raise CommandError(str(exc)) from None
        if options["verbosity"] >= 1:
            self.stdout.write(f"Loaded {len(reports)} report fixture(s), {total} objects.")

    def loaddata(self, fixture_labels):
        super().loaddata(fixture_labels)
        if self.loaded_object_count and self.using == DEFAULT_DB_ALIAS:
            # Plain fixtures (a dumpdata backup) are saved raw, around Action.save: count the summaries afresh.
            ForceSummary.objects.rebuild()
