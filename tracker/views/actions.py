"""The action lists and an action's page, with every change a user makes to an action there."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tracker import workflow
from tracker.access import (
    get_action_for_user,
    get_evidence_for_user,
    get_extension_request_for_user,
    get_recommendation_for_user,
)
from tracker.filters import action_list_filter, action_list_page
from tracker.forms import (
    BulkActionForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    NoteForm,
    OwnerForm,
    PriorityForm,
    PublishForm,
    RagForm,
    RecheckForm,
    RecurrenceForm,
    TransitionForm,
)
from tracker.models import Action, extension_requests_prefetch
from tracker.selectors import (
    ACTION_LISTS,
    action_timeline,
    days_ahead,
    other_forces,
    recommendation_links,
)
from tracker.views.common import Again, next_url, reviewer_required, submit
from tracker.views.exports import export_links
from tracker.views.overview import reopen_form, review_queue_page, verify_form


def _action_list_page(request, slug: str):
    action_filter = action_list_filter(request.user, slug, request.GET)
    page = action_list_page(action_filter, request.user, slug, request.GET.get("page"))
    context = {
        "filter": action_filter,
        "page_obj": page,
        "list": ACTION_LISTS[slug],
        "days": days_ahead(request.GET.get("days")),
        "export_urls": export_links(request, slug),
        "show_force": not request.user.has_one_force,
        # The overdue report groups its rows by force, without boxes to tick.
        "bulk_form": BulkActionForm(actions=Action.objects.none())
        if request.user.is_reviewer and slug != "overdue"
        else None,
    }
    return render(request, "tracker/action_list.html", context)


@login_required
@require_GET
def action_list(request):
    """List every action this user may see, filtered by the query string."""
    return _action_list_page(request, "all")


@login_required
@require_GET
def overdue_list(request):
    """List every overdue action this user may see, grouped by force."""
    return _action_list_page(request, "overdue")


@login_required
@require_GET
def upcoming_list(request):
    """List open actions due in the next N days (default 30)."""
    return _action_list_page(request, "upcoming")


@login_required
@require_GET
def my_actions(request):
    """List the actions this user owns, soonest due first."""
    return _action_list_page(request, "mine")


def _blank_forms(action: Action) -> dict[str, tuple[str, Callable[[], forms.Form]]]:
    """Return, per form on the action page, the operation it asks for and how to make it afresh."""
    recommendation = action.recommendation
    return {
        "note_form": ("add_note", NoteForm),
        "owner_form": (
            "assign_owner",
            lambda: OwnerForm(initial={"version": action.version, "owner": action.owner_id}, action=action),
        ),
        "extension_form": ("request_extension", ExtensionRequestForm),
        "decision_form": ("decide_extension", ExtensionDecisionForm),
        "rag_form": (
            "set_rag",
            lambda: RagForm(initial={"version": action.version, "rag": action.rag, "reason": action.rag_reason}),
        ),
        "recheck_form": ("confirm_recheck", lambda: RecheckForm(initial={"version": action.version})),
        "recurrence_form": (
            "link_recurrence",
            lambda: RecurrenceForm(
                initial={"earlier": recommendation.follows_id, "kind": recommendation.follow_kind},
                recommendation=recommendation,
                force=action.force,
            ),
        ),
    }


def _action_page(request, action: Action, *, status: int = 200, error: str = "", **bound_forms) -> HttpResponse:
    """Show the action page with a form for each change `request.user` may make now (`bound_forms` as submitted)."""
    prefetch_related_objects([action], extension_requests_prefetch())
    allowed = workflow.allowed_operations(request.user, action)
    transition_forms = [
        (
            t,
            bound_forms.get(f"transition_{t.name}")
            or TransitionForm(initial={"version": action.version}, transition=t),
        )
        for t in workflow.TRANSITIONS.values()
        if t.name in allowed
    ]
    pending = action.pending_extension
    change_forms = {
        key: (bound_forms.get(key) or blank()) if operation in allowed else None
        for key, (operation, blank) in _blank_forms(action).items()
    }
    if pending is None:
        change_forms["decision_form"] = None  # nothing to decide
    shown = {f"transition_{t.name}" for t, _ in transition_forms} | {k for k, f in change_forms.items() if f}
    for key, form in bound_forms.items():
        if key not in shown:
            error = _keep_words_of_hidden_form(form, error, change_forms)
    earlier, followed_by = recommendation_links(request.user, action.recommendation)
    context = {
        "action": action,
        "recommendation": action.recommendation,
        "report": action.recommendation.report,
        "transition_forms": transition_forms,
        **change_forms,
        "pending_extension": pending,
        "revisions": action.due_date_revisions,
        "earlier": earlier,
        "followed_by": followed_by,
        "timeline": action_timeline(action),
        "other_forces": other_forces(request.user, action),
        "error": error,
    }
    return render(request, "tracker/action_detail.html", context, status=status)


def _keep_words_of_hidden_form(form: forms.Form, error: str, change_forms: dict) -> str:
    """Return the page's error for a submitted form the page no longer offers; put its words in the note box."""
    # Its own errors would be on a form that is not shown: say on the page why nothing was saved.
    error = error or " ".join(form.non_field_errors()) or "That change can no longer be made."
    words = form.typed_words()
    note_form = change_forms.get("note_form")
    if words and note_form is not None and not note_form.is_bound:
        change_forms["note_form"] = NoteForm(initial={"text": words})
        error += " What you wrote is in the progress note box below."
    return error


