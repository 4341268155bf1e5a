"""The action page and the POSTs that change an action."""

import re

import pytest
from django.urls import reverse

from tests.factories import ActionFactory, ExtensionRequestFactory
from tracker import workflow
from tracker.models import Action, ExtensionRequest, ProgressNote

pytestmark = pytest.mark.django_db
S = Action.Status


@pytest.fixture
def action(force_a):
    return ActionFactory(recommendation__report__subject_force=force_a)


def _change(action, name):
    return reverse("tracker:action_transition", args=[action.pk, name])


def test_psd_lead_sees_their_action_with_recommendation_and_allowed_changes(client, action, psd_lead_a):
    client.force_login(psd_lead_a)
    response = client.get(action.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert action.recommendation.text in body
    assert "Mark as being progressed" in body
    assert "Verify and authorise closure" not in body


def test_action_page_queries_do_not_grow_with_history(client, action, psd_lead_a, reviewer, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(psd_lead_a)
    with CaptureQueriesContext(connection) as fresh:
        assert client.get(action.get_absolute_url()).status_code == 200
    workflow.transition(action, "start", by=psd_lead_a)
    for n in range(5):
        ProgressNote.objects.create(action=action, author=psd_lead_a, text=f"note {n}")
    workflow.transition(action, "complete", by=psd_lead_a, text="done")
    workflow.transition(action, "reopen", by=reviewer, text="more")
    with django_assert_num_queries(len(fresh)):
        response = client.get(action.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert all(f"note {n}" in body for n in range(5)) and "more" in body


def test_another_forces_psd_lead_gets_404(client, action, psd_lead_b):
    client.force_login(psd_lead_b)
    assert client.get(action.get_absolute_url()).status_code == 404


def test_post_from_another_force_changes_nothing(client, action, psd_lead_b):
    client.force_login(psd_lead_b)
    response = client.post(_change(action, "start"), {"version": 1})
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status == S.NOT_STARTED and action.version == 1


def test_anonymous_user_is_sent_to_log_in(client, action):
    response = client.get(action.get_absolute_url())
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_get_on_a_change_url_is_not_allowed(client, action, psd_lead_a):
    client.force_login(psd_lead_a)
    assert client.get(_change(action, "start")).status_code == 405
    action.refresh_from_db()
    assert action.status == S.NOT_STARTED


def test_psd_lead_starts_an_action_in_one_post(client, action, psd_lead_a):
    client.force_login(psd_lead_a)
    response = client.post(_change(action, "start"), {"version": 1})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == S.IN_PROGRESS
    assert action.history.latest().history_user == psd_lead_a


def test_psd_lead_cannot_verify(client, action, psd_lead_a):
    action.status = S.COMPLETED
    action.save()
    client.force_login(psd_lead_a)
    assert client.post(_change(action, "verify"), {"version": 1}).status_code == 403
    action.refresh_from_db()
    assert action.status == S.COMPLETED


def test_reviewer_verifies_a_completed_action(client, action, reviewer):
    action.status = S.COMPLETED
    action.save()
    client.force_login(reviewer)
    assert client.post(_change(action, "verify"), {"version": 1}).status_code == 302
    action.refresh_from_db()
    assert action.status == S.VERIFIED


def test_missing_completion_note_keeps_the_page_and_says_why(client, action, psd_lead_a):
    client.force_login(psd_lead_a)
    response = client.post(_change(action, "complete"), {"version": 1, "text": ""})
    assert response.status_code == 400
    assert response.context["transition_forms"][1][1].errors == {
        "text": ["Enter a completion note: what was done, and where the evidence is"]
    }
    action.refresh_from_db()
    assert action.status == S.NOT_STARTED


def test_stale_page_is_refused_and_keeps_what_was_typed(client, action, psd_lead_a, colleague_a):
    workflow.transition(action, "start", by=colleague_a)
    client.force_login(psd_lead_a)
    response = client.post(_change(action, "complete"), {"version": 1, "text": "My careful completion note"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Colin Cole" in body and "My careful completion note</textarea>" in body
    action.refresh_from_db()
    assert action.status == S.IN_PROGRESS


def test_unknown_change_is_404(client, action, psd_lead_a):
    client.force_login(psd_lead_a)
    assert client.post(_change(action, "delete"), {"version": 1}).status_code == 404


def test_psd_lead_adds_a_note_with_evidence(client, action, psd_lead_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(psd_lead_a)
    upload = SimpleUploadedFile("policy.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(
        reverse("tracker:action_add_note", args=[action.pk]), {"text": "Policy drafted", "attachment": upload}
    )
    assert response.status_code == 302
    note = ProgressNote.objects.get()
    assert note.author == psd_lead_a and note.attachment_name == "policy.pdf"
    download = client.get(reverse("tracker:evidence", args=[note.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]


def test_evidence_is_stored_under_the_action_with_a_random_name(action, psd_lead_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("Kent vetting policy.pdf", b"%PDF", content_type="application/pdf")
    note = workflow.add_note(action, by=psd_lead_a, text="Policy", attachment=upload)
    folder, name = note.attachment.name.rsplit("/", 1)
    assert folder == f"evidence/{action.pk}"
    assert re.fullmatch(r"[0-9a-f]{32}", name)  # 128 random bits; the user's file name is metadata only
    assert note.attachment_name == "Kent vetting policy.pdf"


def test_evidence_of_another_force_is_not_served(client, action, psd_lead_a, psd_lead_b):
    from django.core.files.uploadedfile import SimpleUploadedFile

    note = workflow.add_note(action, by=psd_lead_a, text="x", attachment=SimpleUploadedFile("a.pdf", b"%PDF"))
    client.force_login(psd_lead_b)
    assert client.get(reverse("tracker:evidence", args=[note.pk])).status_code == 404


def test_evidence_of_a_disallowed_type_is_rejected(client, action, psd_lead_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(psd_lead_a)
    upload = SimpleUploadedFile("run.exe", b"MZ", content_type="application/pdf")
    response = client.post(
        reverse("tracker:action_add_note", args=[action.pk]), {"text": "keep me", "attachment": upload}
    )
    assert response.status_code == 400
    assert "keep me" in response.content.decode()
    assert not ProgressNote.objects.exists()


def _ask_for_a_revised_due_date(client, action, day: str):
    url = reverse("tracker:action_request_extension", args=[action.pk])
    return client.post(url, {"requested_due_date": day, "reason": "Sign-off in September"})


def test_psd_lead_requests_an_extension(client, today, action, psd_lead_a):
    client.force_login(psd_lead_a)
    response = _ask_for_a_revised_due_date(client, action, "2015-09-30")
    assert response.status_code == 302
    assert ExtensionRequest.objects.get().requested_by == psd_lead_a


def test_a_revised_due_date_in_the_past_is_refused_beside_the_date(client, today, action, psd_lead_a):
    client.force_login(psd_lead_a)
    response = _ask_for_a_revised_due_date(client, action, "2015-05-01")
    assert response.status_code == 400
    errors = response.context["extension_form"].errors
    assert errors == {"requested_due_date": ["The revised due date must be in the future."]}
    assert not ExtensionRequest.objects.exists()


def test_a_refusal_without_a_reason_is_refused_beside_the_reason(client, today, action, psd_lead_a, reviewer):
    request = ExtensionRequestFactory(action=action, requested_by=psd_lead_a)
    client.force_login(reviewer)
    response = client.post(reverse("tracker:extension_decide", args=[request.pk]), {"decision": "refuse"})
    assert response.status_code == 400
    assert response.context["decision_form"].errors == {"reason": ["Say why the extension is refused."]}
    request.refresh_from_db()
    assert request.is_pending


def test_reviewer_approves_an_extension(client, today, action, psd_lead_a, reviewer):
    request = ExtensionRequestFactory(action=action, requested_by=psd_lead_a)
    client.force_login(reviewer)
    response = client.post(reverse("tracker:extension_decide", args=[request.pk]), {"decision": "approve"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.revised_due_date == request.requested_due_date


def test_psd_lead_cannot_decide_an_extension(client, today, action, psd_lead_a):
    request = ExtensionRequestFactory(action=action, requested_by=psd_lead_a)
    client.force_login(psd_lead_a)
    assert (
        client.post(reverse("tracker:extension_decide", args=[request.pk]), {"decision": "approve"}).status_code == 403
    )


def test_owner_can_be_set_to_a_member_of_the_force(client, action, psd_lead_a, colleague_a):
    client.force_login(psd_lead_a)
    response = client.post(
        reverse("tracker:action_set_owner", args=[action.pk]), {"version": 1, "owner": colleague_a.pk}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.owner == colleague_a


def test_owner_from_another_force_is_refused(client, action, psd_lead_a, psd_lead_b):
    client.force_login(psd_lead_a)
    response = client.post(
        reverse("tracker:action_set_owner", args=[action.pk]), {"version": 1, "owner": psd_lead_b.pk}
    )
    assert response.status_code == 400
    action.refresh_from_db()
    assert action.owner is None


def test_history_shows_each_change_with_who_and_why(client, action, psd_lead_a, reviewer):
    workflow.transition(action, "start", by=psd_lead_a)
    workflow.transition(action, "complete", by=psd_lead_a, text="Done and evidenced")
    workflow.transition(action, "reopen", by=reviewer, text="Evidence missing")
    client.force_login(reviewer)
    body = client.get(action.get_absolute_url()).content.decode()
    assert "Status: Awaiting review → Being progressed" in body
    assert "Evidence missing" in body and "Alice Ashby" in body and "Rita Reviewer" in body
    assert body.count("Done and evidenced") == 1 and body.count("Evidence missing") == 1
