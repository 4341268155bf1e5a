"""The national picture for reviewers: themes across forces, and force figures against England and Wales."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tracker import themes as theme_rules
from tracker.access import get_theme_for_user
from tracker.exports import theme_list_filename
from tracker.filters import ThemeFilter
from tracker.forms import ThemeMergeForm, ThemeRenameForm, ThemeSplitForm
from tracker.models import Action, KeyFigure, Theme
from tracker.selectors import ACTION_LIST_DEFERRED, theme_action_previews, theme_summaries
from tracker.views.common import Again, reviewer_required, submit
from tracker.views.exports import FORMATS, actions_download

# A theme made to every force for a decade has thousands of actions: the list shows each theme's most
# pressing few, its page shows them all a page at a time.
THEME_LIST_ACTIONS = 10
THEME_PAGE_ACTIONS = 50


def _theme_filter(request) -> ThemeFilter:
    # With no filter chosen, show what the page is for: recommendations made to several forces.
    data = request.GET if request.GET else {"shared": "true"}
    themes = theme_summaries(Theme.objects.all()).order_by("-force_count", "title", "pk")
    return ThemeFilter(data, queryset=themes)


@reviewer_required
@require_GET
def theme_list(request):
    """List themes with the forces each went to and how each force is doing."""
    theme_filter = _theme_filter(request)
    page = Paginator(theme_filter.qs, 20).get_page(request.GET.get("page"))
    previews = theme_action_previews(list(page), THEME_LIST_ACTIONS)
    for theme in page:
        theme.preview_actions = previews[theme.pk]
    query = request.GET.copy()
    query.pop("page", None)
    exports = [
        (label, f"{reverse('tracker:theme_export', args=[fmt])}?{query.urlencode()}")
        for fmt, label in (("csv", "CSV"), ("xlsx", "Excel"))
    ]
    return render(
        request, "tracker/theme_list.html", {"filter": theme_filter, "page_obj": page, "export_urls": exports}
    )


@reviewer_required
@require_GET
def theme_export(request, fmt: str):
    """Download every action of the filtered themes, one row per force, with the theme first."""
    if fmt not in FORMATS:
        raise Http404("No such format.")
    theme_filter = _theme_filter(request)
    theme_ids = theme_filter.qs.values("pk")
    actions = Action.objects.filter(recommendation__theme__in=theme_ids).order_by(
        "recommendation__theme__title", "force__name", "pk"
    )
    filename = theme_list_filename(theme_filter.form.cleaned_data, day=timezone.localdate(), fmt=fmt)
    return actions_download(actions, fmt, filename, themed=True)


def _theme_page(request, theme: Theme, *, status: int = 200, **forms):
    theme = theme_summaries(Theme.objects.filter(pk=theme.pk)).get()
    actions = (
        Action.objects.filter(recommendation__theme=theme)
        .select_related("force", "recommendation", "recommendation__report")
        .defer(*ACTION_LIST_DEFERRED)
        .by_attention()
    )
    page = Paginator(actions, THEME_PAGE_ACTIONS).get_page(request.GET.get("page"))
    context = {
        "theme": theme,
        "actions": page,
        "page_obj": page,
        "rename_form": forms.get("rename_form")
        or ThemeRenameForm(initial={"title": theme.title, "canonical_wording": theme.canonical_wording}),
        "merge_form": forms.get("merge_form") or ThemeMergeForm(theme=theme),
        "split_form": forms.get("split_form") or ThemeSplitForm(theme=theme),
        "history": theme.history.select_related("history_user").order_by("-history_date")[:50],
    }
    return render(request, "tracker/theme_detail.html", context, status=status)


def _again(request, theme: Theme, key: str) -> Again:
    """Return how to show the theme page again with form `key` as submitted."""
    return lambda form, status, error: _theme_page(request, theme, status=status, **{key: form})


@reviewer_required
@require_GET
def theme_detail(request, pk: int):
    """Show one theme: its wording, every force's action, and the reviewer's tools to regroup it."""
    return _theme_page(request, get_theme_for_user(request.user, pk))


@reviewer_required
@require_POST
def theme_rename(request, pk: int):
    theme = get_theme_for_user(request.user, pk)

    def change(data):
        theme_rules.rename(theme, by=request.user, title=data["title"], canonical_wording=data["canonical_wording"])
        return "Theme renamed.", theme

    return submit(request, ThemeRenameForm(request.POST), change, again=_again(request, theme, "rename_form"))


@reviewer_required
@require_POST
def theme_confirm(request, pk: int):
    theme = get_theme_for_user(request.user, pk)
    theme_rules.confirm(theme, by=request.user)
    messages.success(request, "Grouping confirmed.")
    return redirect(theme)


@reviewer_required
@require_POST
def theme_merge(request, pk: int):
    theme = get_theme_for_user(request.user, pk)

    def change(data):
        theme_rules.merge(theme, data["other"], by=request.user)
        return f"Theme “{data['other'].title}” merged into this one.", theme

    form = ThemeMergeForm(request.POST, theme=theme)
    return submit(request, form, change, again=_again(request, theme, "merge_form"))


@reviewer_required
@require_POST
def theme_split(request, pk: int):
    theme = get_theme_for_user(request.user, pk)

    def change(data):
        new = theme_rules.split(theme, data["recommendations"], by=request.user, title=data["title"])
        return f"Split into the new theme “{new.title}”.", new

    form = ThemeSplitForm(request.POST, theme=theme)
    return submit(request, form, change, again=_again(request, theme, "split_form"))


FIGURE_SORTS = {"force": "report__subject_force__name", "value": "-value", "difference": "-difference"}


@reviewer_required
@require_GET
def figure_comparison(request):
    """Compare one "force in numbers" figure across forces, beside the England and Wales figure."""
    codes = list(KeyFigure.objects.order_by("code").values_list("code", "label").distinct())
    labels: dict[str, str] = {}
    for code, label in codes:
        labels.setdefault(code, label)
    code = request.GET.get("figure") if request.GET.get("figure") in labels else next(iter(labels), None)
    sort = request.GET.get("sort") if request.GET.get("sort") in FIGURE_SORTS else "value"
    rows = list(
        KeyFigure.objects.filter(code=code, report__subject_force__isnull=False)
        .select_related("report", "report__subject_force")
        .annotate(difference=F("value") - F("national_value"))
        .order_by(FIGURE_SORTS[sort], "report__subject_force__name")
    )
    largest = max((float(r.value) for r in rows), default=0) or 1
    for row in rows:
        row.bar_percent = round(100 * float(row.value) / largest)
    context = {"labels": labels, "code": code, "rows": rows, "sort": sort, "label": labels.get(code, "")}
    return render(request, "tracker/figure_comparison.html", context)
