"""
Two-factor authentication for password sign-ins, on django-otp's devices.

- A user's second factor is an authenticator app (django-otp's TOTPDevice: a 6-digit code every 30 seconds, RFC
  6238) with ten recovery codes beside it (a StaticDevice: each works once, for a lost phone).
- Required of reviewers and admins who sign in with a password (User.needs_two_factor); anyone else with a password
  may set it up on their account page, and once set up it is asked for at every password sign-in. Signing in
  through an organisation's identity provider (tracker.sso) leaves the second factor to the organisation.
- A password sign-in is then two steps: the password (tracker.views.sso.SignInView), then a code. Between the two
  nobody is signed in: the session holds only who typed the right password, and when (PendingSignIn), for
  TRACKER_TWO_FACTOR_STEP_SECONDS. Someone who must have two-factor and has none sets it up at that point.
- Each session remembers how it was signed in (SIGNED_IN_WITH_KEY): a password-only session of someone whose role
  has since come to need two-factor ends at its next request (tracker.middleware.SecondFactorRequired).
- A wrong code makes the next try wait 1, 2, 4… seconds (django-otp's throttling) and is in the sign-in log; so are
  setting it up, turning it off, an admin's reset and new recovery codes.
"""

from __future__ import annotations

import datetime
import logging
import time
from base64 import b32encode
from dataclasses import dataclass

import segno
from django.conf import settings
from django.contrib.auth import login
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from tracker.models import SignInEvent, User
from tracker.reminders import tell
from tracker.sessions import record

log = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"

# How the session was signed in: a password alone, a password and a code, or an identity provider.
SIGNED_IN_WITH_KEY = "tracker_signed_in_with"
PASSWORD = "password"
PASSWORD_AND_CODE = "password and code"
IDENTITY_PROVIDER = "identity provider"

PENDING_KEY = "tracker_two_factor_pending"  # the password was right; the code is still to come
NEW_CODES_KEY = "tracker_recovery_codes"  # recovery codes just made, shown once
NEW_KEY_KEY = "tracker_authenticator_key"  # the key of an authenticator app being set up

WRONG_CODE = "The code is not right. Check the code your authenticator app shows now, or use a recovery code."
WRONG_SET_UP_CODE = "The code is not right. Type the code the app shows now, for the key on this page."
NO_CODE = "Enter the 6-digit code from your authenticator app, or a recovery code"
WAIT = "Too many wrong codes. Wait until {until:%H:%M:%S} and try again."
STEP_EXPIRED = "Signing in took more than {minutes} minutes between the password and the code. Sign in again."


class CodeRefused(Exception):
    """The code was wrong, or may not be tried yet: the message says which, to the person signing in."""


def authenticator(user: User) -> TOTPDevice | None:
    """Return the user's authenticator app, if they have set one up."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def is_set_up(user: User) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def offered_to(user: User) -> bool:
    """Return whether `user` can have two-factor authentication here: anyone who signs in with a password."""
    return user.has_usable_password()


def may_turn_off(user: User) -> bool:
    return not user.needs_two_factor


CODE, SET_UP = "code", "set up"  # what a sign-in does after the password


def step_after_password(user: User) -> str | None:
    """Return what a sign-in with the right password must do next: CODE (two-factor is set up), SET_UP (it is
    required and is not), or None (sign in)."""
    if is_set_up(user):
        return CODE
    if user.needs_two_factor:
        return SET_UP
    return None


def normalise(code: str) -> str:
    """Return a typed code without the spaces and hyphens people put in, in lower case."""
    return "".join(code.split()).replace("-", "").lower()


def new_authenticator(request, user: User) -> TOTPDevice:
    """Return the authenticator app being set up for `user` in this session, not saved until a code confirms it:
    the same key until then, so the QR code stays the same when the page is shown again."""
    state = request.session.get(NEW_KEY_KEY)
    if not (isinstance(state, dict) and state.get("user") == user.pk):
        state = {"user": user.pk, "key": random_hex(20)}
        request.session[NEW_KEY_KEY] = state
    return TOTPDevice(user=user, key=state["key"], name=AUTHENTICATOR_NAME)  # confirmed by set_up


def issuer_name() -> str:
    """Return the name the authenticator app shows the account under (OTP_TOTP_ISSUER)."""
    return settings.OTP_TOTP_ISSUER


def key_for_typing(device: TOTPDevice) -> str:
    """Return the device's secret key as an authenticator app takes it typed in: base32, in groups of four."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code(device: TOTPDevice) -> SafeString:
    """Return the QR code an authenticator app scans to add the device, as inline SVG."""
    # segno's defaults otherwise: the highest error correction that fits, and the 4-module quiet zone scanners need.
    svg = segno.make(device.config_url).svg_inline(scale=4, dark="#0b0c0c", light="#ffffff")
    return mark_safe(svg)  # segno's own markup; the URL inside is encoded as modules, not text


