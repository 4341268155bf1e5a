"""
The action workflow: which status changes exist, who may make them, and the
operations that move several records together (notes, extensions, owners).

Every change here runs in a transaction on a locked row, raises the action's
version, and leaves one history row naming the user and the reason.
"""

from __future__ import annotations

import datetime
import errno
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tracker.dates import latest_date, long_date, long_date_time
from tracker.models import Action, ExtensionRequest, ProgressNote, Recommendation, Report, User, save_with_history

log = logging.getLogger(__name__)

Status = Action.Status
Role = User.Role


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[User.Role]
    text_label: str = ""  # what the user may write ("" when the change takes no text)
    text_required: bool = False
    text_missing: str = ""  # what to tell someone who left required text out, GOV.UK style

    def reason(self, text: str) -> str:
        """Return the history reason this transition leaves, with the user's text when they wrote one."""
        return f"{self.label}: {text}" if text else self.label

    def text_in(self, reason: str) -> str | None:
        """Return the user's text in a history reason this transition left (see reason()), or None."""
        prefix = f"{self.label}: "
        return reason[len(prefix) :] if reason.startswith(prefix) else None


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "start",
            "Mark as being progressed",
            frozenset({Status.NOT_STARTED}),
            Status.IN_PROGRESS,
            frozenset({Role.PSD_LEAD}),
            text_label="Note (optional)",
        ),
        Transition(
            "complete",
            "Mark as complete and send for review",
            frozenset({Status.NOT_STARTED, Status.IN_PROGRESS}),
            Status.COMPLETED,
            frozenset({Role.PSD_LEAD}),
            text_label="Completion note: what was done, and where the evidence is",
            text_required=True,
            text_missing="Enter a completion note: what was done, and where the evidence is",
        ),
        Transition(
            "verify",
            "Verify and authorise closure",
            frozenset({Status.COMPLETED}),
            Status.VERIFIED,
            frozenset({Role.REVIEWER}),
            text_label="Note (optional)",
        ),
        Transition(
            "reopen",
            "Reopen",
            frozenset({Status.COMPLETED, Status.VERIFIED, Status.SUPERSEDED, Status.NOT_ACCEPTED}),
            Status.IN_PROGRESS,
            frozenset({Role.REVIEWER}),
            text_label="Reason for reopening",
            text_required=True,
            text_missing="Enter a reason for reopening",
        ),
        Transition(
            "supersede",
            "Close as superseded",
            frozenset({Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETED}),
            Status.SUPERSEDED,
            frozenset({Role.REVIEWER}),
            text_label="Reason, e.g. the later recommendation that supersedes it",
            text_required=True,
            text_missing="Enter a reason for closing it as superseded",
        ),
        Transition(
            "not_accept",
            "Close as not accepted",
            frozenset({Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETED}),
            Status.NOT_ACCEPTED,
            frozenset({Role.REVIEWER}),
            text_label="Reason",
            text_required=True,
            text_missing="Enter a reason for closing it as not accepted",
        ),
    ]
}


class WorkflowError(ValidationError):
    """A change the workflow refuses, with a message the user can act on.

    A message about one field of the form that asked for the change is raised in a dict keyed by that field
    ({"reason": "..."}), so that `form.add_error(None, exc)` shows it beside the field.
    """


class EvidenceNotStoredError(WorkflowError):
    """The evidence store could not take the file (full, or not writable): nothing was saved, through no fault of
    the user's, so the form is shown again with what they typed (HTTP 503)."""

    REASONS = {
        errno.ENOSPC: "the evidence store is full",
        errno.EDQUOT: "the evidence store is full",
        errno.EACCES: "the evidence store cannot be written to",
        errno.EPERM: "the evidence store cannot be written to",
        errno.EROFS: "the evidence store cannot be written to",
        errno.ENOTDIR: "the evidence store cannot be written to",  # its folder is not a folder
        errno.EISDIR: "the evidence store cannot be written to",
    }

    def __init__(self, error: OSError):
        reason = self.REASONS.get(error.errno, "the evidence store could not take it")
        super().__init__(
            {
                "attachment": f"The evidence file was not saved: {reason}. Your note was not saved either: it is "
                "below as you typed it. Send it again later, or without the file for now, and tell your "
                "administrator."
            }
        )


