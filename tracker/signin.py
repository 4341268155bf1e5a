"""
Sign-in protection, on top of django-axes: a lock on the account from every address as well as axes' lock on a
username from one address, the client's address read only from the proxies the site trusts, and the user told by
email when their account is locked.

- Five failed sign-ins for one username from one address lock that pair (axes, AXES_FAILURE_LIMIT). That alone
  lets an attacker with many addresses guess four times from each, so
- TRACKER_ACCOUNT_FAILURE_LIMIT failed sign-ins for one username, from any number of addresses, lock the account
  from everywhere for the same cool-off (AXES_COOLOFF_TIME), and the account's owner gets an email saying so.
  An administrator can unlock it sooner (the users' admin, action "Unlock sign-in").
- Attempts made while locked check no password and count for nothing (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_
  LOCKOUT is off), so a lock ends when its cool-off does and one locking sends one email.
- The client's address is the one the outermost trusted proxy saw (TRACKER_TRUSTED_PROXIES, the number of proxies
  that each append to X-Forwarded-For), never a value the client wrote.
"""

import datetime
import ipaddress
import logging
from collections import Counter

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone

from tracker.models import SignInEvent
from tracker.reminders import tell

log = logging.getLogger(__name__)


def client_address(request) -> str | None:
    """
    Return the client's address: REMOTE_ADDR, or behind TRACKER_TRUSTED_PROXIES proxies the address the outermost
    of them appended to X-Forwarded-For (the header's n-th entry from the right, since each proxy appends the
    address it was reached from). Entries to the left of it are the client's own writing and are never read; a
    header too short or with no address there means the request did not come through the proxies, so it is
    REMOTE_ADDR again.
    """
    remote_address = request.META.get("REMOTE_ADDR")
    proxies = settings.TRACKER_TRUSTED_PROXIES
    if not proxies:
        return remote_address
    entries = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(entries) < proxies:
        return remote_address
    try:
        return str(ipaddress.ip_address(entries[-proxies].strip()))
    except ValueError:
        return remote_address


def cooloff_minutes() -> int:
    """How many minutes a lock lasts after the last counted failure (AXES_COOLOFF_TIME)."""
    return settings.AXES_COOLOFF_TIME // datetime.timedelta(minutes=1)


def _recent_attempts():
    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)


def account_failures(username: str | None) -> int:
    """Return the failed sign-ins for `username` from every address within the cool-off."""
    if not username:
        return 0
    return _recent_attempts().filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0


def account_is_locked(username: str | None) -> bool:
    return account_failures(username) >= settings.TRACKER_ACCOUNT_FAILURE_LIMIT


def locked_usernames() -> set[str]:
    """Return the usernames locked now, from every address or from at least one (one query)."""
    pairs = Counter()
    for username, address, failures in _recent_attempts().values_list("username", "ip_address", "failures_since_start"):
        pairs[username, address] += failures
    accounts = Counter()
    for (username, _address), failures in pairs.items():
        accounts[username] += failures
    return {username for (username, _address), failures in pairs.items() if failures >= settings.AXES_FAILURE_LIMIT} | {
        username for username, failures in accounts.items() if failures >= settings.TRACKER_ACCOUNT_FAILURE_LIMIT
    }


def lock_ends(username: str) -> datetime.datetime | None:
    """Return when `username`'s latest lock ends, or None if no failed sign-in of theirs is within the cool-off."""
    latest = _recent_attempts().filter(username=username).order_by("-attempt_time").first()
    return latest.attempt_time + settings.AXES_COOLOFF_TIME if latest else None


class AccountAndAddressHandler(AxesDatabaseHandler):
    """axes' database handler (the username-and-address lock), plus the lock on the account from every address."""

    def is_locked(self, request, credentials=None) -> bool:
        username = get_client_username(request, credentials)
        return super().is_locked(request, credentials) or account_is_locked(username)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return  # a sign-in outside a request (a script): axes counts nothing without one either
        refused = request.axes_locked_out  # refused before any password was checked (set by axes' backend)
        username = get_client_username(request, credentials)
        before = account_failures(username)
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        # This failure locked the account. (Two at once may both think so: then the holder gets two emails, not
        # none.) An attempt refused while locked is not counted, so it never crosses the limit again.
        if before < settings.TRACKER_ACCOUNT_FAILURE_LIMIT <= account_failures(username):
            log.warning(
                "Sign-in locked for an account after %s failed attempts", settings.TRACKER_ACCOUNT_FAILURE_LIMIT
            )
            if not request.axes_locked_out:  # axes has not locked the address too, and said so
                request.axes_locked_out = True
                request.axes_credentials = credentials
                user_locked_out.send("axes", request=request, username=username, ip_address=request.axes_ip_address)
            tell_the_account_holder(username)
        # For the sign-in log (tracker.signals.log_failed_sign_in, which runs after this).
        if refused:
            request.sign_in_outcome = SignInEvent.Kind.REFUSED_LOCKED
        elif request.axes_locked_out:
            request.sign_in_outcome = SignInEvent.Kind.LOCKED_OUT
        else:
            request.sign_in_outcome = SignInEvent.Kind.FAILED


def tell_the_account_holder(username: str) -> None:
    """Email the active user `username`, if they have an address, that their sign-in is locked, and until when."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not user.email:
        return
    addresses = _recent_attempts().filter(username=username).values("ip_address").distinct().count()
    context = {
        "user": user,
        "failures": settings.TRACKER_ACCOUNT_FAILURE_LIMIT,
        "addresses": addresses,
        "minutes": cooloff_minutes(),
        "until": timezone.localtime(lock_ends(username)),
    }
    # The lock stands without it; a mail server down must not fail the sign-in page.
    tell(
        user,
        "account-locked",
        context,
        log=log,
        failure="The email telling an account holder their sign-in is locked was not sent",
    )


def unlock(username: str) -> int:
    """Forget `username`'s failed sign-ins from every address, ending any lock; return how many records went."""
    deleted, _ = AccessAttempt.objects.filter(username=username).delete()
    return deleted
