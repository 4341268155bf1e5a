"""Data migrations do what they say to the data they meet."""

import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile

from tests.factories import ActionFactory, ProgressNoteFactory
from tracker import workflow
from tracker.models import ProgressNote

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
