"""A force asks for a revised due date with a reason; HMIC decides."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests.factories import ActionFactory, ExtensionRequestFactory
from tracker import workflow
from tracker.models import Action, ExtensionRequest

pytestmark = pytest.mark.django_db
NEW_DATE = datetime.date(2015, 9, 30)
REASON = "Chief officer sign-off is in September."


@pytest.fixture
def action(force_a):
    return ActionFactory(recommendation__report__subject_force=force_a, due_date=datetime.date(2015, 5, 27))


def test_psd_lead_can_request_a_revised_due_date(today, action, psd_lead_a):
    request = workflow.request_extension(action, by=psd_lead_a, requested_due_date=NEW_DATE, reason=REASON)
    assert request.is_pending
    assert request.history.get().history_user == psd_lead_a


def test_reviewer_cannot_request_an_extension(today, action, reviewer):
    with pytest.raises(PermissionDenied, match="Only the force's PSD lead can ask for a revised deadline"):
        workflow.request_extension(action, by=reviewer, requested_due_date=NEW_DATE, reason=REASON)


def test_request_needs_a_reason(today, action, psd_lead_a):
    with pytest.raises(workflow.WorkflowError, match="why"):
        workflow.request_extension(action, by=psd_lead_a, requested_due_date=NEW_DATE, reason="")


def test_requested_date_must_be_in_the_future(today, action, psd_lead_a):
    with pytest.raises(workflow.WorkflowError, match="future"):
        workflow.request_extension(action, by=psd_lead_a, requested_due_date=today, reason=REASON)


def test_only_one_request_awaits_a_decision_at_a_time(today, action, psd_lead_a):
    workflow.request_extension(action, by=psd_lead_a, requested_due_date=NEW_DATE, reason=REASON)
    with pytest.raises(workflow.WorkflowError, match="already"):
        workflow.request_extension(action, by=psd_lead_a, requested_due_date=NEW_DATE, reason=REASON)


def test_approval_revises_the_due_date_and_records_it(today, action, psd_lead_a, reviewer):
    request = ExtensionRequestFactory(action=action, requested_by=psd_lead_a, requested_due_date=NEW_DATE)
    assert action.is_overdue

    workflow.decide_extension(request, by=reviewer, approve=True)

    action.refresh_from_db()
    request.refresh_from_db()
    assert request.decision == ExtensionRequest.Decision.APPROVED and request.decided_by == reviewer
    assert action.revised_due_date == NEW_DATE
    assert not action.is_overdue
    last = action.history.latest()
    assert last.history_user == reviewer and "30 September 2015" in last.history_change_reason


def test_refusal_needs_a_reason_and_keeps_the_due_date(today, action, psd_lead_a, reviewer):
    request = ExtensionRequestFactory(action=action, requested_by=psd_lead_a)
    with pytest.raises(workflow.WorkflowError, match="Say why the extension is refused"):
        workflow.decide_extension(request, by=reviewer, approve=False, reason="")
    workflow.decide_extension(request, by=reviewer, approve=False, reason="Six months was ample.")
    action.refresh_from_db()
    assert action.revised_due_date is None
    assert ExtensionRequest.objects.get().decision == ExtensionRequest.Decision.REFUSED


def test_psd_lead_cannot_decide_their_own_request(today, action, psd_lead_a):
    request = ExtensionRequestFactory(action=action, requested_by=psd_lead_a)
    with pytest.raises(PermissionDenied, match="Only an HMIC reviewer can decide an extension request"):
        workflow.decide_extension(request, by=psd_lead_a, approve=True)
    assert Action.objects.get().revised_due_date is None


def test_a_decided_request_cannot_be_decided_again(today, action, psd_lead_a, reviewer):
    request = ExtensionRequestFactory(action=action, requested_by=psd_lead_a)
    workflow.decide_extension(request, by=reviewer, approve=False, reason="No.")
    with pytest.raises(workflow.WorkflowError, match="already"):
        workflow.decide_extension(request, by=reviewer, approve=True)


def test_an_approval_records_the_new_date_and_the_reviewers_reason(today, action, psd_lead_a, reviewer):
    request = ExtensionRequestFactory(action=action, requested_by=psd_lead_a, requested_due_date=NEW_DATE)
    workflow.decide_extension(request, by=reviewer, approve=True, reason=" Sign-off date confirmed. ")
    request.refresh_from_db()
    assert (request.decided_at, request.decision_reason) == (timezone.now(), "Sign-off date confirmed.")
    assert action.history.latest().history_change_reason == (
        "Extension approved: due date revised to 30 September 2015. Sign-off date confirmed."
    )
    decided = request.history.latest()
    assert (decided.history_user, decided.history_change_reason) == (reviewer, "Extension approved")


def test_an_approval_without_a_reason_records_the_new_date_alone(today, action, psd_lead_a, reviewer):
    request = ExtensionRequestFactory(action=action, requested_by=psd_lead_a, requested_due_date=NEW_DATE)
    workflow.decide_extension(request, by=reviewer, approve=True)
    assert action.history.latest().history_change_reason == "Extension approved: due date revised to 30 September 2015"


def test_a_refusal_records_the_reviewer_and_the_reason_on_the_request(today, action, psd_lead_a, reviewer):
    request = ExtensionRequestFactory(action=action, requested_by=psd_lead_a, requested_due_date=NEW_DATE)
    workflow.decide_extension(request, by=reviewer, approve=False, reason="Six months was ample.")
    request.refresh_from_db()
    assert (request.decided_by, request.decided_at, request.decision_reason) == (
        reviewer,
        timezone.now(),
        "Six months was ample.",
    )
    decided = request.history.latest()
    assert (decided.history_user, decided.history_change_reason) == (reviewer, "Extension refused")
    assert action.history.count() == 1  # the action itself is unchanged


def test_a_request_records_the_date_the_reason_and_who_asked(today, action, psd_lead_a):
    request = workflow.request_extension(action, by=psd_lead_a, requested_due_date=NEW_DATE, reason=f"  {REASON} ")
    request.refresh_from_db()
    assert (request.action, request.requested_by, request.requested_due_date, request.reason) == (
        action,
        psd_lead_a,
        NEW_DATE,
        REASON,
    )
    assert request.history.get().history_change_reason == "Extension requested"
