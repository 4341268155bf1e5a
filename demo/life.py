"""The simulated life of each demo action: owners, progress, extension requests, completion, review and closure.

Each step is written as the workflow writes it: a transition's reason and target status from
`tracker.workflow.TRANSITIONS`, so the demo's history rows read as those of a real action.
"""

from __future__ import annotations

import datetime
import random
import zoneinfo
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings

from demo.content import (
    COMPLETION_NOTES,
    EXTENSION_REASONS,
    NOT_ACCEPTED_REASONS,
    PROGRESS_NOTES,
    RAG_REASONS,
    RECHECK_NOTES,
    REFUSAL_REASONS,
    REOPEN_REASONS,
    SUPERSEDE_REASONS,
    VERIFY_NOTES,
)
from tracker.dates import long_date
from tracker.models import ExtensionRequest
from tracker.report_parser import add_months
from tracker.workflow import TRANSITIONS, recheck_reason

if TYPE_CHECKING:
    from demo.plan import Cast, PlannedReport

HISTORY_PER_ACTION = 10  # the mean the owner changes are tuned to reach
TARGET_OVERDUE = 0.15
TARGET_AWAITING = 0.10
LONDON = zoneinfo.ZoneInfo(settings.TIME_ZONE)
Decision = ExtensionRequest.Decision

# What happens to an action, chosen from its dates so that the national mix is realistic.
OVERDUE, OPEN, EXTENDED, AWAITING, VERIFIED, SUPERSEDED, NOT_ACCEPTED = (
    "overdue",
    "open",
    "extended",
    "awaiting",
    "verified",
    "superseded",
    "not_accepted",
)


@dataclass
class Outcomes:
    """Chances of each outcome for past-due actions (recent ones, due in the last two years, weigh more)."""

    overdue_old: float
    overdue_recent: float
    awaiting_old: float
    awaiting_recent: float

    @classmethod
    def for_plan(cls, reports: list[PlannedReport], today: datetime.date) -> Outcomes:
        recent_from = today - datetime.timedelta(days=730)
        n_old = n_recent = n_other = 0
        for report in reports:
            for rec in report.recommendations:
                n = len(rec.force_ids)
                if rec.due_date is None or rec.due_date >= today:
                    n_other += n
                elif rec.due_date >= recent_from:
                    n_recent += n
                else:
                    n_old += n
        total = n_old + n_recent + n_other
        weighted = n_old + 2.5 * n_recent
        overdue = TARGET_OVERDUE * total / weighted if weighted else 0
        awaiting = max(0.0, TARGET_AWAITING * total - 0.10 * n_other) / (n_old + 3 * n_recent or 1)
        return cls(min(overdue, 0.8), min(2.5 * overdue, 0.8), min(awaiting, 0.5), min(3 * awaiting, 0.5))

    def choose(self, rng: random.Random, due: datetime.date | None, today: datetime.date) -> str:
        r = rng.random()
        if due is None:
            return rng.choices((OPEN, AWAITING, VERIFIED, SUPERSEDED), weights=(55, 10, 30, 5))[0]
        if due >= today:
            return rng.choices((OPEN, AWAITING, VERIFIED), weights=(85, 10, 5))[0]
        recent = (today - due).days <= 730
        overdue = self.overdue_recent if recent else self.overdue_old
        awaiting = self.awaiting_recent if recent else self.awaiting_old
        extended = 0.06 if recent else 0.0
        if r < overdue:
            return OVERDUE
        if r < overdue + awaiting:
            return AWAITING
        if r < overdue + awaiting + extended:
            return EXTENDED
        return rng.choices((VERIFIED, SUPERSEDED, NOT_ACCEPTED), weights=(83, 10, 7))[0]


@dataclass
class Life:
    """One action's events, notes and extension requests, ready to become rows."""

    events: list[tuple[datetime.datetime, int | None, str, dict]] = field(default_factory=list)
    notes: list[tuple[datetime.datetime, int, str]] = field(default_factory=list)
    extensions: list[dict] = field(default_factory=list)


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    if last <= first:
        return first
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def moment(rng: random.Random, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=LONDON)


