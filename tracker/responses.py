"""
The police and crime commissioner's statutory response to a report about their force (Police Act 1996
s55(5A)-(5B)): who may do what, and the changes, in the order they happen.

1. The commissioner's office invites the chief officer's comments by a date it sets (invite_comments).
2. The force's PSD lead writes them in the tracker (write_chief_officer_comments).
3. The office writes its comments and, for each recommendation, the action taken or proposed, or why none,
   starting from what the force's actions say (explanation_rows), and saves a draft or publishes (save_response).

Like tracker.workflow for actions: every change runs in a transaction on the response's locked row, raises its
version (a page loaded before it is refused as stale), and leaves one history row naming the user and the reason.
Once published, a response is fixed.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from tracker.dates import long_date, precise_date
from tracker.models import (
    Action,
    CommissionerResponse,
    Recommendation,
    Report,
    ResponseDuty,
    ResponseExplanation,
    User,
    save_with_history,
)
from tracker.workflow import StaleChangeError, WorkflowError

Status = Action.Status


class StaleResponseError(StaleChangeError):
    """The response changed since the user loaded it; their edit was not applied."""

    noun = "response"


def response_of(report: Report) -> CommissionerResponse:
    """Return the report's response, or a new unsaved one (nothing has been done yet)."""
    try:
        return report.commissioner_response
    except CommissionerResponse.DoesNotExist:
        return CommissionerResponse(report=report)


def has_response(report: Report) -> bool:
    """Return True if the report is about one force, so that its commissioner may respond (whether or not the
    statutory duty applies: before 2 May 2017 a response was voluntary)."""
    return not report.is_national


def can_write_response(user: User, report: Report) -> bool:
    """Return True if `user` is the commissioner's office of the report's force."""
    return (
        user.is_authenticated
        and has_response(report)
        and user.is_commissioner
        and user.is_member_of(report.subject_force_id)
    )


def can_write_chief_officer_comments(user: User, report: Report) -> bool:
    """Return True if `user` is a PSD lead of the report's force (who writes the chief officer's comments)."""
    return (
        user.is_authenticated
        and has_response(report)
        and user.is_psd_lead
        and user.is_member_of(report.subject_force_id)
    )


def stage(response: CommissionerResponse) -> str:
    """Return where the response has got to, in the words the office uses."""
    if response.is_published:
        return "Published"
    if response.commissioner_comments or response.pk and any(e.text for e in response.explanations.all()):
        return "Draft"
    if response.chief_officer_comments:
        return "Chief officer's comments received"
    if response.comments_due_on:
        return f"Chief officer's comments invited by {long_date(response.comments_due_on)}"
    return "Not started"


@dataclass
class ExplanationRow:
    """One recommendation of the report, the force's action on it, and the explanation (saved or suggested)."""

    recommendation: Recommendation
    action: Action | None
    text: str
    suggested: bool  # True: nothing saved yet, the text is suggested from the action

    @property
    def field_name(self) -> str:
        return explanation_field(self.recommendation)


def explanation_field(recommendation: Recommendation) -> str:
    return f"explanation_{recommendation.pk}"


def statutory_recommendations(report: Report):
    """Return the report's recommendations (not its areas for improvement), which the response must explain."""
    return report.recommendations.filter(kind=Recommendation.Kind.RECOMMENDATION).order_by("number")


def explanation_rows(report: Report, response: CommissionerResponse) -> list[ExplanationRow]:
    """Return one row per recommendation: the saved explanation, or one suggested from the force's action."""
    recommendations = list(statutory_recommendations(report))
    actions = {
        action.recommendation_id: action
        for action in Action.objects.filter(recommendation__in=recommendations, force_id=report.subject_force_id)
        .select_related("recommendation")
        .prefetch_related("notes")
    }
    saved = {e.recommendation_id: e.text for e in response.explanations.all()} if response.pk else {}
    rows = []
    for recommendation in recommendations:
        action = actions.get(recommendation.pk)
        if recommendation.pk in saved:
            rows.append(ExplanationRow(recommendation, action, saved[recommendation.pk], suggested=False))
        else:
            rows.append(ExplanationRow(recommendation, action, suggested_explanation(action), suggested=True))
    return rows


