"""The tracker `make run` shows: HMIC's reports, each action given a life up to today, and inspections under way now.

Built by the same code as the national data set (`plan`, `life`, `build`), relative to "today" so that it never
looks stale: the seed reports' actions were worked on, verified (some late), superseded, reopened or are still
outstanding; an inspection round published some months ago falls due in the coming weeks; a national report asks
every force for something; the round before last shows how extensions went. Owners, RAG ratings, progress notes,
pending extension requests and a few items on the public register come with them, and the log-ins `make run`
names have a few weeks of sign-ins on their account pages.
"""

from __future__ import annotations

import datetime
import random
from enum import Enum

from django.db import connection, transaction
from django.utils import timezone

from demo.build import Summary, ensure_forces, write_lives, write_reports
from demo.commissioners import DRAFT, INVITED, LATE, NOT_STARTED, PUBLISHED, write_responses
from demo.content import FORCE_PROGRAMMES, NATIONAL_REPORTS, NATIONAL_TOPICS
from demo.life import AWAITING, EXTENDED, NOT_ACCEPTED, OPEN, OVERDUE, SUPERSEDED, VERIFIED, Outcomes
from demo.plan import (
    DEMO_REPORT_PREFIX,
    DEMO_USER_PREFIX,
    Cast,
    PlannedRecommendation,
    PlannedReport,
    create_cast,
    force_report,
    national_recommendation,
    national_report,
)
from demo.sign_ins import write_account_changes, write_sign_ins
from tracker.models import Action, ExtensionRequest, Force, ForceSummary, ProgressNote, Report, User

SEED = 2014
FRESH_PROGRAMME = next(p for p in FORCE_PROGRAMMES if p.title == "Inspection of police custody")
# The round now under way is published in three tranches: "within six months" falls due in 2, 4 and 6 weeks.
CURRENT_TRANCHES = (168, 154, 140)  # days before today
NATIONAL_REPORT_AGE = 120  # days: its six-month recommendations fall due in about two months
PREVIOUS_ROUND_AGE = 600  # days: due more than a year ago, so late, extended and verified ones show
FRESH_REPORT_AGE = 21  # days: a custody inspection of each inspected force, its commissioner's response due soon
FORCES_PER_ROUND = 12
# Timeframes of the last two years' force rounds: all with a due date, within a year, so due dates fall as described.
CURRENT_TIMEFRAMES = (("Within six months", 6, 60), ("Within three months", 3, 25), ("Within 12 months", 12, 15))
# What became of the seed reports' actions, ten years on (the rest, and a few fixed ones below, are scripted).
SEED_OUTCOMES = ((VERIFIED, 90), (SUPERSEDED, 5), (NOT_ACCEPTED, 5))
# Of the last two years' actions past their due date: how many are still open, or awaiting review (old: due more
# than two years ago). A tracker in use has some of each, not the half a small plan would get from Outcomes.for_plan.
RECENT_OUTCOMES = Outcomes(overdue_old=0.05, overdue_recent=0.2, awaiting_old=0.02, awaiting_recent=0.08)
PUBLISHED_SHARE = 0.08


class State(Enum):
    """What the database holds, as far as the demo is concerned."""

    EMPTY = "nothing to bring to life: load the reports first"
    READY = "the loaded reports, untouched: the demo can be built"
    DEMO = "the demo already"
    IN_USE = "actions people have changed"


def state() -> State:
    """Return what the database holds: whether the demo can be built on it without touching anyone's work."""
    if User.objects.filter(username__startswith=DEMO_USER_PREFIX).exists():
        return State.DEMO
    if not Action.objects.exists():
        return State.EMPTY
    changed = (
        Action.objects.filter(version__gt=1).exists()
        or ProgressNote.objects.exists()
        or ExtensionRequest.objects.exists()
        or Report.objects.filter(slug__startswith=DEMO_REPORT_PREFIX).exists()
    )
    if changed:
        return State.IN_USE
    return State.READY