def _again(request, action: Action, key: str, form_for: Callable[[QueryDict], forms.Form]) -> Again:
    """Return how to show the action page again with form `key` as submitted, reloaded if the action changed.

    After an edit conflict the page shows the action as it is now, and the form keeps what the user typed
    but carries the version they are now looking at: nothing is saved until they submit it again.
    """

    def show(form, status: int, error: str) -> HttpResponse:
        current = action
        if status == 409:
            current = get_action_for_user(request.user, action.pk)
            form = _as_typed_against(request, current, form_for)
        return _action_page(request, current, status=status, error=error, **{key: form})

    return show


def _as_typed_against(request, current: Action, form_for: Callable[[QueryDict], forms.Form]) -> forms.Form:
    """Return the submitted form as the user typed it, carrying `current`'s version: after an edit conflict."""
    resubmitted = request.POST.copy()  # a QueryDict: each value stays the one string typed
    resubmitted["version"] = str(current.version)
    return form_for(resubmitted)


@login_required
@require_GET
def action_detail(request, pk: int):
    """Show one action: its recommendation, status, the changes this user may make, and its history."""
    action = get_action_for_user(request.user, pk)
    return _action_page(request, action)


def _queue_page(request) -> str | None:
    """Return the review queue's page number a reviewer's change was sent from ("" for the first), else None."""
    target = next_url(request)
    if not request.user.is_reviewer or target is None or urlsplit(target).path != reverse("tracker:review_queue"):
        return None  # the queue is the reviewers' only: a PSD lead who names it is shown the action page
    return parse_qs(urlsplit(target).query).get("page", [""])[0]


def _transition_form(action: Action, spec: workflow.Transition, data, queue: str | None) -> TransitionForm:
    if queue is not None and spec.name == "reopen":
        return reopen_form(action, data)  # with its card's ids, to be shown on the card again
    if queue is not None and spec.name == "verify":
        return verify_form(action, data)
    return TransitionForm(data, transition=spec)


@login_required
@require_POST
def action_transition(request, pk: int, name: str):
    """Move an action through one workflow transition; from the review queue, go back to it (or show it refused)."""
    action = get_action_for_user(request.user, pk)
    spec = workflow.TRANSITIONS.get(name)
    if spec is None:
        raise Http404("No such change.")
    queue = _queue_page(request)

    def change(data):
        workflow.transition(
            action,
            name,
            by=request.user,
            text=data["text"],
            expected_version=data["version"],
            recheck_on=data.get("recheck_on"),
        )
        done = f"{spec.label}: done for {action}. The action is now “{action.get_status_display()}”."
        return done, next_url(request) or action

    def form_for(data):
        return _transition_form(action, spec, data, queue)

    on_action_page = _again(request, action, f"transition_{name}", form_for)

    def again(form, status: int, error: str) -> HttpResponse:
        if queue is not None and status == 409:
            current = get_action_for_user(request.user, pk)
            if current.status == Action.Status.COMPLETED:
                # Still awaiting review: its card shows the change again, as typed, against the action as it is now.
                fresh = _as_typed_against(request, current, form_for)
                fresh.is_valid()
                return review_queue_page(request, queue, status=409, error=error, submitted=(current.pk, fresh))
        elif queue is not None and name in ("reopen", "verify"):
            return review_queue_page(request, queue, status=400, submitted=(action.pk, form))
        return on_action_page(form, status, error)

    return submit(request, form_for(request.POST), change, again=again)


@login_required
@require_POST
def action_confirm_recheck(request, pk: int):
    """Record a reviewer's re-check of a verified action: the fix has lasted, so it is closed for good."""
    action = get_action_for_user(request.user, pk)

    def change(data):
        workflow.confirm_recheck(action, by=request.user, text=data["text"], expected_version=data["version"])
        return f"Re-check recorded for {action}: the fix has lasted, and it is closed for good.", (
            next_url(request) or action
        )

    form = RecheckForm(request.POST)
    return submit(request, form, change, again=_again(request, action, "recheck_form", RecheckForm))


@login_required
@require_POST
def action_add_note(request, pk: int):
    """Add a progress note, with an optional evidence file, to an action."""
    action = get_action_for_user(request.user, pk)

    def change(data):
        workflow.add_note(action, by=request.user, text=data["text"], attachment=data["attachment"])
        return "Progress note added.", action

    form = NoteForm(request.POST, request.FILES)
    return submit(request, form, change, again=_again(request, action, "note_form", NoteForm))


