"""
The evidence store full or not writable: the note is refused with a clear message (503, the server's fault, not the
user's), what the user typed is kept, nothing is saved, and the next try after the store recovers works.
"""

import errno
import logging
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import ActionFactory
from tracker import workflow
from tracker.models import Action, ProgressNote

pytestmark = pytest.mark.django_db

TYPED = "Vetting policy signed off by the chief constable; copy attached."


@pytest.fixture
def action(force_a):
    return ActionFactory(recommendation__report__subject_force=force_a)


@pytest.fixture
def signed_in(client, psd_lead_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    client.force_login(psd_lead_a)
    return client


def post_note(client, action, with_file=True):
    data = {"text": TYPED}
    if with_file:
        data["attachment"] = SimpleUploadedFile("policy.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    return client.post(reverse("tracker:action_add_note", args=[action.pk]), data)


@pytest.fixture
def store_fails(monkeypatch):
    """Make the evidence store fail every write with the given errno."""

    def fail_with(code: int):
        def save(*args, **kwargs):
            raise OSError(code, "injected")

        monkeypatch.setattr(default_storage, "_save", save)

    return fail_with


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOSPC, "the evidence store is full"),
        (errno.EDQUOT, "the evidence store is full"),
        (errno.EACCES, "the evidence store cannot be written to"),
        (errno.EROFS, "the evidence store cannot be written to"),
        (errno.EIO, "the evidence store could not take it"),
    ],
)
def test_a_store_that_cannot_take_the_file_says_why(signed_in, action, store_fails, code, reason):
    store_fails(code)
    response = post_note(signed_in, action)
    assert response.status_code == 503
    message = (
        f"The evidence file was not saved: {reason}. Your note was not saved either: it is below as you typed it. "
        "Send it again later, or without the file for now, and tell your administrator."
    )
    assert message in response.content.decode()


def test_the_note_is_kept_as_typed_and_nothing_is_saved(signed_in, action, store_fails):
    store_fails(errno.ENOSPC)
    before = Action.history.count()
    response = post_note(signed_in, action)
    assert f"{TYPED}</textarea>" in response.content.decode()
    assert not ProgressNote.objects.exists() and Action.history.count() == before


def test_an_evidence_folder_that_is_not_a_folder_is_not_writable(signed_in, action, settings):
    # Not a mock: the store's folder for evidence is a file, so no file can be written under it (as root too).
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True)
    (media / "evidence").write_bytes(b"not a folder")
    response = post_note(signed_in, action)
    assert response.status_code == 503
    assert "the evidence store cannot be written to" in response.content.decode()
    assert not ProgressNote.objects.exists()


def test_a_note_without_a_file_is_saved_while_the_store_is_full(signed_in, action, store_fails):
    store_fails(errno.ENOSPC)
    assert post_note(signed_in, action, with_file=False).status_code == 302
    assert ProgressNote.objects.get().text == TYPED


def test_once_the_store_recovers_the_same_note_is_saved(signed_in, action, settings):
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True)
    (media / "evidence").write_bytes(b"not a folder")
    assert post_note(signed_in, action).status_code == 503
    (media / "evidence").unlink()
    assert post_note(signed_in, action).status_code == 302
    note = ProgressNote.objects.get()
    assert note.text == TYPED and note.attachment.read() == b"%PDF-1.4 signed"


def test_the_failure_is_logged_for_the_administrator(signed_in, action, store_fails, caplog):
    store_fails(errno.ENOSPC)
    with caplog.at_level(logging.ERROR, logger="tracker.workflow"):
        post_note(signed_in, action)
    [record] = [r for r in caplog.records if r.name == "tracker.workflow"]
    assert record.getMessage() == f"Evidence for action {action.pk} not stored: [Errno {errno.ENOSPC}] injected"


# What a failed write leaves in the store: nothing


class FillsTheDiskAfterOneChunk(SimpleUploadedFile):
    def chunks(self, chunk_size=None):
        yield b"%PDF-1.4 the first part"
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_write_that_fails_part_way_leaves_no_part_of_the_file(action, psd_lead_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    upload = FillsTheDiskAfterOneChunk("policy.pdf", b"%PDF-1.4 the whole file", content_type="application/pdf")
    with pytest.raises(workflow.EvidenceNotStoredError, match="the evidence store is full"):
        workflow.add_note(action, by=psd_lead_a, text=TYPED, attachment=upload)
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []
    assert not ProgressNote.objects.exists()


def test_the_store_refuses_a_name_that_is_taken_rather_than_choosing_another(settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = str(tmp_path / "media")
    default_storage.save("evidence/1/taken", ContentFile(b"first"))
    with pytest.raises(FileExistsError):
        default_storage.save("evidence/1/taken", ContentFile(b"second"))
    assert default_storage.open("evidence/1/taken").read() == b"first"
