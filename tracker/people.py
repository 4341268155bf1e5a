"""
Running the tracker's accounts without the Django admin's raw forms (the "People" pages, tracker/views/people.py):

- **Invite** someone by email: their account is made with the role and forces the admin chose and no password; the
  email carries a link that works once, for INVITATION_DAYS days, to set a password, or to sign in through their
  organisation's identity provider where one speaks for their email address. Sending another cancels the last.
- **Deactivate** a leaver (their sessions, API token and calendar address end with it: User.save) or reactivate
  them, and **change** someone's role and forces: each with the admin's reason, in the user's history.
- Who may do what to whom: an admin (superuser) is managed by another admin only, and nobody deactivates or
  demotes themselves (the last admin would lock everyone out of the admin pages).

Every change says who, when and why: the user's history (role, forces, active) and their sign-in log (invited,
password set, deactivated, reactivated).
"""

from __future__ import annotations

import datetime
import logging
import secrets
from contextlib import contextmanager
from dataclasses import dataclass

from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.dates import long_date_time
from tracker.links import absolute_url
from tracker.models import (
    INVITATION_DAYS,
    Force,
    IdentityProvider,
    Invitation,
    SignInEvent,
    User,
    invitation_digest,
    save_with_history,
)
from tracker.reminders import tell
from tracker.sessions import record

log = logging.getLogger(__name__)

# Roles that need forces: a PSD lead updates theirs, a commissioner's office reads its force's.
ROLES_WITH_FORCES = frozenset({User.Role.PSD_LEAD, User.Role.COMMISSIONER})


def directory() -> QuerySet[User]:
    """Return every account with what the People list shows of each, in a fixed number of queries: forces,
    whether two-factor is on, whether they sign in through an identity provider, and whether an invitation waits."""
    return User.objects.annotate(
        has_authenticator=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        signs_in_through_provider=Exists(SocialAccount.objects.filter(user=OuterRef("pk"))),
        invitation_waiting=Exists(Invitation.objects.open().filter(user=OuterRef("pk"))),
    ).prefetch_related("forces")


@dataclass(frozen=True)
class AccessChange:
    """One row of the history of someone's access: when, by whom, why, and the role and forces after."""

    record: object  # the HistoricalUser row
    forces: list[Force]


def access_history(user: User, limit: int) -> list[AccessChange]:
    """Return the latest `limit` changes to `user`'s access, newest first, in three queries."""
    rows = list(user.history.select_related("history_user")[:limit])
    if not rows:
        return []
    forces: dict[int, list[Force]] = {row.pk: [] for row in rows}
    links = rows[0].forces.model  # django-simple-history's copy of the forces, as each row had them
    for link in links.objects.filter(history__in=rows).select_related("force").order_by("force__name"):
        forces[link.history_id].append(link.force)
    return [AccessChange(row, forces[row.pk]) for row in rows]


def check_may_manage(admin: User, user: User) -> None:
    """Raise ValidationError unless `admin` may change `user`'s account: an admin's only another admin may."""
    if user.is_superuser and not admin.is_superuser:
        raise ValidationError("Only an admin can change another admin's account.")


def set_access(
    user: User, force_ids: frozenset[int] | None, *, changes: dict | None = None, by: User | None, reason: str
) -> None:
    """Make `changes` (and set the forces, unless None) and write one history row saying so, naming `by` (None: the
    signed-in user, or nobody) and `reason`. A new user's one row is their creation, forces and all."""
    new = user.pk is None
    with _no_history(user):
        if new:
            user.save()
        forces_changed = force_ids is not None and set(user.forces.values_list("pk", flat=True)) != force_ids
        if forces_changed:
            user.forces.set(force_ids)
    if changes or forces_changed or new:
        save_with_history(user, changes or {"role": user.role}, by=by, reason=reason)


@contextmanager
def _no_history(user: User):
    user.skip_history_when_saving = True  # the save after writes the one row, forces and all
    try:
        yield
    finally:
        del user.skip_history_when_saving


