"""Build a realistic national demo data set: 43 forces, their reports, 100,000 actions with their history."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

import demo
from tracker.dates import long_date
from tracker.management.arguments import iso_date


class Command(BaseCommand):
    help = (
        "Build a national demo data set (reports, recommendations, actions with owners, history, notes and "
        "extension requests) with bulk inserts. Refuses a database that holds reports unless --clear."
    )

    def add_arguments(self, parser):
        parser.add_argument("--actions", type=int, default=100_000, help="How many actions (default 100,000).")
        parser.add_argument("--seed", type=int, default=2014, help="The same seed gives the same data (default 2014).")
        parser.add_argument(
            "--today",
            type=iso_date("--today", "2026-06-01"),
            help="The day the data is seen from, YYYY-MM-DD (default today).",
        )
        parser.add_argument("--batch-size", type=int, default=5000, help="Actions per transaction (default 5,000).")
        parser.add_argument(
            "--clear",
            action="store_true",
            help="Delete every report and action (and the demo users) first. Asks for confirmation when the "
            "database holds reports that are not demo data.",
        )
        parser.add_argument(
            "--no-input", "--noinput", action="store_false", dest="interactive", help="Do not ask for confirmation."
        )

    def handle(self, *args, actions, seed, today, batch_size, clear, interactive, **options):
        if actions < 1 or batch_size < 1:
            raise CommandError("--actions and --batch-size must be at least 1.")
        today = today or timezone.localdate()
        demo_reports, other = demo.database_holds()
        if (demo_reports or other) and not clear:
            what = f"{other} report(s) that are not demo data" if other else f"a demo data set ({demo_reports} reports)"
            raise CommandError(f"The database already holds {what}. Pass --clear to delete them first.")
        if other and interactive:
            name = connection.settings_dict["NAME"]
            answer = input(
                f"--clear deletes every report, action and their history in “{name}”, including {other} report(s) "
                "that are not demo data. Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was changed.")
        if demo_reports or other:
            demo.clear_tracker_data()
            self.stdout.write(f"Deleted {demo_reports + other} report(s) and everything recorded on them.")
        summary = demo.generate(
            actions=actions,
            seed=seed,
            today=today,
            batch_size=batch_size,
            progress=(lambda line: self.stdout.write(f"  {line}")) if options["verbosity"] > 1 else None,
        )
        self.stdout.write(f"Demo data as seen on {long_date(today)} (seed {seed}):")
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(
            f"Log in as {demo.DEMO_USER_PREFIX}reviewer, {demo.DEMO_USER_PREFIX}admin or "
            f"{demo.DEMO_USER_PREFIX}psd.<force-slug> with the password {demo.DEMO_PASSWORD}."
        )
