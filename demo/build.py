"""Build the demo data set: the cast, the planned reports, then the actions' lives in batches of bulk inserts."""

from __future__ import annotations

import datetime
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from demo.bulk import INSERT_ROWS, fast_writes, first_history, insert_rows, reason_length
from demo.commissioners import write_responses
from demo.content import FINDINGS
from demo.life import Outcomes, live, moment
from demo.plan import (
    DEMO_REPORT_PREFIX,
    DEMO_USER_PREFIX,
    Cast,
    PlannedRecommendation,
    PlannedReport,
    create_cast,
    plan_reports,
)
from tracker.models import (
    Action,
    CommissionerResponse,
    DatePrecision,
    ExtensionRequest,
    Force,
    ForceSummary,
    KeyFigure,
    ProgressNote,
    Recommendation,
    ReminderLog,
    Report,
    ResponseExplanation,
    Theme,
    User,
)

Status = Action.Status
Decision = ExtensionRequest.Decision
# How one action's life is chosen: live()'s outcome and options, from the recommendation and the force.
Choice = Callable[[random.Random, PlannedRecommendation, int], dict]


@dataclass
class Summary:
    forces: int = 0
    users: int = 0
    reports: int = 0
    recommendations: int = 0
    themes: int = 0
    actions: int = 0
    history_rows: int = 0
    notes: int = 0
    extension_requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    overdue: int = 0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        total = self.actions or 1
        lines = [
            f"Forces: {self.forces}; users: {self.users}; reports: {self.reports}; "
            f"recommendations: {self.recommendations}; themes: {self.themes}",
            f"Actions: {self.actions}; history rows: {self.history_rows} "
            f"({self.history_rows / total:.1f} per action); progress notes: {self.notes}; "
            f"extension requests: {self.extension_requests}",
            f"Overdue: {self.overdue} ({100 * self.overdue / total:.1f}%)",
        ]
        for status in Status:
            count = self.statuses.get(status.value, 0)
            lines.append(f"  {status.label:<36} {count:>8} ({100 * count / total:.1f}%)")
        lines.append(f"Built in {self.seconds:.1f} s.")
        return lines


def database_holds() -> tuple[int, int]:
    """Return how many demo reports and how many other reports the database holds."""
    demo = Report.objects.filter(slug__startswith=DEMO_REPORT_PREFIX).count()
    return demo, Report.objects.count() - demo