@login_required
@require_POST
def action_set_owner(request, pk: int):
    """Make a member of the action's force its owner."""
    action = get_action_for_user(request.user, pk)

    def change(data):
        workflow.assign_owner(action, by=request.user, owner=data["owner"], expected_version=data["version"])
        return "Owner updated.", action

    def form_for(data):
        return OwnerForm(data, action=action)

    return submit(request, form_for(request.POST), change, again=_again(request, action, "owner_form", form_for))


@login_required
@require_POST
def action_request_extension(request, pk: int):
    """Ask HMIC for a revised due date."""
    action = get_action_for_user(request.user, pk)

    def change(data):
        workflow.request_extension(
            action, by=request.user, requested_due_date=data["requested_due_date"], reason=data["reason"]
        )
        return "Your request for a revised due date was sent to HMIC.", action

    form = ExtensionRequestForm(request.POST)
    return submit(request, form, change, again=_again(request, action, "extension_form", ExtensionRequestForm))


@login_required
@require_POST
def extension_decide(request, pk: int):
    """Approve or refuse a pending extension request."""
    extension = get_extension_request_for_user(request.user, pk)
    action = get_action_for_user(request.user, extension.action_id)

    def change(data):
        approve = data["decision"] == "approve"
        workflow.decide_extension(extension, by=request.user, approve=approve, reason=data["reason"])
        return "Decision recorded.", next_url(request) or action

    form = ExtensionDecisionForm(request.POST)
    return submit(request, form, change, again=_again(request, action, "decision_form", ExtensionDecisionForm))


@login_required
@require_GET
def evidence_download(request, pk: int):
    """Serve an evidence file to someone who may see its action, as a download with a safe name."""
    note = get_evidence_for_user(request.user, pk)
    content_type = (
        note.attachment_content_type or mimetypes.guess_type(note.attachment_name)[0] or "application/octet-stream"
    )
    response = FileResponse(note.attachment.open("rb"), as_attachment=True, filename=note.attachment_name or "evidence")
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def action_set_rag(request, pk: int):
    """Record the force's red/amber/green confidence in an action."""
    action = get_action_for_user(request.user, pk)

    def change(data):
        rating = {"rag": data["rag"], "reason": data["reason"], "expected_version": data["version"]}
        workflow.set_rag(action, by=request.user, **rating)
        return "RAG rating saved.", action

    form = RagForm(request.POST)
    return submit(request, form, change, again=_again(request, action, "rag_form", RagForm))


@reviewer_required
@require_POST
def action_set_publishable(request, pk: int):
    """Show or hide an action on the public register."""
    action = get_action_for_user(request.user, pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        workflow.set_publishable(action, by=request.user, publishable=form.cleaned_data["publishable"])
        messages.success(request, "Public register updated.")
    return redirect(next_url(request) or action)


@reviewer_required
@require_POST
def recommendation_set_priority(request, pk: int):
    """Flag or unflag a recommendation as a priority."""
    recommendation = get_recommendation_for_user(request.user, pk)
    form = PriorityForm(request.POST)
    if form.is_valid():
        workflow.set_priority(
            recommendation, by=request.user, priority=form.cleaned_data["priority"], reason=form.cleaned_data["reason"]
        )
        messages.success(request, "Priority updated.")
    return redirect(next_url(request) or recommendation.report)


@reviewer_required
@require_POST
def action_link_recurrence(request, pk: int):
    """Link the action's recommendation to an earlier one it repeats or supersedes."""
    action = get_action_for_user(request.user, pk)
    recommendation = action.recommendation

    def change(data):
        workflow.link_recurrence(recommendation, by=request.user, earlier=data["earlier"], kind=data["kind"])
        return "Link saved.", action

    def form_for(data):
        return RecurrenceForm(data, recommendation=recommendation, force=action.force)

    again = _again(request, action, "recurrence_form", form_for)
    return submit(request, form_for(request.POST), change, again=again)


@reviewer_required
@require_POST
def actions_bulk(request):
    """Apply one change (owner, publish, priority) to the actions ticked on a list page."""
    form = BulkActionForm(request.POST, actions=Action.objects.visible_to(request.user))
    back = next_url(request) or reverse("tracker:action_list")
    if not form.is_valid():
        messages.error(request, "Tick at least one action and choose a change.")
        return redirect(back)
    operation = form.cleaned_data["operation"]
    changes = {
        "owner": {"set_owner": True, "owner": form.cleaned_data["owner"]},
        "publish": {"publishable": True},
        "unpublish": {"publishable": False},
        "priority": {"priority": True},
        "unpriority": {"priority": False},
    }[operation]
    try:
        count = workflow.bulk_update(
            form.cleaned_data["actions"].select_related("recommendation"), by=request.user, **changes
        )
    except workflow.WorkflowError as exc:
        messages.error(request, f"Nothing was changed: {exc.messages[0]}")
        return redirect(back)
    messages.success(
        request, f"{dict(BulkActionForm.OPERATIONS)[operation]}: {count} action{'s' if count != 1 else ''} changed."
    )
    return redirect(back)
