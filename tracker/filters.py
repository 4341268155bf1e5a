"""
Every FilterSet of the app: the signed-in lists, the public register and the API.

Each narrows a queryset that is already scoped to the user (or, on the register, to published actions).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from tracker.forms import ID_RANGE, SEARCH_MAX_LENGTH, QuickSelect
from tracker.models import Action, Force, Recommendation, Report, Theme, User, slipped_q
from tracker.register import PUBLIC_STATUSES, public_actions, statuses_shown_as
from tracker.selectors import ACTION_LIST_PAGE_SIZE, action_list_queryset, days_ahead, overdue_count


class AnyYesNoSelect(forms.NullBooleanSelect):
    """A yes/no filter that reads "Any" until one is chosen (Django's own says "Unknown")."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", "Any"), ("true", "Yes"), ("false", "No")]

    def format_value(self, value) -> list[str]:
        chosen = super().format_value(value)
        return [""] if chosen == "unknown" else [chosen]  # a list: a string would "contain" the empty option


def kind_filter() -> django_filters.ChoiceFilter:
    """Return the filter of actions by their recommendation's kind, as every list (and the register) offers it."""
    return django_filters.ChoiceFilter(
        field_name="recommendation__kind",
        label="Recommendations or areas for improvement",
        choices=list(Recommendation.KIND_PLURALS.items()),
        empty_label="Both",
    )


def inspection_rounds(user: User | None = None) -> list[tuple[str, str]]:
    """Return the report series as choices (of the reports `user` may see, if given), read when a form is shown
    or checked (never cached at import)."""
    reports = Report.objects.all() if user is None or user.is_reviewer else Report.objects.visible_to(user)
    rounds = reports.exclude(series="").order_by("series").values_list("series", flat=True).distinct()
    return [(series, series) for series in rounds]


def offer_only_what_they_see(filterset: django_filters.FilterSet, user: User) -> None:
    """Narrow a PSD lead's choices of force, report, inspection round and owner to what they may see.

    A choice they may not see is refused exactly as one that does not exist, so a filter tells nobody which
    reports, rounds or people another force has.
    """
    if user.is_reviewer:
        return
    fields = filterset.form.fields  # this form's own: a filter's field may be built once and shared (the API schema)
    choices = {
        "force": lambda: Force.objects.visible_to(user),
        "subject_force": lambda: Force.objects.visible_to(user).order_by("name"),
        "report": lambda: Report.objects.visible_to(user).select_related("subject_force"),
        "owner": lambda: User.objects.filter(forces__in=Force.objects.visible_to(user)).distinct(),
    }
    for name, queryset in choices.items():
        if name in fields:
            fields[name].queryset = queryset()
    if "series" in fields:
        fields["series"].choices = inspection_rounds(user)


MOVED_MONTHS_MAX = 120  # ten years: the furthest a due date can be


class MonthsFilter(django_filters.NumberFilter):
    """A whole number of months (django-filter's NumberFilter takes decimals)."""

    field_class = forms.IntegerField


class ActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Recommendation text contains", method="filter_text", max_length=SEARCH_MAX_LENGTH
    )
    force = django_filters.ModelChoiceFilter(
        queryset=Force.objects.all(), to_field_name="slug", label="Force", empty_label="All forces", widget=QuickSelect
    )
    report = django_filters.ModelChoiceFilter(
        field_name="recommendation__report",
        queryset=Report.objects.select_related("subject_force"),
        to_field_name="slug",
        label="Report",
        empty_label="All reports",
        # A decade of reports is too many for a drop-down: the report filter comes from a report's page (its
        # "see these actions" link) and is shown above the list with a link to remove it.
        widget=forms.HiddenInput,
    )
    series = django_filters.ChoiceFilter(
        field_name="recommendation__report__series",
        label="Inspection round",
        choices=inspection_rounds,
        empty_label="All rounds",
        widget=QuickSelect,
    )
    kind = kind_filter()
    status = django_filters.MultipleChoiceFilter(choices=Action.Status.choices, label="Status")
    overdue = django_filters.BooleanFilter(label="Overdue", method="filter_overdue", widget=AnyYesNoSelect)
    due_after = django_filters.DateFilter(label="Due on or after", method="filter_due_after")
    due_before = django_filters.DateFilter(label="Due on or before", method="filter_due_before")
    owner = django_filters.ModelChoiceFilter(
        queryset=User.objects.all(), label="Owner", empty_label="Anyone", widget=QuickSelect
    )
    moved = django_filters.BooleanFilter(
        label="Due date moved", method="filter_moved", widget=AnyYesNoSelect, help_text="By an approved extension."
    )
    moved_months = MonthsFilter(
        label="Moved more than this many months in all",
        method="filter_moved_months",
        min_value=0,
        max_value=MOVED_MONTHS_MAX,
        help_text="Later than the original due date by more than this many calendar months.",
    )
    sort = django_filters.OrderingFilter(
        fields=(("effective_due", "due"), ("force__name", "force"), ("status", "status"), ("updated_at", "updated")),
        # django-filter looks an ascending label up by field name, a descending one by "-" and the parameter.
        field_labels={
            "effective_due": "Due date, soonest first",
            "-due": "Due date, latest first",
            "force__name": "Force, A to Z",
            "-force": "Force, Z to A",
            "status": "Status",
            "-status": "Status, reversed",
            "updated_at": "Last update, oldest first",
            "-updated": "Last update, newest first",
        },
        label="Sort by",
        empty_label="Most pressing first",  # the lists' own order: priority first, then the soonest due
    )

    class Meta:
        model = Action
        fields = [
            *("q", "force", "report", "series", "kind", "status", "overdue", "due_after", "due_before", "owner"),
            *("moved", "moved_months"),
        ]

    def __init__(self, *args, user: User, offer_force: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not offer_force:  # every action is of one force: neither choosing nor sorting by force means anything
            del self.filters["force"]
        # Changed on this form's own fields: a filter's field may be built once and shared (the API schema).
        fields = self.form.fields
        if not offer_force:
            fields["sort"].choices = [(key, label) for key, label in fields["sort"].choices if "force" not in key]
        offer_only_what_they_see(self, user)

    @property
    def narrows_nothing(self) -> bool:
        """Return whether the list is asked for as it is: no filter given (an order may be), none invalid."""
        return self.is_valid() and not any(value for name, value in self.form.cleaned_data.items() if name != "sort")

    @property
    def selected_report(self) -> Report | None:
        """Return the report the list is narrowed to, if a valid one is asked for."""
        return self.form.cleaned_data.get("report") if self.is_valid() else None

    def filter_text(self, queryset, name, value):
        return queryset.filter(recommendation__text__icontains=value) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        return queryset.overdue(today) if value else queryset.exclude(pk__in=Action.objects.overdue(today).values("pk"))

    def filter_moved(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.slipped() if value else queryset.exclude(slipped_q())

    def filter_moved_months(self, queryset, name, value):
        return queryset if value is None else queryset.slipped_more_than(value)

    def filter_due_after(self, queryset, name, value):
        return queryset.filter(Q(revised_due_date__gte=value) | Q(revised_due_date__isnull=True, due_date__gte=value))

    def filter_due_before(self, queryset, name, value):
        return queryset.filter(Q(revised_due_date__lte=value) | Q(revised_due_date__isnull=True, due_date__lte=value))


def action_list_filter(user: User, slug: str, query: QueryDict) -> ActionFilter:
    """Return the filter of the named action list (see selectors.ACTION_LISTS) for `user`, as asked in `query`."""
    actions = action_list_queryset(user, slug, days=days_ahead(query.get("days")))
    return ActionFilter(query, queryset=actions, user=user, offer_force=not user.has_one_force)


def action_list_page(action_filter: ActionFilter, user: User, slug: str, number: str | None) -> Page:
    """
    Return page `number` (the last if past it) of the named list's filtered actions, ACTION_LIST_PAGE_SIZE a page.
    The overdue report asked for with no filter takes its count from the forces' kept summaries rather than by
    counting its actions: the same number (tests/test_lists.py compares them), without reading every one.
    """
    paginator = Paginator(action_filter.qs, ACTION_LIST_PAGE_SIZE)
    if slug == "overdue" and action_filter.narrows_nothing:
        paginator.count = overdue_count(user)  # a cached_property, given rather than counted
    return paginator.get_page(number)


class ReportFilter(django_filters.FilterSet):
    """Filters for the reports list."""

    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label="Title contains", max_length=SEARCH_MAX_LENGTH
    )
    series = django_filters.ChoiceFilter(
        label="Inspection round", choices=inspection_rounds, empty_label="All rounds", widget=QuickSelect
    )
    subject_force = django_filters.ModelChoiceFilter(
        queryset=Force.objects.order_by("name"),
        to_field_name="slug",
        label="Inspected force",
        empty_label="Any force",
        widget=QuickSelect,
    )

    class Meta:
        model = Report
        fields = ["q", "series", "subject_force"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if user.has_one_force:  # their force's reports and national ones: the Subject column tells them apart
            del self.filters["subject_force"]
        offer_only_what_they_see(self, user)


class ThemeFilter(django_filters.FilterSet):
    """Filters for the themes page: inspection round, the status of the forces' actions, shared only."""

    series = django_filters.ChoiceFilter(
        label="Inspection round", choices=inspection_rounds, method="filter_series", empty_label="All rounds"
    )
    status = django_filters.ChoiceFilter(
        label="Has an action that is",
        choices=[("overdue", "Overdue"), *Action.Status.choices],
        method="filter_status",
        empty_label="Any status",
    )
    shared = django_filters.BooleanFilter(
        label="Made to more than one force", method="filter_shared", widget=AnyYesNoSelect
    )
    q = django_filters.CharFilter(label="Wording contains", method="filter_text", max_length=SEARCH_MAX_LENGTH)

    class Meta:
        model = Theme
        fields = ["series", "status", "shared", "q"]

    # Each filter narrows by theme id, so the per-theme counts are never multiplied by extra joins.
    def filter_series(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=Recommendation.objects.filter(report__series=value).values("theme_id"))

    def filter_status(self, queryset, name, value):
        if not value:
            return queryset
        actions = Action.objects.overdue() if value == "overdue" else Action.objects.filter(status=value)
        return queryset.filter(pk__in=actions.values("recommendation__theme_id"))

    def filter_shared(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(force_count__gt=1) if value else queryset.filter(force_count__lte=1)

    def filter_text(self, queryset, name, value):
        if not value:
            return queryset
        matching = Recommendation.objects.filter(text__icontains=value).values("theme_id")
        return queryset.filter(Q(title__icontains=value) | Q(pk__in=matching))


class PersonFilter(django_filters.FilterSet):
    """Filters for the People list (an admin's): name or email, role, force, and whether they can sign in."""

    q = django_filters.CharFilter(
        label="Name, username or email contains", method="filter_text", max_length=SEARCH_MAX_LENGTH
    )
    role = django_filters.ChoiceFilter(
        label="Role", choices=[*User.Role.choices, ("admin", "Admin")], method="filter_role", empty_label="Any role"
    )
    force = django_filters.ModelChoiceFilter(
        field_name="forces",
        queryset=Force.objects.order_by("name"),
        to_field_name="slug",
        label="Force",
        empty_label="Any force",
        widget=QuickSelect,
    )
    status = django_filters.ChoiceFilter(
        label="Account",
        choices=[("active", "Active"), ("never", "Active, never signed in"), ("deactivated", "Deactivated")],
        method="filter_status",
        empty_label="Any",
    )

    class Meta:
        model = User
        fields = ["q", "role", "force", "status"]

    def filter_text(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(username__icontains=value)
            | Q(email__icontains=value)
        )

    def filter_role(self, queryset, name, value):
        if value == "admin":
            return queryset.filter(is_superuser=True)
        return queryset.filter(role=value, is_superuser=False) if value else queryset

    def filter_status(self, queryset, name, value):
        if value == "active":
            return queryset.filter(is_active=True)
        if value == "deactivated":
            return queryset.filter(is_active=False)
        if value == "never":
            return queryset.filter(is_active=True, last_login=None)
        return queryset


class RegisterFilter(django_filters.FilterSet):
    """Filters for the public register; every choice offered comes from published actions only."""

    force = django_filters.ModelChoiceFilter(
        queryset=Force.objects.none(), to_field_name="slug", label="Force", empty_label="All forces"
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="recommendation__theme", queryset=Theme.objects.none(), label="Theme", empty_label="All themes"
    )
    series = django_filters.ChoiceFilter(
        field_name="recommendation__report__series", label="Inspection round", choices=[], empty_label="All rounds"
    )
    kind = kind_filter()
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[(public.key, public.label) for public in PUBLIC_STATUSES],
        method="filter_status",
        empty_label="Any status",
    )

    class Meta:
        model = Action
        fields = ["force", "theme", "series", "kind", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An unpublished theme's title or force would otherwise be listed here; choosing it finds nothing.
        public = Action.objects.public()
        self.filters["force"].queryset = Force.objects.filter(pk__in=public.values("force_id"))
        self.filters["theme"].queryset = Theme.objects.filter(
            pk__in=Recommendation.objects.filter(pk__in=public.values("recommendation_id")).values("theme_id")
        )
        rounds = (
            Report.objects.filter(pk__in=public.values("recommendation__report_id"))
            .exclude(series="")
            .order_by("series")
            .values_list("series", flat=True)
            .distinct()
        )
        self.filters["series"].extra["choices"] = [(series, series) for series in rounds]

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=statuses_shown_as(value)) if value else queryset


def register_filter(query: QueryDict) -> RegisterFilter:
    """Return the register's filter for `query`, over the published actions in the register's order."""
    actions = public_actions().order_by(
        "-recommendation__report__published_on",
        "recommendation__report__title",
        "-recommendation__kind",  # recommendations before areas for improvement
        "recommendation__number",
        "force__name",
    )
    return RegisterFilter(query or None, queryset=actions)


class IntegerFilter(django_filters.NumberFilter):
    """A whole-number filter that refuses (400) an id past a 64-bit integer, which SQLite cannot bind (a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", ID_RANGE[0])
        kwargs.setdefault("max_value", ID_RANGE[1])
        super().__init__(*args, **kwargs)


class ApiReportFilter(django_filters.FilterSet):
    """The API's filters of reports, by slug and name rather than choices."""

    force = django_filters.CharFilter(field_name="subject_force__slug", label="Slug of the force inspected")
    series = django_filters.CharFilter(label="Inspection round, e.g. Police Integrity and Corruption 2014")

    class Meta:
        model = Report
        fields = ["force", "series"]


class ApiRecommendationFilter(django_filters.FilterSet):
    """The API's filters of recommendations."""

    # Slugs and ids rather than choices: an unknown or invisible report filters to nothing, never a 400
    # that would tell a PSD lead which other reports exist.
    report = django_filters.CharFilter(field_name="report__slug", label="Report slug")
    theme = IntegerFilter(field_name="theme", label="Theme id")
    priority = django_filters.BooleanFilter(field_name="is_priority", label="Priority recommendations only")
    kind = django_filters.ChoiceFilter(
        choices=Recommendation.Kind.choices, label="Recommendations or areas for improvement"
    )

    class Meta:
        model = Recommendation
        fields = ["report", "theme", "priority", "kind"]
