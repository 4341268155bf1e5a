"""
The action workflow: which status changes exist, who may make them, and the
operations that move several records together (notes, extensions, owners).

Every change here runs in a transaction on a locked row, raises the action's
version, and leaves one history row naming the user and the reason.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tracker.models import Action, ExtensionRequest, ProgressNote, Recommendation, Report, User

Status = Action.Status

PSD_LEAD = "psd_lead"
REVIEWER = "reviewer"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    text_label: str = ""  # what the user must write ("" when nothing is required)
    text_required: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "start",
            "Mark as being progressed",
            frozenset({Status.NOT_STARTED}),
            Status.IN_PROGRESS,
            frozenset({PSD_LEAD}),
        ),
        Transition(
            "complete",
            "Mark as complete and send for review",
            frozenset({Status.NOT_STARTED, Status.IN_PROGRESS}),
            Status.COMPLETED,
            frozenset({PSD_LEAD}),
            text_label="Completion note: what was done, and where the evidence is",
            text_required=True,
        ),
        Transition(
            "verify",
            "Verify and authorise closure",
            frozenset({Status.COMPLETED}),
            Status.VERIFIED,
            frozenset({REVIEWER}),
            text_label="Note (optional)",
        ),
        Transition(
            "reopen",
            "Reopen",
            frozenset({Status.COMPLETED, Status.VERIFIED, Status.SUPERSEDED, Status.NOT_ACCEPTED}),
            Status.IN_PROGRESS,
            frozenset({REVIEWER}),
            text_label="Reason for reopening",
            text_required=True,
        ),
        Transition(
            "supersede",
            "Close as superseded",
            frozenset({Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETED}),
            Status.SUPERSEDED,
            frozenset({REVIEWER}),
            text_label="Reason, e.g. the later recommendation that supersedes it",
            text_required=True,
        ),
        Transition(
            "not_accept",
            "Close as not accepted",
            frozenset({Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETED}),
            Status.NOT_ACCEPTED,
            frozenset({REVIEWER}),
            text_label="Reason",
            text_required=True,
        ),
    ]
}


class WorkflowError(ValidationError):
    """A change the workflow refuses, with a message the user can act on."""


class StaleActionError(WorkflowError):
    """The action changed since the user loaded it; their edit was not applied."""

    def __init__(self, action: Action):
        last = action.history.order_by("-history_date", "-history_id").select_related("history_user").first()
        who = str(last.history_user) if last and last.history_user else "someone else"
        when = timezone.localtime(last.history_date).strftime("%-d %B %Y at %H:%M") if last else "just now"
        super().__init__(
            f"This action was changed by {who} on {when} after you opened it. "
            "Nothing was saved: review the current state below and try again."
        )
        self.current = action


def role_for(user: User, action: Action) -> str | None:
    """Return the role `user` acts in on `action`: reviewer, PSD lead of its force, or None."""
    if not user.is_authenticated:
        return None
    if user.is_reviewer:
        return REVIEWER
    if user.is_member_of(action.force_id):
        return PSD_LEAD
    return None


def can_view(user: User, action: Action) -> bool:
    return role_for(user, action) is not None


def available_transitions(user: User, action: Action) -> list[Transition]:
    """Return the transitions `user` may make on `action` in its current status."""
    role = role_for(user, action)
    return [t for t in TRANSITIONS.values() if role in t.roles and action.status in t.sources]


def _locked(action: Action, expected_version: int | None) -> Action:
    current = Action.objects.select_for_update().select_related("force").get(pk=action.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleActionError(current)
    return current


def _save(action: Action, *, by: User, reason: str, fields: list[str]) -> None:
    action.version += 1
    action.updated_at = timezone.now()
    action._history_user = by
    action._change_reason = reason
    action.save(update_fields=[*fields, "version", "updated_at"])


def _sync(target: Action, source: Action) -> Action:
    # Callers hold their own instance: give it the saved state so it is not stale.
    for field in Action._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


@transaction.atomic
def transition(action: Action, name: str, *, by: User, text: str = "", expected_version: int | None = None) -> Action:
    """Move `action` through transition `name` on behalf of `by`, or raise WorkflowError / PermissionDenied."""
    spec = TRANSITIONS[name]
    current = _locked(action, expected_version)
    role = role_for(by, current)
    if role is None:
        raise PermissionDenied("You cannot change this action.")
    if role not in spec.roles:
        who = "an HMIC reviewer" if REVIEWER in spec.roles else "the force's PSD lead"
        raise PermissionDenied(f"Only {who} can {spec.label.lower()}.")
    if current.status == spec.target:
        return _sync(action, current)
    if current.status not in spec.sources:
        raise WorkflowError(
            f"An action that is “{current.get_status_display()}” cannot be moved to “{Status(spec.target).label}”."
        )
    text = (text or "").strip()
    if spec.text_required and not text:
        raise WorkflowError(f"{spec.text_label} is required.", code="required")

    now = timezone.now()
    fields = ["status"]
    current.status = spec.target
    if spec.target == Status.IN_PROGRESS:
        if current.started_at is None:
            current.started_at = now
            fields.append("started_at")
        if name == "reopen":
            current.completed_at = current.verified_at = current.closed_at = None
            fields += ["completed_at", "verified_at", "closed_at"]
    elif spec.target == Status.COMPLETED:
        current.completed_at = now
        fields.append("completed_at")
    elif spec.target == Status.VERIFIED:
        current.verified_at = now
        fields.append("verified_at")
    else:
        current.closed_at = now
        fields.append("closed_at")

    _save(current, by=by, reason=f"{spec.label}: {text}" if text else spec.label, fields=fields)
    if text:
        ProgressNote.objects.create(action=current, author=by, text=f"{spec.label}: {text}")
    return _sync(action, current)


def can_edit(user: User, action: Action) -> bool:
    """Return True if `user` may add notes to `action` (its force's PSD leads and reviewers)."""
    return role_for(user, action) is not None


@transaction.atomic
def add_note(action: Action, *, by: User, text: str, attachment=None) -> ProgressNote:
    """Add a progress note (and optional evidence file) to `action`."""
    if not can_edit(by, action):
        raise PermissionDenied("You cannot add notes to this action.")
    text = (text or "").strip()
    if not text:
        raise WorkflowError("Write a progress note.", code="required")
    note = ProgressNote(action=action, author=by, text=text)
    if attachment is not None:
        note.attachment_name = attachment.name[:200]
        note.attachment_content_type = getattr(attachment, "content_type", "") or "application/octet-stream"
        note.attachment_size = attachment.size
        note.attachment = attachment
    note.save()
    return note


@transaction.atomic
def assign_owner(action: Action, *, by: User, owner: User | None, expected_version: int | None = None) -> Action:
    """Make `owner` (a member of the action's force, or nobody) responsible for `action`."""
    current = _locked(action, expected_version)
    if role_for(by, current) is None:
        raise PermissionDenied("You cannot change this action.")
    if owner is not None and not owner.is_member_of(current.force_id):
        raise WorkflowError(f"{owner} is not a member of {current.force}, so cannot own its action.")
    if current.owner_id == (owner.pk if owner else None):
        return _sync(action, current)
    current.owner = owner
    _save(current, by=by, reason=f"Owner set to {owner}" if owner else "Owner removed", fields=["owner"])
    return _sync(action, current)


@transaction.atomic
def request_extension(action: Action, *, by: User, requested_due_date: datetime.date, reason: str) -> ExtensionRequest:
    """Ask HMIC for a revised due date for `action`, with a reason."""
    current = _locked(action, None)
    if role_for(by, current) != PSD_LEAD:
        raise PermissionDenied("Only the force's PSD lead can ask for a revised deadline.")
    if not current.is_open:
        raise WorkflowError("Only an open action can have its deadline revised.")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("Say why the deadline cannot be met.", code="required")
    today = timezone.localdate()
    if requested_due_date <= today:
        raise WorkflowError("The revised due date must be in the future.")
    if current.effective_due_date and requested_due_date <= current.effective_due_date:
        raise WorkflowError("The revised due date must be later than the current due date.")
    if current.extension_requests.filter(decision=ExtensionRequest.Decision.PENDING).exists():
        raise WorkflowError("An extension request for this action is already awaiting a decision.")
    request = ExtensionRequest(action=current, requested_by=by, requested_due_date=requested_due_date, reason=reason)
    request._history_user = by
    request._change_reason = "Extension requested"
    request.save()
    return request


@transaction.atomic
def decide_extension(request: ExtensionRequest, *, by: User, approve: bool, reason: str = "") -> ExtensionRequest:
    """Approve or refuse an extension request; approval revises the action's due date."""
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    action = _locked(request.action, None)
    if role_for(by, action) != REVIEWER:
        raise PermissionDenied("Only an HMIC reviewer can decide an extension request.")
    if not request.is_pending:
        raise WorkflowError(f"This request was already {request.get_decision_display().lower()}.")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise WorkflowError("Say why the extension is refused.", code="required")
    request.decision = ExtensionRequest.Decision.APPROVED if approve else ExtensionRequest.Decision.REFUSED
    request.decided_by = by
    request.decided_at = timezone.now()
    request.decision_reason = reason
    request._history_user = by
    request._change_reason = f"Extension {request.get_decision_display().lower()}"
    request.save()
    if approve:
        action.revised_due_date = request.requested_due_date
        label = f"Extension approved: due date revised to {request.requested_due_date:%-d %B %Y}"
        _save(action, by=by, reason=f"{label}. {reason}" if reason else label, fields=["revised_due_date"])
    return request


RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green"}


@transaction.atomic
def set_rag(action: Action, *, by: User, rag: str, reason: str, expected_version: int | None = None) -> Action:
    """Record the force's red/amber/green confidence in an open action, with a one-line reason."""
    current = _locked(action, expected_version)
    if role_for(by, current) != PSD_LEAD:
        raise PermissionDenied("Only the force's PSD lead can give the action a RAG rating.")
    if not current.is_open:
        raise WorkflowError("Only an open action has a RAG rating.")
    if rag not in RAG_LABELS:
        raise WorkflowError("Choose red, amber or green.", code="required")
    reason = " ".join((reason or "").split())
    if not reason:
        raise WorkflowError("Give a one-line reason for the rating.", code="required")
    if (current.rag, current.rag_reason) == (rag, reason[:200]):
        return _sync(action, current)
    old = RAG_LABELS.get(current.rag, "none")
    current.rag, current.rag_reason = rag, reason[:200]
    _save(current, by=by, reason=f"RAG rating {old} → {RAG_LABELS[rag]}: {reason}", fields=["rag", "rag_reason"])
    return _sync(action, current)


@transaction.atomic
def set_publishable(action: Action, *, by: User, publishable: bool) -> Action:
    """Show (or hide) an action's status on the public register."""
    current = _locked(action, None)
    if role_for(by, current) != REVIEWER:
        raise PermissionDenied("Only an HMIC reviewer can publish an action.")
    if current.is_publishable == publishable:
        return _sync(action, current)
    current.is_publishable = publishable
    reason = "Published on the public register" if publishable else "Removed from the public register"
    _save(current, by=by, reason=reason, fields=["is_publishable"])
    return _sync(action, current)


def _require_reviewer(user: User) -> None:
    if not (user.is_authenticated and user.is_reviewer):
        raise PermissionDenied("Only an HMIC reviewer can do this.")


@transaction.atomic
def set_report_publishable(report: Report, *, by: User, publishable: bool) -> Report:
    """Show (or hide) a report and every force's status on it on the public register."""
    _require_reviewer(by)
    if report.is_publishable != publishable:
        report.is_publishable = publishable
        report._history_user = by
        report._change_reason = (
            "Published on the public register" if publishable else "Removed from the public register"
        )
        report.save(update_fields=["is_publishable"])
    return report


@transaction.atomic
def set_priority(recommendation: Recommendation, *, by: User, priority: bool, reason: str = "") -> Recommendation:
    """Flag (or unflag) a recommendation as a priority, a cause of concern."""
    _require_reviewer(by)
    if recommendation.is_priority != priority:
        recommendation.is_priority = priority
        recommendation._history_user = by
        label = "Flagged as a priority" if priority else "Priority flag removed"
        recommendation._change_reason = f"{label}: {reason.strip()}" if reason.strip() else label
        recommendation.save(update_fields=["is_priority"])
    return recommendation


@transaction.atomic
def link_recurrence(
    later: Recommendation, *, by: User, earlier: Recommendation | None, kind: str = ""
) -> Recommendation:
    """Record that `later` repeats or supersedes `earlier` (or clear the link when `earlier` is None)."""
    _require_reviewer(by)
    if earlier is not None:
        if kind not in ("repeats", "supersedes"):
            raise WorkflowError("Say whether the later recommendation repeats or supersedes the earlier one.")
        if earlier.pk == later.pk:
            raise WorkflowError("A recommendation cannot repeat itself.")
        if earlier.report_id == later.report_id:
            raise WorkflowError("Link recommendations of different reports.")
        step, seen = earlier, {later.pk}
        while step is not None:  # refuse a loop: the earlier one must not (indirectly) follow the later one
            if step.pk in seen:
                raise WorkflowError("That link would make a loop of recommendations.")
            seen.add(step.pk)
            step = step.follows
    later.follows = earlier
    later.follow_kind = kind if earlier is not None else ""
    later._history_user = by
    later._change_reason = (
        f"Linked: {kind} recommendation {earlier.number} of {earlier.report}" if earlier else "Recurrence link removed"
    )
    later.save(update_fields=["follows", "follow_kind"])
    return later


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
    _require_reviewer(by)
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
