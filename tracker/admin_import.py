"""The admin's web import: upload a report, review what will be created, then confirm or cancel."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_GET, require_POST

from tracker import import_review
from tracker.dates import check_date_window
from tracker.import_review import ReviewItem
from tracker.importer import ADDRESSEE_LABELS, BuiltFixture, ImportProblem, build_fixture, load_fixture_text
from tracker.models import Force, Recommendation, Report
from tracker.report_parser import SUBJECT, ParsedReport, ReportError, extract_text_from_bytes, parse_report
from tracker.selectors import report_contents

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
        validators=[check_date_window],
        label="Publication date",
        help_text="Exact day, e.g. 2014-11-27. Overrides the month printed in the report.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_report(self):
        upload = self.cleaned_data["report"]
        if upload.size > MAX_REPORT_BYTES:
            raise forms.ValidationError("The report file is larger than 20 MB.")
        return upload


class ReviewItemForm(forms.Form):
    """One recommendation or area for improvement of the preview, as the admin corrects it."""

    kind = forms.ChoiceField(choices=Recommendation.Kind.choices)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="To split it in two, put a blank line where the split goes, then choose Split.",
    )
    timeframe = forms.CharField(required=False, max_length=200, help_text="As written, e.g. Within six months.")
    due_date = forms.DateField(
        required=False,
        validators=[check_date_window],
        # A browser's date field reads and writes ISO dates only, whatever the site's locale.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Leave empty and choose Update to work it out from the timeframe.",
    )
    addressees = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, label="Actions for", error_messages={"required": "Choose who acts on it."}
    )
    due_shown = forms.DateField(required=False, widget=forms.HiddenInput)
    due_precision = forms.CharField(required=False, widget=forms.HiddenInput)
    inspection_question = forms.CharField(required=False, widget=forms.HiddenInput)
    evidence = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, subject: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        force = f"The inspected force ({subject})" if subject else "The inspected force (give it when uploading)"
        self.fields["addressees"].choices = [(SUBJECT, force), *ADDRESSEE_LABELS.items()]

    def item(self) -> ReviewItem:
        """Return the corrected item; a due date the admin changed is a day, not a month."""
        data = self.cleaned_data
        due = data["due_date"]
        precision = data["due_precision"] if due and due == data["due_shown"] else "day"
        return ReviewItem(
            kind=data["kind"],
            text=data["text"],
            timeframe=data["timeframe"],
            due_date=due,
            due_precision=precision if due else "",
            addressees=tuple(data["addressees"]),
            inspection_question=data["inspection_question"],
            evidence=data["evidence"],
        )

    def raw_item(self) -> ReviewItem:
        """Return the item as typed, valid or not, so that splitting or adding never loses what was typed."""
        value = {name: self[name].value() for name in self.fields}
        try:
            due = self.fields["due_date"].to_python(value["due_date"])  # as typed, even outside the window
        except ValidationError:
            due = None
        return ReviewItem(
            kind=value["kind"] or Recommendation.Kind.RECOMMENDATION,
            text=value["text"] or "",
            timeframe=value["timeframe"] or "",
            due_date=due,
            due_precision="day" if due else "",
            addressees=tuple(value["addressees"] or ()),
            inspection_question=value["inspection_question"] or "",
            evidence=value["evidence"] or "",
        )


ReviewFormSet = forms.formset_factory(ReviewItemForm, extra=0)
PREFIX = "item"


def _initial(item: ReviewItem) -> dict:
    return {
        **{field: getattr(item, field) for field in ("kind", "text", "timeframe", "due_date", "due_precision")},
        "due_shown": item.due_date,
        "addressees": list(item.addressees),
        "inspection_question": item.inspection_question,
        "evidence": item.evidence,
    }


def _check(request) -> None:
    if not request.user.has_perm("tracker.add_report"):
        raise PermissionDenied


def _context(request, model_admin) -> dict:
    return {**model_admin.admin_site.each_context(request), "opts": Report._meta}


def import_report(request, model_admin):
    """Show the upload form; on upload, parse and show the preview to correct."""
    _check(request)
    context = {**_context(request, model_admin), "title": "Import a report"}
    form = ReportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["report"]
        force = form.cleaned_data["force"]
        try:
            text = extract_text_from_bytes(upload.read(), upload.name)
            parsed = parse_report(text, published=form.cleaned_data["published"])
            # Refuses an unknown force now, not after the admin has corrected the list.
            build_fixture(parsed, source_name=upload.name, force_slug=force.slug if force else None)
        except (ReportError, ImportProblem) as exc:
            form.add_error("report", str(exc))
        else:
            items = import_review.items_from(parsed)
            payload = {
                "report": import_review.report_data(parsed),
                "items": [_jsonable(_initial(item)) for item in items],
                "source": upload.name,
                "force": force.slug if force else None,
            }
            return _review(request, model_admin, payload, items)
    return TemplateResponse(request, "admin/tracker/report/import_form.html", {**context, "form": form})


def _jsonable(initial: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in initial.items()}


def _review(
    request,
    model_admin,
    payload: dict,
    items: list[ReviewItem],
    *,
    formset: forms.BaseFormSet | None = None,
    error: str = "",
    status: int = 200,
) -> TemplateResponse:
    """Show the preview: the report, its items to correct, what the checks still find, and what to do next."""
    base = import_review.report_from_data(payload["report"])
    report = import_review.corrected(base, items)
    subject = _subject_name(base, payload["force"])
    if formset is None:
        formset = ReviewFormSet(
            initial=[_initial(item) for item in items], prefix=PREFIX, form_kwargs={"subject": subject}
        )
    try:
        built = build_fixture(report, source_name=payload["source"], force_slug=payload["force"])
        exists = Report.objects.filter(slug=built.slug).exists()
    except ImportProblem as exc:
        built, exists, error = None, False, error or str(exc)
    numbered = zip(formset.forms, report.recommendations, strict=False)
    actions_for = _actions_for(built)
    kinds = [rec.kind for rec in report.recommendations]
    afis = kinds.count(Recommendation.Kind.AREA_FOR_IMPROVEMENT)
    counted = f"{len(kinds) - afis} recommendation{pluralize(len(kinds) - afis)}"
    if afis:
        counted += f" and {afis} area{pluralize(afis)} for improvement"
    context = {
        **_context(request, model_admin),
        "title": "Check and correct the import",
        "parsed": report,
        "subject": subject,
        "built": built,
        "formset": formset,
        "rows": [(form, rec, actions_for.get((rec.kind, rec.number), "")) for form, rec in numbered],
        "counted": counted,
        "payload": signing.dumps(payload, salt=SALT, compress=True),
        "already_loaded": exists,
        "error": error,
        "reason": request.POST.get("reason", ""),
    }
    return TemplateResponse(request, "admin/tracker/report/import_preview.html", context, status=status)


# Forces named on a preview item before the rest are counted: a national report's item goes to every force.
NAMED_FORCES = 5


def _actions_for(built: BuiltFixture | None) -> dict[tuple[str, int], str]:
    """Return, per (kind, number) of the preview's items, who gets an action by name: "Kent Police, … and 38 more"."""
    if built is None:
        return {}
    slugs = {slug for forces in built.actions_per_recommendation.values() for slug in forces}
    names = dict(Force.objects.filter(slug__in=slugs).values_list("slug", "name"))
    shown = {}
    for key, forces in built.actions_per_recommendation.items():
        named = sorted(names.get(slug, slug) for slug in forces)
        more = len(named) - NAMED_FORCES
        shown[key] = ", ".join(named[:NAMED_FORCES]) + (f" and {more} more" if more > 0 else "")
    return shown


