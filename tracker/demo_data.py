"""
A realistic national demo data set, built fast and reproducibly for demos and benchmarks.

The shape follows how HMIC's recommendations reach forces: national thematic reports whose
recommendations go to all 43 territorial forces (most actions), force inspection rounds that give
each force its own report, and a few recommendations to national bodies. Each action gets a life
that fits its dates — owners, being progressed, extension requests, completion, review — written
as the history rows, progress notes and extension requests the workflow itself would leave.

Everything is bulk-inserted in batches (no query per row), and the same seed and "today" give the
same data. Demo data is marked: report slugs start with "demo-", user names with "demo.".
"""

from __future__ import annotations

import calendar
import datetime
import math
import random
import time
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import factory
import factory.random
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, models, transaction
from django.utils.text import slugify

from tracker.models import (
    Action,
    DatePrecision,
    ExtensionRequest,
    Force,
    KeyFigure,
    ProgressNote,
    Recommendation,
    ReminderLog,
    Report,
    Theme,
    User,
)

DEMO_REPORT_PREFIX = "demo-"
DEMO_USER_PREFIX = "demo."
DEMO_PASSWORD = "demo-tracker-2026"
YEARS = 12  # reports spread over the twelve years before "today" (2014–2026 for a 2026 today)
LEADS_PER_FORCE = 3
REVIEWERS = 5
HISTORY_PER_ACTION = 10  # the mean the owner changes are tuned to reach
FORCE_SHARE = 0.08  # of actions: from force inspection reports (one force each)
BODY_SHARE = 0.08  # of national recommendations: addressed to one national body rather than all forces
TARGET_OVERDUE = 0.15
TARGET_AWAITING = 0.10
INSERT_ROWS = 2000  # rows per INSERT statement where the database allows it (SQLite caps it lower)
ACTION_STATUS = Action.Status
LONDON = zoneinfo.ZoneInfo(settings.TIME_ZONE)


# --- What the reports say ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Programme:
    """A force inspection programme: each round gives every force a report with these kinds of recommendation."""

    title: str
    question: str
    topics: tuple[str, ...]


FORCE_PROGRAMMES = (
    Programme(
        "Police Integrity and Corruption",
        "How well does the force proactively look for, and effectively challenge and investigate misconduct and "
        "unprofessional behaviour?",
        (
            "communicate to all staff the requirements to comply with policies relating to notifiable associations, "
            "secondary employment, business interests and gifts and hospitality",
            "have a policy which informs staff of the gifts and hospitality that are appropriate to accept and why",
            "carry out regular audits of integrity-related registers including gifts and hospitality, business "
            "interests, notifiable associations and expense claims",
            "have formal arrangements for the oversight of integrity and corruption-related issues, with clear lines "
            "of reporting and accountability",
            "make sure all staff understand the support mechanisms available to those individuals reporting misconduct",
            "have the proactive capability to gather, respond and act on information which identifies patterns of "
            "unprofessional behaviour and corruption",
            "publish a policy which clarifies the position on suspension, resignation and retirement of officers under "
            "disciplinary investigation",
            "have an effective process to communicate to all staff the lessons learnt on integrity and corruption",
        ),
    ),
    Programme(
        "PEEL: Police effectiveness",
        "How effective is the force at protecting those who are vulnerable from harm, and supporting victims?",
        (
            "improve how it identifies repeat and vulnerable victims when they first contact the force",
            "make sure that risk assessments for victims of domestic abuse are completed and reviewed by trained "
            "supervisors",
            "improve its response to missing children, including the quality of return home interviews",
            "make sure officers understand and use their powers to protect victims of domestic abuse, including "
            "domestic violence protection notices and orders",
            "improve the supervision and quality of investigations, so that victims receive a consistent service",
            "reduce the backlog of digital devices awaiting examination, so that investigations are not delayed",
        ),
    ),
    Programme(
        "PEEL: Police efficiency",
        "How efficient is the force at keeping people safe and reducing crime?",
        (
            "develop a clear understanding of the demand for its services, including less visible crime",
            "have a workforce plan that sets out the skills and capabilities it will need in future",
            "evaluate the benefits of its collaboration with other forces and public bodies",
            "make sure its neighbourhood teams are not routinely taken away from their core work",
        ),
    ),
    Programme(
        "PEEL: Police legitimacy",
        "How legitimate is the force at keeping people safe and reducing crime?",
        (
            "make sure that all officers who use stop and search powers understand what constitutes reasonable grounds",
            "record and analyse its use of force, and publish the data",
            "improve how it seeks and acts on feedback from the communities it serves",
            "monitor its vetting decisions for disproportionality and act on what it finds",
            "treat the abuse of position for a sexual purpose as serious corruption and refer cases to the "
            "Independent Office for Police Conduct",
        ),
    ),
    Programme(
        "Crime Data Integrity",
        "How well does the force record crime?",
        (
            "make sure that reports of crime are recorded within 24 hours, in line with the Home Office Counting Rules",
            "improve the recording of reports of rape and other sexual offences",
            "make sure that crimes are cancelled only when there is additional verifiable information",
            "train call handlers and officers in the crime recording standards",
        ),
    ),
    Programme(
        "Inspection of police custody",
        "How well does the force treat the people detained in its custody?",
        (
            "make sure that detainees are not held in custody longer than is necessary",
            "make sure that children charged and refused bail are moved to local authority accommodation",
            "improve the recording and oversight of the use of force in custody",
            "make sure that the rights and entitlements of detainees are explained in a way they understand",
        ),
    ),
    Programme(
        "National child protection inspection",
        "How well does the force protect children at risk of harm?",
        (
            "make sure that officers attending incidents involving children record the child's views and behaviour",
            "improve the quality and timeliness of strategy discussions with children's social care",
            "make sure that children are held in police cells overnight only when it cannot be avoided",
        ),
    ),
)

