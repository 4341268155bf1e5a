"""
Reminder emails: each owner about their actions overdue or falling due soon, and
each force's PSD leads about the force's overdue actions once a week. The emails' wording is in
templates/emails/; this module chooses who gets which and what they list.

Every email is claimed in ReminderLog before it goes, so running the command
again on the same day, or twice at once, sends nothing twice.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from tracker.links import absolute_url
from tracker.models import Action, Force, ReminderLog, User

logger = logging.getLogger(__name__)

DUE_WITHIN_DAYS = 14
MONDAY = 0
RELATED = ("force", "owner", "recommendation", "recommendation__report")


@dataclass(frozen=True)
class Reminder:
    """One email to send: to whom, of which kind, about which force (digests only), and its text."""

    user: User
    kind: str
    force: Force | None
    subject: str
    body: str


@dataclass
class Outcome:
    sent: list[Reminder] = field(default_factory=list)
    skipped: list[Reminder] = field(default_factory=list)
    failed: list[Reminder] = field(default_factory=list)


def is_digest_day(today: datetime.date, weekday: int = MONDAY) -> bool:
    """Return True if the weekly digest goes out on `today` (weekday 0 is Monday)."""
    return today.weekday() == weekday


def reminders_for(today: datetime.date, *, days: int = DUE_WITHIN_DAYS, digest: bool) -> list[Reminder]:
    """Return every reminder due today: owners' reminders, then the force digests when `digest` is True."""
    return owner_reminders(today, days=days) + (digest_reminders(today) if digest else [])


def owner_reminders(today: datetime.date, *, days: int = DUE_WITHIN_DAYS) -> list[Reminder]:
    """Return one reminder per active owner with an email address, listing their overdue and due-soon actions."""
    overdue = _by_owner(Action.objects.overdue(today))
    due_soon = _by_owner(Action.objects.due_within(days, today))
    reminders = []
    for owner_id in sorted(overdue.keys() | due_soon.keys()):
        owner, late = overdue.get(owner_id, (None, []))
        owner, soon = due_soon.get(owner_id, (owner, []))
        reminders.append(_owner_reminder(owner, late, soon, today, days))
    return reminders


def _by_owner(actions: QuerySet[Action]) -> dict[int, tuple[User, list[Action]]]:
    actions = actions.filter(owner__is_active=True).exclude(owner__email="").select_related(*RELATED)
    groups: dict[int, tuple[User, list[Action]]] = {}
    for action in actions.order_by("owner_id", "pk"):
        owner, owned = groups.setdefault(action.owner_id, (action.owner, []))
        # An owner who has left the force keeps no sight of its actions, in email as on screen.
        if owner.is_reviewer or owner.is_member_of(action.force_id):
            owned.append(action)
    return {owner_id: (owner, _by_due_date(owned)) for owner_id, (owner, owned) in groups.items() if owned}


def _by_due_date(actions: list[Action]) -> list[Action]:
    return sorted(actions, key=lambda a: (a.effective_due_date, a.pk))


def _owner_reminder(
    owner: User, overdue: list[Action], due_soon: list[Action], today: datetime.date, days: int
) -> Reminder:
    context = {
        "owner": owner,
        "today": today,
        "days": days,
        "overdue": [_item(action, today) for action in overdue],
        "due_soon": [_item(action, today) for action in due_soon],
    }
    return Reminder(owner, ReminderLog.Kind.OWNER, None, *_render("owner-reminder", context))


def digest_reminders(today: datetime.date) -> list[Reminder]:
    """Return, for each force with overdue actions, one digest to each of its active PSD leads with an email."""
    overdue: dict[int, list[Action]] = {}
    for action in Action.objects.overdue(today).select_related(*RELATED).order_by("force_id", "pk"):
        overdue.setdefault(action.force_id, []).append(action)
    leads = User.objects.filter(role=User.Role.PSD_LEAD, is_active=True).exclude(email="").order_by("pk")
    forces = Force.objects.filter(pk__in=overdue).prefetch_related(
        Prefetch("members", queryset=leads, to_attr="psd_leads")
    )
    return [
        _digest(lead, force, _by_due_date(overdue[force.pk]), today)
        for force in forces.order_by("name")
        for lead in force.psd_leads
    ]


def _digest(lead: User, force: Force, overdue: list[Action], today: datetime.date) -> Reminder:
    context = {
        "lead": lead,
        "force": force,
        "today": today,
        "overdue": [_item(action, today) for action in overdue],
        "overdue_list": absolute_url(f"{reverse('tracker:overdue')}?{urlencode({'force': force.slug})}"),
    }
    return Reminder(lead, ReminderLog.Kind.DIGEST, force, *_render("overdue-digest", context))


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


def _render(name: str, context: dict) -> tuple[str, str]:
    """Return the subject, on one line, and the body of the email `name` from templates/emails/."""
    subject = render_to_string(f"emails/{name}-subject.txt", context)
    body = render_to_string(f"emails/{name}-body.txt", context)
    # The templates end with a newline, as files do; a subject may not contain one, and the body ends without.
    return " ".join(line.strip() for line in subject.splitlines() if line.strip()), body.rstrip("\n")


def already_sent(reminder: Reminder, today: datetime.date) -> bool:
    """Return True if `reminder` was sent (or claimed by a run still sending) today."""
    return ReminderLog.objects.filter(
        user=reminder.user, kind=reminder.kind, force=reminder.force, sent_on=today
    ).exists()


def send(reminder: Reminder, today: datetime.date, connection=None) -> bool:
    """Claim `reminder` for today, then send it; return False, sending nothing, if it was already claimed."""
    # The claim and the send share a transaction: a failed send releases the claim for the next run, and a
    # concurrent run blocks on the unique constraint until this one commits, then finds the claim and skips.
    with transaction.atomic():
        _, created = ReminderLog.objects.get_or_create(
            user=reminder.user, kind=reminder.kind, force=reminder.force, sent_on=today
        )
        if not created:
            return False
        EmailMessage(reminder.subject, reminder.body, to=[reminder.user.email], connection=connection).send()
    return True


def send_all(reminders: Iterable[Reminder], today: datetime.date) -> Outcome:
    """Send each reminder not already sent today over one mail connection, carrying on past failures."""
    outcome = Outcome()
    with get_connection() as connection:
        for reminder in reminders:
            try:
                sent = send(reminder, today, connection)
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