def _forces_for(role: str, forces) -> frozenset[int]:
    return frozenset(force.pk for force in forces) if role in ROLES_WITH_FORCES else frozenset()


def check_forces(role: str, forces) -> None:
    """Raise ValidationError if `role` needs forces and none are given."""
    if role in ROLES_WITH_FORCES and not forces:
        raise ValidationError(f"Choose at least one force for a {_role_name(role)}.")


def _role_name(role: str) -> str:
    return User.Role(role).label.replace("Force PSD lead", "PSD lead")


# Inviting


@dataclass(frozen=True)
class Sent:
    """An invitation just sent: the email reached the mail server, or it did not (the link is not shown anyone)."""

    invitation: Invitation
    emailed: bool


def invite(*, email: str, first_name: str, last_name: str, role: str, forces, by: User, request=None) -> Sent:
    """Make the account of someone new, with `role` and `forces`, no password, and email them an invitation."""
    email = email.strip()
    taken = ValidationError(f"{email} already has an account.")
    if User.objects.filter(email__iexact=email).exists() or User.objects.filter(username__iexact=email).exists():
        raise taken
    check_forces(role, forces)
    try:
        with transaction.atomic():
            user = User(username=email.lower(), email=email, first_name=first_name, last_name=last_name, role=role)
            user.set_unusable_password()
            set_access(user, _forces_for(role, forces), by=by, reason=f"Invited by {by}")
            invitation, token = _new_invitation(user, by, request)
    except IntegrityError:  # the same address invited twice at once: the other one made it
        raise taken from None
    return Sent(invitation, _email_invitation(invitation, token))


def send_again(user: User, *, by: User, request=None) -> Sent:
    """Email `user` a new invitation; the link of any earlier one stops working."""
    check_may_manage(by, user)
    if user.has_usable_password() or user.last_login is not None:
        raise ValidationError(f"{user} has signed in already: an invitation is for someone who never has.")
    if not user.is_active:
        raise ValidationError(f"{user}'s account is deactivated: reactivate it first.")
    with transaction.atomic():
        invitation, token = _new_invitation(user, by, request)
    return Sent(invitation, _email_invitation(invitation, token))


def cancel(user: User, *, by: User, request=None) -> int:
    """Stop the links of `user`'s waiting invitations; return how many there were."""
    check_may_manage(by, user)
    cancelled = Invitation.objects.open().filter(user=user).update(cancelled_at=timezone.now())
    if cancelled:
        record(user, SignInEvent.Kind.INVITATION_CANCELLED, request, by=by, detail="Its link no longer works")
    return cancelled


def _new_invitation(user: User, by: User, request) -> tuple[Invitation, str]:
    Invitation.objects.open().filter(user=user).update(cancelled_at=timezone.now())
    token = secrets.token_urlsafe(32)
    invitation = Invitation(user=user, invited_by=by, token_digest=invitation_digest(token))
    invitation.expires_at = invitation.sent_at + datetime.timedelta(days=INVITATION_DAYS)
    invitation.save()
    until = timezone.localtime(invitation.expires_at)
    record(
        user,
        SignInEvent.Kind.INVITED,
        request,
        by=by,
        detail=f"Sent to {user.email}; the link works until {until:%d/%m/%Y %H:%M}",
    )
    return invitation, token


def providers_for(user: User) -> list[IdentityProvider]:
    """Return the identity providers the sign-in page offers that speak for `user`'s email address."""
    return [provider for provider in IdentityProvider.objects.offered() if provider.speaks_for(user.email)]


def _email_invitation(invitation: Invitation, token: str) -> bool:
    user = invitation.user
    context = {
        "user": user,
        "invited_by": invitation.invited_by,
        "role": "Admin" if user.is_superuser else user.get_role_display(),
        "forces": list(user.forces.all()),
        "link": absolute_url(reverse("invitation", args=[token])),
        "expires_at": timezone.localtime(invitation.expires_at),
        "providers": providers_for(user),
    }
    failure = f"The invitation to {user.email} was not sent"
    return tell(user, "invitation", context, log=log, failure=failure)


