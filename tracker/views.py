"""Pages of the tracker. Access goes through tracker.access; rules live in tracker.workflow."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from tracker import workflow
from tracker.access import get_action_for_user, get_extension_request_for_user, get_force_for_user
from tracker.exports import export_links
from tracker.filters import ActionFilter, ReportFilter
from tracker.forms import (
    BulkActionForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    NoteForm,
    OwnerForm,
    PriorityForm,
    PublishForm,
    RagForm,
    RecurrenceForm,
    TransitionForm,
)
from tracker.models import Action, ExtensionRequest, Force, ProgressNote, Recommendation, Report, User
from tracker.selectors import (
    ACTION_LIST_RELATED,
    ACTION_LISTS,
    action_list_queryset,
    action_timeline,
    also_recommended_to,
    counts_by_kind,
    days_ahead,
    force_reports,
    force_summaries,
    in_sections,
    overdue_recommendations_chart,
)

# Reports on one page of a force's page: those needing attention come first, so page 1 is what matters.
FORCE_PAGE_REPORTS = 10


def reviewer_required(view):
    """Allow only HMIC reviewers (and admins); others get 403."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_reviewer:
            raise PermissionDenied("Only HMIC reviewers can see this page.")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@login_required
@require_GET
def home(request):
    """Send reviewers to the national picture and PSD leads to their force."""
    if request.user.is_reviewer:
        return redirect("tracker:dashboard")
    forces = list(Force.objects.filter(pk__in=request.user.member_force_ids()))
    if len(forces) == 1:
        return redirect(forces[0])
    return render(request, "tracker/home.html", {"forces": forces})


DASHBOARD_COLUMNS = {
    "force": ("Force", "name"),
    "open": ("Open recommendations", "-recommendation_open_count"),
    "overdue": ("Overdue recommendations", "-recommendation_overdue_count"),
    "afi": ("Areas for improvement: open / overdue", "-afi_overdue_count"),
    "due_soon": ("Due soon", "-due_soon_count"),
    "awaiting_review": ("Awaiting review", "-awaiting_review_count"),
    "verified": ("Verified", "-verified_count"),
    "on_time": ("Completed on time", "-on_time_rate"),
    "priority": ("Open priority", "-priority_open_count"),
    "rag": ("Red / amber / green", "-red_count"),
}


@reviewer_required
@require_GET
def dashboard(request):
    """Show every force's position: open, overdue, due soon, awaiting review, verified, on time; sortable."""
    sort = request.GET.get("sort") if request.GET.get("sort") in DASHBOARD_COLUMNS else "overdue"
    forces = force_summaries(Force.objects.with_actions(), due_soon_days=settings.DUE_SOON_DAYS)
    rows = list(forces.order_by(DASHBOARD_COLUMNS[sort][1], "name"))
    totals = {
        key: sum(getattr(f, key) for f in rows)
        for key in (
            "open_count",
            "overdue_count",
            "recommendation_open_count",
            "recommendation_overdue_count",
            "afi_open_count",
            "afi_overdue_count",
            "due_soon_count",
            "awaiting_review_count",
            "verified_count",
            "priority_open_count",
        )
    }
    columns = [(key, label, key == sort) for key, (label, _) in DASHBOARD_COLUMNS.items()]
    context = {
        "forces": rows,
        "due_soon_days": settings.DUE_SOON_DAYS,
        "columns": columns,
        "sort": sort,
        "totals": totals,
        "overdue_chart": overdue_recommendations_chart(rows),
    }
    return render(request, "tracker/dashboard.html", context)


@login_required
@require_GET
def force_detail(request, slug: str):
    """Show one force's actions grouped by report, overdue first."""
    force = get_force_for_user(request.user, slug)
    today = timezone.localdate()
    page = Paginator(force_reports(force, today), FORCE_PAGE_REPORTS).get_page(request.GET.get("page"))
    actions = Action.objects.filter(force=force, recommendation__report__in=[r.pk for r in page]).select_related(
        *ACTION_LIST_RELATED
    )
    by_report: dict[int, list[Action]] = {}
    for action in actions:
        by_report.setdefault(action.recommendation.report_id, []).append(action)
    for group in by_report.values():
        # Recommendations, then areas for improvement, each needing attention first.
        group.sort(key=lambda a: (a.recommendation.is_area_for_improvement, a.attention_order(today)))
    reports = {report: by_report.get(report.pk, []) for report in page}
    for report in reports:
        report.kind_counts = counts_by_kind(report)
    summary = force_summaries(Force.objects.filter(pk=force.pk), today, settings.DUE_SOON_DAYS, by_kind=True).get()
    context = {
        "force": force,
        "reports": reports,
        "page_obj": page,
        "summary": summary,
        "summary_by_kind": counts_by_kind(summary),
    }
    return render(request, "tracker/force_detail.html", context)


