"""Filters for action lists; they narrow a queryset that is already scoped to the user."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone

from tracker.models import Action, Force, Report, User


class ActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Recommendation text contains", method="filter_text")
    force = django_filters.ModelChoiceFilter(
        queryset=Force.objects.all(), to_field_name="slug", label="Force", empty_label="All forces"
    )
    report = django_filters.ModelChoiceFilter(
        field_name="recommendation__report",
        queryset=Report.objects.select_related("subject_force"),
        to_field_name="slug",
        label="Report",
        empty_label="All reports",
    )
    status = django_filters.MultipleChoiceFilter(choices=Action.Status.choices, label="Status")
    overdue = django_filters.BooleanFilter(label="Overdue", method="filter_overdue")
    due_after = django_filters.DateFilter(label="Due on or after", method="filter_due_after")
    due_before = django_filters.DateFilter(label="Due on or before", method="filter_due_before")
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.all(), label="Owner", empty_label="Anyone")
    sort = django_filters.OrderingFilter(
        fields=(("effective_due", "due"), ("force__name", "force"), ("status", "status"), ("updated_at", "updated")),
        field_labels={"due": "Due date", "force": "Force", "status": "Status", "updated": "Last update"},
        label="Sort by",
    )

    class Meta:
        model = Action
        fields = ["q", "force", "report", "status", "overdue", "due_after", "due_before", "owner"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.is_reviewer:
            self.filters["force"].queryset = Force.objects.filter(pk__in=user.member_force_ids())
            self.filters["owner"].queryset = User.objects.filter(forces__in=user.member_force_ids()).distinct()

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