# Accepting


class InvitationUnusable(Exception):
    """An invitation link that does not open an account; the message says why, in the invited person's words."""


def usable(invitation: Invitation | None) -> Invitation:
    """Return `invitation` if its link still opens the account; raise InvitationUnusable saying why not."""
    if invitation is None:
        raise InvitationUnusable(
            "This invitation link is not one the tracker sent, or it was cut short. "
            "Copy the whole link from the email, or ask whoever invited you to send a new one."
        )
    who = invitation.invited_by or "whoever invited you"
    state = invitation.state
    if state == Invitation.State.ACCEPTED:
        raise InvitationUnusable("This invitation has been used: sign in with your password or your organisation.")
    if state == Invitation.State.CANCELLED:
        raise InvitationUnusable(
            f"This invitation was replaced by a newer one or cancelled. Ask {who} to send it again."
        )
    if state == Invitation.State.EXPIRED:
        raise InvitationUnusable(
            f"This invitation expired on {long_date_time(invitation.expires_at)}. Ask {who} to send a new one."
        )
    if not invitation.user.is_active:
        raise InvitationUnusable(f"The account this invitation is for has been deactivated. Ask {who} about it.")
    return invitation


def accept_with_password(invitation: Invitation, password: str, request=None) -> User:
    """Set the invited person's first password and close the invitation (once: a second use is refused)."""
    with transaction.atomic():
        invitation = usable(Invitation.objects.select_for_update().filter(pk=invitation.pk).first())
        user = invitation.user
        password_validation.validate_password(password, user)
        user.set_password(password)
        User.objects.filter(pk=user.pk).update(password=user.password)  # not history: the sign-in log says so
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
        record(user, SignInEvent.Kind.PASSWORD_SET, request)
    return user


def accept_on_sign_in(user: User) -> None:
    """Close `user`'s waiting invitations when they sign in by any other way (through their organisation)."""
    Invitation.objects.open().filter(user=user).update(accepted_at=timezone.now())


# Deactivating, reactivating, changing access


def deactivate(user: User, *, by: User, reason: str) -> None:
    """Deactivate `user` (a leaver): their sessions, API token, calendar address and invitation end with it."""
    check_may_manage(by, user)
    if user.pk == by.pk:
        raise ValidationError("You cannot deactivate your own account: ask another admin.")
    if not user.is_active:
        raise ValidationError(f"{user}'s account is already deactivated.")
    with transaction.atomic():
        user.changed_by = by  # named in the sign-in log's "deactivated"
        save_with_history(user, {"is_active": False}, by=by, reason=f"Deactivated: {reason}")
        Invitation.objects.open().filter(user=user).update(cancelled_at=timezone.now())


def reactivate(user: User, *, by: User, reason: str, request=None) -> None:
    """Let a deactivated `user` sign in again (a new API token and calendar address are theirs to make)."""
    check_may_manage(by, user)
    if user.is_active:
        raise ValidationError(f"{user}'s account is active already.")
    with transaction.atomic():
        save_with_history(user, {"is_active": True}, by=by, reason=f"Reactivated: {reason}")
        record(user, SignInEvent.Kind.REACTIVATED, request, by=by, detail=reason)


def change_access(user: User, *, role: str, forces, by: User, reason: str) -> bool:
    """Give `user` `role` and `forces`; return False if that is what they have already."""
    check_may_manage(by, user)
    check_forces(role, forces)
    if user.pk == by.pk and role != user.role:
        raise ValidationError("You cannot change your own role: ask another admin.")
    force_ids = _forces_for(role, forces)
    if role == user.role and force_ids == user.member_force_ids():
        return False
    with transaction.atomic():
        set_access(user, force_ids, changes={"role": role}, by=by, reason=f"Access changed: {reason}")
    return True