def build(*, today: datetime.date, seed: int = SEED) -> Summary:
    """Build the demo on a database holding the loaded reports and nothing else (`state()` is READY)."""
    if (found := state()) is not State.READY:
        raise ValueError(f"The demo is built on the loaded reports alone; the database holds {found.value}.")
    rng = random.Random(seed)
    summary = Summary()
    with transaction.atomic():
        forces, bodies = ensure_forces()
        cast = create_cast(random.Random(seed), forces, bodies)
        seeds = _seed_reports()
        _forget_loaded_actions(seeds)
        planned = plan_current_work(rng, today=today, forces=forces)
        summary.themes = write_reports(planned, rng=rng, evidence=random.Random(seed))
        write_lives(seeds, rng=rng, choose=_seed_lives(seeds), cast=cast, today=today, summary=summary)
        choose = _current_lives(planned, cast, today)
        write_lives(planned, rng=rng, choose=choose, cast=cast, today=today, summary=summary)
        fresh = plan_fresh_reports(random.Random(seed + 1), today=today)
        summary.themes += write_reports(fresh, rng=rng, evidence=random.Random(seed + 1))
        write_lives(fresh, rng=rng, choose=choose, cast=cast, today=today, summary=summary)
        write_responses(
            planned + fresh, response_stages(planned, fresh), cast=cast, today=today, rng=random.Random(seed + 2)
        )
        ForceSummary.objects.rebuild()  # written around the ORM, so counted afresh
        named = [User.objects.get(username=username) for username, _what in log_ins() if "<" not in username]
        write_sign_ins(named, today=today, rng=random.Random(seed + 3))
        # Everyone's account dates from the first report they worked on, not from the day the demo was built.
        first_report = Report.objects.order_by("published_on").values_list("published_on", flat=True).first()
        joined = timezone.make_aware(datetime.datetime.combine(first_report, datetime.time(9)))
        User.objects.filter(username__startswith=DEMO_USER_PREFIX).update(date_joined=joined)
        first_inspected = Force.objects.filter(pk__in=_seed_inspections()).order_by("name").first()
        admin = User.objects.get(username=f"{DEMO_USER_PREFIX}admin")
        write_account_changes(admin, first_inspected, today=today, rng=random.Random(seed + 4))
    summary.forces = len(forces)
    summary.users = User.objects.filter(username__startswith=DEMO_USER_PREFIX).count()
    summary.reports = Report.objects.count()
    summary.recommendations = sum(len(r.recommendations) for r in seeds + planned)
    summary.overdue = Action.objects.overdue(today).count()
    return summary


def plan_current_work(rng: random.Random, *, today: datetime.date, forces: list[Force]) -> list[PlannedReport]:
    """Return the reports of the last two years: the round before last, a national report, the round under way."""
    previous, current = FORCE_PROGRAMMES[1], FORCE_PROGRAMMES[2]
    # The forces the shipped reports inspected are in both rounds, so their leads see work overdue and due soon.
    seed_forces = list(Force.objects.filter(pk__in=_seed_inspections()).order_by("slug"))

    def inspection_round() -> list[Force]:
        return (seed_forces + [f for f in rng.sample(forces, FORCES_PER_ROUND) if f not in seed_forces])[
            :FORCES_PER_ROUND
        ]

    inspected, now_inspected = inspection_round(), inspection_round()
    reports = []
    day = today - datetime.timedelta(days=PREVIOUS_ROUND_AGE)
    for force in inspected:
        count = rng.randint(3, min(5, len(previous.topics)))
        reports.append(force_report(rng, previous, day, force, count, timeframes=CURRENT_TIMEFRAMES))
    national = today - datetime.timedelta(days=NATIONAL_REPORT_AGE)
    title = rng.choice(NATIONAL_REPORTS[1:])
    report = national_report(title, national)
    for topic in rng.sample(NATIONAL_TOPICS, 3):
        report.recommendations.append(
            national_recommendation(rng, topic, national, [f.pk for f in forces], timeframes=CURRENT_TIMEFRAMES)
        )
    reports.append(report)
    for n, force in enumerate(now_inspected):
        day = today - datetime.timedelta(days=CURRENT_TRANCHES[n % len(CURRENT_TRANCHES)])
        reports.append(
            force_report(
                rng, current, day, force, rng.randint(3, min(6, len(current.topics))), timeframes=CURRENT_TIMEFRAMES
            )
        )
    return reports


