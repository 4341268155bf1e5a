"""
A force's actions in Excel and back (tracker.workbooks): the page, the workbook's download, the upload's preview
and applying it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tracker import workbooks
from tracker.filters import action_list_filter
from tracker.forms import WorkbookUploadForm
from tracker.models import User
from tracker.spreadsheets import XLSX_CONTENT_TYPE, download_filename

SALT = "tracker.workbook-upload"
PREVIEW_MAX_AGE = 60 * 60  # seconds a preview may be confirmed in


def psd_lead_required(view):
    """Allow only PSD leads (the workbook's changes are theirs to make); others get 403 saying so."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_psd_lead:
            raise PermissionDenied("Only a force's PSD lead can update actions from a workbook.")
        return view(request, *args, **kwargs)

    wrapped.__doc__, wrapped.__name__ = view.__doc__, view.__name__
    return wrapped


def _page(request, *, form=None, outcomes=None, status=200, error=""):
    query = request.GET.urlencode()
    context = {"form": form or WorkbookUploadForm(), "query": f"?{query}" if query else "", "error": error}
    if outcomes is not None:
        accepted = [o for o in outcomes if o.is_change]
        context |= {
            "outcomes": outcomes,
            "accepted": accepted,
            "refused": [o for o in outcomes if o.is_refused],
            "unchanged": sum(1 for o in outcomes if not o.changes and not o.is_refused),
            "change_count": sum(len(o.changes) for o in accepted),
            "payload": signing.dumps([o.row.as_data() for o in accepted], salt=SALT, compress=True),
        }
    return render(request, "tracker/workbook.html", context, status=status)


@psd_lead_required
@require_GET
def workbook_page(request):
    """Explain the round trip, offer the workbook of the force's actions (the list's filters kept) and the upload."""
    return _page(request)


@psd_lead_required
@require_GET
def workbook_download(request):
    """Download the force's open actions (filtered as the list is) as a workbook to edit."""
    actions = workbooks.workbook_actions(action_list_filter(request.user, "all", request.GET).qs)
    owners = User.objects.filter(
        is_active=True, role=User.Role.PSD_LEAD, is_superuser=False, forces__in=request.user.member_force_ids()
    ).distinct()
    file = workbooks.workbook_file(actions.iterator(chunk_size=2000), owners)
    forces = "-".join(sorted(f.slug for f in request.user.forces.all())) if request.user.has_one_force else ""
    name = download_filename(["actions to update", forces], timezone.localdate(), "xlsx")
    return FileResponse(file, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


@psd_lead_required
@require_POST
def workbook_upload(request):
    """Read an uploaded workbook and show what it would change, row by row, applying nothing yet."""
    form = WorkbookUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        rows = workbooks.read_workbook(form.cleaned_data["workbook"])
    except workbooks.WorkbookError as exc:
        form.add_error("workbook", exc)
        return _page(request, form=form, status=400)
    return _page(request, outcomes=workbooks.preview(request.user, rows))


@psd_lead_required
@require_POST
def workbook_apply(request):
    """Apply the changes the preview showed, all or nothing."""
    try:
        data = signing.loads(request.POST.get("payload", ""), salt=SALT, max_age=PREVIEW_MAX_AGE)
        rows = [workbooks.SheetRow(**row) for row in data]
    except signing.SignatureExpired:
        messages.error(request, "The preview is more than an hour old: upload the workbook again.")
        return redirect("tracker:workbook")
    except (signing.BadSignature, TypeError):
        messages.error(request, "The preview could not be read: upload the workbook again.")
        return redirect("tracker:workbook")
    try:
        outcomes = workbooks.apply(request.user, rows)
    except workbooks.ChangedSincePreview as exc:
        return _page(request, outcomes=exc.outcomes, status=409, error=str(exc))
    count = sum(len(o.changes) for o in outcomes)
    applied = f"{count} change{pluralize(count)} to {len(outcomes)} action{pluralize(len(outcomes))}"
    messages.success(request, f"{applied} applied from the workbook, each in the action's history as yours.")
    return redirect("tracker:workbook")