NATIONAL_REPORTS = (
    "Without fear or favour: a review of police relationships",
    "Everyone's business: improving the police response to domestic abuse",
    "Crime recording: making the victim count",
    "Stolen freedom: the policing response to modern slavery and human trafficking",
    "Real lives, real crimes: a study of digital crime and policing",
    "Shining a light on betrayal: abuse of position for a sexual purpose",
    "Stop and search powers: are the police using them effectively and fairly?",
    "Living in fear: the police and CPS response to harassment and stalking",
    "Making it fair: a joint inspection of the disability hate crime",
    "Missing children: who cares?",
    "Core business: an inspection into crime prevention, police attendance and investigation",
    "Fraud: time to choose",
    "Disproportionate use of police powers: a spotlight on stop and search and the use of force",
    "Pre-charge bail and released under investigation: striking a balance",
    "An inspection of vetting, misconduct, and misogyny in the police service",
    "Police response to violence against women and girls",
    "An inspection of how well the police tackle serious youth violence",
    "State of policing: the annual assessment of policing in England and Wales",
)
NATIONAL_TOPICS = (
    "institute robust systems to ensure risks arising from relationships, information disclosure, gratuities, "
    "hospitality, contracting and secondary employment are identified, monitored and managed",
    "set clear boundaries and thresholds for gifts and hospitality, consistent across the service",
    "make sure that all staff are vetted to the national standard, and that vetting is renewed when it expires",
    "record every domestic abuse incident accurately and make sure the victim's risk is assessed",
    "appoint a chief officer lead for modern slavery and human trafficking",
    "make sure that call handlers can identify vulnerability and repeat victimisation",
    "give victims of stalking the information and support they are entitled to under the Victims' Code",
    "use body-worn video whenever stop and search powers are used, and review the footage",
    "publish their stop and search and use of force data, with an explanation of any disproportionality",
    "improve the training of investigators in obtaining digital evidence",
    "make sure that every suspect released under investigation is reviewed by a supervisor within 28 days",
    "tackle the backlog of outstanding suspects shown on the Police National Computer",
    "make sure that the counter-corruption unit has the capacity and capability to meet demand",
    "monitor the use of their IT systems to identify staff who may be abusing their position",
    "work with partner agencies to make sure children who go missing are safeguarded on their return",
    "give neighbourhood policing a clear purpose and protect its resources",
    "make sure that rape investigations are allocated to specially trained officers",
    "record and respond to reports of hate crime consistently, and keep victims informed",
    "make sure that domestic abuse protection orders are applied for and their conditions enforced",
    "improve the quality of the files they send to the Crown Prosecution Service",
)
NATIONAL_BODIES = {
    "home-office": "the Home Office",
    "acpo": "ACPO",
    "npcc": "the National Police Chiefs' Council",
    "college-of-policing": "the College of Policing",
    "hmic": "HMIC",
}
FINDINGS = (
    "staff had a limited understanding of the policy and where to find it",
    "the register was incomplete and had not been audited for over a year",
    "supervisors did not routinely review the quality of the work",
    "the force could not show how it used what it had learnt from complaints",
    "the force's performance was inconsistent across its local policing areas",
    "the force had no clear plan for meeting the demand it faces",
    "victims were not always kept informed about the progress of their case",
    "the data the force held was incomplete, so it could not monitor its use of the power",
)
PROGRESS_NOTES = (
    "Draft policy out for consultation with the staff associations.",
    "Working group set up; terms of reference agreed by the chief officer group.",
    "Audit of the register started; first results expected next month.",
    "Training package written with the College of Policing; pilot in one area.",
    "Update to the professional standards board: on track.",
    "Procurement of the new system approved; delivery planned for the autumn.",
    "Briefing delivered to all sergeants and inspectors.",
    "Awaiting sign-off from the police and crime commissioner's office.",
)
COMPLETION_NOTES = (
    "Policy published on the intranet and briefed to all staff; briefing records attached.",
    "Audit completed and findings reported to the professional standards board.",
    "Training delivered to 94% of frontline officers and staff; attendance records attached.",
    "New oversight board in place, chaired by the deputy chief constable; terms of reference attached.",
    "Process changed and embedded; dip sample of 50 cases shows it is followed.",
    "Data now published quarterly on the force website.",
)
REOPEN_REASONS = (
    "The evidence does not show the policy has reached police staff as well as officers.",
    "Please provide the audit results, not only the audit plan.",
    "The dip sample is too small to show the change is embedded.",
    "The training records do not cover the contact centre.",
)
VERIFY_NOTES = ("", "", "Evidence reviewed at the follow-up visit.", "Confirmed during the PEEL fieldwork.")
EXTENSION_REASONS = (
    "The new policy needs sign-off by the chief officer group, which meets next quarter.",
    "The IT supplier has delayed the system upgrade the audit depends on.",
    "The regional collaboration agreement is still awaiting sign-off by the partner forces.",
    "The national guidance this depends on has not yet been published by the College of Policing.",
    "Training cannot be completed before the summer abstraction period ends.",
)
REFUSAL_REASONS = (
    "The recommendation has been open long enough; please prioritise it.",
    "A revised date this far ahead is not acceptable for a safeguarding matter.",
    "The reason given does not prevent interim measures being put in place.",
)
SUPERSEDE_REASONS = (
    "Superseded by the recommendations of a later inspection.",
    "Superseded by the national vetting code of practice.",
    "Superseded by the force's new operating model, reviewed in the last PEEL inspection.",
)
NOT_ACCEPTED_REASONS = (
    "The force has shown the recommendation does not apply: it has no custody suite of its own.",
    "HMIC accepted the force's alternative arrangements.",
)
# (timeframe as written, months after publication or None; weights) — as the shipped reports write them.
TIMEFRAMES = (
    ("Within six months", 6, 45),
    ("Within three months", 3, 15),
    ("Within 12 months", 12, 15),
    ("With immediate effect", 0, 5),
    ("by", None, 12),  # "By March 2017": the end of a named month
    ("", None, 8),  # no deadline written: no due date, never a guess
)