SUGGESTED_OPENING = {
    Status.NOT_STARTED: "Action proposed: the force is to do this by {due}; work has not yet started.",
    Status.IN_PROGRESS: "Action in progress: the force expects to complete it by {due}.",
    Status.COMPLETED: "Action taken: the force has completed this, and HMIC is reviewing the evidence.",
    Status.VERIFIED: "Action taken: the force has completed this, and HMIC has verified it.",
    Status.SUPERSEDED: "No further action: the recommendation has been superseded.",
    Status.NOT_ACCEPTED: "No action: the recommendation was not accepted.",
}


def suggested_explanation(action: Action | None) -> str:
    """Return a first draft of an explanation from the force's action: its status and latest progress note."""
    if action is None:
        return ""
    due = (
        precise_date(action.effective_due_date, action.due_precision) if action.effective_due_date else "a date to set"
    )
    text = SUGGESTED_OPENING[action.status].format(due=due)
    notes = list(action.notes.all())  # prefetched, oldest first
    if notes:
        latest = notes[-1]
        text += f" Latest progress ({long_date(timezone.localdate(latest.created_at))}): {latest.text}"
    return text


def _locked(report: Report, by: User, expected_version: int | None) -> CommissionerResponse:
    response = CommissionerResponse.objects.select_for_update().filter(report=report).first()
    if response is None:
        try:
            with transaction.atomic():
                response = save_with_history(CommissionerResponse(report=report), by=by, reason="Response started")
        except IntegrityError:  # started by someone else at the same moment: theirs, once they have finished
            response = CommissionerResponse.objects.select_for_update().get(report=report)
    if expected_version is not None and response.version != expected_version:
        raise StaleResponseError(response)
    if response.is_published:
        raise WorkflowError(f"The response was published on {long_date(timezone.localdate(response.published_at))}.")
    return response


def _save(response: CommissionerResponse, changes: dict[str, object], *, by: User, reason: str) -> None:
    changes = {**changes, "version": response.version + 1, "updated_at": timezone.now()}
    save_with_history(response, changes, by=by, reason=reason)


@transaction.atomic
def invite_comments(
    report: Report, *, by: User, due_on: datetime.date, expected_version: int | None = None
) -> CommissionerResponse:
    """Invite the chief officer's comments by `due_on` (the commissioner's office; the date may be moved)."""
    if not can_write_response(by, report):
        raise PermissionDenied("Only the commissioner's office of the force can invite the chief officer's comments.")
    response = _locked(report, by, expected_version)
    today = timezone.localdate()
    if due_on < today:
        raise WorkflowError({"comments_due_on": "The date for the chief officer's comments must be today or later."})
    deadline = report.response_due_on
    if deadline is not None and due_on > deadline:
        raise WorkflowError(
            {
                "comments_due_on": "The chief officer's comments must come before the response is due: choose "
                f"{long_date(deadline)} or earlier."
            }
        )
    if response.chief_officer_comments:
        raise WorkflowError("The chief officer's comments have already been written.")
    changes = {"comments_due_on": due_on, "comments_invited_by": by, "comments_invited_at": timezone.now()}
    _save(response, changes, by=by, reason=f"Chief officer's comments invited by {long_date(due_on)}")
    return response


