"""The reports: their list, each report's recommendations with the forces' actions, publishing one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tracker import responses, workflow
from tracker.access import get_report_for_user
from tracker.filters import ReportFilter
from tracker.forms import (
    PublishForm,
)
from tracker.models import Report
from tracker.selectors import (
    in_sections,
    recommendations_with_visible_actions,
)
from tracker.views.common import reviewer_required


@login_required
@require_GET
def report_list(request):
    """List the reports with actions this user can see, newest first, filtered by the query string."""
    reports = Report.objects.with_visible_actions(request.user).select_related("subject_force")
    report_filter = ReportFilter(
        request.GET, queryset=reports.order_by("-published_on", "title", "pk"), user=request.user
    )
    page = Paginator(report_filter.qs, 50).get_page(request.GET.get("page"))
    return render(request, "tracker/report_list.html", {"filter": report_filter, "page_obj": page})


@login_required
@require_GET
def report_detail(request, slug: str):
    """Show a report's key figures and recommendations, with each visible force's action status."""
    report = get_report_for_user(request.user, slug)
    sections = in_sections(recommendations_with_visible_actions(report, request.user))
    context = {"report": report, "sections": sections, "key_figures": report.key_figures.all()}
    if responses.has_response(report):
        response = responses.response_of(report)
        context |= {"response": response, "response_stage": responses.stage(response)}
        context["response_duty"] = responses.duty_sentence(report) if not response.is_published else ""
    return render(request, "tracker/report_detail.html", context)


@reviewer_required
@require_POST
def report_set_publishable(request, slug: str):
    """Show or hide a whole report on the public register."""
    report = get_report_for_user(request.user, slug)
    form = PublishForm(request.POST)
    if form.is_valid():
        workflow.set_report_publishable(report, by=request.user, publishable=form.cleaned_data["publishable"])
        messages.success(request, "Public register updated.")
    return redirect(report)