# --- Factories (factory-boy) for the objects there are few of ------------------------------------------------------


class DemoUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    role = User.Role.PSD_LEAD


class DemoReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    published_precision = DatePrecision.DAY
    source_file = "generate_demo_data"


class DemoRecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    evidence = factory.LazyFunction(lambda: f"HMIC found that {factory.random.randgen.choice(FINDINGS)}.")


# --- Planning: which reports and recommendations there are, and which forces they reach ----------------------------


@dataclass
class PlannedRecommendation:
    text: str
    timeframe: str
    due_date: datetime.date | None
    due_precision: str
    theme_key: str
    force_ids: list[int]
    question: str = ""
    addressees: str = ""
    pk: int | None = None


@dataclass
class PlannedReport:
    slug: str
    title: str
    series: str
    published_on: datetime.date
    subject_force_id: int | None
    recommendations: list[PlannedRecommendation] = field(default_factory=list)
    pk: int | None = None


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Return the same day `months` calendar months later (the last day of a shorter month)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _spread(count: int, start: datetime.date, end: datetime.date, rng: random.Random) -> list[datetime.date]:
    """Return `count` dates from start to end, stratified so even a few cover the years, more in later years."""
    span = (end - start).days
    days = []
    for i in range(count):
        u = (i + rng.random()) / count
        t = -1 + math.sqrt(1 + 3 * u)  # inverse CDF of a density rising linearly: output grew over the years
        days.append(start + datetime.timedelta(days=int(t * span)))
    return days


