"""The demo log-ins' sign-in logs: a few weeks of working days, so their account pages look like an account in use.

Each person named on `make run` signed in most working mornings from their office's address, signed out or was
signed out after 30 idle minutes, typed a wrong password now and then; nobody else's log is written.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from tracker.models import SignInEvent, User

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
