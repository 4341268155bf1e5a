"""Who acts, what is published and when: the demo's cast, and the reports and recommendations that reach forces."""

from __future__ import annotations

import calendar
import datetime
import math
import random
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.utils.text import slugify
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.bulk import INSERT_ROWS
from demo.content import FORCE_PROGRAMMES, NATIONAL_BODIES, NATIONAL_REPORTS, NATIONAL_TOPICS, TIMEFRAMES, Programme
from demo.names import person_name
from tracker import two_factor
from tracker.models import DEMO_USERNAME_PREFIX, DatePrecision, Force, User
from tracker.report_parser import add_months

DEMO_REPORT_PREFIX = "demo-"
DEMO_USER_PREFIX = DEMO_USERNAME_PREFIX
DEMO_PASSWORD = "demo-tracker-2026"  # every demo log-in's; the data is made up, and says so on every page
YEARS = 12  # reports spread over the twelve years before "today" (2014–2026 for a 2026 today)
LEADS_PER_FORCE = 3
REVIEWERS = 5
FORCE_SHARE = 0.08  # of actions: from force inspection reports (one force each)
BODY_SHARE = 0.08  # of national recommendations: addressed to one national body rather than all forces


# --- Who: each force's PSD leads and the HMIC reviewers -------------------------------------------------------------


@dataclass
class Cast:
    """Who acts on the demo data: each force's PSD leads, the HMIC reviewers, each commissioner's office."""

    leads: dict[int, list[int]]
    names: dict[int, str]
    reviewers: list[int]
    offices: dict[int, int] = field(default_factory=dict)  # each territorial force's commissioner's office


def _demo_user(rng: random.Random, username: str, password: str, role: str = User.Role.PSD_LEAD, **flags) -> User:
    first_name, last_name = person_name(rng)
    return User(
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        email=f"{username}@example.org",
        role=role,
        **flags,
    )


def create_cast(rng: random.Random, forces: list[Force], bodies: dict[str, Force]) -> Cast:
    """Create the demo users, named with `rng`: PSD leads for each force and national body, each territorial force's
    commissioner's office, reviewers, an admin."""
    password = make_password(DEMO_PASSWORD)  # hashed once, shared: hashing each would take minutes
    users: list[User] = []
    memberships: list[tuple[str, int]] = []
    for force in [*forces, *bodies.values()]:
        for n in range(1, (LEADS_PER_FORCE if force.kind == Force.Kind.TERRITORIAL else 2) + 1):
            username = f"{DEMO_USER_PREFIX}psd.{force.slug}" + (f".{n}" if n > 1 else "")
            users.append(_demo_user(rng, username, password))
            memberships.append((username, force.pk))
    for force in forces:  # territorial: each has a police and crime commissioner (or a mayor's office)
        username = f"{DEMO_USER_PREFIX}pcc.{force.slug}"
        users.append(_demo_user(rng, username, password, role=User.Role.COMMISSIONER))
        memberships.append((username, force.pk))
    for n in range(1, REVIEWERS + 1):
        username = f"{DEMO_USER_PREFIX}reviewer" + (f".{n}" if n > 1 else "")
        users.append(_demo_user(rng, username, password, role=User.Role.REVIEWER))
    users.append(
        _demo_user(rng, f"{DEMO_USER_PREFIX}admin", password, role=User.Role.REVIEWER, is_staff=True, is_superuser=True)
    )
    User.objects.bulk_create(users, batch_size=INSERT_ROWS)
    ids = dict(User.objects.filter(username__startswith=DEMO_USER_PREFIX).values_list("username", "pk"))
    give_authenticators([ids[u.username] for u in users if u.needs_two_factor])
    through = User.forces.through
    through.objects.bulk_create(
        [through(user_id=ids[username], force_id=force_id) for username, force_id in memberships],
        batch_size=INSERT_ROWS,
    )
    leads: dict[int, list[int]] = {}
    offices: dict[int, int] = {}
    roles = {u.username: u.role for u in users}
    for username, force_id in memberships:
        if roles[username] == User.Role.COMMISSIONER:
            offices[force_id] = ids[username]
        else:
            leads.setdefault(force_id, []).append(ids[username])
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=ids.values())}
    reviewers = [ids[u.username] for u in users if u.role == User.Role.REVIEWER]
    return Cast(leads, names, reviewers, offices)