def _timeframe(rng: random.Random, published: datetime.date) -> tuple[str, str, datetime.date | None, str]:
    """Return (lead-in, timeframe as written, due date, precision) for a recommendation published on `published`."""
    written, months, _ = rng.choices(TIMEFRAMES, weights=[w for *_, w in TIMEFRAMES])[0]
    if written == "":
        return "", "", None, ""
    if written == "by":
        target = add_months(published, rng.choice((6, 9, 12, 15, 18)))
        month_end = target.replace(day=calendar.monthrange(target.year, target.month)[1])
        written = f"By {target:%B %Y}"
        return written, written, month_end, DatePrecision.MONTH
    return written, written, add_months(published, months), DatePrecision.DAY


def _sentence(lead: str, addressee: str, topic: str) -> str:
    body = f"{addressee} should {topic}."
    return f"{lead}, {body}" if lead else body[0].upper() + body[1:]


def plan_reports(
    *, actions: int, rng: random.Random, today: datetime.date, forces: list[Force], bodies: dict[str, Force]
) -> list[PlannedReport]:
    """Return the reports and recommendations that together give exactly `actions` actions, oldest first."""
    start = datetime.date(today.year - YEARS, 1, 1)
    last = today - datetime.timedelta(days=14)
    force_ids = [f.pk for f in forces]
    reports: list[PlannedReport] = []

    # Force inspection rounds: on one day, each force inspected gets its own report.
    budget = round(actions * FORCE_SHARE)
    per_round = max(1, int(len(forces) * 0.8) * 5)  # forces inspected in a round × recommendations each
    rounds = max(1, math.ceil(budget / per_round)) if budget else 0
    for day in _spread(rounds, start, last, rng):
        programme = rng.choice(FORCE_PROGRAMMES)
        inspected = [f for f in forces if rng.random() < 0.8] or [rng.choice(forces)]
        for force in inspected:
            if budget <= 0:
                break
            count = min(budget, rng.randint(3, min(8, len(programme.topics))))
            report = PlannedReport(
                slug=f"{DEMO_REPORT_PREFIX}{slugify(programme.title)}-{day.year}-{force.slug}-{day:%m%d}",
                title=programme.title,
                series=f"{programme.title} {day.year}",
                published_on=day,
                subject_force_id=force.pk,
            )
            for topic in rng.sample(programme.topics, count):
                lead, written, due, precision = _timeframe(rng, day)
                report.recommendations.append(
                    PlannedRecommendation(
                        _sentence(lead, rng.choice(("the force", "the force", "the constabulary")), topic),
                        written,
                        due,
                        precision,
                        theme_key=topic,
                        force_ids=[force.pk],
                        question=programme.question,
                        addressees=force.name,
                    )
                )
            budget -= count
            reports.append(report)

    # National reports: most recommendations go to every force, a few to one national body.
    budget = actions - sum(len(r.force_ids) for rep in reports for r in rep.recommendations)
    recommendations_needed = max(1, math.ceil(budget / max(1, len(forces))))
    national_count = max(4, round(recommendations_needed / 10))
    per_report = max(1, round(recommendations_needed / national_count))
    editions: Counter[str] = Counter()
    days = _spread(national_count, start, last, rng)
    rng.shuffle(days)  # so a small data set's few national reports still fall in different years
    for day in days:
        if budget <= 0:
            break
        title = rng.choice(NATIONAL_REPORTS)
        editions[title] += 1
        if editions[title] > 1:
            title = f"{title}: progress report {editions[title] - 1}"
        report = PlannedReport(
            slug=f"{DEMO_REPORT_PREFIX}{slugify(title)[:80]}-{day:%Y-%m-%d}",
            title=title,
            series=f"{title} {day.year}",
            published_on=day,
            subject_force_id=None,
        )
        for topic in rng.sample(NATIONAL_TOPICS, min(len(NATIONAL_TOPICS), rng.randint(per_report, per_report + 4))):
            if budget <= 0:
                break
            lead, written, due, precision = _timeframe(rng, day)
            body_slug = rng.choice(("home-office", "npcc" if day.year >= 2015 else "acpo", "college-of-policing"))
            if bodies.get(body_slug) and rng.random() < BODY_SHARE:
                addressed, who, addressees = [bodies[body_slug].pk], NATIONAL_BODIES[body_slug], bodies[body_slug].name
            else:
                addressed = force_ids
                who = rng.choice(("all forces", "chief constables", "all chief constables"))
                addressees = "All police forces (chief constables and police authorities)"
            addressed = addressed[:budget]
            budget -= len(addressed)
            report.recommendations.append(
                PlannedRecommendation(
                    _sentence(lead, who, topic), written, due, precision, topic, addressed, addressees=addressees
                )
            )
        reports.append(report)
    # A remainder the planned reports did not reach (rare, small runs): one more national report takes it.
    while budget > 0:
        day = last
        report = PlannedReport(
            f"{DEMO_REPORT_PREFIX}state-of-policing-{day:%Y-%m-%d}-{len(reports)}",
            NATIONAL_REPORTS[-1],
            f"{NATIONAL_REPORTS[-1]} {day.year}",
            day,
            None,
        )
        for topic in NATIONAL_TOPICS:
            if budget <= 0:
                break
            lead, written, due, precision = _timeframe(rng, day)
            addressed = force_ids[:budget]
            budget -= len(addressed)
            report.recommendations.append(
                PlannedRecommendation(_sentence(lead, "all forces", topic), written, due, precision, topic, addressed)
            )
        reports.append(report)
    reports.sort(key=lambda r: (r.published_on, r.slug))
    return reports