def last_changed(instance) -> tuple[str, str]:
    """Return who last changed `instance` (with history) and when, in words: ("Alice Ashby", "on 3 May 2026 at
    14:05"), or ("someone else", "just now") when its history says nothing."""
    last = instance.history.select_related("history_user").first()  # the latest: history is newest first
    who = str(last.history_user) if last and last.history_user else "someone else"
    when = f"on {long_date_time(last.history_date)}" if last else "just now"
    return who, when


class StaleChangeError(WorkflowError):
    """The record (with a version and history) changed since the user loaded it; their edit was not applied."""

    noun = "record"

    def __init__(self, current):
        who, when = last_changed(current)
        super().__init__(
            f"This {self.noun} was changed by {who} {when} after you opened it. "
            "Nothing was saved: review the current state below and try again."
        )
        self.current = current


class StaleActionError(StaleChangeError):
    """The action changed since the user loaded it; their edit was not applied."""

    noun = "action"


def role_for(user: User, action: Action) -> Role | None:
    """Return the role `user` acts in on `action`: reviewer, PSD lead of its force, or None (anyone else)."""
    if not user.is_authenticated:
        return None
    if user.is_reviewer:
        return Role.REVIEWER
    if user.is_psd_lead and user.is_member_of(action.force_id):
        return Role.PSD_LEAD
    return None  # a commissioner's office sees its force's actions and changes none


def available_transitions(user: User, action: Action) -> list[Transition]:
    """Return the transitions `user` may make on `action` in its current status."""
    role = role_for(user, action)
    return [t for t in TRANSITIONS.values() if role in t.roles and action.status in t.sources]


@dataclass(frozen=True)
class Operation:
    """A change to an action other than its status: who may make it, and when it is refused whoever asks."""

    name: str
    roles: frozenset[Role]
    refused: str  # why anyone else may not
    refusal: Callable[[Action], str | None] = lambda action: None  # why nobody may, now; None: it is allowed


def _rag_refusal(action: Action) -> str | None:
    return None if action.is_open else "Only an open action has a RAG rating."


def _recheck_refusal(action: Action) -> str | None:
    if action.status != Status.VERIFIED or action.recheck_on is None:
        return "Only a verified action with a check-again date can be re-checked."
    return None


def _extension_refusal(action: Action) -> str | None:
    if not action.is_open:
        return "Only an open action can have its deadline revised."
    if action.pending_extension is not None:
        return "An extension request for this action is already awaiting a decision."
    return None


_EVERYONE = frozenset({Role.PSD_LEAD, Role.REVIEWER})
OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in [
        Operation("add_note", _EVERYONE, "You cannot add notes to this action."),
        Operation("assign_owner", _EVERYONE, "You cannot change this action."),
        Operation(
            "request_extension",
            frozenset({Role.PSD_LEAD}),
            "Only the force's PSD lead can ask for a revised deadline.",
            _extension_refusal,
        ),
        Operation(
            "decide_extension", frozenset({Role.REVIEWER}), "Only an HMIC reviewer can decide an extension request."
        ),
        Operation(
            "set_rag",
            frozenset({Role.PSD_LEAD}),
            "Only the force's PSD lead can give the action a RAG rating.",
            _rag_refusal,
        ),
        Operation("set_publishable", frozenset({Role.REVIEWER}), "Only an HMIC reviewer can publish an action."),
        Operation(
            "confirm_recheck",
            frozenset({Role.REVIEWER}),
            "Only an HMIC reviewer can re-check a verified action.",
            _recheck_refusal,
        ),
        Operation("link_recurrence", frozenset({Role.REVIEWER}), "Only an HMIC reviewer can do this."),
    ]
}


def allowed_operations(user: User, action: Action) -> frozenset[str]:
    """Return the names of the transitions and operations `user` may make on `action` as it stands."""
    role = role_for(user, action)
    operations = {op.name for op in OPERATIONS.values() if role in op.roles and op.refusal(action) is None}
    return frozenset(operations | {t.name for t in available_transitions(user, action)})


def _require(user: User, action: Action, name: str) -> None:
    """Raise PermissionDenied if `user` may not make operation `name` on `action`, WorkflowError if nobody may now."""
    operation = OPERATIONS[name]
    if role_for(user, action) not in operation.roles:
        raise PermissionDenied(operation.refused)
    refusal = operation.refusal(action)
    if refusal:
        raise WorkflowError(refusal)


