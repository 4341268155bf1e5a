"""Email owners about actions due soon or overdue, PSD leads a weekly overdue digest, reviewers the re-checks due."""

import argparse
import calendar

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tracker import reminders

DAY_NAMES = [name.lower() for name in calendar.day_name]


def weekday(value: str) -> int:
    """Parse a day of the week: 0 (Monday) to 6 (Sunday), or its English name."""
    text = value.strip().lower()
    if text.isdigit() and int(text) < 7:
        return int(text)
    for number, name in enumerate(DAY_NAMES):
        if len(text) >= 3 and name.startswith(text):
            return number
    raise argparse.ArgumentTypeError(f"{value!r} is not a day of the week (0 = Monday … 6 = Sunday, or a name).")


class Command(BaseCommand):
    help = (
        "Email each owner about their actions overdue or due within 14 days; once a week, each force's "
        "PSD leads about the force's overdue actions; and HMIC's reviewers about verified actions due a re-check "
        "(the day one falls due, and weekly while any wait). Never sends the same reminder twice on one day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print what would be sent, and send nothing.")
        parser.add_argument(
            "--days", type=int, default=reminders.DUE_WITHIN_DAYS, help="How many days ahead counts as due soon."
        )
        parser.add_argument(
            "--digest-weekday",
            type=weekday,
            default=reminders.MONDAY,
            help="The day the weekly digest goes out: 0 = Monday … 6 = Sunday, or a name. Default: Monday.",
        )
        parser.add_argument(
            "--force-digest", action="store_true", help="Send the weekly digest today, whatever the day."
        )

    def handle(self, *args, dry_run: bool, days: int, digest_weekday: int, force_digest: bool, **options):
        today = timezone.localdate()
        digest = force_digest or reminders.is_digest_day(today, digest_weekday)
        due = reminders.reminders_for(today, days=days, digest=digest)
        if dry_run:
            claimed = reminders.claimed_on(today)
            for reminder in due:
                skip = " (already sent today: would skip)" if reminder.key in claimed else ""
                self.stdout.write(f"Would send {reminders.describe(reminder)}{skip}")
                if options["verbosity"] > 1:
                    self.stdout.write(reminder.body + "\n")
            self.stdout.write(f"Dry run: {len(due)} reminder(s) due, nothing sent.")
            return
        outcome = reminders.send_all(due, today)
        for reminder in outcome.sent:
            self.stdout.write(f"Sent {reminders.describe(reminder)}")
        self.stdout.write(f"{len(outcome.sent)} sent, {len(outcome.skipped)} already sent today.")
        if outcome.failed:
            raise CommandError(f"{len(outcome.failed)} reminder(s) could not be sent; the next run will try again.")
