"""Filters for action lists; they narrow a queryset that is already scoped to the user."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from tracker.forms import QuickSelect
from tracker.models import Action, Force, Recommendation, Report, Theme, User


def kind_filter() -> django_filters.ChoiceFilter:
    """Return the filter of actions by their recommendation's kind, as every list (and the register) offers it."""
    return django_filters.ChoiceFilter(
        field_name="recommendation__kind",
        label="Recommendations or areas for improvement",
        choices=list(Recommendation.KIND_PLURALS.items()),
        empty_label="Both",
    )


def inspection_rounds() -> list[tuple[str, str]]:
    """Return the report series as choices, read when a form is shown or checked (never cached at import)."""
    rounds = Report.objects.exclude(series="").order_by("series").values_list("series", flat=True).distinct()
    return [(series, series) for series in rounds]


class ActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Recommendation text contains", method="filter_text")
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
    overdue = django_filters.BooleanFilter(label="Overdue", method="filter_overdue")
    due_after = django_filters.DateFilter(label="Due on or after", method="filter_due_after")
    due_before = django_filters.DateFilter(label="Due on or before", method="filter_due_before")
    owner = django_filters.ModelChoiceFilter(
        queryset=User.objects.all(), label="Owner", empty_label="Anyone", widget=QuickSelect
    )
    sort = django_filters.OrderingFilter(
        fields=(("effective_due", "due"), ("force__name", "force"), ("status", "status"), ("updated_at", "updated")),
        field_labels={"due": "Due date", "force": "Force", "status": "Status", "updated": "Last update"},
        label="Sort by",
    )

    class Meta:
        model = Action
        fields = ["q", "force", "report", "series", "kind", "status", "overdue", "due_after", "due_before", "owner"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        # Changed on this form's own fields: a filter's field may be built once and shared (the API schema).
        fields = self.form.fields
        if not user.is_reviewer:
            fields["force"].queryset = Force.objects.filter(pk__in=user.member_force_ids())
            fields["owner"].queryset = User.objects.filter(forces__in=user.member_force_ids()).distinct()

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

    def filter_due_after(self, queryset, name, value):
        return queryset.filter(Q(revised_due_date__gte=value) | Q(revised_due_date__isnull=True, due_date__gte=value))

    def filter_due_before(self, queryset, name, value):
        return queryset.filter(Q(revised_due_date__lte=value) | Q(revised_due_date__isnull=True, due_date__lte=value))


class ReportFilter(django_filters.FilterSet):
    """Filters for the reports list."""

    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Title contains")
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
    shared = django_filters.BooleanFilter(label="Made to more than one force", method="filter_shared")
    q = django_filters.CharFilter(label="Wording contains", method="filter_text")

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