def plan_fresh_reports(rng: random.Random, *, today: datetime.date) -> list[PlannedReport]:
    """Return a custody inspection of each force the shipped reports inspected, published FRESH_REPORT_AGE days ago:
    its commissioner's response is due in the coming weeks."""
    day = today - datetime.timedelta(days=FRESH_REPORT_AGE)
    forces = Force.objects.filter(pk__in=_seed_inspections()).order_by("slug")
    return [force_report(rng, FRESH_PROGRAMME, day, force, 2, timeframes=CURRENT_TIMEFRAMES) for force in forces]


def response_stages(planned: list[PlannedReport], fresh: list[PlannedReport]) -> dict[str, str]:
    """
    Return how far each force report's commissioner's response has got (by slug; published on time if not named):
    of the round before last, the last one was published late; of the round under way (all past their 56 days),
    the first force's is an overdue draft, the last force's not started; of the fresh custody reports, one each
    invited the chief officer's comments, drafted, not started and published.
    """
    previous, current = planned[:FORCES_PER_ROUND], planned[-FORCES_PER_ROUND:]
    stages = {previous[-1].slug: LATE, current[0].slug: DRAFT, current[-2].slug: LATE, current[-1].slug: NOT_STARTED}
    for report, stage in zip(fresh, (INVITED, DRAFT, NOT_STARTED, PUBLISHED), strict=False):
        stages[report.slug] = stage
    return stages


def _seed_reports() -> list[PlannedReport]:
    """Return the loaded reports as planned ones (their recommendations and addressed forces), oldest first."""
    reports = []
    for report in Report.objects.order_by("published_on", "slug").prefetch_related("recommendations__actions"):
        planned = PlannedReport(
            report.slug, report.title, report.series, report.published_on, report.subject_force_id, pk=report.pk
        )
        for rec in report.recommendations.all():
            planned.recommendations.append(
                PlannedRecommendation(
                    rec.text,
                    rec.timeframe,
                    rec.due_date,
                    rec.due_precision,
                    theme_key="",
                    force_ids=sorted(a.force_id for a in rec.actions.all()),
                    pk=rec.pk,
                )
            )
        reports.append(planned)
    return reports