# --- An action's life ------------------------------------------------------------------------------------------------

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
class Cast:
    """Who acts on the demo data: each force's PSD leads, and the HMIC reviewers."""

    leads: dict[int, list[int]]
    names: dict[int, str]
    reviewers: list[int]


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


def _moment(rng: random.Random, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=LONDON)


def _label(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def live(
    rng: random.Random,
    *,
    outcome: str,
    created: datetime.date,
    due: datetime.date | None,
    force_id: int,
    cast: Cast,
    today: datetime.date,
) -> Life:
    """Return what happened to one action from the day it was loaded until yesterday, ending in `outcome`."""
    last = today - datetime.timedelta(days=1)
    leads = cast.leads[force_id]
    reviewer = rng.choice(cast.reviewers)
    # (day, order, who, reason, changes); order breaks ties between events on one day.
    steps: list[tuple[datetime.date, int, int | None, str, dict]] = []
    notes: list[tuple[datetime.date, int, str]] = []
    extensions: list[dict] = []
    owner = None
    if outcome != OPEN or rng.random() < 0.85:
        owner_day = _day_between(rng, created + datetime.timedelta(days=1), min(last, created + datetime.timedelta(45)))
        owner = rng.choice(leads)
        steps.append((owner_day, 1, rng.choice(leads), f"Owner set to {cast.names[owner]}", {"owner_id": owner}))
    else:
        owner_day = created
    started = outcome != OPEN or rng.random() < 0.65
    if outcome == OVERDUE:
        started = rng.random() < 0.75
    start_day = _day_between(rng, owner_day, min(last, owner_day + datetime.timedelta(days=60)))
    if started:
        steps.append((start_day, 2, owner or rng.choice(leads), "Mark as being progressed", {"status": "in_progress"}))
    active_end = last
    effective_due = due
    not_before = start_day  # completion and closure come after the last decision on the action

    # Extension requests: approved ones move the due date; refused ones leave it; pending ones await HMIC.
    wants_extension = (
        started
        and due is not None
        and (outcome == EXTENDED or (outcome in (OVERDUE, VERIFIED, AWAITING) and rng.random() < 0.15))
    )
    if wants_extension:
        asked = _day_between(rng, max(start_day, due - datetime.timedelta(days=45)), min(last, due))
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
            "requested_due_date": max(revised, due + datetime.timedelta(days=1)),
            "reason": rng.choice(EXTENSION_REASONS),
            "decided": decided,
            "decided_by": reviewer,
            "decision": "approved" if approve else "refused",
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
                    f"Extension approved: due date revised to {_label(effective_due)}",
                    {"revised_due_date": effective_due},
                )
            )
    if outcome in (OVERDUE, OPEN) and started and rng.random() < (0.12 if outcome == OVERDUE else 0.05):
        asked = _day_between(rng, max(start_day, last - datetime.timedelta(days=45)), last)
        floor = max(today, effective_due or today) + datetime.timedelta(days=30)
        extensions.append(
            {
                "asked": asked,
                "by": owner or rng.choice(leads),
                "requested_due_date": floor + datetime.timedelta(days=rng.randint(0, 150)),
                "reason": rng.choice(EXTENSION_REASONS),
                "decision": "pending",
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
        if rng.random() < 0.3 and done - not_before > datetime.timedelta(days=40):
            first = _day_between(rng, not_before + datetime.timedelta(days=1), done - datetime.timedelta(days=30))
            reopened = first + datetime.timedelta(days=rng.randint(5, 25))
            text = rng.choice(COMPLETION_NOTES)
            reason = rng.choice(REOPEN_REASONS)
            steps.append(
                (
                    first,
                    4,
                    owner or rng.choice(leads),
                    f"Mark as complete and send for review: {text}",
                    {"status": "completed", "completed_at": first},
                )
            )
            steps.append(
                (
                    reopened,
                    5,
                    reviewer,
                    f"Reopen: {reason}",
                    {"status": "in_progress", "completed_at": None, "verified_at": None, "closed_at": None},
                )
            )
            notes.append((first, owner or leads[0], f"Mark as complete and send for review: {text}"))
            notes.append((reopened, reviewer, f"Reopen: {reason}"))
        text = rng.choice(COMPLETION_NOTES)
        steps.append(
            (
                done,
                6,
                owner or rng.choice(leads),
                f"Mark as complete and send for review: {text}",
                {"status": "completed", "completed_at": done},
            )
        )
        notes.append((done, owner or leads[0], f"Mark as complete and send for review: {text}"))
        active_end = done
        if outcome == VERIFIED:
            verified = _day_between(rng, done + datetime.timedelta(days=7), min(last, done + timedelta_days(150)))
            note = rng.choice(VERIFY_NOTES)
            label = "Verify and authorise closure"
            steps.append(
                (
                    verified,
                    7,
                    reviewer,
                    f"{label}: {note}" if note else label,
                    {"status": "verified", "verified_at": verified},
                )
            )
            if note:
                notes.append((verified, reviewer, f"{label}: {note}"))
    elif outcome in (SUPERSEDED, NOT_ACCEPTED):
        base = due or created + timedelta_days(200)
        closed = _day_between(rng, max(not_before, base - timedelta_days(30)), min(last, base + timedelta_days(700)))
        label, reasons = (
            ("Close as superseded", SUPERSEDE_REASONS)
            if outcome == SUPERSEDED
            else ("Close as not accepted", NOT_ACCEPTED_REASONS)
        )
        reason = rng.choice(reasons)
        steps.append((closed, 7, reviewer, f"{label}: {reason}", {"status": outcome, "closed_at": closed}))
        notes.append((closed, reviewer, f"{label}: {reason}"))
        active_end = closed

    # Owners change as people move on: enough changes to bring the history to about HISTORY_PER_ACTION rows.
    if owner is not None and len(leads) > 1:
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
    life.notes = [(_moment(rng, min(day, last)), who, text) for day, who, text in notes]
    for extension in extensions:
        extension["requested_at"] = _moment(rng, extension.pop("asked"))
        if "decided" in extension:
            extension["decided_at"] = _moment(rng, extension.pop("decided"))
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
        moment = _moment(rng, day)
        if previous is not None and moment <= previous:
            moment = previous + datetime.timedelta(minutes=rng.randint(3, 90))
        # Dates recorded in the changes (completed on a day) take the moment the change was made.
        changes = {k: (moment if isinstance(v, datetime.date) and k.endswith("_at") else v) for k, v in changes.items()}
        timed.append((moment, who, reason, changes))
        previous = moment
    return timed


# --- Writing it all ---------------------------------------------------------------------------------------------------


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
        for status in ACTION_STATUS:
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


def _ensure_forces() -> tuple[list[Force], dict[str, Force]]:
    if not Force.objects.exists():
        call_command("loaddata", str(Path(settings.BASE_DIR) / "fixtures" / "forces.json"), verbosity=0)
    forces = list(Force.objects.filter(kind=Force.Kind.TERRITORIAL).order_by("slug"))
    bodies = {f.slug: f for f in Force.objects.filter(kind=Force.Kind.NATIONAL)}
    return forces, bodies


def _create_cast(rng: random.Random, forces: list[Force], bodies: dict[str, Force]) -> Cast:
    password = make_password(DEMO_PASSWORD)  # hashed once, shared: hashing each would take minutes
    users: list[User] = []
    memberships: list[tuple[str, int]] = []
    for force in [*forces, *bodies.values()]:
        for n in range(1, (LEADS_PER_FORCE if force.kind == Force.Kind.TERRITORIAL else 2) + 1):
            username = f"{DEMO_USER_PREFIX}psd.{force.slug}" + (f".{n}" if n > 1 else "")
            users.append(DemoUserFactory.build(username=username, password=password))
            memberships.append((username, force.pk))
    for n in range(1, REVIEWERS + 1):
        username = f"{DEMO_USER_PREFIX}reviewer" + (f".{n}" if n > 1 else "")
        users.append(DemoUserFactory.build(username=username, password=password, role=User.Role.REVIEWER))
    users.append(
        DemoUserFactory.build(
            username=f"{DEMO_USER_PREFIX}admin",
            password=password,
            role=User.Role.REVIEWER,
            is_staff=True,
            is_superuser=True,
        )
    )
    User.objects.bulk_create(users, batch_size=INSERT_ROWS)
    ids = dict(User.objects.filter(username__startswith=DEMO_USER_PREFIX).values_list("username", "pk"))
    through = User.forces.through
    through.objects.bulk_create(
        [through(user_id=ids[username], force_id=force_id) for username, force_id in memberships],
        batch_size=INSERT_ROWS,
    )
    leads: dict[int, list[int]] = {}
    for username, force_id in memberships:
        leads.setdefault(force_id, []).append(ids[username])
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=ids.values())}
    reviewers = [ids[u.username] for u in users if u.role == User.Role.REVIEWER]
    return Cast(leads, names, reviewers)