def _subject_name(base: ParsedReport, force_slug: str | None) -> str:
    if force_slug:
        force = Force.objects.filter(slug=force_slug).first()
        return force.name if force else force_slug
    return base.subject


def _payload(request) -> dict:
    try:
        return signing.loads(request.POST.get("payload", ""), salt=SALT, max_age=PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise ImportProblem("The preview is more than an hour old: upload the report again.") from None
    except signing.BadSignature:
        raise ImportProblem("The preview could not be read: upload the report again.") from None


EDITS = {
    "split": lambda items, index, base: import_review.split(items, index, base),
    "merge": lambda items, index, base: import_review.merge(items, index),
    "remove": lambda items, index, base: import_review.remove(items, index),
    "add": lambda items, index, base: import_review.add(items, base),
}


@require_POST
def review_import(request, model_admin, *, op: str = ""):
    """Apply the admin's correction (split, merge, remove, add, update), or confirm or download the corrected list."""
    _check(request)
    try:
        payload = _payload(request)
    except ImportProblem as exc:
        messages.error(request, str(exc))
        return redirect("admin:tracker_report_import")
    base = import_review.report_from_data(payload["report"])
    action, _, argument = (op or request.POST.get("op", "update")).partition(":")
    subject = _subject_name(base, payload["force"])
    if f"{PREFIX}-TOTAL_FORMS" in request.POST:
        formset = ReviewFormSet(request.POST, prefix=PREFIX, form_kwargs={"subject": subject})
    else:  # the preview as read, confirmed or downloaded without a change
        formset = ReviewFormSet(_as_post(payload["items"]), prefix=PREFIX, form_kwargs={"subject": subject})
    if action in EDITS:
        items = [form.raw_item() for form in formset.forms]
        try:
            index = int(argument) if argument else len(items) - 1
            if not 0 <= index < max(len(items), 1):
                raise ImportProblem("There is no such item: upload the report again.")
            items = EDITS[action](items, index, base)
        except (ImportProblem, ValueError) as exc:
            return _review(request, model_admin, payload, items, formset=formset, error=str(exc), status=400)
        return _review(request, model_admin, payload, items)
    if not formset.is_valid():
        items = [form.raw_item() for form in formset.forms]
        error = "Correct the items marked below."
        return _review(request, model_admin, payload, items, formset=formset, error=error, status=400)
    items = import_review.with_due_dates([form.item() for form in formset.forms], base)
    if action == "confirm":
        return _confirm(request, model_admin, payload, base, items, formset)
    if action == "download":
        report = import_review.corrected(base, items)
        try:
            built = build_fixture(report, source_name=payload["source"], force_slug=payload["force"])
        except ImportProblem as exc:
            return _review(request, model_admin, payload, items, formset=formset, error=str(exc), status=400)
        response = HttpResponse(built.to_json(), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{built.slug}.json"'
        return response
    return _review(request, model_admin, payload, items)


def _as_post(rows: list[dict]) -> MultiValueDict:
    """Return POST data for the items as read (what the preview's form would send unchanged)."""
    data = {f"{PREFIX}-TOTAL_FORMS": str(len(rows)), f"{PREFIX}-INITIAL_FORMS": str(len(rows))}
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{PREFIX}-{index}-{name}"] = value if value is not None else ""
    post = MultiValueDict({key: [value] for key, value in data.items()})
    for index, row in enumerate(rows):
        post.setlist(f"{PREFIX}-{index}-addressees", list(row["addressees"]))
    return post


def _confirm(request, model_admin, payload: dict, base: ParsedReport, items: list[ReviewItem], formset):
    """Load the corrected report; while the checks still fail, only with the admin's reason, which history keeps."""
    report = import_review.corrected(base, items)
    reason = request.POST.get("reason", "").strip()
    if report.problems and not reason:
        error = f"Not loaded: {report.problems[0]} Correct the list, or say below why the report is right as it is."
        return _review(request, model_admin, payload, items, formset=formset, error=error, status=400)
    via = "the web import" + (
        f" (loaded despite: {'; '.join(report.problems)} Reason: {reason})" if report.problems else ""
    )
    try:
        built = build_fixture(report, source_name=payload["source"], force_slug=payload["force"])
        again = Report.objects.filter(slug=built.slug).exists()
        load_fixture_text(built.to_json(), label="The report", by=request.user, via=via)
    except ImportProblem as exc:
        return _review(request, model_admin, payload, items, formset=formset, error=str(exc), status=400)
    loaded = Report.objects.get(slug=built.slug)
    if again:
        messages.success(
            request,
            f"“{loaded}” was already loaded: anything missing was added; "
            "every action keeps its status, owner and history.",
        )
    else:
        messages.success(request, f"Imported “{loaded}”.")
    return redirect(reverse("admin:tracker_report_imported", args=[loaded.pk]))


@require_GET
def imported(request, model_admin, object_id: int):
    """Show what an imported report holds: its recommendations, each force's actions, the themes it joined."""
    _check(request)
    report = get_object_or_404(Report.objects.select_related("subject_force"), pk=object_id)
    context = {**_context(request, model_admin), "title": report.title, "report": report}
    context["contents"] = report_contents(report)
    return TemplateResponse(request, "admin/tracker/report/imported.html", context)
