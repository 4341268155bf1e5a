"""Every transition, allowed and forbidden, per role; each change leaves one history row with who and why."""

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import ActionFactory
from tracker import workflow
from tracker.models import Action

pytestmark = pytest.mark.django_db
S = Action.Status

TEXT = "Policy published on the intranet; evidence attached."

# (transition, from status, role that may make it)
ALLOWED = [
    ("start", S.NOT_STARTED, "psd_lead"),
    ("complete", S.NOT_STARTED, "psd_lead"),
    ("complete", S.IN_PROGRESS, "psd_lead"),
    ("verify", S.COMPLETED, "reviewer"),
    ("reopen", S.COMPLETED, "reviewer"),
    ("reopen", S.VERIFIED, "reviewer"),
    ("reopen", S.SUPERSEDED, "reviewer"),
    ("reopen", S.NOT_ACCEPTED, "reviewer"),
    ("supersede", S.NOT_STARTED, "reviewer"),
    ("supersede", S.IN_PROGRESS, "reviewer"),
    ("supersede", S.COMPLETED, "reviewer"),
    ("not_accept", S.NOT_STARTED, "reviewer"),
    ("not_accept", S.IN_PROGRESS, "reviewer"),
    ("not_accept", S.COMPLETED, "reviewer"),
]
ALLOWED_SET = set(ALLOWED)
ROLES = ["psd_lead", "reviewer", "admin", "other_force"]


def _user(role, psd_lead_a, reviewer, admin_user, psd_lead_b):
    return {"psd_lead": psd_lead_a, "reviewer": reviewer, "admin": admin_user, "other_force": psd_lead_b}[role]


@pytest.mark.parametrize("name,source,role", ALLOWED)
def test_allowed_transition_moves_status_and_records_who_and_why(
    name, source, role, force_a, psd_lead_a, reviewer, admin_user, psd_lead_b
):
    action = ActionFactory(recommendation__report__subject_force=force_a, status=source)
    user = _user(role, psd_lead_a, reviewer, admin_user, psd_lead_b)

    workflow.transition(action, name, by=user, text=TEXT)

    action.refresh_from_db()
    spec = workflow.TRANSITIONS[name]
    assert action.status == spec.target
    assert action.version == 2
    last = action.history.latest()
    assert last.history_user == user
    assert last.history_change_reason == f"{spec.label}: {TEXT}"


ONLY = {"reviewer": "Only an HMIC reviewer can ", "psd_lead": "Only the force's PSD lead can "}


def _refusal(name, role):
    """The exception and message a forbidden transition is refused with: who may not, before when it may not."""
    if role == "other_force":
        return PermissionDenied, "You cannot change this action."
    may = {who for allowed, _, who in ALLOWED if allowed == name}
    if role not in may:
        (only,) = may
        return PermissionDenied, ONLY[only]
    return workflow.WorkflowError, "An action that is “.*” cannot be moved to “.*”"


def _forbidden_cases():
    for name, spec in workflow.TRANSITIONS.items():
        for source in S.values:
            for role in ["psd_lead", "reviewer", "other_force"]:
                if (name, source, role) in ALLOWED_SET or source == spec.target:
                    continue
                yield name, source, role, *_refusal(name, role)


@pytest.mark.parametrize("name,source,role,refused_with,message", list(_forbidden_cases()))
def test_forbidden_transition_changes_nothing(
    name, source, role, refused_with, message, force_a, psd_lead_a, reviewer, admin_user, psd_lead_b
):
    action = ActionFactory(recommendation__report__subject_force=force_a, status=source)
    user = _user(role, psd_lead_a, reviewer, admin_user, psd_lead_b)
    history_before = action.history.count()

    with pytest.raises(refused_with, match=message) as refused:
        workflow.transition(action, name, by=user, text=TEXT)
    assert type(refused.value) is refused_with

    action.refresh_from_db()
    assert action.status == source
    assert action.version == 1
    assert action.history.count() == history_before


def test_admin_acts_as_reviewer(force_a, admin_user):
    action = ActionFactory(recommendation__report__subject_force=force_a, status=S.COMPLETED)
    workflow.transition(action, "verify", by=admin_user)
    assert action.status == S.VERIFIED


def test_colleague_in_the_same_force_can_update(force_a, colleague_a):
    action = ActionFactory(recommendation__report__subject_force=force_a)
    workflow.transition(action, "start", by=colleague_a)
    assert action.status == S.IN_PROGRESS


