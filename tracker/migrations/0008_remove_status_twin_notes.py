"""
Remove the progress notes that repeat a status change's reason.

The workflow once wrote the text of a status change twice: as the history row's reason and as a progress
note with the same words ("Mark as complete and send for review: …"), and the action page hid the note.
It now writes the reason only, so those twins go: a note with no evidence file whose text is, word for word,
the reason of one of its action's history rows. The reason stays in the history, so nothing is lost.
"""

from django.db import migrations
from django.db.models import Exists, OuterRef


def remove_twin_notes(apps, schema_editor):
    ProgressNote = apps.get_model("tracker", "ProgressNote")
    HistoricalAction = apps.get_model("tracker", "HistoricalAction")
    same_reason = HistoricalAction.objects.filter(id=OuterRef("action_id"), history_change_reason=OuterRef("text"))
    ProgressNote.objects.filter(attachment="").filter(Exists(same_reason)).delete()


class Migration(migrations.Migration):
    dependencies = [("tracker", "0007_area_for_improvement_kind")]

    operations = [migrations.RunPython(remove_twin_notes, migrations.RunPython.noop)]