def set_up(user: User, device: TOTPDevice, code: str, request=None) -> list[str] | None:
    """Confirm the new authenticator `device` (not saved yet) with a code it shows: it replaces any earlier one,
    the user gets new recovery codes (returned, to be shown once) and the log says so. Return None if the code is
    not right."""
    token = normalise(code)
    totp = TOTP(device.bin_key)  # the device's own defaults: a code of 6 digits every 30 seconds, from 0
    if not (token.isdigit() and totp.verify(int(token), device.tolerance)):
        return None
    device.last_t, device.drift, device.confirmed = totp.t(), totp.drift, True  # that code is taken
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device.save()
        codes = _replace_recovery_codes(user)
        record(user, SignInEvent.Kind.TWO_FACTOR_ON, request)
        tell_the_account_holder(user, "Two-factor authentication was set up")
    if request is not None:
        del request.session[NEW_KEY_KEY]  # the next set-up is of another app
    return codes


def make_recovery_codes(user: User, request=None) -> list[str]:
    """Give `user` new recovery codes in place of any left, log it, and return them (to be shown once)."""
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        record(user, SignInEvent.Kind.RECOVERY_CODES, request)
        tell_the_account_holder(user, "New recovery codes were made")
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES_NAME)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def turn_off(user: User, request=None) -> None:
    """Remove `user`'s authenticator and recovery codes at their own request (only where it is not required)."""
    if not may_turn_off(user):
        raise PermissionError("Two-factor authentication is required for this account.")
    with transaction.atomic():
        _remove_devices(user)
        record(user, SignInEvent.Kind.TWO_FACTOR_OFF, request)
        tell_the_account_holder(user, "Two-factor authentication was turned off")


def reset(user: User, *, by: User, request=None) -> None:
    """Remove `user`'s authenticator and recovery codes (an admin, for a lost phone): a reviewer or admin sets it
    up again at their next sign-in; anyone else signs in with their password alone until they do."""
    with transaction.atomic():
        _remove_devices(user)
        record(user, SignInEvent.Kind.TWO_FACTOR_RESET, request, by=by)
        tell_the_account_holder(user, "Two-factor authentication was reset", by=by)


def tell_the_account_holder(user: User, what: str, *, by: User | None = None) -> None:
    """Email `user`, once the change is saved, that their two-factor authentication changed (and by whom, if not
    by them): someone else with their password would otherwise change it unseen."""
    if not user.email:
        return
    context = {"user": user, "what": what, "by": by, "at": timezone.localtime()}

    failure = "The email telling an account holder their two-factor authentication changed was not sent"
    transaction.on_commit(lambda: tell(user, "two-factor-changed", context, log=log, failure=failure))