def _forget_loaded_actions(reports: list[PlannedReport]) -> None:
    """Delete the loaded reports' untouched actions and their one history row each, to write them with a life."""
    ids = list(
        Action.objects.filter(recommendation__report__pk__in=[r.pk for r in reports]).values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        for model in (Action.history.model, Action):
            table = connection.ops.quote_name(model._meta.db_table)
            column = connection.ops.quote_name(model._meta.get_field("id").column)
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", chunk)  # noqa: S608


def _current_lives(reports: list[PlannedReport], cast: Cast, today: datetime.date):
    """Return the chooser of the recent reports' lives: by their dates, and a few fixed ones every lead sees."""
    outcomes = RECENT_OUTCOMES
    # Each seed force's first recommendation of the round before last is overdue, and its second had its due date
    # moved twice and is on the public register; of the round under way, the first waits for an extension decision
    # and the second for review. The rest go as their dates make likely.
    first_lead = {force_id: leads[0] for force_id, leads in cast.leads.items()}
    seed_forces = set(Force.objects.filter(pk__in=_seed_inspections()).values_list("pk", flat=True))
    script = {}
    rounds = (
        (
            reports[:FORCES_PER_ROUND],
            [{"outcome": OVERDUE}, {"outcome": EXTENDED, "moved_twice": True, "publish": True}],
        ),
        (reports[-FORCES_PER_ROUND:], [{"outcome": OPEN, "ask_extension": True}, {"outcome": AWAITING}]),
    )
    for round_reports, scripted in rounds:
        for report in round_reports:
            if report.subject_force_id in seed_forces:
                for rec, extra in zip(report.recommendations, scripted, strict=False):
                    # The force's first lead (demo.psd.<force>) owns them, so "My actions" has work in it.
                    script[rec.pk, report.subject_force_id] = {**extra, "owner": first_lead[report.subject_force_id]}

    def choose(rng: random.Random, rec: PlannedRecommendation, force_id: int) -> dict:
        extra = script.get((rec.pk, force_id), {})
        if extra.get("outcome") == OVERDUE and (rec.due_date is None or rec.due_date >= today):
            extra = {"owner": extra["owner"]}  # not due yet: it goes as its dates make likely
        outcome = extra.get("outcome") or outcomes.choose(rng, rec.due_date, today)
        return {
            "outcome": outcome,
            "rate": True,
            # The register shows moved due dates: half of those extended are published.
            "publish": rng.random() < (0.5 if outcome == EXTENDED else PUBLISHED_SHARE / 2)
            or extra.get("publish", False),
            "ask_extension": extra.get("ask_extension", False),
            "moved_twice": extra.get("moved_twice"),
            "owner": extra.get("owner"),
        }

    return choose


def seed_inspected_forces() -> list[Force]:
    """Return the forces the loaded (not generated) force reports inspected, by name."""
    return list(Force.objects.filter(pk__in=_seed_inspections()).order_by("name"))


def _seed_inspections():
    """Return the forces the loaded (not generated) force reports inspected, as a subquery."""
    return Report.objects.exclude(slug__startswith=DEMO_REPORT_PREFIX).values("subject_force")


def _seed_lives(reports: list[PlannedReport]):
    """Return the chooser of the seed actions' lives: mostly verified, and one each of the cases people ask about."""
    # Of the force reports' actions: the first is superseded, the second was reopened before it was verified, the
    # third was reopened and, years late, is awaiting review again; the rest went as most did.
    scripted = [
        {"outcome": SUPERSEDED},
        {"outcome": VERIFIED, "reopen": True, "publish": True},
        {"outcome": AWAITING, "reopen": True},
    ]
    firsts = {(rec.pk, rec.force_ids[0]) for r in reports if r.subject_force_id for rec in r.recommendations[:1]}
    script = dict(zip(sorted(firsts), scripted, strict=False))
    outcomes, weights = zip(*SEED_OUTCOMES, strict=True)

    def choose(rng: random.Random, rec: PlannedRecommendation, force_id: int) -> dict:
        if (rec.pk, force_id) in script:
            return script[rec.pk, force_id]
        return {"outcome": rng.choices(outcomes, weights)[0], "publish": rng.random() < PUBLISHED_SHARE}

    return choose


def log_ins() -> list[tuple[str, str]]:
    """Return the demo log-ins worth trying first: a reviewer, the admin, the PSD leads of the inspected forces and a
    commissioner's office."""
    users = {u.username: u for u in User.objects.filter(username__startswith=DEMO_USER_PREFIX)}
    rows = []
    if reviewer := users.get(f"{DEMO_USER_PREFIX}reviewer"):
        rows.append((reviewer.username, f"HMIC follow-up reviewer ({reviewer.get_full_name()}), every force"))
    if admin := users.get(f"{DEMO_USER_PREFIX}admin"):
        rows.append((admin.username, f"Admin ({admin.get_full_name()}): people at /people/, imports at /admin/"))
    for force in Force.objects.filter(pk__in=_seed_inspections()).order_by("name"):
        if lead := users.get(f"{DEMO_USER_PREFIX}psd.{force.slug}"):
            rows.append((lead.username, f"PSD lead, {force.name} ({lead.get_full_name()})"))
    for force in Force.objects.filter(pk__in=_seed_inspections()).order_by("name")[:1]:
        if office := users.get(f"{DEMO_USER_PREFIX}pcc.{force.slug}"):
            rows.append((office.username, f"Police and crime commissioner's office, {force.name}: its responses"))
    if rows:
        rows.append((f"{DEMO_USER_PREFIX}psd.<force-slug>", "PSD lead of any other force (also .2 and .3)"))
        rows.append((f"{DEMO_USER_PREFIX}pcc.<force-slug>", "The commissioner's office of any force"))
    return rows
