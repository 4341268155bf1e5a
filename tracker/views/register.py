"""
The public register's pages: no sign-in, published items only (what they show is worked out in tracker/register.py).

The pages are the same for everyone, so they are made for caching: an ETag that changes whenever anything
the register shows could have changed, "Cache-Control: public, max-age=300", and no cookies — the pages
never read the session (no signed-in navigation, no messages, no CSRF token), so no "Vary: Cookie" either.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_safe

from tracker import register, responses
from tracker.filters import register_filter
from tracker.selectors import in_sections
from tracker.views.exports import csv_download
from tracker.views.responses import text_download

CACHE_SECONDS = 300
PAGE_SIZE = 50


@functools.cache
def _code_version() -> str:
    """Return a digest of the templates, code and assets the register's pages are made from, so a deploy shows."""
    base = Path(settings.BASE_DIR) / "templates"
    digest = hashlib.sha256()
    for path in [*sorted((base / "register").glob("*.html")), *sorted((base / "includes").glob("*.html"))]:
        digest.update(path.read_bytes())
    digest.update((base / "base.html").read_bytes())
    digest.update((base / "tracker" / "_response_document.html").read_bytes())
    digest.update(Path(__file__).read_bytes())
    digest.update(Path(register.__file__).read_bytes())
    for asset in ("dist/app.css", "dist/app.js", "dist/govuk-frontend.min.js"):
        digest.update(static(asset).encode())  # hashed names with the manifest storage
    return digest.hexdigest()


def register_etag(request, *args, **kwargs) -> str:
    """Return an ETag that changes whenever anything the register shows may have changed, in one query."""
    return hashlib.sha256(f"{_code_version()}|{register.last_change()}".encode()).hexdigest()[:32]


def public_page(view):
    """Serve `view` to anyone by GET or HEAD, with an ETag (304 when unchanged) and a short public cache."""

    @functools.wraps(view)
    @require_safe
    @cache_control(public=True, max_age=CACHE_SECONDS)
    @condition(etag_func=register_etag)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    @functools.wraps(view)
    def keep_cached_policy(request, *args, **kwargs):
        response = wrapped(request, *args, **kwargs)
        if response.status_code == 304:
            # A 304's headers replace the cached copy's: a new Content-Security-Policy would carry a
            # different script nonce than the cached page, and its scripts would stop running.
            response._csp_exempt = True
        return response

    keep_cached_policy.reads_no_session = True  # not even for the idle timeout (tracker.middleware.IdleSignOut)
    return keep_cached_policy


@public_page
def register_home(request):
    """List the published reports and the forces' status on their recommendations, filtered."""
    actions = register_filter(request.GET)
    page = Paginator(actions.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": actions,
        "reports": register.status_counts_by_report(actions.qs),
        "page_obj": page,
        "actions": register.with_public_status(page.object_list),
        "export_url": reverse("tracker:register_export") + (f"?{query.urlencode()}" if query else ""),
        "statuses": register.PUBLIC_STATUSES,
    }
    return render(request, "register/home.html", context)


@public_page
def register_report(request, slug: str):
    """Show a report's published recommendations with each published force's status and due date."""
    report = get_object_or_404(register.published_reports(), slug=slug)
    sections = in_sections(register.published_recommendations(report))
    response = responses.response_of(report)
    context = {
        "report": report,
        "sections": sections,
        # Shown with a report published whole: the response quotes every recommendation.
        "response": response if response.is_published and report.is_publishable else None,
        "response_status": responses.document(report, response, rows=[]).status if response.is_published else "",
    }
    return render(request, "register/report.html", context)


@public_page
def register_action(request, pk: int):
    """Show one force's public status on one recommendation, with the dated log of its status changes."""
    action = get_object_or_404(register.public_actions().select_related("recommendation__theme"), pk=pk)
    action.public_status = register.public_status(action.status)
    context = {
        "action": action,
        "recommendation": action.recommendation,
        "report": action.recommendation.report,
        "log": list(reversed(register.public_log(action))),
    }
    return render(request, "register/action.html", context)


@public_page
def register_export(request):
    """Download the register as filtered on its home page, as CSV."""
    register_list = register_filter(request.GET)
    actions = register_list.qs
    applied = register_list.form.cleaned_data if register_list.is_bound else {}
    filename = register.register_filename(applied, day=timezone.localdate())
    return csv_download(register.register_rows(actions), register.CSV_COLUMNS, filename)


def _published_response(slug: str):
    """Return (report, response) for a report published whole on the register (the response quotes every
    recommendation) whose commissioner's response is published."""
    report = get_object_or_404(
        register.published_reports().filter(is_publishable=True, commissioner_response__published_at__isnull=False),
        slug=slug,
    )
    return report, report.commissioner_response


@public_page
def register_response(request, slug: str):
    """Show the police and crime commissioner's published response to a report on the register."""
    report, response = _published_response(slug)
    context = {"report": report, "response": response, "document": responses.document(report, response)}
    return render(request, "register/response.html", context)


@public_page
def register_response_download(request, slug: str):
    """Download the police and crime commissioner's published response to a report on the register, as text."""
    report, response = _published_response(slug)
    return text_download(report, response)
