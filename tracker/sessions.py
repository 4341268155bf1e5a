"""
Sessions for shared police workstations: the sign-in log, the idle timeout and signing out everywhere.

- Every sign-in, wrong password, lock-out and sign-out of a user is a SignInEvent (their account page shows theirs,
  the users' admin anyone's). A wrong password for a username nobody has is not logged here (there is no account
  to file it under); django-axes counts it all the same.
- A session unused for TRACKER_IDLE_TIMEOUT ends at its next request (tracker.middleware.IdleSignOut). What counts
  as use is a request, or typing and clicking in an open page (the page's script tells the server at most once a
  minute, so writing a long note is not "idle"); the page warns TRACKER_IDLE_WARNING before the end.
- "Sign out everywhere" (User.end_sessions) and deactivating an account end every session at its next request.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import transaction
from django.utils import timezone

from tracker.models import SignInEvent, User
from tracker.signin import client_address

# Where the session keeps when its user was last active (seconds since the epoch), and how often it is rewritten:
# once a minute at most, so reading pages does not write the session each time.
LAST_ACTIVE_KEY = "tracker_last_active"
ACTIVITY_RESOLUTION = datetime.timedelta(minutes=1)


def idle_timeout() -> datetime.timedelta | None:
    """Return how long a session may go unused before it ends, or None if it never does."""
    minutes = settings.TRACKER_IDLE_TIMEOUT_MINUTES
    return datetime.timedelta(minutes=minutes) if minutes else None


def idle_warning() -> datetime.timedelta:
    """Return how long before the idle timeout the page warns (never more than half the timeout)."""
    return min(datetime.timedelta(seconds=settings.TRACKER_IDLE_WARNING_SECONDS), idle_timeout() / 2)


def record(
    user: User | None,
    kind: SignInEvent.Kind,
    request=None,
    *,
    by: User | None = None,
    identity: str = "",
    detail: str = "",
) -> SignInEvent:
    """Add `kind` to `user`'s sign-in log (or to nobody's: a single sign-on refused to someone with no account),
    with the address and browser of `request` if there is one."""
    browser = request.META.get("HTTP_USER_AGENT", "")[:200] if request is not None else ""
    address = client_address(request) if request is not None else None
    return SignInEvent.objects.create(
        user=user, kind=kind, address=address, browser=browser, by=by, identity=identity[:254], detail=detail[:300]
    )


def mark_active(request, *, always: bool = False) -> None:
    """Note in the session that its user is active now: at most once a minute (or twice within the warning, if
    that is shorter) unless `always` (the warning's "Stay signed in")."""
    now = timezone.now().timestamp()
    last = request.session.get(LAST_ACTIVE_KEY)
    resolution = min(ACTIVITY_RESOLUTION, idle_warning() / 2) if idle_timeout() else ACTIVITY_RESOLUTION
    if always or last is None or not 0 <= now - last < resolution.total_seconds():
        request.session[LAST_ACTIVE_KEY] = now


def seconds_left(request) -> int | None:
    """Return how many seconds the signed-in session of `request` has before it ends for being idle (None: never)."""
    timeout = idle_timeout()
    if timeout is None:
        return None
    last = request.session.get(LAST_ACTIVE_KEY)
    if last is None:
        return int(timeout.total_seconds())
    idle = max(timezone.now().timestamp() - last, 0)  # a clock set back counts as no time idle
    return max(int(timeout.total_seconds() - idle), 0)


def is_idle(request) -> bool:
    """Return whether the signed-in session of `request` has gone unused for the idle timeout."""
    return seconds_left(request) == 0


def sign_out_idle(request) -> None:
    """End the session of `request` for being idle, log it, and say so on the next page."""
    request.sign_out_kind = SignInEvent.Kind.IDLE
    logout(request)
    minutes = settings.TRACKER_IDLE_TIMEOUT_MINUTES
    messages.info(
        request,
        f"You were signed out after {minutes} minutes without activity, to keep the tracker safe on a shared "
        "computer. Sign in again to carry on.",
    )


def end_sessions(user: User, request=None, *, by: User | None = None) -> None:
    """End every session of `user` in every browser and log it (by `by`, when it is not the user's own doing)."""
    with transaction.atomic():
        user.end_sessions()
        record(user, SignInEvent.Kind.SIGNED_OUT_EVERYWHERE, request, by=by)


def sign_out_everywhere(request) -> None:
    """End every session of the signed-in user, in every browser, this one included; log it once."""
    end_sessions(request.user, request)
    request.sign_out_kind = None  # this session's end is part of that, not a sign-out of its own
    logout(request)
    messages.success(request, "You are signed out everywhere: every browser you were signed in on must sign in again.")


def recent_events(user: User, limit: int = 50):
    """Return `user`'s latest sign-in events of the last SIGN_IN_LOG_DAYS days, newest first."""
    return list(SignInEvent.objects.filter(user=user).recent().select_related("by")[:limit])
