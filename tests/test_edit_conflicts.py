"""Each form on the action page after someone else changed the action: the page as it is now, the words as typed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ActionFactory, ExtensionRequestFactory
from tests.html_forms import form_fields
from tracker import workflow
from tracker.models import Action, ExtensionRequest, ProgressNote

pytestmark = pytest.mark.django_db
S = Action.Status

# Quotes, brackets and a line break: what a dict of lists or a lost strip() would show differently.
TYPED = "Lessons-learned bulletin sent to all 43 forces ['see annex'];\r\nboard sign-off on 3 June."


@pytest.fixture
def action(force_a):
    return ActionFactory(recommendation__report__subject_force=force_a)


def _url(name, *args):
    return reverse(f"tracker:{name}", args=args)


def _conflict(action, by):
    """Change the action as someone else would, after the user opened the page at version 1."""
    workflow.transition(action, "start", by=by)


def _page_form(response, url):
    return form_fields(response.content.decode(), url)


def test_a_transition_still_on_offer_keeps_the_text_and_carries_the_new_version(
    client, action, psd_lead_a, colleague_a
):
    _conflict(action, colleague_a)
    client.force_login(psd_lead_a)
    url = _url("action_transition", action.pk, "complete")
    response = client.post(url, {"version": 1, "text": TYPED})
    assert response.status_code == 409
    fields = _page_form(response, url)
    assert (fields["version"], fields["text"]) == (["2"], [TYPED])


def test_a_transition_is_refused_until_submitted_from_the_page_as_it_is_now(client, action, psd_lead_a, colleague_a):
    _conflict(action, colleague_a)
    client.force_login(psd_lead_a)
    url = _url("action_transition", action.pk, "complete")
    response = client.post(url, {"version": 1, "text": TYPED})
    action.refresh_from_db()
    assert (action.status, action.version) == (S.IN_PROGRESS, 2)
    body = response.content.decode()
    assert "This action was changed by Colin Cole" in body and "Being progressed" in body

    again = _page_form(response, url)
    assert client.post(url, {"version": again["version"][0], "text": again["text"][0]}).status_code == 302
    action.refresh_from_db()
    assert action.status == S.COMPLETED
    assert action.history.latest().history_change_reason == f"Mark as complete and send for review: {TYPED.strip()}"


def test_a_transition_no_longer_on_offer_puts_the_text_in_the_note_box(client, action, psd_lead_a, colleague_a):
    workflow.transition(action, "complete", by=colleague_a, text="Colin finished it")
    client.force_login(psd_lead_a)
    response = client.post(_url("action_transition", action.pk, "complete"), {"version": 1, "text": TYPED})
    assert response.status_code == 409
    body = response.content.decode()
    assert "What you wrote is in the progress note box below." in body
    assert _page_form(response, _url("action_add_note", action.pk))["text"] == [TYPED.strip()]
    assert not ProgressNote.objects.exists()


def test_the_owner_form_shows_the_new_owner_choice_kept_and_the_new_version(
    client, action, psd_lead_a, colleague_a, force_a
):
    workflow.assign_owner(action, by=colleague_a, owner=colleague_a)
    client.force_login(psd_lead_a)
    url = _url("action_set_owner", action.pk)
    response = client.post(url, {"version": 1, "owner": psd_lead_a.pk})
    assert response.status_code == 409
    assert "This action was changed by Colin Cole" in response.content.decode()
    fields = _page_form(response, url)
    assert (fields["version"], fields["owner"]) == (["2"], [str(psd_lead_a.pk)])
    action.refresh_from_db()
    assert action.owner == colleague_a


def test_the_rag_form_keeps_the_reason_and_carries_the_new_version(client, action, psd_lead_a, colleague_a):
    _conflict(action, colleague_a)
    client.force_login(psd_lead_a)
    url = _url("action_set_rag", action.pk)
    response = client.post(url, {"version": 1, "rag": "red", "reason": "Behind plan ['budget']"})
    assert response.status_code == 409
    fields = _page_form(response, url)
    assert (fields["version"], fields["rag"], fields["reason"]) == (["2"], ["red"], ["Behind plan ['budget']"])
    action.refresh_from_db()
    assert action.rag == ""


def test_a_rag_rating_of_an_action_closed_meanwhile_keeps_the_reason_in_the_note_box(
    client, action, psd_lead_a, reviewer
):
    workflow.transition(action, "not_accept", by=reviewer, text="Not for this force")
    client.force_login(psd_lead_a)
    response = client.post(_url("action_set_rag", action.pk), {"version": 1, "rag": "red", "reason": "Behind plan"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "This action was changed by Rita Reviewer" in body
    assert _page_form(response, _url("action_add_note", action.pk))["text"] == ["Behind plan"]


def test_an_extension_request_made_meanwhile_keeps_the_reason_in_the_note_box(client, action, psd_lead_a, colleague_a):
    later = timezone.localdate() + datetime.timedelta(days=400)
    workflow.request_extension(action, by=colleague_a, requested_due_date=later, reason="Colin asked first")
    client.force_login(psd_lead_a)
    response = client.post(
        _url("action_request_extension", action.pk), {"requested_due_date": f"{later:%d/%m/%Y}", "reason": TYPED}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        "An extension request for this action is already awaiting a decision. "
        "What you wrote is in the progress note box below."
    ) in body
    assert _page_form(response, _url("action_add_note", action.pk))["text"] == [TYPED.strip()]
    assert ExtensionRequest.objects.count() == 1


def test_an_extension_request_refused_by_a_rule_keeps_what_was_typed(client, action, psd_lead_a):
    client.force_login(psd_lead_a)
    url = _url("action_request_extension", action.pk)
    response = client.post(url, {"requested_due_date": "01/01/2001", "reason": TYPED})
    assert response.status_code == 400
    fields = _page_form(response, url)
    assert (fields["requested_due_date"], fields["reason"]) == (["01/01/2001"], [TYPED])


def test_a_decision_on_a_request_decided_meanwhile_says_so_and_keeps_the_reason(client, action, reviewer, admin_user):
    extension = ExtensionRequestFactory(action=action)
    workflow.decide_extension(extension, by=admin_user, approve=True)
    client.force_login(reviewer)
    response = client.post(_url("extension_decide", extension.pk), {"decision": "refuse", "reason": TYPED})
    assert response.status_code == 400
    body = response.content.decode()
    assert "This request was already approved. What you wrote is in the progress note box below." in body
    assert _page_form(response, _url("action_add_note", action.pk))["text"] == [TYPED.strip()]


def test_a_progress_note_refused_keeps_what_was_typed(client, action, psd_lead_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(psd_lead_a)
    url = _url("action_add_note", action.pk)
    upload = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/pdf")
    response = client.post(url, {"text": TYPED, "attachment": upload})
    assert response.status_code == 400
    assert _page_form(response, url)["text"] == [TYPED]
    assert not ProgressNote.objects.exists()
