"""
Two-factor authentication's pages (tracker.two_factor): the code after the password, setting up an authenticator
app (at sign-in for reviewers and admins who have none, or from the account page), the recovery codes shown once,
and turning it off where it is not required.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tracker import two_factor
from tracker.forms import AuthenticatorSetUpForm, TwoFactorCodeForm


def _back_to_sign_in(request):
    if two_factor.abandon(request):
        messages.info(request, two_factor.step_expired_message())
    return redirect("login")


@never_cache
@require_http_methods(["GET", "POST"])
def enter_code(request):
    """The second step of a password sign-in: the code from the authenticator app, or a recovery code."""
    step = two_factor.pending(request)
    if step is None:
        return _back_to_sign_in(request)
    form = TwoFactorCodeForm(request.POST or None)
    if form.is_valid():
        try:
            how = two_factor.check_code(step.user, form.cleaned_data["code"], request)
        except two_factor.CodeRefused as refused:
            form.add_error("code", str(refused))
        else:
            two_factor.complete(request, step, how)
            return redirect(step.next)
    context = {"form": form, "signing_in": step.user, "demo_code": two_factor.demo_code(step.user)}
    return render(request, "registration/two_factor_code.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def set_up(request):
    """Add an authenticator app: scan the QR code (or type the key), then type the code it shows. At sign-in (a
    reviewer or admin with none yet) this signs them in; from the account page it replaces any earlier app."""
    step = None if request.user.is_authenticated else two_factor.pending(request)
    user = request.user if request.user.is_authenticated else (step.user if step else None)
    if user is None:
        return _back_to_sign_in(request)
    if not two_factor.offered_to(user):
        messages.info(request, "You sign in through your organisation, which asks for its own second factor.")
        return redirect("tracker:account")
    device = two_factor.new_authenticator(request, user)
    form = AuthenticatorSetUpForm(request.POST or None)
    if form.is_valid():
        codes = two_factor.set_up(user, device, form.cleaned_data["code"], request)
        if codes is None:
            form.add_error("code", two_factor.WRONG_SET_UP_CODE)
        else:
            then = reverse("tracker:account")
            if step is not None:
                two_factor.complete(request, step, "Set up two-factor authentication")
                then = step.next
            two_factor.hand_over_codes(request, codes, then)
            return redirect("tracker:recovery_codes")
    context = {
        "form": form,
        "signing_in": step is not None,
        "replacing": step is None and two_factor.is_set_up(user),
        "qr_code": two_factor.qr_code(device),
        "key": two_factor.key_for_typing(device),
        "issuer": two_factor.issuer_name(),
    }
    return render(request, "tracker/two_factor_set_up.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """GET: the recovery codes just made (once), or how many are left. POST: make new ones in place of the old."""
    if not two_factor.is_set_up(request.user):
        return redirect("tracker:account")
    if request.method == "POST":
        codes = two_factor.make_recovery_codes(request.user, request)
        two_factor.hand_over_codes(request, codes, reverse("tracker:account"))
        return redirect("tracker:recovery_codes")
    handed_over = two_factor.take_codes(request)
    codes, then = handed_over if handed_over else ([], reverse("tracker:account"))
    context = {"codes": codes, "then": then, "left": two_factor.recovery_codes_left(request.user)}
    return render(request, "tracker/recovery_codes.html", context)


@login_required
@require_POST
def turn_off(request):
    """Remove the user's authenticator and recovery codes (only where two-factor is not required of them)."""
    if not two_factor.is_set_up(request.user):
        return redirect("tracker:account")
    try:
        two_factor.turn_off(request.user, request)
    except PermissionError as refused:
        raise PermissionDenied(str(refused)) from None
    messages.success(request, "Two-factor authentication is off: you sign in with your password alone.")
    return redirect("tracker:account")