@transaction.atomic
def write_chief_officer_comments(
    report: Report, *, by: User, text: str, expected_version: int | None = None
) -> CommissionerResponse:
    """Write (or correct, until the response is published) the chief officer's comments: the force's PSD lead."""
    if not can_write_chief_officer_comments(by, report):
        raise PermissionDenied("Only the force's PSD lead can write the chief officer's comments.")
    response = _locked(report, by, expected_version)
    if response.comments_due_on is None:
        raise WorkflowError("The commissioner's office has not invited the chief officer's comments yet.")
    text = (text or "").strip()
    if not text:
        raise WorkflowError({"text": "Enter the chief officer's comments"})
    verb = "corrected" if response.chief_officer_comments else "written"
    changes = {
        "chief_officer_comments": text,
        "chief_officer_comments_by": by,
        "chief_officer_comments_at": timezone.now(),
    }
    _save(response, changes, by=by, reason=f"Chief officer's comments {verb}")
    return response


@transaction.atomic
def save_response(
    report: Report,
    *,
    by: User,
    comments: str,
    explanations: Mapping[int, str],
    expected_version: int | None = None,
    publish: bool = False,
) -> CommissionerResponse:
    """
    Save the commissioner's comments and the explanation of each recommendation (keyed by recommendation id), and
    publish them if `publish`: then every recommendation must be explained and the comments written.
    """
    if not can_write_response(by, report):
        raise PermissionDenied("Only the commissioner's office of the force can write its response.")
    response = _locked(report, by, expected_version)
    recommendations = {r.pk: r for r in statutory_recommendations(report)}
    unknown = set(explanations) - set(recommendations)
    if unknown:
        raise WorkflowError("The response explains a recommendation this report does not make.")
    comments = (comments or "").strip()
    texts = {pk: (text or "").strip() for pk, text in explanations.items()}
    if publish:
        _check_complete(report, comments, recommendations, texts)
    reason = "Response published" if publish else "Response draft saved"
    saved = {e.recommendation_id: e for e in response.explanations.select_for_update()}
    for pk, text in texts.items():
        explanation = saved.get(pk)
        if explanation is None:
            new = ResponseExplanation(response=response, recommendation=recommendations[pk], text=text)
            save_with_history(new, by=by, reason=reason)
        elif explanation.text != text:
            save_with_history(explanation, {"text": text}, by=by, reason=reason)
    changes: dict[str, object] = {"commissioner_comments": comments}
    if publish:
        changes |= {"published_by": by, "published_at": timezone.now()}
    _save(response, changes, by=by, reason=reason)
    return response


def _check_complete(
    report: Report, comments: str, recommendations: Mapping[int, Recommendation], texts: Mapping[int, str]
) -> None:
    errors: dict[str, str] = {}
    if not comments:
        errors["commissioner_comments"] = "Enter the commissioner's comments on the report before publishing"
    for pk, recommendation in recommendations.items():
        if not texts.get(pk):
            errors[explanation_field(recommendation)] = (
                f"Explain the action taken or proposed on recommendation {recommendation.number}, or why none, "
                "before publishing"
            )
    if errors:
        raise WorkflowError(errors)


def duty_sentence(report: Report, today: datetime.date | None = None) -> str:
    """Return what the law asks of the commissioner for this report, in one sentence."""
    duty = report.response_duty
    if duty != ResponseDuty.APPLIES:
        return f"No statutory deadline: {ResponseDuty(duty).label[0].lower()}{ResponseDuty(duty).label[1:]}."
    today = today or timezone.localdate()
    due = report.response_due_on
    days = (due - today).days
    if days == 0:
        when = "today"
    elif days > 0:
        when = f"in {days} day{pluralize(days)}"
    else:
        when = f"{-days} day{pluralize(-days)} ago"
    return (
        f"The commissioner must publish a response by {long_date(due)} ({when}): 56 days beginning with the day "
        f"the report was published, {long_date(report.published_on)}."
    )


@dataclass(frozen=True)
class ExplainedRecommendation:
    number: int
    text: str
    explanation: str


