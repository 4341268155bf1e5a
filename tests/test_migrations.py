"""Data migrations do what they say to the data they meet."""

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps
from django.core.files.base import ContentFile

from tests.conftest import LONDON
from tests.factories import ActionFactory, ProgressNoteFactory, ReportFactory
from tracker import workflow
from tracker.models import Action, ForceSummary, ProgressNote

pytestmark = pytest.mark.django_db

remove_status_twin_notes = importlib.import_module("tracker.migrations.0008_remove_status_twin_notes")


def test_a_note_repeating_a_status_changes_reason_is_removed_and_the_reason_stays(force_a, psd_lead_a):
    action = ActionFactory(force=force_a)
    workflow.transition(action, "complete", by=psd_lead_a, text="Done and evidenced")
    twin = ProgressNoteFactory(action=action, text="Mark as complete and send for review: Done and evidenced")
    remove_status_twin_notes.remove_twin_notes(apps, None)
    assert not ProgressNote.objects.filter(pk=twin.pk).exists()
    assert action.history.filter(history_change_reason=twin.text).exists()


def test_notes_of_their_own_are_kept(force_a, psd_lead_a):
    action = ActionFactory(force=force_a)
    workflow.transition(action, "complete", by=psd_lead_a, text="Done and evidenced")
    own = ProgressNoteFactory(action=action, text="Done and evidenced")  # not the reason's words
    elsewhere = ProgressNoteFactory(text="Mark as complete and send for review: Done and evidenced")
    with_evidence = ProgressNoteFactory(action=action, text="Mark as complete and send for review: Done and evidenced")
    with_evidence.attachment.save("evidence.pdf", ContentFile(b"%PDF-1.4"), save=True)
    remove_status_twin_notes.remove_twin_notes(apps, None)
    assert set(ProgressNote.objects.all()) == {own, elsewhere, with_evidence}


date_loaded_actions = importlib.import_module("tracker.migrations.0009_date_loaded_actions_from_publication")


def _loaded(report, reason: str):
    """An action created on loading `report` (1 December 2026), as loading did before it dated them."""
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, 30, tzinfo=LONDON), tick=False):
        action = ActionFactory(recommendation__report=report)
    action.history.update(history_change_reason=reason)
    return action


@pytest.mark.parametrize("reason", ["Imported from report.pdf with the admin's import", "Loaded from report fixture"])
def test_an_action_loaded_after_its_report_was_published_is_dated_from_the_publication(reason):
    action = _loaded(ReportFactory(published_on=datetime.date(2014, 11, 27)), reason)
    date_loaded_actions.date_loaded_actions_from_publication(apps, None)
    action.refresh_from_db()
    publication = datetime.datetime(2014, 11, 27, tzinfo=LONDON)
    assert action.created_at == publication
    first = action.history.get()
    assert first.created_at == publication
    assert first.history_date == datetime.datetime(2026, 12, 1, 9, 30, tzinfo=LONDON)  # when it was loaded


def test_an_action_made_otherwise_or_a_report_without_a_date_is_left_alone():
    made_by_hand = _loaded(ReportFactory(published_on=datetime.date(2014, 11, 27)), "Added by the admin")
    undated = _loaded(ReportFactory(published_on=None), "Loaded from report fixture")
    before = {a.pk: a.created_at for a in (made_by_hand, undated)}
    date_loaded_actions.date_loaded_actions_from_publication(apps, None)
    assert {a.pk: a.created_at for a in Action.objects.filter(pk__in=before)} == before


count_slipped_due_dates = importlib.import_module("tracker.migrations.0013_due_date_slips")


def test_each_forces_moved_due_dates_are_counted_from_its_actions(force_a, force_b):
    ActionFactory(force=force_a, due_date=datetime.date(2015, 5, 1), revised_due_date=datetime.date(2015, 9, 1))
    ActionFactory(
        force=force_a,
        due_date=datetime.date(2015, 5, 1),
        revised_due_date=datetime.date(2015, 9, 1),
        status=Action.Status.VERIFIED,
    )
    ActionFactory(force=force_b, due_date=datetime.date(2015, 5, 1))
    ForceSummary.objects.update(slipped_count=0, slipped_open_count=0)  # as the new columns start
    count_slipped_due_dates.count_slipped(apps, None)
    kept = {s.force_id: (s.slipped_count, s.slipped_open_count) for s in ForceSummary.objects.all()}
    assert kept == {force_a.pk: (2, 1), force_b.pk: (0, 0)}
