"""
Date the actions of loaded reports from their report's publication, as loading now does.

An action loaded from a report fixture used to be created "now": a report published in 2014 and loaded in 2026
had every action open only from 2026, and the trends showed years of nothing, then a jump on the day of loading.
Loading now dates a new action from the start of its report's publication day (tracker.loading.tracked_from).
This gives the actions loaded before that the same date: those whose first history row is the load's ("Imported
from …" or "Loaded from report fixture") and whose report was published before they were created. Their history
rows carry the same created_at; when the rows were written (history_date) is left as it is.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.db import migrations
from django.db.models import Q

LOAD_REASONS = Q(history_change_reason__startswith="Imported from") | Q(
    history_change_reason__startswith="Loaded from report fixture"
)


def date_loaded_actions_from_publication(apps, schema_editor):
    Report = apps.get_model("tracker", "Report")
    Action = apps.get_model("tracker", "Action")
    HistoricalAction = apps.get_model("tracker", "HistoricalAction")
    london = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    for report_id, published_on in Report.objects.exclude(published_on=None).values_list("pk", "published_on"):
        start = datetime.datetime.combine(published_on, datetime.time.min, tzinfo=london)
        loaded = list(
            HistoricalAction.objects.filter(LOAD_REASONS, history_type="+", recommendation__report_id=report_id)
            .filter(created_at__gt=start)
            .values_list("id", flat=True)
        )
        if loaded:
            Action.objects.filter(pk__in=loaded, created_at__gt=start).update(created_at=start)
            HistoricalAction.objects.filter(id__in=loaded).update(created_at=start)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0008_remove_status_twin_notes")]

    operations = [migrations.RunPython(date_loaded_actions_from_publication, migrations.RunPython.noop)]
