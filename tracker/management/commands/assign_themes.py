"""Group recommendations that have no theme yet (e.g. after a plain `loaddata`)."""

from django.core.management.base import BaseCommand

from tracker.models import Recommendation
from tracker.themes import assign_themes, threshold


class Command(BaseCommand):
    help = "Put every recommendation without a theme into the theme of its closest match, or a new one."

    def add_arguments(self, parser):
        parser.add_argument(
            "--threshold", type=float, help=f"Similarity needed to join a theme (default {threshold()})."
        )

    def handle(self, *args, threshold: float | None, **options):
        pending = Recommendation.objects.filter(theme__isnull=True).order_by("report__published_on", "pk")
        count = pending.count()
        created = assign_themes(pending, minimum=threshold)
        self.stdout.write(f"Grouped {count} recommendation(s); {len(created)} new theme(s).")
