"""The demo log-ins' sign-in logs: a few weeks of working days, so their account pages look like an account in use.

Each person named on `make run` signed in most working mornings from their office's address, signed out or was
signed out after 30 idle minutes, typed a wrong password now and then; nobody else's log is written. And the
People pages' own story: a leaver deactivated, their successor's invitation waiting.
"""

from __future__ import annotations

import datetime
import random
import secrets

from django.utils import timezone

from demo.names import person_name
from demo.plan import DEMO_USER_PREFIX
from tracker import people
from tracker.models import (
    INVITATION_DAYS,
    Force,
    Invitation,
    SignInEvent,
    User,
    invitation_digest,
)

WEEKS = 4
BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 "
    "Edg/131.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
)


def write_sign_ins(users: list[User], *, today: datetime.date, rng: random.Random) -> int:
    """Write `users`' sign-ins of the last WEEKS weeks before `today` (weekdays only); set their last sign-in.
    Return how many events were written."""
    events = []
    for n, user in enumerate(users):
        address = f"10.{20 + n}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
        browser = rng.choice(BROWSERS)
        last = None
        for days_ago in range(WEEKS * 7, 0, -1):
            day = today - datetime.timedelta(days=days_ago)
            if day.weekday() >= 5 or rng.random() < 0.25:
                continue
            start = _at(day, rng.randint(8 * 60, 10 * 60))
            if rng.random() < 0.08:
                events.append(
                    _event(user, SignInEvent.Kind.FAILED, start - datetime.timedelta(minutes=1), address, browser)
                )
            events.append(_event(user, SignInEvent.Kind.SIGNED_IN, start, address, browser))
            end = start + datetime.timedelta(minutes=rng.randint(20, 240))
            kind = SignInEvent.Kind.IDLE if rng.random() < 0.3 else SignInEvent.Kind.SIGNED_OUT
            events.append(_event(user, kind, end, address, browser))
            last = start
        if last is not None:
            user.last_login = last
            user.save(update_fields=["last_login"])
    SignInEvent.objects.bulk_create(events)
    return len(events)


def _at(day: datetime.date, minutes: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(minutes=minutes))


def _event(user: User, kind: str, at: datetime.datetime, address: str, browser: str) -> SignInEvent:
    return SignInEvent(user=user, kind=kind, at=at, address=address, browser=browser)


def write_account_changes(admin: User, force: Force, *, today: datetime.date, rng: random.Random) -> None:
    """Show the People pages in use: one of `force`'s PSD leads deactivated as a leaver three weeks ago, and their
    successor invited two days ago, the invitation waiting (its link was never sent anywhere: "Send the invitation
    again" on their page makes one that works)."""
    leaver = User.objects.get(username=f"{DEMO_USER_PREFIX}psd.{force.slug}.3")
    people.deactivate(leaver, by=admin, reason="Left the force: retired at the end of October")
    _backdate(leaver, today - datetime.timedelta(days=21), rng)

    first_name, last_name = person_name(rng)
    username = f"{DEMO_USER_PREFIX}psd.{force.slug}.4"
    successor = User(username=username, email=f"{username}@example.org", first_name=first_name, last_name=last_name)
    successor.set_unusable_password()
    people.set_access(successor, frozenset({force.pk}), by=admin, reason=f"Invited by {admin}")
    sent = _at(today - datetime.timedelta(days=2), 14 * 60 + rng.randint(0, 59))
    Invitation.objects.create(
        user=successor,
        invited_by=admin,
        sent_at=sent,
        expires_at=sent + datetime.timedelta(days=INVITATION_DAYS),
        token_digest=invitation_digest(secrets.token_urlsafe(32)),
    )
    SignInEvent.objects.create(
        user=successor, kind=SignInEvent.Kind.INVITED, at=sent, by=admin, detail=f"Sent to {successor.email}"
    )
    successor.history.update(history_date=sent)
    User.objects.filter(pk=successor.pk).update(date_joined=sent)


def _backdate(user: User, day: datetime.date, rng: random.Random) -> None:
    """Move `user`'s latest history row and sign-in event to a working afternoon on `day`."""
    at = _at(day, 15 * 60 + rng.randint(0, 59))
    user.history.filter(pk=user.history.latest().pk).update(history_date=at)
    latest = SignInEvent.objects.filter(user=user).first()
    SignInEvent.objects.filter(pk=latest.pk).update(at=at)