def _write_reports(reports: list[PlannedReport], moment: Callable[[datetime.date], datetime.datetime]) -> int:
    """Insert the planned reports, their themes and recommendations (with their first history rows)."""
    created = Report.objects.bulk_create(
        [
            DemoReportFactory.build(
                slug=r.slug,
                title=r.title,
                series=r.series,
                published_on=r.published_on,
                subject_force_id=r.subject_force_id,
            )
            for r in reports
        ],
        batch_size=INSERT_ROWS,
    )
    for planned, row in zip(reports, created, strict=True):
        planned.pk = row.pk
    _history(Report, created, [moment(r.published_on) for r in reports], "Loaded from report fixture")
    # One theme per wording family: the same recommendation made to several forces.
    first_use: dict[str, tuple[PlannedRecommendation, datetime.date]] = {}
    for report in reports:
        for rec in report.recommendations:
            first_use.setdefault(rec.theme_key, (rec, report.published_on))
    themes = Theme.objects.bulk_create(
        [
            Theme(title=_theme_title(key), canonical_wording=rec.text, created_at=moment(day))
            for key, (rec, day) in first_use.items()
        ],
        batch_size=INSERT_ROWS,
    )
    theme_ids = {key: theme.pk for key, theme in zip(first_use, themes, strict=True)}
    _history(Theme, themes, [moment(day) for _, day in first_use.values()], "Grouped on import")
    rows, dates = [], []
    for report in reports:
        for number, rec in enumerate(report.recommendations, start=1):
            rows.append(
                DemoRecommendationFactory.build(
                    report_id=report.pk,
                    number=number,
                    text=rec.text,
                    timeframe=rec.timeframe,
                    due_date=rec.due_date,
                    due_precision=rec.due_precision,
                    inspection_question=rec.question,
                    addressees=rec.addressees,
                    theme_id=theme_ids[rec.theme_key],
                )
            )
            dates.append(moment(report.published_on))
    created = Recommendation.objects.bulk_create(rows, batch_size=INSERT_ROWS)
    it = iter(created)
    for report in reports:
        for rec in report.recommendations:
            rec.pk = next(it).pk
    _history(Recommendation, created, dates, "Loaded from report fixture")
    return len(themes)