def clear_tracker_data() -> None:
    """Delete every report, action and everything hanging off them, and the demo users, without per-row work."""
    # Plain DELETEs: the ORM's delete() would load every action to write a "deleted" history row for it.
    models = [
        ResponseExplanation.history.model,
        ResponseExplanation,
        CommissionerResponse.history.model,
        CommissionerResponse,
        Action.history.model,
        ExtensionRequest.history.model,
        ProgressNote,
        ExtensionRequest,
        ReminderLog,
        Action,
        Recommendation.history.model,
        Recommendation,
        Theme.history.model,
        Theme,
        KeyFigure,
        Report,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        User.objects.filter(username__startswith=DEMO_USER_PREFIX).delete()
        ForceSummary.objects.rebuild()


def ensure_forces() -> tuple[list[Force], dict[str, Force]]:
    if not Force.objects.exists():
        call_command("loaddata", str(Path(settings.BASE_DIR) / "fixtures" / "forces.json"), verbosity=0)
    forces = list(Force.objects.filter(kind=Force.Kind.TERRITORIAL).order_by("slug"))
    bodies = {f.slug: f for f in Force.objects.filter(kind=Force.Kind.NATIONAL)}
    return forces, bodies


def write_reports(reports: list[PlannedReport], *, rng: random.Random, evidence: random.Random) -> int:
    """Insert the planned reports, their themes and recommendations (with their first history rows)."""
    created = Report.objects.bulk_create(
        [
            Report(
                slug=r.slug,
                title=r.title,
                series=r.series,
                published_on=r.published_on,
                published_precision=DatePrecision.DAY,
                subject_force_id=r.subject_force_id,
                source_file="generate_demo_data",
            )
            for r in reports
        ],
        batch_size=INSERT_ROWS,
    )
    for planned, row in zip(reports, created, strict=True):
        planned.pk = row.pk
    first_history(Report, created, [moment(rng, r.published_on) for r in reports], "Loaded from report fixture")
    # One theme per wording family: the same recommendation made to several forces.
    first_use: dict[str, tuple[PlannedRecommendation, datetime.date]] = {}
    for report in reports:
        for rec in report.recommendations:
            first_use.setdefault(rec.theme_key, (rec, report.published_on))
    themes = Theme.objects.bulk_create(
        [
            Theme(title=_theme_title(key), canonical_wording=rec.text, created_at=moment(rng, day))
            for key, (rec, day) in first_use.items()
        ],
        batch_size=INSERT_ROWS,
    )
    theme_ids = {key: theme.pk for key, theme in zip(first_use, themes, strict=True)}
    first_history(Theme, themes, [moment(rng, day) for _, day in first_use.values()], "Grouped on import")
    rows, dates = [], []
    for report in reports:
        for number, rec in enumerate(report.recommendations, start=1):
            rows.append(
                Recommendation(
                    report_id=report.pk,
                    number=number,
                    text=rec.text,
                    timeframe=rec.timeframe,
                    due_date=rec.due_date,
                    due_precision=rec.due_precision,
                    inspection_question=rec.question,
                    addressees=rec.addressees,
                    theme_id=theme_ids[rec.theme_key],
                    evidence=f"HMIC found that {evidence.choice(FINDINGS)}.",
                )
            )
            dates.append(moment(rng, report.published_on))
    created = Recommendation.objects.bulk_create(rows, batch_size=INSERT_ROWS)
    it = iter(created)
    for report in reports:
        for rec in report.recommendations:
            rec.pk = next(it).pk
    first_history(Recommendation, created, dates, "Loaded from report fixture")
    return len(themes)


def _theme_title(topic: str) -> str:
    title = topic[0].upper() + topic[1:]
    return title if len(title) <= 90 else title[:90].rsplit(" ", 1)[0] + "…"


def _planned_actions(reports: list[PlannedReport]) -> Iterator[tuple[PlannedReport, PlannedRecommendation, int]]:
    for report in reports:
        for rec in report.recommendations:
            for force_id in rec.force_ids:
                yield report, rec, force_id


def _write_actions(
    batch: list[tuple[PlannedReport, PlannedRecommendation, int]],
    *,
    rng: random.Random,
    choose: Choice,
    cast: Cast,
    today: datetime.date,
    summary: Summary,
) -> None:
    """Insert one batch of actions with their history rows, notes and extension requests: seven statements."""
    lives, actions = [], []
    for report, rec, force_id in batch:
        created = report.published_on + datetime.timedelta(days=rng.randint(0, 6))
        life = live(
            rng,
            created=created,
            due=rec.due_date,
            force_id=force_id,
            cast=cast,
            today=today,
            **choose(rng, rec, force_id),
        )
        state = {
            "recommendation_id": rec.pk,
            "force_id": force_id,
            "owner_id": None,
            "status": Status.NOT_STARTED,
            "due_date": rec.due_date,
            "revised_due_date": None,
            "recheck_on": None,
            "version": 1,
            "created_at": life.events[0][0],
            "started_at": None,
            "completed_at": None,
            "verified_at": None,
            "closed_at": None,
        }
        states = []
        for i, (at, _, _, changes) in enumerate(life.events):
            state = {**state, **changes, "version": i + 1}
            if changes.get("status") == Status.IN_PROGRESS and state["started_at"] is None:
                state["started_at"] = at
            states.append(state)
        lives.append((life, states))
        actions.append({**state, "updated_at": life.events[-1][0]})
        summary.statuses[state["status"]] += 1
    insert_rows(Action, actions)
    ids = {
        (rec_id, force_id): pk
        for pk, rec_id, force_id in Action.objects.filter(
            recommendation_id__in={a["recommendation_id"] for a in actions}
        ).values_list("pk", "recommendation_id", "force_id")
    }

    history, notes, extensions = [], [], []
    limit = reason_length(Action)
    for action, (life, states) in zip(actions, lives, strict=True):
        pk = action["id"] = ids[action["recommendation_id"], action["force_id"]]
        for (at, who, reason, _), state in zip(life.events, states, strict=True):
            history.append(
                {
                    **state,
                    "id": pk,
                    "history_date": at,
                    "history_type": "+" if state["version"] == 1 else "~",
                    "history_change_reason": reason if len(reason) <= limit else reason[: limit - 1] + "…",
                    "history_user_id": who,
                }
            )
        notes += [{"action_id": pk, "author_id": who, "created_at": at, "text": text} for at, who, text in life.notes]
        for e in life.extensions:
            extensions.append(
                {
                    "action_id": pk,
                    "requested_by_id": e["by"],
                    "requested_at": e["requested_at"],
                    "requested_due_date": e["requested_due_date"],
                    "reason": e["reason"],
                    "decision": e["decision"],
                    "decided_by_id": e.get("decided_by"),
                    "decided_at": e.get("decided_at"),
                    "decision_reason": e.get("decision_reason", ""),
                }
            )
    insert_rows(Action.history.model, history)
    insert_rows(ProgressNote, notes)
    insert_rows(ExtensionRequest, extensions)
    # Rows of one executemany or COPY get ascending ids, so each action's requests come back in the order written.
    request_ids: dict[int, list[int]] = {}
    for pk, action_id in (
        ExtensionRequest.objects.filter(action_id__in={e["action_id"] for e in extensions})
        .order_by("pk")
        .values_list("pk", "action_id")
    ):
        request_ids.setdefault(action_id, []).append(pk)
    rows = []
    for request in extensions:
        request["id"] = request_ids[request["action_id"]].pop(0)
        first = {
            **request,
            "decision": Decision.PENDING,
            "decided_by_id": None,
            "decided_at": None,
            "decision_reason": "",
        }
        rows.append(
            {
                **first,
                "history_date": request["requested_at"],
                "history_type": "+",
                "history_change_reason": "Extension requested",
                "history_user_id": request["requested_by_id"],
            }
        )
        if request["decided_at"]:
            rows.append(
                {
                    **request,
                    "history_date": request["decided_at"],
                    "history_type": "~",
                    "history_change_reason": f"Extension {Decision(request['decision']).label.lower()}",
                    "history_user_id": request["decided_by_id"],
                }
            )
    insert_rows(ExtensionRequest.history.model, rows)
    summary.actions += len(actions)
    summary.history_rows += len(history)
    summary.notes += len(notes)
    summary.extension_requests += len(extensions)


def write_lives(
    reports: list[PlannedReport],
    *,
    rng: random.Random,
    choose: Choice,
    cast: Cast,
    today: datetime.date,
    summary: Summary,
    batch_size: int = 5000,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Write the actions the planned (and already written) reports give, with their lives, a transaction a batch."""
    batch = []
    for item in _planned_actions(reports):
        batch.append(item)
        if len(batch) == batch_size:
            with transaction.atomic():
                _write_actions(batch, rng=rng, choose=choose, cast=cast, today=today, summary=summary)
            batch = []
            if progress:
                progress(f"{summary.actions} actions, {summary.history_rows} history rows")
    if batch:
        with transaction.atomic():
            _write_actions(batch, rng=rng, choose=choose, cast=cast, today=today, summary=summary)


def generate(
    *,
    actions: int,
    seed: int,
    today: datetime.date,
    batch_size: int = 5000,
    progress: Callable[[str], None] | None = None,
) -> Summary:
    """Build the demo data set: `actions` actions over 43 forces, reproducible from `seed` and `today`."""
    started = time.monotonic()
    rng = random.Random(seed)
    summary = Summary()
    restore_writes = fast_writes()
    try:
        with transaction.atomic():
            forces, bodies = ensure_forces()
            # Names and evidence draw from streams of their own, seeded alike, so that neither moves the plan.
            cast = create_cast(random.Random(seed), forces, bodies)
            reports = plan_reports(actions=actions, rng=rng, today=today, forces=forces, bodies=bodies)
            summary.themes = write_reports(reports, rng=rng, evidence=random.Random(seed))
        summary.forces = len(forces)
        summary.users = sum(len(v) for v in cast.leads.values()) + len(cast.offices) + len(cast.reviewers) + 1
        summary.reports = len(reports)
        summary.recommendations = sum(len(r.recommendations) for r in reports)
        outcomes = Outcomes.for_plan(reports, today)
        write_lives(
            reports,
            rng=rng,
            choose=lambda rng, rec, force_id: {"outcome": outcomes.choose(rng, rec.due_date, today)},
            cast=cast,
            today=today,
            summary=summary,
            batch_size=batch_size,
            progress=progress,
        )
        with transaction.atomic():
            write_responses(reports, {}, cast=cast, today=today, rng=random.Random(seed + 2))
        ForceSummary.objects.rebuild()  # written around the ORM, so counted afresh
    finally:
        restore_writes()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum would do shortly after a bulk load, done now
    summary.overdue = Action.objects.overdue(today).count()
    summary.seconds = time.monotonic() - started
    return summary
