"""
The commissioner's statutory response to a report: its workspace (the commissioner's office writes and publishes,
the force's PSD lead writes the chief officer's comments, reviewers read), its printable page and its download.
The rules are tracker.responses'.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tracker import responses
from tracker.access import get_report_for_user
from tracker.forms import ChiefOfficerCommentsForm, InviteCommentsForm, ResponseForm
from tracker.models import Report
from tracker.views.common import submit


def _report(request, slug: str) -> Report:
    report = get_report_for_user(request.user, slug)
    if not responses.has_response(report):
        raise Http404("A national report has no commissioner's response.")
    return report


def _version(response) -> int:
    return response.version  # 1 for a response not started: the version it will have when it is


def _workspace(request, report: Report, *, status: int = 200, error: str = "", **forms) -> HttpResponse:
    """Show the response's page, with the forms this user may use (as submitted, where given)."""
    user = request.user
    response = responses.response_of(report)
    rows = responses.explanation_rows(report, response)
    initial = {"version": _version(response)}
    context = {
        "report": report,
        "response": response,
        "stage": responses.stage(response),
        "duty": responses.duty_sentence(report),
        "rows": rows,
        "error": error,
        # A draft is the office's own until it publishes: the force and HMIC see where it has got to, not its words.
        "document": responses.document(report, response, rows) if _may_read(user, report, response) else None,
    }
    if not response.is_published and responses.can_write_response(user, report):
        if not response.chief_officer_comments:
            context["invite_form"] = forms.get("invite_form") or InviteCommentsForm(
                initial={**initial, "comments_due_on": response.comments_due_on}
            )
        context["response_form"] = forms.get("response_form") or ResponseForm(
            initial={**initial, "commissioner_comments": response.commissioner_comments}, rows=rows
        )
    if (
        not response.is_published
        and response.comments_due_on
        and responses.can_write_chief_officer_comments(user, report)
    ):
        context["chief_form"] = forms.get("chief_form") or ChiefOfficerCommentsForm(
            initial={**initial, "text": response.chief_officer_comments}
        )
    for key, form in forms.items():
        if key not in context:  # submitted, but no longer on offer (published meanwhile): say why nothing was saved
            context["error"] = (
                context["error"] or " ".join(form.non_field_errors()) or "That change can no longer be made."
            )
    return render(request, "tracker/report_response.html", context, status=status)


def _again(request, report: Report, key: str, form_for):
    """Return how to show the page again with form `key` as submitted; after a conflict, against the current
    version (what the user typed kept, nothing saved)."""

    def show(form, status: int, error: str) -> HttpResponse:
        if status == 409:
            current = Report.objects.get(pk=report.pk)
            resubmitted = request.POST.copy()
            resubmitted["version"] = str(_version(responses.response_of(current)))
            form = form_for(resubmitted)
            return _workspace(request, current, status=status, error=error, **{key: form})
        return _workspace(request, report, status=status, error=error, **{key: form})

    return show


@login_required
@require_GET
def report_response(request, slug: str):
    """Show the commissioner's response to a report about one force, and the forms of whoever works on it."""
    return _workspace(request, _report(request, slug))


@login_required
@require_POST
def response_invite(request, slug: str):
    """The commissioner's office invites the chief officer's comments by a date."""
    report = _report(request, slug)

    def change(data):
        responses.invite_comments(
            report, by=request.user, due_on=data["comments_due_on"], expected_version=data["version"]
        )
        return "The chief officer's comments are invited: the force's PSD lead can write them here.", (
            responses.response_of(report).get_absolute_url()
        )

    return submit(
        request,
        InviteCommentsForm(request.POST),
        change,
        again=_again(request, report, "invite_form", InviteCommentsForm),
    )


@login_required
@require_POST
def response_chief_officer_comments(request, slug: str):
    """The force's PSD lead writes the chief officer's comments."""
    report = _report(request, slug)

    def change(data):
        responses.write_chief_officer_comments(
            report, by=request.user, text=data["text"], expected_version=data["version"]
        )
        return "The chief officer's comments are saved.", responses.response_of(report).get_absolute_url()

    form = ChiefOfficerCommentsForm(request.POST)
    return submit(request, form, change, again=_again(request, report, "chief_form", ChiefOfficerCommentsForm))


@login_required
@require_POST
def response_save(request, slug: str):
    """The commissioner's office saves its response as a draft, or publishes it ("publish" in the submission)."""
    report = _report(request, slug)
    response = responses.response_of(report)
    rows = responses.explanation_rows(report, response)
    publish = "publish" in request.POST

    def form_for(data):
        return ResponseForm(data, rows=rows)

    def change(data):
        responses.save_response(
            report,
            by=request.user,
            comments=data["commissioner_comments"],
            explanations=form.explanations(),
            expected_version=data["version"],
            publish=publish,
        )
        message = "The response is published." if publish else "The draft is saved."
        return message, responses.response_of(report).get_absolute_url()

    form = form_for(request.POST)
    return submit(request, form, change, again=_again(request, report, "response_form", form_for))


def _may_read(user, report: Report, response) -> bool:
    return response.is_published or responses.can_write_response(user, report)


def _readable(request, slug: str):
    """Return (report, response) if this user may read the response's words: published, or the office's draft."""
    report = _report(request, slug)
    response = responses.response_of(report)
    if not _may_read(request.user, report, response):
        raise Http404("The commissioner's response is not published yet.")
    return report, response


@login_required
@require_GET
def response_print(request, slug: str):
    """Show the response as a document to print (marked as a draft until published)."""
    report, response = _readable(request, slug)
    context = {"report": report, "response": response, "document": responses.document(report, response)}
    return render(request, "tracker/report_response_print.html", context)


@login_required
@require_GET
def response_download(request, slug: str):
    """Download the response as a text file (marked as a draft until published)."""
    return text_download(*_readable(request, slug))


def text_download(report: Report, response) -> HttpResponse:
    """Return the response as a UTF-8 text file named after the report."""
    body = responses.document(report, response).as_text()
    download = HttpResponse(body, content_type="text/plain; charset=utf-8")
    state = "response" if response.is_published else f"draft-response-{timezone.localdate():%Y-%m-%d}"
    download["Content-Disposition"] = f'attachment; filename="{report.slug}-commissioner-{state}.txt"'
    return download