def _remove_devices(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def check_code(user: User, code: str, request=None) -> str:
    """Check a code typed at sign-in: six digits from the authenticator, or a recovery code (used up). Return how
    the user signed in, for the sign-in log; raise CodeRefused, logging a wrong code, if it does not do."""
    token = normalise(code)
    if not token:
        raise CodeRefused(NO_CODE)
    from_app = token.isdigit() and len(token) == 6
    model = TOTPDevice if from_app else StaticDevice
    with transaction.atomic():
        device = model.objects.devices_for_user(user, confirmed=True).select_for_update().first()
        allowed, refusal = device.verify_is_allowed() if device is not None else (True, None)
        verified = allowed and device is not None and device.verify_token(token)
    if verified:
        if from_app:
            return "With a code from the authenticator app"
        return f"With a recovery code ({recovery_codes_left(user)} left)"
    if not allowed:
        raise CodeRefused(WAIT.format(until=timezone.localtime(refusal["locked_until"])))
    record(user, SignInEvent.Kind.CODE_FAILED, request)
    raise CodeRefused(WRONG_CODE)


def demo_code(user: User) -> str | None:
    """Return the code a demonstration log-in's authenticator shows now, on a development server (`make run`), so
    a newcomer can try two-factor without an app; None anywhere else."""
    if not (settings.DEBUG and user.is_demo):
        return None
    device = authenticator(user)
    if device is None:
        return None
    return f"{TOTP(device.bin_key).token():06d}"  # the devices' defaults: 6 digits every 30 seconds, from 0


# The sign-in between the password and the code.


@dataclass(frozen=True)
class PendingSignIn:
    user: User
    backend: str
    next: str


def begin(request, user: User, next_url: str) -> None:
    """Remember, in the session, that `user` typed the right password: the code is next."""
    request.session.cycle_key()  # a new session id for the step, as login() gives one for the sign-in
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "next": next_url,
        "since": time.time(),
        "hash": user.get_session_auth_hash(),
    }


def pending(request) -> PendingSignIn | None:
    """Return the sign-in waiting for its code in this session, if it is still good: not older than
    TRACKER_TWO_FACTOR_STEP_SECONDS, for an active user whose password has not changed since."""
    state = request.session.get(PENDING_KEY)
    if not isinstance(state, dict):
        return None
    age = time.time() - state["since"]
    if not 0 <= age <= settings.TRACKER_TWO_FACTOR_STEP_SECONDS:
        return None
    user = User.objects.filter(pk=state.get("user"), is_active=True).first()
    if user is None or user.get_session_auth_hash() != state.get("hash"):
        return None
    return PendingSignIn(user=user, backend=state["backend"], next=state["next"])


def step_expired_message() -> str:
    return STEP_EXPIRED.format(minutes=settings.TRACKER_TWO_FACTOR_STEP_SECONDS // 60)


def abandon(request) -> bool:
    """Forget a sign-in waiting for its code; return whether there was one."""
    return request.session.pop(PENDING_KEY, None) is not None


def complete(request, step: PendingSignIn, how: str) -> None:
    """Sign in the user whose password and code were both right."""
    abandon(request)
    request.sign_in_detail = how  # for the sign-in log (tracker.signals)
    login(request, step.user, backend=step.backend)
    request.session[SIGNED_IN_WITH_KEY] = PASSWORD_AND_CODE


def signed_in_with(request) -> str | None:
    return request.session.get(SIGNED_IN_WITH_KEY)


def note_signed_in_with(request, how: str) -> None:
    request.session[SIGNED_IN_WITH_KEY] = how


def needs_to_sign_in_again(request) -> bool:
    """Return whether this session was signed in with a password alone by someone who now needs two-factor (their
    role changed since): it must end, and the next sign-in asks for the code."""
    return signed_in_with(request) == PASSWORD and request.user.needs_two_factor


# Recovery codes just made, shown once on the next page.


def hand_over_codes(request, codes: list[str], then: str) -> None:
    request.session[NEW_CODES_KEY] = {"codes": codes, "then": then}


def take_codes(request) -> tuple[list[str], str] | None:
    state = request.session.pop(NEW_CODES_KEY, None)
    if not isinstance(state, dict):
        return None
    return state["codes"], state["then"]


@dataclass(frozen=True)
class Status:
    """A user's two-factor authentication, for their account page."""

    offered: bool  # they sign in with a password
    required: bool
    since: datetime.datetime | None  # when the authenticator app was set up; None if it is not
    codes_left: int

    @property
    def is_on(self) -> bool:
        return self.since is not None


def status(user: User) -> Status:
    device = authenticator(user)
    return Status(
        offered=offered_to(user),
        required=user.needs_two_factor,
        since=device.created_at if device is not None else None,
        codes_left=recovery_codes_left(user),
    )
