"""How the API shows reports, recommendations, actions and history rows; one serializer per shape."""

from __future__ import annotations

import datetime

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracker import responses, workflow
from tracker.models import Action, Force, Recommendation, Report, ResponseDuty


class ForceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Force
        fields = ["slug", "name"]
        read_only_fields = fields


class ReportSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = ["slug", "title"]
        read_only_fields = fields


class UserSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="__str__", read_only=True)


class ExplanationSerializer(serializers.Serializer):
    recommendation = serializers.IntegerField(source="recommendation_id", read_only=True)
    number = serializers.IntegerField(source="recommendation.number", read_only=True)
    text = serializers.CharField(read_only=True, help_text="The action taken or proposed, or why none.")


class CommissionerResponseSerializer(serializers.Serializer):
    """The police and crime commissioner's statutory response to a report about one force: its texts once published."""

    duty = serializers.ChoiceField(choices=ResponseDuty.choices, source="report.response_duty", read_only=True)
    due_on = serializers.DateField(
        source="report.response_due_on",
        read_only=True,
        allow_null=True,
        help_text="The last day: 56 days beginning with the day of publication, where the duty applies.",
    )
    stage = serializers.SerializerMethodField()
    comments_due_on = serializers.DateField(read_only=True, allow_null=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    published_in_time = serializers.BooleanField(read_only=True, allow_null=True)
    commissioner_comments = serializers.SerializerMethodField()
    chief_officer_comments = serializers.SerializerMethodField()
    explanations = serializers.SerializerMethodField()
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)

    def get_stage(self, response) -> str:
        return responses.stage(response)

    def get_commissioner_comments(self, response) -> str | None:
        """Once published; None before."""
        return response.commissioner_comments if response.is_published else None

    def get_chief_officer_comments(self, response) -> str | None:
        """Once published; None before."""
        return response.chief_officer_comments if response.is_published else None

    @extend_schema_field(ExplanationSerializer(many=True, allow_null=True))
    def get_explanations(self, response) -> list[dict] | None:
        """Once published, one per recommendation; None before."""
        if not response.is_published:
            return None
        return ExplanationSerializer(response.explanations.all(), many=True).data


class ReportSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:report-detail", lookup_field="slug")
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)
    subject_force = ForceSerializer(read_only=True, allow_null=True)
    is_national = serializers.BooleanField(read_only=True)
    action_count = serializers.IntegerField(read_only=True, help_text="How many of its actions you can see.")
    commissioner_response = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "slug",
            "url",
            "web_url",
            "title",
            "series",
            "subject_force",
            "is_national",
            "published_on",
            "published_precision",
            "isbn",
            "action_count",
            "commissioner_response",
        ]
        read_only_fields = fields

    @extend_schema_field(CommissionerResponseSerializer(allow_null=True))
    def get_commissioner_response(self, report: Report) -> dict | None:
        """The police and crime commissioner's response; None for a national report."""
        if not responses.has_response(report):
            return None
        return CommissionerResponseSerializer(responses.response_of(report)).data


class RecommendationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:recommendation-detail")
    label = serializers.CharField(read_only=True, help_text='How people name it, e.g. "Area for improvement 2".')
    report = ReportSummarySerializer(read_only=True)
    actions = serializers.SerializerMethodField(help_text="The ids of its actions that you can see.")

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "url",
            "report",
            "kind",
            "label",
            "number",
            "text",
            "timeframe",
            "due_date",
            "due_precision",
            "addressees",
            "inspection_question",
            "evidence",
            "theme",
            "is_priority",
            "follows",
            "follow_kind",
            "actions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_actions(self, recommendation: Recommendation) -> list[int]:
        return [action.pk for action in getattr(recommendation, "visible_actions", [])]


class RecommendationSummarySerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text='How people name it, e.g. "Area for improvement 2".')

    class Meta:
        model = Recommendation
        fields = ["id", "kind", "label", "number", "text", "timeframe", "is_priority"]
        read_only_fields = fields


class DueDateRevisionSerializer(serializers.Serializer):
    """One move of an action's due date: an approved extension request."""

    number = serializers.IntegerField(read_only=True, help_text="1 for the first move.")
    moved_from = serializers.DateField(read_only=True, allow_null=True, help_text="The due date before this move.")
    moved_to = serializers.DateField(read_only=True)
    requested_by = UserSummarySerializer(source="request.requested_by", read_only=True)
    requested_at = serializers.DateTimeField(source="request.requested_at", read_only=True)
    reason = serializers.CharField(source="request.reason", read_only=True)
    approved_by = UserSummarySerializer(source="request.decided_by", read_only=True, allow_null=True)
    approved_at = serializers.DateTimeField(source="request.decided_at", read_only=True, allow_null=True)
    approval_note = serializers.CharField(source="request.decision_reason", read_only=True)


class ActionSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:action-detail")
    web_url = serializers.CharField(source="get_absolute_url", read_only=True)
    force = ForceSerializer(read_only=True)
    report = ReportSummarySerializer(source="recommendation.report", read_only=True)
    recommendation = RecommendationSummarySerializer(read_only=True)
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=Action.Status.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    effective_due_date = serializers.DateField(
        read_only=True, allow_null=True, help_text="The revised due date of an approved extension, else the original."
    )
    is_open = serializers.BooleanField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    days_overdue = serializers.IntegerField(read_only=True, allow_null=True)
    days_left = serializers.IntegerField(read_only=True, allow_null=True)
    was_completed_late = serializers.BooleanField(read_only=True)
    due_date_revisions = DueDateRevisionSerializer(
        many=True, read_only=True, help_text="Each move of the due date by an approved extension, oldest first."
    )
    days_slipped = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Days from the original due date to the revised one."
    )
    is_recheck_due = serializers.BooleanField(
        read_only=True, help_text="Verified with a check-again date that has come: due a re-check."
    )
    transitions = serializers.SerializerMethodField(
        help_text="The status changes you may make now: the values POST .../transition/ accepts."
    )

    class Meta:
        model = Action
        fields = [
            "id",
            "url",
            "web_url",
            "force",
            "report",
            "recommendation",
            "owner",
            "status",
            "status_label",
            "due_date",
            "revised_due_date",
            "effective_due_date",
            "due_date_revisions",
            "days_slipped",
            "is_open",
            "is_overdue",
            "days_overdue",
            "days_left",
            "was_completed_late",
            "rag",
            "rag_reason",
            "recheck_on",
            "is_recheck_due",
            "version",
            "created_at",
            "updated_at",
            "started_at",
            "completed_at",
            "verified_at",
            "closed_at",
            "transitions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=list(workflow.TRANSITIONS))))
    def get_transitions(self, action: Action) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [t.name for t in workflow.available_transitions(request.user, action)]


class TransitionSerializer(serializers.Serializer):
    """What a client posts to change an action's status."""

    transition = serializers.ChoiceField(
        choices=[(name, spec.label) for name, spec in workflow.TRANSITIONS.items()],
        help_text="The change to make, e.g. start, complete, verify, reopen, supersede, not_accept.",
    )
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=10_000,
        help_text="The completion note or reason, where the change needs one.",
    )
    version = serializers.IntegerField(
        min_value=1, help_text="The action's version when you read it: a change to a newer action is refused (409)."
    )
    recheck_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Verifying only: a check-again date, when the action comes back to the review queue for a re-check.",
    )


class RecheckSerializer(serializers.Serializer):
    """What a reviewer posts to confirm a verified action's fix has lasted."""

    text = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=10_000, help_text="What was checked."
    )
    version = serializers.IntegerField(
        min_value=1, help_text="The action's version when you read it: a change to a newer action is refused (409)."
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class StaleErrorSerializer(ErrorSerializer):
    current_version = serializers.IntegerField()


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


# Fields a history row's changes leave out: bookkeeping that changes with everything.
HISTORY_SKIPPED_FIELDS = ("version",)


def _plain(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


class HistoryRowSerializer(serializers.Serializer):
    """One row of an action's history: who changed what, when, and why."""

    id = serializers.IntegerField(source="history_id")
    when = serializers.DateTimeField(source="history_date")
    who = serializers.SerializerMethodField()
    kind = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=Action.Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    version = serializers.IntegerField()
    reason = serializers.CharField(source="history_change_reason", allow_null=True)
    changes = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_who(self, row) -> str | None:
        return str(row.history_user) if row.history_user else None

    @extend_schema_field(serializers.ChoiceField(choices=["created", "changed", "deleted"]))
    def get_kind(self, row) -> str:
        return {"+": "created", "~": "changed", "-": "deleted"}[row.history_type]

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes(self, row) -> list[dict]:
        previous = getattr(row, "previous_row", None)
        if previous is None:
            return []
        delta = row.diff_against(previous, excluded_fields=HISTORY_SKIPPED_FIELDS)
        return [{"field": c.field, "old": _plain(c.old), "new": _plain(c.new)} for c in delta.changes]