def test_complete_needs_a_completion_note(force_a, psd_lead_a):
    action = ActionFactory(recommendation__report__subject_force=force_a, status=S.IN_PROGRESS)
    with pytest.raises(workflow.WorkflowError, match="Enter a completion note: what was done, and where the evidence"):
        workflow.transition(action, "complete", by=psd_lead_a, text="  ")
    action.refresh_from_db()
    assert action.status == S.IN_PROGRESS


def test_reopen_needs_a_reason(force_a, reviewer):
    action = ActionFactory(recommendation__report__subject_force=force_a, status=S.COMPLETED)
    with pytest.raises(workflow.WorkflowError, match="^{'text': \\['Enter a reason for reopening'\\]}$"):
        workflow.transition(action, "reopen", by=reviewer, text="")


def test_complete_records_the_note_and_completion_time(today, force_a, psd_lead_a):
    action = ActionFactory(recommendation__report__subject_force=force_a, status=S.IN_PROGRESS)
    workflow.transition(action, "complete", by=psd_lead_a, text=TEXT)
    action.refresh_from_db()
    assert action.completed_at is not None
    assert action.history.latest().history_change_reason.endswith(TEXT)


def test_a_status_change_keeps_its_text_as_the_history_reason_only(force_a, psd_lead_a):
    action = ActionFactory(recommendation__report__subject_force=force_a, status=S.IN_PROGRESS)
    workflow.transition(action, "complete", by=psd_lead_a, text=TEXT)
    assert not action.notes.exists()


def test_a_transitions_text_is_read_back_from_the_reason_it_left_and_only_from_that():
    complete = workflow.TRANSITIONS["complete"]
    assert complete.text_in(complete.reason(TEXT)) == TEXT
    assert complete.text_in("Mark as complete and send for review") is None  # no text was written
    assert complete.text_in(workflow.TRANSITIONS["reopen"].reason("Not yet.")) is None
    assert complete.text_in("Owner set to Alice Ashby") is None


def test_reopen_clears_completion_so_overdue_applies_again(today, force_a, psd_lead_a, reviewer):
    action = ActionFactory(
        recommendation__report__subject_force=force_a, due_date=today.replace(day=1).replace(month=5)
    )
    workflow.transition(action, "complete", by=psd_lead_a, text=TEXT)
    assert not action.is_overdue
    workflow.transition(action, "reopen", by=reviewer, text="Evidence does not show the policy was communicated.")
    action.refresh_from_db()
    assert action.status == S.IN_PROGRESS and action.completed_at is None
    assert action.is_overdue


def test_repeating_a_transition_changes_nothing(force_a, psd_lead_a):
    action = ActionFactory(recommendation__report__subject_force=force_a, status=S.IN_PROGRESS)
    before = action.history.count()
    workflow.transition(action, "start", by=psd_lead_a)
    action.refresh_from_db()
    assert action.version == 1
    assert action.history.count() == before


def test_stale_version_is_refused_and_names_who_changed_it(force_a, psd_lead_a, colleague_a):
    action = ActionFactory(recommendation__report__subject_force=force_a)
    seen_version = action.version
    workflow.transition(Action.objects.get(pk=action.pk), "start", by=colleague_a)

    with pytest.raises(workflow.StaleActionError, match="Colin Cole"):
        workflow.transition(action, "complete", by=psd_lead_a, text=TEXT, expected_version=seen_version)
    action.refresh_from_db()
    assert action.status == S.IN_PROGRESS


def test_an_unknown_transition_is_a_programming_error(force_a, reviewer):
    action = ActionFactory(recommendation__report__subject_force=force_a)
    with pytest.raises(ValueError, match="is not a transition"):
        workflow.transition(action, S.IN_PROGRESS, by=reviewer, text="x")


def test_available_transitions_are_those_of_the_users_role(force_a, psd_lead_a, reviewer, psd_lead_b):
    action = ActionFactory(recommendation__report__subject_force=force_a, status=S.IN_PROGRESS)
    assert [t.name for t in workflow.available_transitions(psd_lead_a, action)] == ["complete"]
    assert [t.name for t in workflow.available_transitions(reviewer, action)] == ["supersede", "not_accept"]
    assert workflow.available_transitions(psd_lead_b, action) == []


def test_a_long_completion_note_is_kept_whole_in_history(force_a, psd_lead_a):
    action = ActionFactory(recommendation__report__subject_force=force_a, status=S.IN_PROGRESS)
    note = "Evidence: " + "the policy was briefed to every team. " * 40
    workflow.transition(action, "complete", by=psd_lead_a, text=note)
    assert action.history.latest().history_change_reason.endswith(note.strip())
