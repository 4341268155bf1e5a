"""
The People pages, an admin's (tracker.people): everyone with an account, filtered in the address; one person's
account with their sign-in log and history; inviting someone; deactivating a leaver, reactivating, changing
someone's role and forces, sending an invitation again, signing them out everywhere, resetting two-factor and
unlocking sign-in. And the page an invitation's link opens, for the person invited (nobody is signed in there).

Seeing the pages takes the "view user" permission, changing an account "change user", inviting "add user"
(an admin, a superuser, has all three); an admin's account is another admin's to change (people.check_may_manage).
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracker import people, sessions, signin, sso, two_factor
from tracker.dates import long_date
from tracker.filters import PersonFilter
from tracker.forms import AccessForm, DeactivateForm, InviteForm, ReactivateForm
from tracker.models import Invitation, SignInEvent, User
from tracker.views.common import submit
from tracker.views.sso import PASSWORD_BACKEND, let_forms_go_to

PEOPLE_PAGE_SIZE = 50
LOG_PAGE_SIZE = 50
HISTORY_LIMIT = 50


def admin_required(permission: str):
    """Allow only staff with `permission` on accounts ("view", "change", "add"); others get 403."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not (user.is_staff and user.has_perm(f"tracker.{permission}_user")):
                raise PermissionDenied("Only an admin can manage people's accounts.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@admin_required("view")
@require_GET
def people_list(request):
    """Everyone with an account: role, forces, when they last signed in, how, and whether they can."""
    person_filter = PersonFilter(request.GET, queryset=people.directory())
    page = Paginator(person_filter.qs.distinct(), PEOPLE_PAGE_SIZE).get_page(request.GET.get("page"))
    locked = signin.locked_usernames()
    context = {"filter": person_filter, "page": page, "locked": locked}
    return render(request, "tracker/people_list.html", context)


def _person(pk: int) -> User:
    return get_object_or_404(User.objects.prefetch_related("forces"), pk=pk)


def _person_page(request, person: User, *, forms: dict | None = None, status: int = 200):
    events = SignInEvent.objects.filter(user=person).select_related("by")
    log_page = Paginator(events, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    forms = forms or {}
    context = {
        "person": person,
        "forces": list(person.forces.all()),
        "two_factor": two_factor.status(person),
        "identity_providers": sso.providers_of(person),
        "locked_until": signin.lock_ends(person.username) if person.username in signin.locked_usernames() else None,
        "invitation": person.invitations.select_related("invited_by").first(),
        "log_page": log_page,
        "history": people.access_history(person, HISTORY_LIMIT),
        "may_change": request.user.has_perm("tracker.change_user") and _may_manage(request.user, person),
        "is_self": person.pk == request.user.pk,
        "access_form": forms.get("access")
        or AccessForm(initial={"role": person.role, "forces": [force.pk for force in person.forces.all()]}),
        "deactivate_form": forms.get("deactivate") or DeactivateForm(),
        "reactivate_form": forms.get("reactivate") or ReactivateForm(),
    }
    return render(request, "tracker/person_detail.html", context, status=status)


def _may_manage(admin: User, person: User) -> bool:
    try:
        people.check_may_manage(admin, person)
    except ValidationError:
        return False
    return True


@admin_required("view")
@require_GET
def person_detail(request, pk: int):
    """One person's account: who they are, their access and its history, their sign-in log, and what to change."""
    return _person_page(request, _person(pk))


@admin_required("add")
@require_http_methods(["GET", "POST"])
def invite(request):
    """Invite someone new by email: their account starts with the role and forces chosen here."""
    form = InviteForm(request.POST or None)
    if request.method == "POST":

        def change(data):
            sent = people.invite(**data, by=request.user, request=request)
            person = sent.invitation.user
            if not sent.emailed:
                messages.warning(request, _NOT_EMAILED.format(email=person.email))
            return f"Invitation sent to {person.email}. The link works until {_until(sent)}.", _url(person)

        return submit(request, form, change, again=lambda form, status, _: _invite_page(request, form, status))
    return _invite_page(request, form, 200)


def _invite_page(request, form, status):
    return render(request, "tracker/person_invite.html", {"form": form}, status=status)


_NOT_EMAILED = (
    "The mail server did not take the invitation to {email}: the account is made, but they have no link. "
    "Send the invitation again when email works."
)


def _until(sent: people.Sent) -> str:
    local = timezone.localtime(sent.invitation.expires_at)
    return f"{long_date(local)}, {local:%H:%M}"


def _url(person: User) -> str:
    return reverse("tracker:person", args=[person.pk])


def _change(request, pk: int, form_class, key: str, make_change):
    """Make a change to one person's account from a form on their page, or show the page again as typed."""
    person = _person(pk)
    form = form_class(request.POST)
    return submit(
        request,
        form,
        lambda data: (make_change(person, data), _url(person)),
        again=lambda form, status, _: _person_page(request, person, forms={key: form}, status=status),
    )


@admin_required("change")
@require_POST
def person_access(request, pk: int):
    """Give someone a new role and forces, saying why."""

    def change(person, data):
        changed = people.change_access(
            person, role=data["role"], forces=data["forces"], by=request.user, reason=data["reason"]
        )
        return f"{person}'s access is changed." if changed else f"{person} already had that role and those forces."

    return _change(request, pk, AccessForm, "access", change)


@admin_required("change")
@require_POST
def person_deactivate(request, pk: int):
    """Deactivate a leaver: they cannot sign in, and their sessions, API token and calendar address end."""

    def change(person, data):
        people.deactivate(person, by=request.user, reason=data["reason"])
        return f"{person}'s account is deactivated: their sessions, API token and calendar address have ended."

    return _change(request, pk, DeactivateForm, "deactivate", change)


@admin_required("change")
@require_POST
def person_reactivate(request, pk: int):
    """Let a deactivated person sign in again."""

    def change(person, data):
        people.reactivate(person, by=request.user, reason=data["reason"], request=request)
        return f"{person}'s account is active again."

    return _change(request, pk, ReactivateForm, "reactivate", change)


def _button(request, pk: int, make_change) -> object:
    """A change with nothing to type (a button on the person's page): made, or refused with the reason."""
    person = _person(pk)
    try:
        message = make_change(person)
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
    else:
        messages.success(request, message)
    return redirect(_url(person))


@admin_required("change")
@require_POST
def person_invite_again(request, pk: int):
    """Email someone who has not signed in yet a new invitation (the last one's link stops working)."""

    def change(person):
        sent = people.send_again(person, by=request.user, request=request)
        if not sent.emailed:
            raise ValidationError(_NOT_EMAILED.format(email=person.email))
        return f"A new invitation is sent to {person.email}. The link works until {_until(sent)}."

    return _button(request, pk, change)


@admin_required("change")
@require_POST
def person_cancel_invitation(request, pk: int):
    """Stop the link of someone's invitation from working."""

    def change(person):
        if not people.cancel(person, by=request.user, request=request):
            raise ValidationError(f"{person} has no invitation waiting.")
        return f"{person}'s invitation is cancelled: its link no longer works."

    return _button(request, pk, change)


@admin_required("change")
@require_POST
def person_sign_out_everywhere(request, pk: int):
    """End every session of someone (a lost laptop, a shared computer)."""

    if pk == request.user.pk:  # their own: as the account page's "Sign out everywhere"
        sessions.sign_out_everywhere(request)
        return redirect("login")

    def change(person):
        people.check_may_manage(request.user, person)
        sessions.end_sessions(person, request, by=request.user)
        return f"{person} is signed out everywhere: every browser they were signed in on must sign in again."

    return _button(request, pk, change)


@admin_required("change")
@require_POST
def person_reset_two_factor(request, pk: int):
    """Remove someone's authenticator app and recovery codes (a lost phone)."""

    def change(person):
        people.check_may_manage(request.user, person)
        if not two_factor.is_set_up(person):
            raise ValidationError(f"{person} has no two-factor authentication to reset.")
        two_factor.reset(person, by=request.user, request=request)
        after = "set it up again at their next sign-in" if person.needs_two_factor else "sign in with their password"
        return f"{person}'s two-factor authentication is reset: they {after}."

    return _button(request, pk, change)


@admin_required("change")
@require_POST
def person_unlock(request, pk: int):
    """Let someone locked out after wrong passwords try again now."""

    def change(person):
        if not signin.unlock(person.username):
            raise ValidationError(f"{person} is not locked out.")
        return f"{person} can sign in again."

    return _button(request, pk, change)


# The invited person's page, opened from the invitation's link: nobody is signed in.


@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request, token: str):
    """Set a first password, or sign in through the organisation, from an invitation's link (once)."""
    try:
        invitation = people.usable(Invitation.objects.find(token))
    except people.InvitationUnusable as unusable:
        return render(request, "registration/invitation_unusable.html", {"reason": str(unusable)}, status=410)
    person = invitation.user
    if request.user.is_authenticated and request.user.pk != person.pk:
        logout(request)  # a shared computer: this link is someone else's
    form = SetPasswordForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            people.accept_with_password(invitation, form.cleaned_data["new_password1"], request)
        except people.InvitationUnusable as unusable:
            return render(request, "registration/invitation_unusable.html", {"reason": str(unusable)}, status=410)
        except ValidationError as invalid:
            form.add_error("new_password2", invalid)
        else:
            return _sign_in(request, person)
    providers = people.providers_for(person)
    context = {"form": form, "person": person, "providers": providers, "invitation": invitation}
    response = render(request, "registration/invitation.html", context, status=400 if form.errors else 200)
    return let_forms_go_to(response, providers)


def _sign_in(request, person: User):
    person.refresh_from_db()
    person.backend = PASSWORD_BACKEND
    home = reverse("tracker:home")
    if two_factor.step_after_password(person) is not None:  # a reviewer or admin: their authenticator app next
        two_factor.begin(request, person, home)
        messages.success(request, "Your password is set. Now set up two-factor authentication to sign in.")
        return redirect("tracker:two_factor_set_up")
    login(request, person, backend=PASSWORD_BACKEND)
    two_factor.note_signed_in_with(request, two_factor.PASSWORD)
    messages.success(request, "Your password is set and you are signed in. Welcome to the tracker.")
    return redirect(home)