def _step(day: datetime.date, order: int, who: int | None, name: str, text: str = "", **changes) -> tuple:
    """Return transition `name` made by `who` on `day` as a step: its reason, its target status and `changes`."""
    return (day, order, who, TRANSITIONS[name].reason(text), {"status": TRANSITIONS[name].target, **changes})


def live(
    rng: random.Random,
    *,
    outcome: str,
    created: datetime.date,
    due: datetime.date | None,
    force_id: int,
    cast: Cast,
    today: datetime.date,
    reopen: bool | None = None,
    rate: bool = False,
    publish: bool = False,
    ask_extension: bool = False,
    owner: int | None = None,
    moved_twice: bool | None = None,
) -> Life:
    """Return what happened to one action from the day it was loaded until yesterday, ending in `outcome`.

    `reopen` says whether a completed action was reopened once on its way (None: by chance); `rate` gives an
    open action a RAG rating; `publish` has a reviewer publish it on the public register; `ask_extension` leaves an
    open action with an extension request waiting for a decision; `owner` is who takes it on and keeps it (else
    one of the force's leads by chance, and others as people move on); `moved_twice` has an extended action's due
    date moved twice (None: by chance).
    """
    last = today - datetime.timedelta(days=1)
    leads = cast.leads[force_id]
    reviewer = rng.choice(cast.reviewers)
    # (day, order, who, reason, changes); order breaks ties between events on one day.
    steps: list[tuple[datetime.date, int, int | None, str, dict]] = []
    notes: list[tuple[datetime.date, int, str]] = []
    extensions: list[dict] = []
    first_owner, owner = owner, None
    if outcome != OPEN or first_owner is not None or rng.random() < 0.85:
        owner_day = _day_between(rng, created + datetime.timedelta(days=1), min(last, created + datetime.timedelta(45)))
        owner = first_owner or rng.choice(leads)
        steps.append((owner_day, 1, rng.choice(leads), f"Owner set to {cast.names[owner]}", {"owner_id": owner}))
    else:
        owner_day = created
    started = outcome != OPEN or rng.random() < 0.65
    if outcome == OVERDUE:
        started = rng.random() < 0.75
    started = started or ask_extension
    start_day = _day_between(rng, owner_day, min(last, owner_day + datetime.timedelta(days=60)))
    if started:
        steps.append(_step(start_day, 2, owner or rng.choice(leads), "start"))
    active_end = last
    effective_due = due
    not_before = start_day  # completion and closure come after the last decision on the action

    # Extension requests: approved ones move the due date; refused ones leave it; pending ones await HMIC.
    wants_extension = (
        started
        and due is not None
        and (outcome == EXTENDED or (outcome in (OVERDUE, VERIFIED, AWAITING) and rng.random() < 0.15))
    )
    ask_by, ask_from = due, start_day
    if wants_extension and outcome == EXTENDED and (rng.random() < 0.35 if moved_twice is None else moved_twice):
        # Moved twice: a shorter extension first, approved, then the one the action runs to now.
        first_revised = add_months(due, rng.randint(1, 3))
        first_asked = _day_between(rng, max(start_day, due - datetime.timedelta(days=45)), min(last, due))
        first_decided = first_asked + datetime.timedelta(days=rng.randint(5, 20))
        if first_decided + datetime.timedelta(days=10) < min(first_revised, last):
            extensions.append(
                {
                    "asked": first_asked,
                    "by": owner or rng.choice(leads),
                    "requested_due_date": first_revised,
                    "reason": rng.choice(EXTENSION_REASONS),
                    "decided": first_decided,
                    "decided_by": reviewer,
                    "decision": Decision.APPROVED,
                    "decision_reason": "",
                }
            )
            steps.append(
                (
                    first_decided,
                    3,
                    reviewer,
                    f"Extension approved: due date revised to {long_date(first_revised)}",
                    {"revised_due_date": first_revised},
                )
            )
            effective_due = first_revised
            ask_by, ask_from = first_revised, first_decided + datetime.timedelta(days=1)
    if wants_extension:
        asked = _day_between(rng, max(ask_from, ask_by - datetime.timedelta(days=45)), min(last, ask_by))
        decided = min(last, asked + datetime.timedelta(days=rng.randint(5, 35)))
        if outcome == EXTENDED:
            revised = today + datetime.timedelta(days=rng.randint(20, 300))
        else:
            revised = add_months(due, rng.randint(2, 6))
        approve = revised > due and (outcome == EXTENDED or rng.random() < 0.7)
        if outcome == OVERDUE and revised >= today:
            approve = False  # an approved date in the future would make it not overdue
        extension = {
            "asked": asked,
            "by": owner or rng.choice(leads),
            "requested_due_date": max(revised, effective_due + datetime.timedelta(days=1)),
            "reason": rng.choice(EXTENSION_REASONS),
            "decided": decided,
            "decided_by": reviewer,
            "decision": Decision.APPROVED if approve else Decision.REFUSED,
            "decision_reason": "" if approve else rng.choice(REFUSAL_REASONS),
        }
        extensions.append(extension)
        if approve:
            effective_due = extension["requested_due_date"]
            not_before = max(not_before, decided)
            steps.append(
                (
                    decided,
                    3,
                    reviewer,
                    f"Extension approved: due date revised to {long_date(effective_due)}",
                    {"revised_due_date": effective_due},
                )
            )
    if (
        outcome in (OVERDUE, OPEN)
        and started
        and (ask_extension or rng.random() < (0.12 if outcome == OVERDUE else 0.05))
    ):
        asked = _day_between(rng, max(start_day, last - datetime.timedelta(days=45)), last)
        floor = max(today, effective_due or today) + datetime.timedelta(days=30)
        extensions.append(
            {
                "asked": asked,
                "by": owner or rng.choice(leads),
                "requested_due_date": floor + datetime.timedelta(days=rng.randint(0, 150)),
                "reason": rng.choice(EXTENSION_REASONS),
                "decision": Decision.PENDING,
            }
        )

    # Completion, reopening, review and closure.
    if outcome in (AWAITING, VERIFIED):
        if outcome == AWAITING:
            done = _day_between(rng, max(not_before, last - datetime.timedelta(days=150)), last)
        elif effective_due and effective_due < last and rng.random() < 0.35:
            done = _day_between(rng, effective_due + datetime.timedelta(days=1), effective_due + timedelta_days(400))
        else:
            done = _day_between(rng, not_before, effective_due or not_before + timedelta_days(300))
        done = max(not_before, min(done, last - datetime.timedelta(days=8 if outcome == VERIFIED else 0)))
        if reopen and done - not_before <= datetime.timedelta(days=40):
            done = min(last, not_before + datetime.timedelta(days=rng.randint(45, 120)))
        if (rng.random() < 0.3 if reopen is None else reopen) and done - not_before > datetime.timedelta(days=40):
            first = _day_between(rng, not_before + datetime.timedelta(days=1), done - datetime.timedelta(days=30))
            reopened = first + datetime.timedelta(days=rng.randint(5, 25))
            text = rng.choice(COMPLETION_NOTES)
            reason = rng.choice(REOPEN_REASONS)
            steps.append(_step(first, 4, owner or rng.choice(leads), "complete", text, completed_at=first))
            steps.append(
                _step(reopened, 5, reviewer, "reopen", reason, completed_at=None, verified_at=None, closed_at=None)
            )
        text = rng.choice(COMPLETION_NOTES)
        steps.append(_step(done, 6, owner or rng.choice(leads), "complete", text, completed_at=done))
        active_end = done
        if outcome == VERIFIED:
            verified = _day_between(rng, done + datetime.timedelta(days=7), min(last, done + timedelta_days(150)))
            note = rng.choice(VERIFY_NOTES)
            if rng.random() < 0.25:  # with a demonstration period: checked again months later
                recheck = verified + datetime.timedelta(days=rng.randint(90, 270))
                steps.append(_step(verified, 7, reviewer, "verify", note, verified_at=verified, recheck_on=recheck))
                if recheck < last and rng.random() < 0.6:
                    rechecked = _day_between(rng, recheck, min(last, recheck + datetime.timedelta(days=30)))
                    reason = recheck_reason(rechecked, rng.choice(RECHECK_NOTES))
                    steps.append((rechecked, 8, reviewer, reason, {"recheck_on": None}))
            else:
                steps.append(_step(verified, 7, reviewer, "verify", note, verified_at=verified))
    elif outcome in (SUPERSEDED, NOT_ACCEPTED):
        base = due or created + timedelta_days(200)
        closed = _day_between(rng, max(not_before, base - timedelta_days(30)), min(last, base + timedelta_days(700)))
        name, reasons = (
            ("supersede", SUPERSEDE_REASONS) if outcome == SUPERSEDED else ("not_accept", NOT_ACCEPTED_REASONS)
        )
        reason = rng.choice(reasons)
        steps.append(_step(closed, 7, reviewer, name, reason, closed_at=closed))
        active_end = closed

    if rate and started and outcome in (OPEN, OVERDUE, EXTENDED):
        rated = _day_between(rng, start_day, last)
        if effective_due is not None and effective_due < today:
            rag = "red"
        elif effective_due is not None and (effective_due - today).days < 45:
            rag = rng.choice(("amber", "amber", "green", "red"))
        else:
            rag = rng.choice(("green", "green", "amber"))
        reason = rng.choice(RAG_REASONS[rag])
        label = rag.capitalize()
        steps.append(
            (
                rated,
                8,
                owner or rng.choice(leads),
                f"RAG rating none → {label}: {reason}",
                {"rag": rag, "rag_reason": reason},
            )
        )
    if publish:
        steps.append(
            (
                _day_between(rng, owner_day, last),
                9,
                reviewer,
                "Published on the public register",
                {"is_publishable": True},
            )
        )

    # Owners change as people move on: enough changes to bring the history to about HISTORY_PER_ACTION rows.
    if owner is not None and first_owner is None and len(leads) > 1:
        span = (active_end - owner_day).days
        wanted = max(0, round(rng.gauss(HISTORY_PER_ACTION - 1 - len(steps), 1.5)))
        first_change = owner_day + datetime.timedelta(days=1)
        for day in sorted(_day_between(rng, first_change, active_end) for _ in range(min(wanted, span // 14))):
            owner = rng.choice([u for u in leads if u != owner])
            steps.append((day, 0, rng.choice(leads), f"Owner set to {cast.names[owner]}", {"owner_id": owner}))
    for _ in range(rng.randint(0, 3) if started else 0):
        notes.append((_day_between(rng, start_day, active_end), owner or leads[0], rng.choice(PROGRESS_NOTES)))

    life = Life()
    # Nothing happens after yesterday, whatever the dates above asked for.
    steps = [(min(day, last), *rest) for day, *rest in steps]
    life.events = _timed(rng, [(created, -1, None, "Loaded from report fixture", {})] + steps)
    life.notes = [(moment(rng, min(day, last)), who, text) for day, who, text in notes]
    for extension in extensions:
        extension["requested_at"] = moment(rng, extension.pop("asked"))
        if "decided" in extension:
            extension["decided_at"] = moment(rng, extension.pop("decided"))
        life.extensions.append(extension)
    return life


def timedelta_days(days: int) -> datetime.timedelta:
    return datetime.timedelta(days=days)


def _timed(rng: random.Random, steps: list) -> list[tuple[datetime.datetime, int | None, str, dict]]:
    """Give each step a time of day, strictly later than the step before it."""
    steps.sort(key=lambda s: (s[0], s[1]))
    timed = []
    previous = None
    for day, _, who, reason, changes in steps:
        at = moment(rng, day)
        if previous is not None and at <= previous:
            at = previous + datetime.timedelta(minutes=rng.randint(3, 90))
        # Dates recorded in the changes (completed on a day) take the moment the change was made.
        changes = {k: (at if isinstance(v, datetime.date) and k.endswith("_at") else v) for k, v in changes.items()}
        timed.append((at, who, reason, changes))
        previous = at
    return timed