def _action_list_page(request, slug: str):
    days = days_ahead(request.GET.get("days"))
    actions = action_list_queryset(request.user, slug, days=days)
    action_filter = ActionFilter(request.GET, queryset=actions, user=request.user)
    page = Paginator(action_filter.qs, 50).get_page(request.GET.get("page"))
    context = {
        "filter": action_filter,
        "page_obj": page,
        "list": ACTION_LISTS[slug],
        "days": days,
        "export_urls": export_links(request, slug),
        "bulk_form": BulkActionForm(actions=Action.objects.none()) if request.user.is_reviewer else None,
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


@reviewer_required
@require_GET
def review_queue(request):
    """Show actions awaiting verification and extension requests awaiting a decision, oldest first."""
    awaiting = Action.objects.awaiting_review().select_related(*ACTION_LIST_RELATED).order_by("completed_at", "pk")
    extensions = (
        ExtensionRequest.objects.filter(decision=ExtensionRequest.Decision.PENDING)
        .select_related("requested_by", *(f"action__{name}" for name in ACTION_LIST_RELATED))
        .order_by("requested_at", "pk")
    )
    page = Paginator(awaiting, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "tracker/review_queue.html",
        {"page_obj": page, "extensions": extensions[:100], "extension_count": extensions.count()},
    )


def _action_page(request, action: Action, *, status: int = 200, error: str = "", **bound_forms) -> HttpResponse:
    user = request.user
    role = workflow.role_for(user, action)
    transitions = workflow.available_transitions(user, action)
    transition_forms = [
        (
            t,
            bound_forms.get(f"transition_{t.name}")
            or TransitionForm(initial={"version": action.version}, transition=t),
        )
        for t in transitions
    ]
    pending = next((r for r in action.extension_requests.all() if r.is_pending), None)
    context = {
        "action": action,
        "recommendation": action.recommendation,
        "report": action.recommendation.report,
        "transition_forms": transition_forms,
        "note_form": bound_forms.get("note_form") or NoteForm(),
        "owner_form": bound_forms.get("owner_form")
        or OwnerForm(initial={"version": action.version, "owner": action.owner_id}, action=action),
        "extension_form": (bound_forms.get("extension_form") or ExtensionRequestForm())
        if role == User.Role.PSD_LEAD and action.is_open and pending is None
        else None,
        "pending_extension": pending,
        "decision_form": (bound_forms.get("decision_form") or ExtensionDecisionForm())
        if role == User.Role.REVIEWER and pending
        else None,
        "rag_form": (
            bound_forms.get("rag_form")
            or RagForm(initial={"version": action.version, "rag": action.rag, "reason": action.rag_reason})
        )
        if role == User.Role.PSD_LEAD and action.is_open
        else None,
        "recurrence_form": (
            bound_forms.get("recurrence_form")
            or RecurrenceForm(
                initial={"earlier": action.recommendation.follows_id, "kind": action.recommendation.follow_kind},
                recommendation=action.recommendation,
                force=action.force,
            )
        )
        if role == User.Role.REVIEWER
        else None,
        "followed_by": list(action.recommendation.followed_by.select_related("report")),
        "timeline": action_timeline(action),
        "also_recommended_to": also_recommended_to(user, action),
        "error": error,
    }
    return render(request, "tracker/action_detail.html", context, status=status)


@login_required
@require_GET
def action_detail(request, pk: int):
    """Show one action: its recommendation, status, the changes this user may make, and its history."""
    action = get_action_for_user(request.user, pk)
    return _action_page(request, action)


@login_required
@require_POST
def action_transition(request, pk: int, name: str):
    """Move an action through one workflow transition."""
    action = get_action_for_user(request.user, pk)
    spec = workflow.TRANSITIONS.get(name)
    if spec is None:
        raise Http404("No such change.")
    form = TransitionForm(request.POST, transition=spec)
    if not form.is_valid():
        return _action_page(request, action, status=400, **{f"transition_{name}": form})
    try:
        workflow.transition(
            action, name, by=request.user, text=form.cleaned_data["text"], expected_version=form.cleaned_data["version"]
        )
    except workflow.StaleActionError as exc:
        action = get_action_for_user(request.user, pk)
        form = TransitionForm(request.POST | {"version": action.version}, transition=spec)
        form.is_valid()
        kept = {f"transition_{name}": form}
        if spec not in workflow.available_transitions(request.user, action) and form.cleaned_data.get("text"):
            # That change is no longer on offer, so its form is not shown: keep their words in the note box.
            kept["note_form"] = NoteForm(initial={"text": form.cleaned_data["text"]})
        return _action_page(request, action, status=409, error=exc.messages[0], **kept)
    except workflow.WorkflowError as exc:
        form.add_error(None, exc)
        return _action_page(request, action, status=400, **{f"transition_{name}": form})
    messages.success(request, f"{spec.label}: done. The action is now “{action.get_status_display()}”.")
    return redirect(_next_url(request) or action)


@login_required
@require_POST
def action_add_note(request, pk: int):
    """Add a progress note, with an optional evidence file, to an action."""
    action = get_action_for_user(request.user, pk)
    form = NoteForm(request.POST, request.FILES)
    if not form.is_valid():
        return _action_page(request, action, status=400, note_form=form)
    workflow.add_note(
        action, by=request.user, text=form.cleaned_data["text"], attachment=form.cleaned_data["attachment"]
    )
    messages.success(request, "Progress note added.")
    return redirect(action)


@login_required
@require_POST
def action_set_owner(request, pk: int):
    """Make a member of the action's force its owner."""
    action = get_action_for_user(request.user, pk)
    form = OwnerForm(request.POST, action=action)
    if not form.is_valid():
        return _action_page(request, action, status=400, owner_form=form)
    try:
        workflow.assign_owner(
            action, by=request.user, owner=form.cleaned_data["owner"], expected_version=form.cleaned_data["version"]
        )
    except workflow.StaleActionError as exc:
        action = get_action_for_user(request.user, pk)
        return _action_page(request, action, status=409, error=exc.messages[0], owner_form=form)
    except workflow.WorkflowError as exc:
        form.add_error(None, exc)
        return _action_page(request, action, status=400, owner_form=form)
    messages.success(request, "Owner updated.")
    return redirect(action)


@login_required
@require_POST
def action_request_extension(request, pk: int):
    """Ask HMIC for a revised due date."""
    action = get_action_for_user(request.user, pk)
    form = ExtensionRequestForm(request.POST)
    if not form.is_valid():
        return _action_page(request, action, status=400, extension_form=form)
    try:
        workflow.request_extension(
            action,
            by=request.user,
            requested_due_date=form.cleaned_data["requested_due_date"],
            reason=form.cleaned_data["reason"],
        )
    except workflow.WorkflowError as exc:
        form.add_error(None, exc)
        return _action_page(request, action, status=400, extension_form=form)
    messages.success(request, "Your request for a revised due date was sent to HMIC.")
    return redirect(action)


@login_required
@require_POST
def extension_decide(request, pk: int):
    """Approve or refuse a pending extension request."""
    extension = get_extension_request_for_user(request.user, pk)
    action = get_action_for_user(request.user, extension.action_id)
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        return _action_page(request, action, status=400, decision_form=form)
    try:
        workflow.decide_extension(
            extension,
            by=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )
    except workflow.WorkflowError as exc:
        form.add_error(None, exc)
        return _action_page(request, action, status=400, decision_form=form)
    messages.success(request, "Decision recorded.")
    return redirect(_next_url(request) or action)


def _next_url(request) -> str | None:
    """Return the local page to go back to after a change (e.g. the review queue), if one was given."""
    target = request.POST.get("next", "")
    # Only a path on this site: redirect() would take a bare word such as "0" for a view name (a 500).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@login_required
@require_GET
def evidence_download(request, pk: int):
    """Serve an evidence file to someone who may see its action, as a download with a safe name."""
    note = get_object_or_404(
        ProgressNote.objects.filter(action__in=Action.objects.visible_to(request.user)).exclude(attachment=""), pk=pk
    )
    content_type = (
        note.attachment_content_type or mimetypes.guess_type(note.attachment_name)[0] or "application/octet-stream"
    )
    response = FileResponse(note.attachment.open("rb"), as_attachment=True, filename=note.attachment_name or "evidence")
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def report_list(request):
    """List the reports with actions this user can see, newest first, filtered by the query string."""
    reports = Report.objects.with_visible_actions(request.user).select_related("subject_force")
    report_filter = ReportFilter(request.GET, queryset=reports.order_by("-published_on", "title", "pk"))
    page = Paginator(report_filter.qs, 50).get_page(request.GET.get("page"))
    return render(request, "tracker/report_list.html", {"filter": report_filter, "page_obj": page})


@login_required
@require_GET
def report_detail(request, slug: str):
    """Show a report's key figures and recommendations, with each visible force's action status."""
    visible = Action.objects.visible_to(request.user).select_related("force", "owner")
    report = get_object_or_404(
        Report.objects.select_related("subject_force")
        .filter(recommendations__actions__in=Action.objects.visible_to(request.user))
        .distinct(),
        slug=slug,
    )
    recommendations = report.recommendations.prefetch_related(
        Prefetch("actions", queryset=visible.order_by("force__name"), to_attr="visible_actions")
    )
    return render(
        request,
        "tracker/report_detail.html",
        {"report": report, "sections": in_sections(recommendations), "key_figures": report.key_figures.all()},
    )


@login_required
@require_POST
def action_set_rag(request, pk: int):
    """Record the force's red/amber/green confidence in an action."""
    action = get_action_for_user(request.user, pk)
    form = RagForm(request.POST)
    if not form.is_valid():
        return _action_page(request, action, status=400, rag_form=form)
    try:
        workflow.set_rag(
            action,
            by=request.user,
            rag=form.cleaned_data["rag"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except workflow.StaleActionError as exc:
        return _action_page(
            request, get_action_for_user(request.user, pk), status=409, error=exc.messages[0], rag_form=form
        )
    except workflow.WorkflowError as exc:
        form.add_error(None, exc)
        return _action_page(request, action, status=400, rag_form=form)
    messages.success(request, "RAG rating saved.")
    return redirect(action)


@reviewer_required
@require_POST
def action_set_publishable(request, pk: int):
    """Show or hide an action on the public register."""
    action = get_action_for_user(request.user, pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        workflow.set_publishable(action, by=request.user, publishable=form.cleaned_data["publishable"])
        messages.success(request, "Public register updated.")
    return redirect(_next_url(request) or action)


@reviewer_required
@require_POST
def recommendation_set_priority(request, pk: int):
    """Flag or unflag a recommendation as a priority."""
    recommendation = get_object_or_404(Recommendation, pk=pk)
    form = PriorityForm(request.POST)
    if form.is_valid():
        workflow.set_priority(
            recommendation, by=request.user, priority=form.cleaned_data["priority"], reason=form.cleaned_data["reason"]
        )
        messages.success(request, "Priority updated.")
    return redirect(_next_url(request) or recommendation.report)


@reviewer_required
@require_POST
def action_link_recurrence(request, pk: int):
    """Link the action's recommendation to an earlier one it repeats or supersedes."""
    action = get_action_for_user(request.user, pk)
    recommendation = action.recommendation
    form = RecurrenceForm(request.POST, recommendation=recommendation, force=action.force)
    if not form.is_valid():
        return _action_page(request, action, status=400, recurrence_form=form)
    try:
        workflow.link_recurrence(
            recommendation, by=request.user, earlier=form.cleaned_data["earlier"], kind=form.cleaned_data["kind"]
        )
    except workflow.WorkflowError as exc:
        form.add_error(None, exc)
        return _action_page(request, action, status=400, recurrence_form=form)
    messages.success(request, "Link saved.")
    return redirect(action)


@reviewer_required
@require_POST
def report_set_publishable(request, slug: str):
    """Show or hide a whole report on the public register."""
    report = get_object_or_404(Report, slug=slug)
    form = PublishForm(request.POST)
    if form.is_valid():
        workflow.set_report_publishable(report, by=request.user, publishable=form.cleaned_data["publishable"])
        messages.success(request, "Public register updated.")
    return redirect(report)


@reviewer_required
@require_POST
def actions_bulk(request):
    """Apply one change (owner, publish, priority) to the actions ticked on a list page."""
    form = BulkActionForm(request.POST, actions=Action.objects.visible_to(request.user))
    back = _next_url(request) or reverse("tracker:action_list")
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
