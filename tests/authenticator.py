"""An authenticator app in the tests: set one up for a user as the set-up page does, and read the code it shows."""

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from tracker import two_factor
from tracker.models import User


def code_of(device: TOTPDevice) -> str:
    """The 6 digits an authenticator app with the device's key shows now (RFC 6238, as the app computes them)."""
    if device.pk is not None:
        device.refresh_from_db()  # its drift, as the last code taken left it
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def with_authenticator(user: User) -> TOTPDevice:
    """Set up an authenticator app for `user`, as the set-up page does (with ten recovery codes); return it."""
    device = TOTPDevice(user=user, key=random_hex(20), name=two_factor.AUTHENTICATOR_NAME)
    assert two_factor.set_up(user, device, code_of(device)) is not None
    return device


def device_on_page(client, user: User) -> TOTPDevice:
    """The authenticator app the set-up page shown to `client` offers `user` (its key kept in the session)."""
    return TOTPDevice(user=user, key=client.session[two_factor.NEW_KEY_KEY]["key"])


def fresh_code(user: User) -> str:
    """The code `user`'s authenticator shows now, with the device ready to take it: a code is taken once, so a
    helper signing the same user in twice within 30 seconds forgets the last one taken (and any wrong tries)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or with_authenticator(user)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    return code_of(device)