def _theme_title(topic: str) -> str:
    title = topic[0].upper() + topic[1:]
    return title if len(title) <= 90 else title[:90].rsplit(" ", 1)[0] + "…"


def _history(model, objects: list, dates: list[datetime.datetime], reason: str) -> None:
    """Give each newly created object its first ("+") history row, as loading it from a fixture does."""
    if getattr(model, "history", None) is None:
        return
    history = model.history.model
    names = [f.attname for f in history._meta.concrete_fields if not f.attname.startswith("history_")]
    insert_rows(
        history,
        [
            {
                **{name: getattr(obj, name) for name in names},
                "history_date": day,
                "history_type": "+",
                "history_change_reason": reason,
            }
            for obj, day in zip(objects, dates, strict=True)
        ],
    )


def _reason_length(model) -> int:
    """Return how long a history row's change reason may be (simple-history's default column holds 100)."""
    return model.history.model._meta.get_field("history_change_reason").max_length or 10_000


def insert_rows(model, rows: list[dict]) -> None:
    """Insert rows (attname -> value; other columns take their defaults) in one statement per table.

    The ORM's bulk_create prepares every value through its field (about 10 µs each): for a million history
    rows of 18 columns that is minutes. Here values are adapted once per distinct value and handed to the
    driver whole: PostgreSQL's COPY, or one prepared INSERT run for every row (executemany) elsewhere.
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    spec = [(f.attname, f.get_default(), _adapter(f)) for f in fields]
    values = [
        tuple(
            [
                row.get(name, default) if adapt is None else adapt(row.get(name, default))
                for name, default, adapt in spec
            ]
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)  # noqa: S608


def _adapter(field) -> Callable | None:
    """Return how to turn a Python value for `field` into what the database driver takes (None: as it is)."""
    if connection.vendor == "postgresql" or not isinstance(field, models.DateField):
        return None  # psycopg adapts dates and aware datetimes itself
    adapt = (
        connection.ops.adapt_datetimefield_value
        if isinstance(field, models.DateTimeField)
        else connection.ops.adapt_datefield_value
    )
    cache: dict = {None: None}

    def cached(value):
        # An action's dates repeat on each of its history rows: convert each once.
        try:
            return cache[value]
        except KeyError:
            cache[value] = adapted = adapt(value)
            return adapted

    return cached


def _planned_actions(reports: list[PlannedReport]) -> Iterator[tuple[PlannedReport, PlannedRecommendation, int]]:
    for report in reports:
        for rec in report.recommendations:
            for force_id in rec.force_ids:
                yield report, rec, force_id


def _write_actions(
    batch: list[tuple[PlannedReport, PlannedRecommendation, int]],
    *,
    rng: random.Random,
    outcomes: Outcomes,
    cast: Cast,
    today: datetime.date,
    summary: Summary,
) -> None:
    """Insert one batch of actions with their history rows, notes and extension requests: seven statements."""
    lives, actions = [], []
    for report, rec, force_id in batch:
        created = report.published_on + datetime.timedelta(days=rng.randint(0, 6))
        outcome = outcomes.choose(rng, rec.due_date, today)
        life = live(rng, outcome=outcome, created=created, due=rec.due_date, force_id=force_id, cast=cast, today=today)
        state = {
            "recommendation_id": rec.pk,
            "force_id": force_id,
            "owner_id": None,
            "status": "not_started",
            "due_date": rec.due_date,
            "revised_due_date": None,
            "version": 1,
            "created_at": life.events[0][0],
            "started_at": None,
            "completed_at": None,
            "verified_at": None,
            "closed_at": None,
        }
        states = []
        for i, (moment, _, _, changes) in enumerate(life.events):
            state = {**state, **changes, "version": i + 1}
            if changes.get("status") == "in_progress" and state["started_at"] is None:
                state["started_at"] = moment
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
    limit = _reason_length(Action)
    for action, (life, states) in zip(actions, lives, strict=True):
        pk = action["id"] = ids[action["recommendation_id"], action["force_id"]]
        for (moment, who, reason, _), state in zip(life.events, states, strict=True):
            history.append(
                {
                    **state,
                    "id": pk,
                    "history_date": moment,
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
        first = {**request, "decision": "pending", "decided_by_id": None, "decided_at": None, "decision_reason": ""}
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
                    "history_change_reason": f"Extension {request['decision']}",
                    "history_user_id": request["decided_by_id"],
                }
            )
    insert_rows(ExtensionRequest.history.model, rows)
    summary.actions += len(actions)
    summary.history_rows += len(history)
    summary.notes += len(notes)
    summary.extension_requests += len(extensions)


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
    factory.random.reseed_random(seed)
    summary = Summary()
    fast_writes = _fast_writes()
    try:
        with transaction.atomic():
            forces, bodies = _ensure_forces()
            cast = _create_cast(rng, forces, bodies)
            reports = plan_reports(actions=actions, rng=rng, today=today, forces=forces, bodies=bodies)
            summary.themes = _write_reports(reports, lambda day: _moment(rng, day))
        summary.forces = len(forces)
        summary.users = sum(len(v) for v in cast.leads.values()) + len(cast.reviewers) + 1
        summary.reports = len(reports)
        summary.recommendations = sum(len(r.recommendations) for r in reports)
        outcomes = Outcomes.for_plan(reports, today)
        batch = []
        for item in _planned_actions(reports):
            batch.append(item)
            if len(batch) == batch_size:
                with transaction.atomic():
                    _write_actions(batch, rng=rng, outcomes=outcomes, cast=cast, today=today, summary=summary)
                batch = []
                if progress:
                    progress(f"{summary.actions} actions, {summary.history_rows} history rows")
        if batch:
            with transaction.atomic():
                _write_actions(batch, rng=rng, outcomes=outcomes, cast=cast, today=today, summary=summary)
    finally:
        fast_writes()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum would do shortly after a bulk load, done now
    summary.overdue = Action.objects.overdue(today).count()
    summary.seconds = time.monotonic() - started
    return summary


def _fast_writes() -> Callable[[], None]:
    """Relax durability for the bulk load (a crash loses only demo data); return how to restore it."""
    if connection.in_atomic_block:
        return lambda: None  # inside someone else's transaction (tests): leave the connection alone
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
            return lambda: connection.cursor().execute("PRAGMA synchronous=NORMAL")
        if connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit TO OFF")
            return lambda: connection.cursor().execute("SET synchronous_commit TO DEFAULT")
    return lambda: None
