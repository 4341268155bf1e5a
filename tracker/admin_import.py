"""The admin's web import: upload a report, review what will be created, then confirm or cancel."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from tracker.importer import ImportProblem, build_fixture, load_fixture_text
from tracker.models import Force, Report
from tracker.report_parser import ReportError, extract_text_from_bytes, parse_report

SALT = "tracker.report-import"
MAX_REPORT_BYTES = 20 * 1024 * 1024
PREVIEW_MAX_AGE = 60 * 60


class ReportUploadForm(forms.Form):
    report = forms.FileField(label="Report file", help_text="The report as PDF, plain text (.txt) or Markdown (.md).")
    force = forms.ModelChoiceField(
        queryset=Force.objects.all(),
        to_field_name="slug",
        required=False,
        label="Inspected force",
        help_text="Leave empty to take it from the report (empty for a national report).",
    )
    published = forms.DateField(
        required=False,
        label="Publication date",
        help_text="Exact day, e.g. 2014-11-27. Overrides the month printed in the report.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_report(self):
        upload = self.cleaned_data["report"]
        if upload.size > MAX_REPORT_BYTES:
            raise forms.ValidationError("The report file is larger than 20 MB.")
        return upload


def _check(request) -> None:
    if not request.user.has_perm("tracker.add_report"):
        raise PermissionDenied


def import_report(request, model_admin):
    """Show the upload form; on upload, parse and show the preview."""
    _check(request)
    context = {**model_admin.admin_site.each_context(request), "opts": Report._meta, "title": "Import a report"}
    form = ReportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["report"]
        try:
            text = extract_text_from_bytes(upload.read(), upload.name)
            parsed = parse_report(text, published=form.cleaned_data["published"])
            force = form.cleaned_data["force"]
            built = build_fixture(parsed, source_name=upload.name, force_slug=force.slug if force else None)
        except (ReportError, ImportProblem) as exc:
            form.add_error("report", str(exc))
        else:
            exists = Report.objects.filter(slug=built.slug).exists()
            payload = signing.dumps(
                {"fixture": built.to_json(), "slug": built.slug, "problems": list(parsed.problems)},
                salt=SALT,
                compress=True,
            )
            return TemplateResponse(
                request,
                "admin/tracker/report/import_preview.html",
                {**context, "title": "Check the import", "built": built, "payload": payload, "already_loaded": exists},
            )
    return TemplateResponse(request, "admin/tracker/report/import_form.html", {**context, "form": form})


def _payload(request) -> dict:
    try:
        return signing.loads(request.POST.get("payload", ""), salt=SALT, max_age=PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise ImportProblem("The preview is more than an hour old: upload the report again.") from None
    except signing.BadSignature:
        raise ImportProblem("The preview could not be read: upload the report again.") from None


@require_POST
def confirm_import(request, model_admin):
    """Load the previewed fixture atomically."""
    _check(request)
    try:
        data = _payload(request)
        if data.get("problems"):
            # The checks the document allows failed: loading it as read would lose part of it without a word.
            raise ImportProblem(
                f"Not loaded: {data['problems'][0]} Download the fixture, correct it, and load it with "
                "make load-report."
            )
        count = load_fixture_text(data["fixture"], label="The report", by=request.user, via="the web import")
    except ImportProblem as exc:
        messages.error(request, str(exc))
        return redirect("admin:tracker_report_import")
    report = Report.objects.get(slug=data["slug"])
    messages.success(request, f"Imported “{report}”: {count} objects loaded.")
    return redirect(reverse("admin:tracker_report_change", args=[report.pk]))


@require_POST
def download_fixture(request, model_admin):
    """Return the previewed fixture as a JSON file, for review and for committing under fixtures/."""
    _check(request)
    try:
        data = _payload(request)
    except ImportProblem as exc:
        messages.error(request, str(exc))
        return redirect("admin:tracker_report_import")
    response = HttpResponse(data["fixture"], content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{data["slug"]}.json"'
    return response
