"""Delete the sign-in log's events older than the days it keeps, a batch at a time."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from tracker.dates import long_date_time
from tracker.management.database import require_migrated
from tracker.models import SIGN_IN_LOG_DAYS, SignInEvent

# Events deleted per transaction: each batch holds its locks briefly, and the log is never all in memory.
BATCH_SIZE = 5_000


def older_than(cutoff: datetime.datetime):
    """Return the sign-in events from before `cutoff`."""
    return SignInEvent.objects.filter(at__lt=cutoff)


def delete_older_than(cutoff: datetime.datetime) -> int:
    """Delete the sign-in events from before `cutoff`, BATCH_SIZE to a transaction; return how many went."""
    deleted = 0
    while True:
        with transaction.atomic():
            # Oldest first by primary key, so each batch's search stops at the first BATCH_SIZE it finds.
            batch = list(older_than(cutoff).order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
            if not batch:
                return deleted
            deleted += SignInEvent.objects.filter(pk__in=batch).delete()[0]


def events(count: int) -> str:
    """Return "1 sign-in event" or "1,234 sign-in events"."""
    return f"{count:,} sign-in event{'' if count == 1 else 's'}"


class Command(BaseCommand):
    help = (
        "Delete the sign-in log's events older than TRACKER_SIGN_IN_LOG_KEEP_DAYS days (default 365), "
        f"{BATCH_SIZE:,} to a transaction. Never keeps fewer than the {SIGN_IN_LOG_DAYS} days the account page shows."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            help=f"Keep this many days instead of TRACKER_SIGN_IN_LOG_KEEP_DAYS ({SIGN_IN_LOG_DAYS} or more).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print how many events would be deleted, and delete nothing."
        )

    def handle(self, *args, days: int | None, dry_run: bool, **options):
        keep_days = settings.TRACKER_SIGN_IN_LOG_KEEP_DAYS if days is None else days
        if keep_days < SIGN_IN_LOG_DAYS:
            source = "TRACKER_SIGN_IN_LOG_KEEP_DAYS" if days is None else "--days"
            raise CommandError(
                f"{source} must be {SIGN_IN_LOG_DAYS} or more, not {keep_days}: "
                f"the account page shows the last {SIGN_IN_LOG_DAYS} days of the sign-in log."
            )
        require_migrated()
        cutoff = timezone.now() - datetime.timedelta(days=keep_days)
        before = f"from before {long_date_time(cutoff)} (kept {keep_days} days)"
        if dry_run:
            self.stdout.write(f"Dry run: would delete {events(older_than(cutoff).count())} {before}; deleted nothing.")
            return
        deleted = delete_older_than(cutoff)
        if deleted:
            self.stdout.write(f"Deleted {events(deleted)} {before}.")
        else:
            self.stdout.write(f"Nothing to delete: no sign-in event {before}.")