@dataclass(frozen=True)
class Document:
    """The response as published (or as drafted so far): the same words on the page, in print and as text."""

    title: str
    force: str
    report: str
    status: str
    commissioner_comments: str
    chief_officer_comments: str
    recommendations: list[ExplainedRecommendation]
    is_published: bool

    def as_text(self) -> str:
        """Return the document as plain text, headings underlined, for pasting into a website or a letter."""
        lines = [self.title, "=" * len(self.title), "", self.force, self.report, self.status, ""]
        lines += _section("The commissioner's comments", self.commissioner_comments or "Not yet written.")
        lines += _section("The chief officer's comments", self.chief_officer_comments)
        if self.recommendations:
            lines += ["The recommendations", "-" * len("The recommendations"), ""]
            for item in self.recommendations:
                lines += [f"Recommendation {item.number}", "", item.text, ""]
                lines += ["Action taken or proposed, or why none:", item.explanation or "Not yet written.", ""]
        return "\r\n".join(lines).rstrip() + "\r\n"


def _section(heading: str, text: str) -> list[str]:
    return [heading, "-" * len(heading), "", text, ""]


def document(report: Report, response: CommissionerResponse, rows: list[ExplanationRow] | None = None) -> Document:
    """Return the response as a document: what is saved (a suggested explanation is not the office's words)."""
    rows = explanation_rows(report, response) if rows is None else rows
    published = (
        precise_date(report.published_on, report.published_precision) if report.published_on else "(date not recorded)"
    )
    return Document(
        title=f"The police and crime commissioner's response to {report.title}",
        force=f"{report.subject_force.name}: the comments of the local policing body under section 55 of the Police "
        "Act 1996",
        report=f"HMIC's report {report.title}" + (f" ({report.series})" if report.series else "") + f", published "
        f"{published}.",
        status=_status_sentence(report, response),
        commissioner_comments=response.commissioner_comments,
        chief_officer_comments=_chief_officer_sentence(response),
        recommendations=[
            ExplainedRecommendation(
                row.recommendation.number, row.recommendation.text, "" if row.suggested else row.text
            )
            for row in rows
        ],
        is_published=response.is_published,
    )


def _status_sentence(report: Report, response: CommissionerResponse) -> str:
    due = report.response_due_on
    if not response.is_published:
        return "Draft: not published. " + duty_sentence(report)
    day = timezone.localdate(response.published_at)
    sentence = f"Published on {long_date(day)}"
    if due is None:
        return f"{sentence}."
    if day <= due:
        return f"{sentence}, within the 56 days the law allows (the last day was {long_date(due)})."
    late = (day - due).days
    return f"{sentence}, {late} day{pluralize(late)} after the last day the law allows ({long_date(due)})."


def _chief_officer_sentence(response: CommissionerResponse) -> str:
    if response.chief_officer_comments:
        return response.chief_officer_comments
    if response.comments_due_on:
        invited = f"The chief officer's comments were invited by {long_date(response.comments_due_on)}"
        return f"{invited}; none were made." if response.is_published else f"{invited}; none have been written yet."
    return "The chief officer's comments were not invited."


@dataclass(frozen=True)
class AwaitedResponse:
    """A report whose commissioner must publish a response and has not: by when, and where it has got to."""

    report: Report
    due_on: datetime.date
    days_left: int  # negative: overdue by that many days
    stage: str

    @property
    def is_overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


def awaited_responses(
    today: datetime.date | None = None, *, forces=None, limit: int | None = None
) -> list[AwaitedResponse]:
    """Return the responses awaited (of `forces`, if given), the earliest due first: at most `limit`."""
    today = today or timezone.localdate()
    reports = (
        Report.objects.awaiting_response()
        .select_related("subject_force", "commissioner_response")
        .prefetch_related("commissioner_response__explanations")
        .order_by("published_on", "pk")
    )
    if forces is not None:
        reports = reports.filter(subject_force__in=forces)
    awaited = []
    for report in reports[:limit] if limit else reports:
        due = report.response_due_on
        awaited.append(AwaitedResponse(report, due, (due - today).days, stage(response_of(report))))
    return awaited