def give_authenticators(user_ids: list[int]) -> None:
    """Give the demo's reviewers and admin, who must sign in with two-factor authentication, an authenticator app
    each (a random key) with ten recovery codes: on `make run`'s development server the code page shows the code
    (tracker.two_factor.demo_code), so a newcomer signs in without an app on their phone."""
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user_id=user_id, name=two_factor.AUTHENTICATOR_NAME, confirmed=True) for user_id in user_ids
    )
    StaticDevice.objects.bulk_create(
        StaticDevice(user_id=user_id, name=two_factor.RECOVERY_CODES_NAME, confirmed=True) for user_id in user_ids
    )
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=StaticToken.random_token())
        for device in StaticDevice.objects.filter(user_id__in=user_ids)
        for _ in range(two_factor.RECOVERY_CODE_COUNT)
    )


# --- What and when: which reports and recommendations there are, and which forces they reach -------------------------


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


def _spread(count: int, start: datetime.date, end: datetime.date, rng: random.Random) -> list[datetime.date]:
    """Return `count` dates from start to end, stratified so even a few cover the years, more in later years."""
    span = (end - start).days
    days = []
    for i in range(count):
        u = (i + rng.random()) / count
        t = -1 + math.sqrt(1 + 3 * u)  # inverse CDF of a density rising linearly: output grew over the years
        days.append(start + datetime.timedelta(days=int(t * span)))
    return days


def _timeframe(
    rng: random.Random, published: datetime.date, timeframes: tuple = TIMEFRAMES
) -> tuple[str, str, datetime.date | None, str]:
    """Return (lead-in, timeframe as written, due date, precision) for a recommendation published on `published`."""
    written, months, _ = rng.choices(timeframes, weights=[w for *_, w in timeframes])[0]
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


def force_report(
    rng: random.Random,
    programme: Programme,
    day: datetime.date,
    force: Force,
    count: int,
    timeframes: tuple = TIMEFRAMES,
) -> PlannedReport:
    """Return the report of `programme` on `force` published on `day`, with `count` of its recommendations."""
    report = PlannedReport(
        slug=f"{DEMO_REPORT_PREFIX}{slugify(programme.title)}-{day.year}-{force.slug}-{day:%m%d}",
        title=programme.title,
        series=f"{programme.title} {day.year}",
        published_on=day,
        subject_force_id=force.pk,
    )
    for topic in rng.sample(programme.topics, count):
        lead, written, due, precision = _timeframe(rng, day, timeframes)
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
    return report


def national_report(title: str, day: datetime.date) -> PlannedReport:
    """Return a national report called `title` published on `day`, without its recommendations yet."""
    return PlannedReport(
        slug=f"{DEMO_REPORT_PREFIX}{slugify(title)[:80]}-{day:%Y-%m-%d}",
        title=title,
        series=f"{title} {day.year}",
        published_on=day,
        subject_force_id=None,
    )


def national_recommendation(
    rng: random.Random, topic: str, day: datetime.date, force_ids: list[int], timeframes: tuple = TIMEFRAMES
) -> PlannedRecommendation:
    """Return a national report's recommendation on `topic` to every force in `force_ids`, published on `day`."""
    lead, written, due, precision = _timeframe(rng, day, timeframes)
    who = rng.choice(("all forces", "chief constables", "all chief constables"))
    addressees = "All police forces (chief constables and police authorities)"
    return PlannedRecommendation(
        _sentence(lead, who, topic), written, due, precision, topic, force_ids, addressees=addressees
    )


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
            reports.append(force_report(rng, programme, day, force, count))
            budget -= count

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
        report = national_report(title, day)
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
    # A million actions plan thousands of reports: two may share a day and a title cut to its first 80
    # characters ("…: progress report 1" and "…: progress report 12"). The second of a slug gets "-2", and so on.
    editions_of: Counter[str] = Counter()
    for report in reports:
        editions_of[report.slug] += 1
        if editions_of[report.slug] > 1:
            report.slug = f"{report.slug}-{editions_of[report.slug]}"
    reports.sort(key=lambda r: (r.published_on, r.slug))
    return reports
