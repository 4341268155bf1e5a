"""Count every force's dashboard summary afresh from its actions, and say where the kept one had drifted."""

from django.core.management.base import BaseCommand, CommandError

from tracker.management.database import require_migrated
from tracker.models import Force, ForceSummary


class Command(BaseCommand):
    help = (
        "Recount each force's summary (the national dashboard's counts that do not depend on the day) from its "
        "actions and store it; report every count that differed. With --check, change nothing and fail on drift."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Only compare; exit with status 1 if any count has drifted."
        )

    def handle(self, *args, check: bool, **options):
        require_migrated()
        drift = ForceSummary.objects.drift() if check else ForceSummary.objects.rebuild()
        names = dict(Force.objects.filter(pk__in={d.force_id for d in drift}).values_list("pk", "name"))
        for d in drift:
            self.stdout.write(f"{names[d.force_id]}: {d.count} kept {d.kept}, recounted {d.recounted}")
        if not drift:
            self.stdout.write("Every force's summary equals the recount of its actions.")
        elif check:
            raise CommandError(f"{len(drift)} count(s) differ from the recount; run rebuild_summaries to correct them.")
        else:
            self.stdout.write(f"Corrected {len(drift)} count(s).")
