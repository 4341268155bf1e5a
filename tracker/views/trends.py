"""The trends page: open, overdue and completed actions month by month, and on-time completion per round."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tracker import trends
from tracker.access import get_force_for_user
from tracker.models import Action, Force, Recommendation


@login_required
@require_GET
def trends_page(request):
    """
    Show open, overdue and completed actions at each month end, nationally or for one force, and on-time rates;
    for every action, or for recommendations or areas for improvement only.
    """
    user = request.user
    kind = trends.kind_param(request.GET.get("kind"))
    actions = Action.objects.visible_to(user).of_kind(kind)
    slug = request.GET.get("force")
    force = get_force_for_user(user, slug) if slug else None
    member_forces = None if user.is_reviewer else list(Force.objects.visible_to(user))
    if force is None and member_forces is not None and len(member_forces) == 1:
        force = member_forces[0]
    if force is not None:
        actions = actions.filter(force=force)
        force_ids = [force.pk]
    else:  # the forces visible_to() scopes by: every force for reviewers, their own for PSD leads
        force_ids = None if member_forces is None else sorted(f.pk for f in member_forces)
    months = trends.months_param(request.GET.get("months"))
    today = timezone.localdate()
    counts = trends.trend_counts(trends.month_ends(today, months), force_ids, kind)
    series = counts.pop(None)
    by_force = []
    if force is None:
        names = Force.objects.filter(pk__in=list(counts)).order_by("name")
        by_force = [(f, counts[f.pk][-1]) for f in names]
    if member_forces is not None:
        choices = member_forces
    else:
        choices = list(Force.objects.with_actions().order_by("name"))
    context = {
        "force": force,
        "scope": force.name if force else ("England and Wales" if user.is_reviewer else "Your forces"),
        "months": months,
        "kind": kind or "",
        "kind_choices": [("", "Both"), *Recommendation.KIND_PLURALS.items()],
        "counted": Recommendation.KIND_PLURALS[kind].lower() if kind else "actions",
        "today": today,
        "series": series,
        "chart": trends.trend_chart(series),
        "latest": series[-1],
        "by_force": by_force,
        "rounds": trends.on_time_by_round(actions),
        "force_choices": choices,
        "show_all_option": member_forces is None or len(member_forces) > 1,
    }
    return render(request, "tracker/trends.html", context)
