"""Where each role starts: the national dashboard, a force's page, and the reviewers' queue."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from tracker import responses, workflow
from tracker.access import get_force_for_user
from tracker.forms import RecheckForm, TransitionForm
from tracker.models import OVERDUE_AGES, Action, ExtensionRequest, Force
from tracker.selectors import (
    ACTION_LIST_RELATED,
    counts_by_kind,
    force_reports,
    force_summaries,
    kept_force_summaries,
    overdue_ages_by_force,
    overdue_recommendations_chart,
    sorted_forces,
    with_response_counts,
    with_review_details,
)
from tracker.views.common import reviewer_required

# Reports on one page of a force's page: those needing attention come first, so page 1 is what matters.
FORCE_PAGE_REPORTS = 10


@login_required
@require_GET
def home(request):
    """Send reviewers to the national picture and PSD leads to their force."""
    if request.user.is_reviewer:
        return redirect("tracker:dashboard")
    forces = list(Force.objects.visible_to(request.user))
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
    "moved": ("Due date moved", "-slipped_count"),
    "recheck": ("Verified, re-check due", "-recheck_due_count"),
    "response": ("Commissioner's response: due / overdue", "-response_overdue_count"),
}
# Commissioners' responses awaited, listed on the dashboard: the earliest due first.
DASHBOARD_RESPONSES = 50


@reviewer_required
@require_GET
def dashboard(request):
    """Show every force's position: open, overdue, due soon, awaiting review, verified, on time; sortable."""
    sort = request.GET.get("sort") if request.GET.get("sort") in DASHBOARD_COLUMNS else "overdue"
    today = timezone.localdate()
    forces = with_response_counts(kept_force_summaries(today, settings.DUE_SOON_DAYS), today)
    rows = sorted_forces(forces, DASHBOARD_COLUMNS[sort][1])
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
            "slipped_count",
            "slipped_open_count",
            "recheck_due_count",
            "response_due_count",
            "response_overdue_count",
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
        "overdue_ages": overdue_ages_by_force(rows),
        "age_labels": [label for label, _ in OVERDUE_AGES],
        "awaited_responses": responses.awaited_responses(today, limit=DASHBOARD_RESPONSES),
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
        group.sort(key=lambda a: (a.recommendation.is_area_for_improvement, a.attention_order()))
    reports = {report: by_report.get(report.pk, []) for report in page}
    for report in reports:
        report.kind_counts = counts_by_kind(report)
    [summary] = force_summaries(Force.objects.filter(pk=force.pk), today, settings.DUE_SOON_DAYS)
    context = {
        "force": force,
        "reports": reports,
        "page_obj": page,
        "summary": summary,
        "summary_by_kind": counts_by_kind(summary),
        "awaited_responses": responses.awaited_responses(today, forces=[force]),
    }
    return render(request, "tracker/force_detail.html", context)


@dataclass
class QueueCard:
    """One action on the review queue, with the reopen form (as submitted, after a refusal)."""

    action: Action
    reopen_form: TransitionForm
    verify_form: TransitionForm | None = None  # for an action awaiting review: its check-again date
    recheck_form: RecheckForm | None = None  # for a verified action whose re-check is due


# Re-checks shown on the queue, the longest due first; the rest wait their turn.
QUEUE_RECHECKS = 50


@reviewer_required
@require_GET
def review_queue(request):
    """Show actions awaiting verification, re-checks due and extension requests awaiting a decision, oldest first."""
    return review_queue_page(request, request.GET.get("page"))


def reopen_form(action: Action, data=None) -> TransitionForm:
    """Return the form that reopens `action` from its card on the review queue (its ids are the card's own)."""
    initial = {"version": action.version}
    return TransitionForm(
        data, initial=initial, transition=workflow.TRANSITIONS["reopen"], auto_id=f"id_reopen_{action.pk}_%s"
    )


def verify_form(action: Action, data=None) -> TransitionForm:
    """Return the form that verifies `action` from its card on the review queue, with a check-again date."""
    initial = {"version": action.version}
    return TransitionForm(
        data, initial=initial, transition=workflow.TRANSITIONS["verify"], auto_id=f"id_verify_{action.pk}_%s"
    )


def recheck_form(action: Action) -> RecheckForm:
    """Return the form that confirms a re-check of `action` from its card on the review queue."""
    return RecheckForm(initial={"version": action.version}, auto_id=f"id_recheck_{action.pk}_%s")


def review_queue_page(
    request,
    page_number: str | None,
    *,
    status: int = 200,
    error: str = "",
    submitted: tuple[int, TransitionForm] | None = None,
):
    """
    Show the review queue's page `page_number`: each action with what the reviewer checks (completion note, notes,
    evidence, due date against completion) and the forms to verify or reopen it in place. A form refused by the
    rules or made stale is `submitted`, shown on its card with what the reviewer typed; `error` says why at the top.
    """
    awaiting = Action.objects.awaiting_review().select_related(*ACTION_LIST_RELATED).order_by("completed_at", "pk")
    extensions = (
        ExtensionRequest.objects.filter(decision=ExtensionRequest.Decision.PENDING)
        .select_related("requested_by", *(f"action__{name}" for name in ACTION_LIST_RELATED))
        .order_by("requested_at", "pk")
    )
    rechecks = Action.objects.recheck_due().select_related(*ACTION_LIST_RELATED).order_by("recheck_on", "pk")
    page = Paginator(awaiting, 25).get_page(page_number)
    kept = {(submitted[0], submitted[1].transition.name): submitted[1]} if submitted else {}

    def card(action: Action, **forms) -> QueueCard:
        reopen = kept.get((action.pk, "reopen")) or reopen_form(action)
        return QueueCard(action, reopen, **forms)

    cards = [
        card(action, verify_form=kept.get((action.pk, "verify")) or verify_form(action))
        for action in with_review_details(list(page))
    ]
    recheck_cards = [
        card(action, recheck_form=recheck_form(action))
        for action in with_review_details(list(rechecks[:QUEUE_RECHECKS]))
    ]
    back = reverse("tracker:review_queue") + (f"?page={page.number}" if page.number > 1 else "")
    context = {
        "page_obj": page,
        "cards": cards,
        "back": back,  # where each form returns to: this page of the queue
        "submitted": submitted[1] if submitted else None,
        "error": error,
        "recheck_cards": recheck_cards,
        "recheck_count": rechecks.count(),
        "extensions": extensions[:100],
        "extension_count": extensions.count(),
    }
    return render(request, "tracker/review_queue.html", context, status=status)
