"""
The police and crime commissioners' statutory responses to the demo's force reports (tracker.responses has the
rules): written straight to the database with their history, dated as if each office had written them on time,
late, or not yet.
"""

from __future__ import annotations

import datetime
import random

from demo.bulk import first_history
from demo.content import CHIEF_OFFICER_COMMENTS, COMMISSIONER_COMMENTS, RESPONSE_EXPLANATIONS
from demo.life import moment
from demo.plan import Cast, PlannedReport
from tracker.dates import precise_date
from tracker.models import RESPONSE_DUTY_FROM, CommissionerResponse, Force, ResponseExplanation, response_due_on

PUBLISHED = "published"  # within the 56 days
LATE = "late"  # published, after the last day
DRAFT = "draft"  # the chief officer's comments in, the office's words begun
INVITED = "invited"  # the chief officer's comments asked for by a date a week ahead, not yet written
NOT_STARTED = "not started"  # nothing yet: no row at all
FIRST_WEEKS = 14  # days: a report younger than this has no response yet, unless named otherwise


def write_responses(
    reports: list[PlannedReport], stages: dict[str, str], *, cast: Cast, today: datetime.date, rng: random.Random
) -> int:
    """Write the response of each force report in `reports` since the duty began as far as its stage (by slug;
    PUBLISHED by default, except for a report of the last FIRST_WEEKS days)."""
    forces = {f.pk: f for f in Force.objects.filter(pk__in={r.subject_force_id for r in reports})}
    written = []
    for report in reports:
        stage = stages.get(report.slug, PUBLISHED)
        if stage == PUBLISHED and (today - report.published_on).days < FIRST_WEEKS:
            stage = NOT_STARTED  # too recent to be published unless named so
        if (
            report.subject_force_id is None
            or report.published_on < RESPONSE_DUTY_FROM  # before the duty: none written
            or stage == NOT_STARTED
            or report.subject_force_id not in cast.offices
        ):
            continue
        written.append(_response(report, forces[report.subject_force_id], stage, cast, today, rng))
    responses = CommissionerResponse.objects.bulk_create([response for response, _, _, _ in written])
    first_history(
        CommissionerResponse,
        responses,
        [moment for _, moment, _, _ in written],
        "Demonstration data: the response as far as it has got",
    )
    explanations = []
    for response, (_, _, report, texts) in zip(responses, written, strict=True):
        explanations += [
            ResponseExplanation(response_id=response.pk, recommendation_id=rec.pk, text=text)
            for rec, text in zip(report.recommendations, texts, strict=True)
            if text
        ]
    created = ResponseExplanation.objects.bulk_create(explanations)
    by_response = {r.pk: m for r, (_, m, _, _) in zip(responses, written, strict=True)}
    first_history(
        ResponseExplanation, created, [by_response[e.response_id] for e in created], "Demonstration data: explained"
    )
    return len(responses)


def _response(report: PlannedReport, force: Force, stage: str, cast: Cast, today: datetime.date, rng: random.Random):
    """Return (the unsaved response, when it was last changed, the report, each recommendation's explanation)."""
    office = cast.offices[force.pk]
    lead = cast.leads[force.pk][0]
    published_on = report.published_on
    last_day = response_due_on(published_on)
    invited_on = published_on + datetime.timedelta(days=rng.randint(3, 7))
    comments_due = min(last_day, invited_on + datetime.timedelta(days=21))
    if stage == INVITED:
        invited_on = today - datetime.timedelta(days=rng.randint(1, 5))
        comments_due = min(last_day, today + datetime.timedelta(days=7))
    written_on = min(comments_due, invited_on + datetime.timedelta(days=rng.randint(7, 18)), today)
    response = CommissionerResponse(
        report_id=report.pk,
        comments_due_on=comments_due,
        comments_invited_by_id=office,
        comments_invited_at=moment(rng, invited_on),
    )
    changed = response.comments_invited_at
    texts = ["" for _ in report.recommendations]
    if stage != INVITED:
        response.chief_officer_comments = rng.choice(CHIEF_OFFICER_COMMENTS)
        response.chief_officer_comments_by_id = lead
        response.chief_officer_comments_at = changed = moment(rng, written_on)
        response.commissioner_comments = rng.choice(COMMISSIONER_COMMENTS).format(force=force.name)
        texts = [
            rng.choice(RESPONSE_EXPLANATIONS).format(due=precise_date(rec.due_date, rec.due_precision))
            for rec in report.recommendations
        ]
        if stage == DRAFT:
            texts[-1] = ""  # the last recommendation not yet explained
    if stage in (PUBLISHED, LATE):
        days = rng.randint(-20, -1) if stage == PUBLISHED else rng.randint(5, 20)
        published = min(today, last_day + datetime.timedelta(days=days))
        response.published_by_id = office
        response.published_at = changed = moment(rng, max(published, written_on))
    response.version = 2 if stage == INVITED else 4
    return response, changed, report, texts
