"""
Reminder emails: each owner about their actions overdue or falling due soon,
each force's PSD leads about the force's overdue actions once a week, HMIC's reviewers about verified
actions whose check-again date has come (on that day, and weekly while any wait), each commissioner's office
about the statutory responses it owes, and each PSD lead about the chief officer's comments it invited. The
emails' wording is in templates/emails/; this module chooses who gets which and what they list.

Every email is claimed in ReminderLog before it goes, so running the command
again on the same day, or twice at once, sends nothing twice.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from tracker import responses
from tracker.links import absolute_url
from tracker.models import Action, CommissionerResponse, Force, ReminderLog, User

logger = logging.getLogger(__name__)

DUE_WITHIN_DAYS = 14
MONDAY = 0
# Read once each, shared by the actions that name them (a national data set has 43 forces and 1,852 reports).
SHARED = ("force", "owner", "recommendation__report")


@dataclass(frozen=True)
class Reminder:
    """One email to send: to whom, of which kind, about which force (digests only), and its text."""

    user: User
    kind: str
    force: Force | None
    subject: str
    body: str

    @property
    def key(self) -> tuple[int, str, int | None]:
        """Return (user id, kind, force id): what ReminderLog allows once a day."""
        return (self.user.pk, self.kind, self.force.pk if self.force else None)


@dataclass
class Outcome:
    sent: list[Reminder] = field(default_factory=list)
    skipped: list[Reminder] = field(default_factory=list)
    failed: list[Reminder] = field(default_factory=list)


def is_digest_day(today: datetime.date, weekday: int = MONDAY) -> bool:
    """Return True if the weekly digest goes out on `today` (weekday 0 is Monday)."""
    return today.weekday() == weekday


def reminders_for(today: datetime.date, *, days: int = DUE_WITHIN_DAYS, digest: bool) -> list[Reminder]:
    """
    Return every reminder due today: owners' reminders, then the force digests when `digest` is True, then the
    reviewers' re-checks, then the commissioners' responses (and the chief officers' comments they invited).
    """
    due = _Due(today, days)
    return (
        _owner_reminders(due)
        + (_digest_reminders(due) if digest else [])
        + recheck_reminders(today, digest=digest)
        + response_reminders(today, digest=digest)
    )


def recheck_reminders(today: datetime.date, *, digest: bool) -> list[Reminder]:
    """
    Return one email to each reviewer listing the verified actions due a re-check: when one's check-again date is
    today, and on the weekly digest's day while any wait.
    """
    # Few (the verified actions with a check-again date that has come): joined rather than shared.
    waiting = list(
        Action.objects.recheck_due(today).select_related("force", "recommendation__report").order_by("recheck_on", "pk")
    )
    if not waiting or not (digest or any(action.recheck_on == today for action in waiting)):
        return []
    items = [Item(action, absolute_url(action.get_absolute_url()), None, None) for action in waiting]
    context = {
        "today": today,
        "new": [item for item in items if item.action.recheck_on == today],
        "waiting": [item for item in items if item.action.recheck_on < today],
        "queue": absolute_url(reverse("tracker:review_queue") + "#rechecks"),
    }
    reviewers = _emailable(User.objects.filter(role=User.Role.REVIEWER)).order_by("pk")
    return [
        Reminder(
            reviewer, ReminderLog.Kind.RECHECK, None, *render_email("recheck-due", {**context, "reviewer": reviewer})
        )
        for reviewer in reviewers
    ]


# Besides the weekly digest's day, a commissioner's office is reminded when the last day for a response is this many
# days away (0: the last day), and a PSD lead when the chief officer's comments are wanted in this many days.
RESPONSE_WARNINGS = (14, 7, 0)
COMMENTS_WARNINGS = (7, 0)


def response_reminders(today: datetime.date, *, digest: bool) -> list[Reminder]:
    """
    Return one email to each commissioner's office listing its force's responses awaited (overdue and due), and
    one to each PSD lead listing the chief officer's comments their commissioner's office invited and awaits: on
    the weekly digest's day while any wait, and on the days in RESPONSE_WARNINGS / COMMENTS_WARNINGS.
    """
    by_force: dict[int, list[responses.AwaitedResponse]] = {}
    for awaited in responses.awaited_responses(today):
        by_force.setdefault(awaited.report.subject_force_id, []).append(awaited)
    invited: dict[int, list[CommissionerResponse]] = {}
    for response in CommissionerResponse.awaiting_comments().select_related("report__subject_force"):
        invited.setdefault(response.report.subject_force_id, []).append(response)
    offices, leads = _offices_and_leads(by_force.keys(), invited.keys())
    return _office_reminders(today, offices, by_force, digest) + _comments_reminders(today, leads, invited, digest)


def _offices_and_leads(office_forces, lead_forces) -> tuple[list[User], list[User]]:
    """Return the commissioners' offices of `office_forces` and the PSD leads of `lead_forces` an email can reach,
    in one query (and one for their forces)."""
    if not (office_forces or lead_forces):
        return [], []
    wanted = Q(role=User.Role.COMMISSIONER, forces__in=office_forces) | Q(
        role=User.Role.PSD_LEAD, forces__in=lead_forces
    )
    users = _emailable(User.objects.filter(wanted, is_superuser=False)).distinct().prefetch_related("forces")
    users = list(users.order_by("pk"))
    return [u for u in users if u.is_commissioner], [u for u in users if u.is_psd_lead]


def _office_reminders(today, offices: list[User], by_force: dict[int, list], digest: bool) -> list[Reminder]:
    reminders = []
    for office in offices:
        theirs = [awaited for force_id in sorted(office.member_force_ids()) for awaited in by_force.get(force_id, [])]
        theirs.sort(key=lambda awaited: (awaited.due_on, awaited.report.pk))
        if theirs and (digest or any(awaited.days_left in RESPONSE_WARNINGS for awaited in theirs)):
            context = {
                "office": office,
                "today": today,
                "overdue": [_awaited_item(awaited) for awaited in theirs if awaited.is_overdue],
                "due": [_awaited_item(awaited) for awaited in theirs if not awaited.is_overdue],
            }
            reminders.append(Reminder(office, ReminderLog.Kind.RESPONSE, None, *render_email("response-due", context)))
    return reminders


def _awaited_item(awaited) -> tuple:
    return awaited, absolute_url(reverse("tracker:report_response", args=[awaited.report.slug]))


def _comments_reminders(today, leads: list[User], invited: dict[int, list], digest: bool) -> list[Reminder]:
    reminders = []
    for lead in leads:
        theirs = [response for force_id in sorted(lead.member_force_ids()) for response in invited.get(force_id, [])]
        theirs.sort(key=lambda response: (response.comments_due_on, response.pk))
        if theirs and (digest or any((r.comments_due_on - today).days in COMMENTS_WARNINGS for r in theirs)):
            items = [(r, absolute_url(reverse("tracker:report_response", args=[r.report.slug]))) for r in theirs]
            context = {"lead": lead, "today": today, "invited": items}
            reminders.append(
                Reminder(lead, ReminderLog.Kind.RESPONSE, None, *render_email("chief-officer-comments", context))
            )
    return reminders


def owner_reminders(today: datetime.date, *, days: int = DUE_WITHIN_DAYS) -> list[Reminder]:
    """Return one reminder per active owner with an email address, listing their overdue and due-soon actions."""
    return _owner_reminders(_Due(today, days))


class _Due:
    """The actions overdue and due soon on `today`, each list read once, whoever gets them."""

    def __init__(self, today: datetime.date, days: int) -> None:
        self.today = today
        self.days = days
        self.lines = Lines(today)

    @cached_property
    def overdue(self) -> list[Action]:
        return _by_due_date(
            Action.objects.overdue(self.today).select_related("recommendation").prefetch_related(*SHARED)
        )

    @cached_property
    def due_soon(self) -> list[Action]:
        actions = Action.objects.due_within(self.days, self.today).select_related("recommendation")
        return _by_due_date(actions.prefetch_related(*SHARED))


class Lines:
    """Actions' lines in emails on `today` (emails/_action.txt), each rendered once however many emails list it."""

    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self._items: dict[int, Item] = {}
        self._lines: dict[tuple[int, bool], str] = {}

    def __call__(self, actions: list[Action], *, digest: bool = False) -> list[str]:
        """Return each action's line: with its status and owner in a digest."""
        return [self._line(action, digest) for action in actions]

    def _line(self, action: Action, digest: bool) -> str:
        if (action.pk, digest) not in self._lines:
            context = {"item": self._item(action), "digest": digest}
            self._lines[action.pk, digest] = render_to_string("emails/_action.txt", context)
        return self._lines[action.pk, digest]

    def _item(self, action: Action) -> Item:
        if action.pk not in self._items:
            self._items[action.pk] = _item(action, self.today)
        return self._items[action.pk]


def _owner_reminders(due: _Due) -> list[Reminder]:
    overdue, due_soon = _by_owner(due.overdue), _by_owner(due.due_soon)
    owners = _emailable(User.objects.filter(pk__in=overdue.keys() | due_soon.keys()))
    reminders = []
    for owner in owners.prefetch_related("forces").order_by("pk"):
        # An owner who has left the force keeps no sight of its actions, in email as on screen.
        late, soon = (_visible(owner, groups.get(owner.pk, [])) for groups in (overdue, due_soon))
        if late or soon:
            reminders.append(owner_reminder(owner, late, soon, due.today, due.days, lines=due.lines))
    return reminders


def _by_owner(actions: list[Action]) -> dict[int, list[Action]]:
    groups: dict[int, list[Action]] = {}
    for action in actions:
        if action.owner_id is not None:
            groups.setdefault(action.owner_id, []).append(action)
    return groups


def _visible(user: User, actions: list[Action]) -> list[Action]:
    return [action for action in actions if user.is_reviewer or user.is_member_of(action.force_id)]


def _emailable(users: QuerySet[User]) -> QuerySet[User]:
    """Return those of `users` an email can reach: active, with an address."""
    return users.filter(is_active=True).exclude(email="")


def _by_due_date(actions: Iterable[Action]) -> list[Action]:
    return sorted(actions, key=lambda a: (a.effective_due_date, a.pk))


def owner_reminder(
    owner: User,
    overdue: list[Action],
    due_soon: list[Action],
    today: datetime.date,
    days: int = DUE_WITHIN_DAYS,
    *,
    lines: Lines | None = None,
) -> Reminder:
    """Return the reminder to `owner` listing `overdue` and `due_soon`, each in the order given."""
    lines = lines or Lines(today)
    context = {"owner": owner, "today": today, "days": days, "overdue": lines(overdue), "due_soon": lines(due_soon)}
    return Reminder(owner, ReminderLog.Kind.OWNER, None, *render_email("owner-reminder", context))


def _digest_reminders(due: _Due) -> list[Reminder]:
    overdue: dict[int, list[Action]] = {}
    for action in due.overdue:
        overdue.setdefault(action.force_id, []).append(action)
    leads = _emailable(User.objects.filter(role=User.Role.PSD_LEAD)).order_by("pk")
    forces = Force.objects.filter(pk__in=overdue).prefetch_related(
        Prefetch("members", queryset=leads, to_attr="psd_leads")
    )
    return [
        digest(lead, force, overdue[force.pk], due.today, lines=due.lines)
        for force in forces.order_by("name")
        for lead in force.psd_leads
    ]


def digest(
    lead: User, force: Force, overdue: list[Action], today: datetime.date, *, lines: Lines | None = None
) -> Reminder:
    """Return the weekly digest to `lead` of `force`'s `overdue` actions, in the order given."""
    lines = lines or Lines(today)
    context = {
        "lead": lead,
        "force": force,
        "today": today,
        "overdue": lines(overdue, digest=True),
        "overdue_list": absolute_url(f"{reverse('tracker:overdue')}?{urlencode({'force': force.slug})}"),
    }
    return Reminder(lead, ReminderLog.Kind.DIGEST, force, *render_email("overdue-digest", context))


@dataclass(frozen=True)
class Item:
    """One action in an email: its address, and how many days it is overdue, or has left (0 on the day)."""

    action: Action
    url: str
    days_overdue: int | None
    days_left: int | None


def _item(action: Action, today: datetime.date) -> Item:
    url = absolute_url(action.get_absolute_url())
    days = (action.effective_due_date - today).days
    return Item(action, url, days_overdue=-days, days_left=None) if days < 0 else Item(action, url, None, days)


def render_email(name: str, context: dict) -> tuple[str, str]:
    """Return the subject, on one line, and the body of the email `name` from templates/emails/."""
    subject = render_to_string(f"emails/{name}-subject.txt", context)
    body = render_to_string(f"emails/{name}-body.txt", context)
    # The templates end with a newline, as files do; a subject may not contain one, and the body ends without.
    return " ".join(line.strip() for line in subject.splitlines() if line.strip()), body.rstrip("\n")


def tell(user: User, name: str, context: dict, *, log: logging.Logger, failure: str) -> bool:
    """Email `user` the email `name` (templates/emails/) about their own account, now; return whether the mail server
    took it. A mail server down is logged as `failure` on `log`, not raised: what the email tells of (a lock, a
    change of sign-in, an invitation) stands without it."""
    subject, body = render_email(name, context)
    try:
        EmailMessage(subject, body, to=[user.email]).send()
    except (smtplib.SMTPException, OSError):
        log.exception(failure)
        return False
    return True


def claimed_on(today: datetime.date) -> set[tuple[int, str, int | None]]:
    """Return the reminders sent (or claimed by a run still sending) on `today`, as Reminder.key gives them."""
    return set(ReminderLog.objects.filter(sent_on=today).values_list("user_id", "kind", "force_id"))


def send(reminder: Reminder, today: datetime.date, connection=None) -> bool:
    """Claim `reminder` for today, then send it; return False, sending nothing, if it was already claimed."""
    # The claim and the send share a transaction: a failed send releases the claim for the next run, and a
    # concurrent run blocks on the unique constraint until this one commits, then fails to claim and skips.
    claimed = False
    try:
        with transaction.atomic():
            ReminderLog.objects.create(user=reminder.user, kind=reminder.kind, force=reminder.force, sent_on=today)
            claimed = True
            EmailMessage(reminder.subject, reminder.body, to=[reminder.user.email], connection=connection).send()
    except IntegrityError:
        if claimed:  # not the claim's constraint: something after it failed
            raise
        return False
    return True


def send_all(reminders: Iterable[Reminder], today: datetime.date) -> Outcome:
    """Send each reminder not already sent today over one mail connection, carrying on past failures."""
    outcome = Outcome()
    claimed = claimed_on(today)  # one query for a second run's skips; a concurrent run's claims are caught by send
    with get_connection() as connection:
        for reminder in reminders:
            try:
                sent = reminder.key not in claimed and send(reminder, today, connection)
            except Exception:
                logger.exception("Could not send %s reminder to %s", reminder.kind, reminder.user.email)
                outcome.failed.append(reminder)
                continue
            (outcome.sent if sent else outcome.skipped).append(reminder)
    return outcome


def describe(reminder: Reminder) -> str:
    """Return a one-line summary of `reminder` for the command's output."""
    about = f" for {reminder.force.name}" if reminder.force else ""
    kind = ReminderLog.Kind(reminder.kind).label
    return f"{kind}{about} to {reminder.user} <{reminder.user.email}>: {reminder.subject}"