def _locked(action: Action, expected_version: int | None) -> Action:
    # The action's row only: select_related would lock the joined rows too (its force, for every change of any
    # of the force's actions), so that two PSD leads of one force would wait for each other.
    current = Action.objects.select_for_update().get(pk=action.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleActionError(current)
    return current


def _save(action: Action, changes: dict[str, object], *, by: User, reason: str) -> None:
    # Every change raises the version, so that pages loaded before it are refused as stale.
    changes = {**changes, "version": action.version + 1, "updated_at": timezone.now()}
    save_with_history(action, changes, by=by, reason=reason)


def _sync(target: Action, source: Action) -> Action:
    # Callers hold their own instance: give it the saved state so it is not stale.
    for field in Action._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


@transaction.atomic
def transition(
    action: Action,
    name: str,
    *,
    by: User,
    text: str = "",
    expected_version: int | None = None,
    recheck_on: datetime.date | None = None,
) -> Action:
    """Move `action` through transition `name` on behalf of `by`, or raise WorkflowError / PermissionDenied.

    The user's text (a completion note, a reason) is kept once: as the reason of the change's history row.
    Verifying may set a check-again date (`recheck_on`): the fix must last until then, when the action comes
    back to the review queue for a re-check (confirm_recheck, or reopen).
    """
    spec = TRANSITIONS.get(name)
    if spec is None:
        raise ValueError(f"{name!r} is not a transition.")
    current = _locked(action, expected_version)
    role = role_for(by, current)
    if role is None:
        raise PermissionDenied("You cannot change this action.")
    if role not in spec.roles:
        who = "an HMIC reviewer" if Role.REVIEWER in spec.roles else "the force's PSD lead"
        raise PermissionDenied(f"Only {who} can {spec.label.lower()}.")
    if current.status == spec.target:
        return _sync(action, current)
    if current.status not in spec.sources:
        raise WorkflowError(
            f"An action that is “{current.get_status_display()}” cannot be moved to “{Status(spec.target).label}”."
        )
    text = (text or "").strip()
    if spec.text_required and not text:
        raise WorkflowError({"text": spec.text_missing})
    if recheck_on is not None:
        _check_recheck_date(spec, recheck_on)

    now = timezone.now()
    changes: dict[str, object] = {"status": spec.target}
    if spec.target == Status.IN_PROGRESS:
        if current.started_at is None:
            changes["started_at"] = now
        if name == "reopen":
            changes |= {"completed_at": None, "verified_at": None, "closed_at": None, "recheck_on": None}
    elif spec.target == Status.COMPLETED:
        changes["completed_at"] = now
    elif spec.target == Status.VERIFIED:
        changes |= {"verified_at": now, "recheck_on": recheck_on}
    else:
        changes["closed_at"] = now

    _save(current, changes, by=by, reason=spec.reason(text))
    return _sync(action, current)


def transition_to(
    action: Action, target: str, *, by: User, text: str = "", expected_version: int | None = None
) -> Action:
    """Move `action` to status `target` by the transition that leads there from its status, as `transition` does:
    refused in the same words when no transition leads there, or when it is not `by`'s to make."""
    current = Action.objects.get(pk=action.pk)
    leading = [t for t in TRANSITIONS.values() if t.target == target and current.status in t.sources]
    if current.status == target:
        return action
    if not leading:
        raise WorkflowError(
            f"An action that is “{current.get_status_display()}” cannot be moved to “{Status(target).label}”."
        )
    role = role_for(by, current)
    spec = next((t for t in leading if role in t.roles), leading[0])
    return transition(action, spec.name, by=by, text=text, expected_version=expected_version)


def _check_recheck_date(spec: Transition, recheck_on: datetime.date) -> None:
    if spec.target != Status.VERIFIED:
        raise WorkflowError("Only verifying an action sets a check-again date.")
    today = timezone.localdate()
    if recheck_on <= today:
        raise WorkflowError({"recheck_on": "The check-again date must be in the future."})
    latest = latest_date(today)
    if recheck_on > latest:
        raise WorkflowError(
            {"recheck_on": f"The check-again date must be no later than {long_date(latest)}, ten years from today."}
        )


@transaction.atomic
def confirm_recheck(action: Action, *, by: User, text: str = "", expected_version: int | None = None) -> Action:
    """Record a reviewer's re-check of a verified action that the fix has lasted: it is closed for good."""
    current = _locked(action, expected_version)
    _require(by, current, "confirm_recheck")
    _save(current, {"recheck_on": None}, by=by, reason=recheck_reason(timezone.localdate(), text))
    return _sync(action, current)


def recheck_reason(day: datetime.date, text: str = "") -> str:
    """Return the history reason of a re-check confirmed on `day`, with what the reviewer wrote."""
    label = f"Re-checked on {long_date(day)}: the fix has lasted"
    text = (text or "").strip()
    return f"{label}. {text}" if text else label


@transaction.atomic
def add_note(action: Action, *, by: User, text: str, attachment=None) -> ProgressNote:
    """Add a progress note (and optional evidence file) to `action`."""
    _require(by, action, "add_note")
    text = (text or "").strip()
    if not text:
        raise WorkflowError({"text": "Write a progress note."})
    note = ProgressNote(action=action, author=by, text=text)
    if attachment is not None:
        note.attachment_name = attachment.name[:200]
        note.attachment_content_type = getattr(attachment, "content_type", None) or "application/octet-stream"
        note.attachment_size = attachment.size
        note.attachment = attachment
    try:
        note.save()  # the file is written first, then the row
    except OSError as exc:
        log.error("Evidence for action %s not stored: %s", action.pk, exc)
        raise EvidenceNotStoredError(exc) from exc
    return note


@transaction.atomic
def assign_owner(action: Action, *, by: User, owner: User | None, expected_version: int | None = None) -> Action:
    """Make `owner` (a member of the action's force, or nobody) responsible for `action`."""
    current = _locked(action, expected_version)
    _require(by, current, "assign_owner")
    if owner is not None and not owner.is_member_of(current.force_id):
        raise WorkflowError({"owner": f"{owner} is not a member of {current.force}, so cannot own its action."})
    if owner is not None and not owner.is_psd_lead:
        raise WorkflowError({"owner": f"{owner} is not one of {current.force}'s PSD leads, so cannot own its action."})
    if current.owner_id == (owner.pk if owner else None):
        return _sync(action, current)
    _save(current, {"owner": owner}, by=by, reason=f"Owner set to {owner}" if owner else "Owner removed")
    return _sync(action, current)


@transaction.atomic
def request_extension(action: Action, *, by: User, requested_due_date: datetime.date, reason: str) -> ExtensionRequest:
    """Ask HMIC for a revised due date for `action`, with a reason."""
    current = _locked(action, None)
    _require(by, current, "request_extension")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError({"reason": "Say why the deadline cannot be met."})
    today = timezone.localdate()
    if requested_due_date <= today:
        raise WorkflowError({"requested_due_date": "The revised due date must be in the future."})
    if current.effective_due_date and requested_due_date <= current.effective_due_date:
        raise WorkflowError({"requested_due_date": "The revised due date must be later than the current due date."})
    latest = latest_date(today)
    if requested_due_date > latest:
        raise WorkflowError(
            {
                "requested_due_date": f"The revised due date must be no later than {long_date(latest)}, "
                "ten years from today. Ask for the date the work can be done by; it can be extended again."
            }
        )
    request = ExtensionRequest(action=current, requested_by=by, requested_due_date=requested_due_date, reason=reason)
    return save_with_history(request, by=by, reason="Extension requested")


@transaction.atomic
def decide_extension(request: ExtensionRequest, *, by: User, approve: bool, reason: str = "") -> ExtensionRequest:
    """Approve or refuse an extension request; approval revises the action's due date."""
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    action = _locked(request.action, None)
    _require(by, action, "decide_extension")
    if not request.is_pending:
        raise WorkflowError(f"This request was already {request.get_decision_display().lower()}.")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise WorkflowError({"reason": "Say why the extension is refused."})
    if approve and request.requested_due_date > latest_date():  # asked for before dates had a window
        raise WorkflowError(
            f"{long_date(request.requested_due_date)} cannot be a due date: it is more than ten years away. "
            "Refuse this request, saying which date you would accept."
        )
    decision = ExtensionRequest.Decision.APPROVED if approve else ExtensionRequest.Decision.REFUSED
    save_with_history(
        request,
        {"decision": decision, "decided_by": by, "decided_at": timezone.now(), "decision_reason": reason},
        by=by,
        reason=f"Extension {decision.label.lower()}",
    )
    if approve:
        label = f"Extension approved: due date revised to {long_date(request.requested_due_date)}"
        why = f"{label}. {reason}" if reason else label
        _save(action, {"revised_due_date": request.requested_due_date}, by=by, reason=why)
    return request


@transaction.atomic
def set_rag(action: Action, *, by: User, rag: str, reason: str, expected_version: int | None = None) -> Action:
    """Record the force's red/amber/green confidence in an open action, with a one-line reason."""
    current = _locked(action, expected_version)
    _require(by, current, "set_rag")
    if rag not in Action.Rag.values:
        raise WorkflowError({"rag": "Choose red, amber or green."})
    reason = " ".join((reason or "").split())
    if not reason:
        raise WorkflowError({"reason": "Give a one-line reason for the rating."})
    if (current.rag, current.rag_reason) == (rag, reason[:200]):
        return _sync(action, current)
    old = Action.Rag(current.rag).label if current.rag else "none"
    why = f"RAG rating {old} → {Action.Rag(rag).label}: {reason}"
    _save(current, {"rag": rag, "rag_reason": reason[:200]}, by=by, reason=why)
    return _sync(action, current)


@transaction.atomic
def set_publishable(action: Action, *, by: User, publishable: bool) -> Action:
    """Show (or hide) an action's status on the public register."""
    current = _locked(action, None)
    _require(by, current, "set_publishable")
    if current.is_publishable == publishable:
        return _sync(action, current)
    reason = "Published on the public register" if publishable else "Removed from the public register"
    _save(current, {"is_publishable": publishable}, by=by, reason=reason)
    return _sync(action, current)


def require_reviewer(user: User, to: str = "do this") -> None:
    """Raise PermissionDenied unless `user` is an HMIC reviewer (or an admin); `to` says what they tried."""
    if not (user.is_authenticated and user.is_reviewer):
        raise PermissionDenied(f"Only an HMIC reviewer can {to}.")


@transaction.atomic
def set_report_publishable(report: Report, *, by: User, publishable: bool) -> Report:
    """Show (or hide) a report and every force's status on it on the public register."""
    require_reviewer(by)
    if report.is_publishable != publishable:
        reason = "Published on the public register" if publishable else "Removed from the public register"
        save_with_history(report, {"is_publishable": publishable}, by=by, reason=reason)
    return report


@transaction.atomic
def set_priority(recommendation: Recommendation, *, by: User, priority: bool, reason: str = "") -> Recommendation:
    """Flag (or unflag) a recommendation as a priority, a cause of concern."""
    require_reviewer(by)
    if recommendation.is_priority != priority:
        label = "Flagged as a priority" if priority else "Priority flag removed"
        why = f"{label}: {reason.strip()}" if reason.strip() else label
        save_with_history(recommendation, {"is_priority": priority}, by=by, reason=why)
    return recommendation


@transaction.atomic
def link_recurrence(later: Recommendation, *, by: User, earlier: Recommendation | None, kind: str) -> Recommendation:
    """Record that `later` repeats or supersedes `earlier` (or clear the link when `earlier` is None)."""
    require_reviewer(by)
    if earlier is not None:
        if kind not in Recommendation.FollowKind.values:
            raise WorkflowError({"kind": "Say whether the later recommendation repeats or supersedes the earlier one."})
        if earlier.pk == later.pk:
            raise WorkflowError({"earlier": "A recommendation cannot repeat itself."})
        if earlier.report_id == later.report_id:
            raise WorkflowError({"earlier": "Link recommendations of different reports."})
        step, seen = earlier, {later.pk}
        while step is not None:  # refuse a loop: the earlier one must not (indirectly) follow the later one
            if step.pk in seen:
                raise WorkflowError({"earlier": "That link would make a loop of recommendations."})
            seen.add(step.pk)
            step = step.follows
    reason = (
        f"Linked: {kind} recommendation {earlier.number} of {earlier.report}" if earlier else "Recurrence link removed"
    )
    changes = {"follows": earlier, "follow_kind": kind if earlier is not None else ""}
    return save_with_history(later, changes, by=by, reason=reason)


@transaction.atomic
def bulk_update(
    actions,
    *,
    by: User,
    owner: User | None = None,
    set_owner: bool = False,
    publishable: bool | None = None,
    priority: bool | None = None,
) -> int:
    """Apply one reviewer change to many actions at once, leaving a history row for each; return how many."""
    require_reviewer(by)
    count = 0
    for action in actions:
        if set_owner:
            assign_owner(action, by=by, owner=owner)
        if publishable is not None:
            set_publishable(action, by=by, publishable=publishable)
        if priority is not None:
            set_priority(action.recommendation, by=by, priority=priority)
        count += 1
    return count
