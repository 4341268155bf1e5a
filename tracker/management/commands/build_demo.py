"""Give a database holding just the loaded reports a tracker in use, relative to today (what `make run` shows)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

import demo
from demo import lived_in
from tracker.dates import long_date
from tracker.management.arguments import iso_date


class Command(BaseCommand):
    help = (
        "Bring the loaded reports to life for a demonstration: owners, progress, reviews, extensions, RAG ratings "
        "and register entries up to today, with an inspection round under way now. Keeps a database that already "
        "holds the demo or anyone's changes as it is. Prints the demo log-ins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=iso_date("--today", "2026-06-01"),
            help="The day the demo is seen from, YYYY-MM-DD (default today).",
        )
        parser.add_argument("--seed", type=int, default=lived_in.SEED, help="The same seed gives the same demo.")

    def handle(self, *args, today, seed, **options):
        today = today or timezone.localdate()
        found = lived_in.state()
        if found is lived_in.State.EMPTY:
            raise CommandError("No reports are loaded: run `make load-fixtures` (or manage.py load_reports) first.")
        if found is lived_in.State.READY:
            summary = lived_in.build(today=today, seed=seed)
            self.stdout.write(f"Demonstration data as seen on {long_date(today)}:")
            for line in summary.lines()[:-1]:
                self.stdout.write(f"  {line}")
        elif found is lived_in.State.DEMO:
            self.stdout.write("The database already holds the demonstration data: kept as it is.")
        else:
            self.stdout.write(
                "The database holds actions people have changed, so no demonstration data was added. "
                "To see the demo, start from an empty database (make clean-db, then make run)."
            )
            return
        self.stdout.write(f"\nDemo log-ins (password for all: {demo.DEMO_PASSWORD}):")
        for username, what in lived_in.log_ins():
            self.stdout.write(f"  {username:<34} {what}")
        self.stdout.write(
            "Reviewers and the admin sign in with two-factor authentication too: on this development server the "
            "code page shows their code."
        )
