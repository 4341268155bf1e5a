"""workflow.allowed_operations: what the action page offers is exactly what the workflow accepts."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import ActionFactory, ExtensionRequestFactory
from tracker import workflow
from tracker.models import Action

pytestmark = pytest.mark.django_db
S = Action.Status
# Later than any due date here and than today, within the ten years a due date may be set ahead.
FAR_AHEAD = datetime.date.today() + datetime.timedelta(days=400)

# Each operation made once with arguments that are valid on their own, so only who and when decide.
ATTEMPTS = {
    "add_note": lambda action, user: workflow.add_note(action, by=user, text="A word on progress"),
    "assign_owner": lambda action, user: workflow.assign_owner(action, by=user, owner=None),
    "request_extension": lambda action, user: workflow.request_extension(
        action, by=user, requested_due_date=FAR_AHEAD, reason="The board meets in the autumn."
    ),
    "set_rag": lambda action, user: workflow.set_rag(action, by=user, rag="amber", reason="At risk"),
    "set_publishable": lambda action, user: workflow.set_publishable(action, by=user, publishable=True),
    "confirm_recheck": lambda action, user: workflow.confirm_recheck(action, by=user, text="Still in place."),
}


@pytest.fixture
def users(psd_lead_a, reviewer, psd_lead_b):
    return {"psd_lead": psd_lead_a, "reviewer": reviewer, "other_force": psd_lead_b}


def _action(force, status, pending, recheck=False):
    recheck_on = datetime.date(2015, 5, 1) if recheck else None
    action = ActionFactory(force=force, status=status, due_date=datetime.date(2015, 3, 31), recheck_on=recheck_on)
    if pending:
        ExtensionRequestFactory(action=action)
    return action


@pytest.mark.parametrize("operation", sorted(ATTEMPTS))
@pytest.mark.parametrize("role", ["psd_lead", "reviewer", "other_force"])
@pytest.mark.parametrize("status", [S.IN_PROGRESS, S.VERIFIED])
@pytest.mark.parametrize("pending", [False, True])
@pytest.mark.parametrize("recheck", [False, True])
def test_an_operation_is_offered_exactly_when_the_workflow_accepts_it(
    operation, role, status, pending, recheck, users, force_a
):
    action = _action(force_a, status, pending, recheck)
    user = users[role]
    offered = operation in workflow.allowed_operations(user, action)
    try:
        ATTEMPTS[operation](action, user)
    except (PermissionDenied, workflow.WorkflowError):
        accepted = False
    else:
        accepted = True
    assert offered == accepted


def test_a_psd_lead_is_offered_their_forces_changes_on_an_open_action(psd_lead_a, force_a):
    allowed = workflow.allowed_operations(psd_lead_a, _action(force_a, S.IN_PROGRESS, pending=False))
    assert allowed == {"add_note", "assign_owner", "request_extension", "set_rag", "complete"}


def test_a_reviewer_is_offered_the_reviewers_changes(reviewer, force_a):
    allowed = workflow.allowed_operations(reviewer, _action(force_a, S.COMPLETED, pending=True))
    assert allowed == {
        "add_note",
        "assign_owner",
        "decide_extension",
        "set_publishable",
        "link_recurrence",
        "verify",
        "reopen",
        "supersede",
        "not_accept",
    }


def test_another_forces_psd_lead_is_offered_nothing(psd_lead_b, force_a):
    assert workflow.allowed_operations(psd_lead_b, _action(force_a, S.IN_PROGRESS, pending=False)) == frozenset()


def test_no_second_extension_request_while_one_awaits_a_decision(psd_lead_a, force_a):
    allowed = workflow.allowed_operations(psd_lead_a, _action(force_a, S.IN_PROGRESS, pending=True))
    assert "request_extension" not in allowed


def test_a_closed_action_has_no_rating_and_no_revised_deadline(psd_lead_a, force_a):
    allowed = workflow.allowed_operations(psd_lead_a, _action(force_a, S.VERIFIED, pending=False))
    assert not {"set_rag", "request_extension"} & allowed
