"""
The People pages (tracker/views/people.py, tracker/people.py): an admin sees everyone's account, invites someone by
email with a link that works once, deactivates a leaver and reactivates them, changes someone's role and forces,
and each change says who, when and why.
"""

import datetime
import hashlib
import re
import smtplib

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.authenticator import with_authenticator
from tests.factories import AdminFactory, ForceFactory, PsdLeadFactory, UserFactory
from tracker import people, two_factor
from tracker.models import INVITATION_DAYS, Invitation, SignInEvent, User

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def invite(client, **given):
    data = {"first_name": "Sam", "last_name": "Patel", "email": "sam.patel@kent.police.uk", "role": "psd_lead"}
    return client.post(reverse("tracker:person_invite"), {**data, **given})


def link_in(email) -> str:
    return re.search(r"http://\S+/accounts/invitation/\S+/", email.body).group(0).removeprefix("http://127.0.0.1:8000")


def invited(client, force, **given) -> tuple[User, str]:
    """Invite Sam Patel as a PSD lead of `force`; return the account and the link the email carries."""
    mail.outbox.clear()
    invite(client, forces=[force.pk], **given)
    return User.objects.get(email=given.get("email", "sam.patel@kent.police.uk")), link_in(mail.outbox[-1])


def choose_password(link, password="a long passphrase 2026"):
    browser = Client()
    response = browser.post(link, {"new_password1": password, "new_password2": password})
    return browser, response


def kinds(user) -> list[str]:
    return list(SignInEvent.objects.filter(user=user).order_by("at", "pk").values_list("kind", flat=True))


# Who sees the pages


def test_an_admin_sees_everyone_with_role_forces_and_last_sign_in(admin_client, psd_lead_a, reviewer, force_a):
    page = admin_client.get(reverse("tracker:people"))
    text = page.content.decode()
    assert page.status_code == 200
    assert set(page.context["page"].object_list) >= {psd_lead_a, reviewer}
    assert force_a.name in text and "HMIC follow-up reviewer" in text and "Never" in text


@pytest.mark.parametrize("who", ["psd_lead_a", "reviewer", "commissioner_a"])
def test_nobody_but_an_admin_sees_the_people_pages(client, request, who, psd_lead_a):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("tracker:people")).status_code == 403
    assert client.get(reverse("tracker:person", args=[psd_lead_a.pk])).status_code == 403


def test_signed_out_the_people_page_asks_to_sign_in(client):
    response = client.get(reverse("tracker:people"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_staff_allowed_only_to_view_accounts_see_them_and_change_nothing(client, psd_lead_a):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(staff)
    assert client.get(reverse("tracker:people")).status_code == 200
    response = client.post(reverse("tracker:person_deactivate", args=[psd_lead_a.pk]), {"reason": "Left"})
    assert response.status_code == 403
    assert User.objects.get(pk=psd_lead_a.pk).is_active


def test_the_navigation_offers_people_to_admins_only(client, admin_user, reviewer):
    client.force_login(admin_user)
    assert "People" in [item.label for item in client.get(reverse("tracker:account")).context["navigation"]]
    client.force_login(reviewer)
    assert "People" not in [item.label for item in client.get(reverse("tracker:account")).context["navigation"]]


# The list's filters stay in the address


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("role=psd_lead", {"psd_lead_a", "psd_lead_b", "leaver"}),
        ("role=reviewer", {"reviewer"}),
        ("role=admin", {"admin_user"}),
        ("force=west-midlands", {"psd_lead_a"}),
        ("status=deactivated", {"leaver"}),
        ("q=LEAVER", {"leaver"}),
    ],
)
def test_the_list_filters_by_what_the_address_says(admin_client, request, query, expected, psd_lead_a, psd_lead_b):
    users = {name: request.getfixturevalue(name) for name in ["psd_lead_a", "psd_lead_b", "reviewer", "admin_user"]}
    users["leaver"] = PsdLeadFactory(username="leaver", is_active=False)
    shown = set(admin_client.get(f"{reverse('tracker:people')}?{query}").context["page"].object_list)
    assert shown == {users[name] for name in expected}


def test_never_signed_in_lists_active_accounts_that_have_not(admin_client, admin_user, psd_lead_a):
    PsdLeadFactory(username="signed.in", last_login=NOW)
    shown = admin_client.get(f"{reverse('tracker:people')}?status=never").context["page"].object_list
    assert psd_lead_a in shown and "signed.in" not in [user.username for user in shown]


def test_the_list_costs_the_same_queries_for_many_people(admin_client, force_a, django_assert_max_num_queries):
    PsdLeadFactory(forces=[force_a])
    with django_assert_max_num_queries(100) as few:
        admin_client.get(reverse("tracker:people"))
    for _ in range(20):
        with_authenticator(PsdLeadFactory(forces=[force_a, ForceFactory()]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(reverse("tracker:people"))


def test_the_list_says_who_is_invited_deactivated_and_how_they_sign_in(admin_client, force_a):
    invite(admin_client, forces=[force_a.pk])
    with_authenticator(PsdLeadFactory(username="with.app"))
    PsdLeadFactory(username="gone", is_active=False)
    rows = {user.username: user for user in admin_client.get(reverse("tracker:people")).context["page"]}
    assert rows["sam.patel@kent.police.uk"].invitation_waiting
    assert rows["with.app"].has_authenticator and not rows["with.app"].invitation_waiting
    text = admin_client.get(reverse("tracker:people")).content.decode()
    assert "Invited" in text and "Deactivated" in text and "Password and app" in text


# One person's page


def test_a_persons_page_shows_their_sign_in_log_and_the_history_of_their_access(admin_client, admin_user, psd_lead_a):
    people.deactivate(psd_lead_a, by=admin_user, reason="Left the force")
    page = admin_client.get(reverse("tracker:person", args=[psd_lead_a.pk]))
    assert [event.kind for event in page.context["log_page"]] == [SignInEvent.Kind.DEACTIVATED]
    latest = page.context["history"][0]
    assert (latest.record.history_change_reason, latest.record.history_user) == (
        "Deactivated: Left the force",
        admin_user,
    )
    assert f"(by {admin_user})" in page.content.decode()


def test_a_persons_page_of_nobody_is_not_found(admin_client):
    assert admin_client.get(reverse("tracker:person", args=[99999])).status_code == 404


# Inviting


def test_an_invitation_makes_the_account_with_its_role_and_forces_and_no_password(admin_client, admin_user, force_a):
    response = invite(admin_client, forces=[force_a.pk])
    user = User.objects.get(email="sam.patel@kent.police.uk")
    assert response.status_code == 302 and response["Location"] == reverse("tracker:person", args=[user.pk])
    assert (user.username, user.get_full_name(), user.role) == ("sam.patel@kent.police.uk", "Sam Patel", "psd_lead")
    assert list(user.forces.all()) == [force_a]
    assert not user.has_usable_password() and user.is_active


def test_an_invitation_is_one_row_of_history_naming_the_admin(admin_client, admin_user, force_a):
    invite(admin_client, forces=[force_a.pk])
    rows = list(User.objects.get(email="sam.patel@kent.police.uk").history.all())
    assert [(row.history_user, row.history_change_reason) for row in rows] == [(admin_user, f"Invited by {admin_user}")]
    assert [link.force for link in rows[0].forces.all()] == [force_a]


def test_the_invitation_email_says_who_invited_whom_as_what_and_until_when(admin_client, admin_user, force_a, clock):
    invite(admin_client, forces=[force_a.pk])
    [email] = mail.outbox
    assert email.to == ["sam.patel@kent.police.uk"]
    assert email.subject == "You are invited to the Recommendation Tracker"
    assert f"{admin_user.get_full_name()} has made you an account" in email.body
    assert f"Force PSD lead, {force_a.name}" in email.body
    assert "Your username is sam.patel@kent.police.uk" in email.body
    assert "until 09:00 on 8 December 2026 (UK time)" in email.body
    assert "choose a password" in email.body


KENT_PROVIDER = {
    "provider_id": "kent",
    "name": "Kent Police",
    "client_id": "tracker",
    "secret": "secret",
    "settings": {"server_url": "https://login.kent.example", "email_domains": ["kent.police.uk"]},
}


@pytest.fixture
def kent_provider(settings):
    """An identity provider configured for kent.police.uk addresses (not reached: nobody presses its button)."""
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [KENT_PROVIDER]}}


def test_the_invitation_email_renders_every_variable(admin_client, force_a, settings, kent_provider):
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "OPTIONS": {**engine["OPTIONS"], "string_if_invalid": "MISSING(%s)"}}]
    invite(admin_client, forces=[force_a.pk])
    [email] = mail.outbox
    assert "MISSING" not in email.subject + email.body
    assert "open this link and sign in with Kent Police, or set a password:" in email.body


def test_the_link_offers_the_organisations_sign_in_where_its_provider_speaks_for_the_address(
    admin_client, force_a, kent_provider
):
    _, link = invited(admin_client, force_a)
    page = Client().get(link)
    assert "Sign in with Kent Police" in page.content.decode()
    assert "https://login.kent.example" in page["Content-Security-Policy"]


def test_the_link_offers_no_provider_that_does_not_speak_for_the_address(admin_client, force_a, kent_provider):
    _, link = invited(admin_client, force_a, email="sam.patel@essex.police.uk")
    assert "Sign in with" not in Client().get(link).content.decode()


def test_the_invitation_is_in_the_sign_in_log_and_the_admin_is_told(admin_client, admin_user, force_a, clock):
    response = invite(admin_client, forces=[force_a.pk])
    event = SignInEvent.objects.get(user__email="sam.patel@kent.police.uk")
    assert (event.kind, event.by) == (SignInEvent.Kind.INVITED, admin_user)
    assert event.detail == "Sent to sam.patel@kent.police.uk; the link works until 08/12/2026 09:00"
    assert said(response) == [
        "Invitation sent to sam.patel@kent.police.uk. The link works until 8 December 2026, 09:00."
    ]


def test_only_a_digest_of_the_link_is_kept(admin_client, force_a):
    _, link = invited(admin_client, force_a)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert Invitation.objects.get().token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(Invitation.objects.values()))


def test_a_reviewer_is_invited_without_forces(admin_client, force_a):
    invite(admin_client, role="reviewer", forces=[force_a.pk])
    user = User.objects.get(email="sam.patel@kent.police.uk")
    assert user.role == User.Role.REVIEWER and list(user.forces.all()) == []


def test_a_psd_lead_needs_a_force(admin_client):
    response = invite(admin_client)
    assert response.status_code == 400
    assert "Choose at least one force for a PSD lead." in response.content.decode()
    assert not User.objects.filter(email="sam.patel@kent.police.uk").exists() and mail.outbox == []


def test_an_address_that_has_an_account_is_refused_keeping_what_was_typed(admin_client, psd_lead_a, force_a):
    response = invite(admin_client, email=psd_lead_a.email.upper(), first_name="Pat", forces=[force_a.pk])
    assert response.status_code == 400
    assert f"{psd_lead_a.email.upper()} already has an account." in response.content.decode()
    assert response.context["form"]["first_name"].value() == "Pat"
    assert User.objects.filter(email__iexact=psd_lead_a.email).count() == 1


def test_an_invitation_without_a_name_says_what_is_missing(admin_client, force_a):
    response = invite(admin_client, first_name="", email="not an address", forces=[force_a.pk])
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["first_name"] == ["Enter their first name"]
    assert errors["email"] == ["Enter an email address like name@force.police.uk"]


def test_a_mail_server_down_leaves_the_account_and_says_to_send_again(admin_client, force_a, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    response = invite(admin_client, forces=[force_a.pk])
    assert User.objects.filter(email="sam.patel@kent.police.uk").exists()
    assert any("did not take the invitation" in message for message in said(response))


# The invitation's link


def test_the_link_welcomes_the_person_and_asks_for_a_password(admin_client, force_a):
    _, link = invited(admin_client, force_a)
    page = Client().get(link)
    assert page.status_code == 200
    assert "Welcome, Sam Patel" in page.content.decode() and "Choose a password" in page.content.decode()


def test_choosing_a_password_signs_the_person_in(admin_client, force_a):
    user, link = invited(admin_client, force_a)
    browser, response = choose_password(link)
    assert response.status_code == 302 and response["Location"] == reverse("tracker:home")
    assert browser.session[SESSION_KEY] == str(user.pk)
    assert User.objects.get(pk=user.pk).check_password("a long passphrase 2026")


def test_choosing_a_password_closes_the_invitation_and_is_logged(admin_client, force_a):
    user, link = invited(admin_client, force_a)
    choose_password(link)
    assert Invitation.objects.get().state == Invitation.State.ACCEPTED
    assert kinds(user) == [SignInEvent.Kind.INVITED, SignInEvent.Kind.PASSWORD_SET, SignInEvent.Kind.SIGNED_IN]


def test_the_link_works_once(admin_client, force_a):
    user, link = invited(admin_client, force_a)
    choose_password(link)
    _, again = choose_password(link, "another long passphrase")
    assert again.status_code == 410 and "This invitation has been used" in again.content.decode()
    assert User.objects.get(pk=user.pk).check_password("a long passphrase 2026")


def test_a_weak_password_is_refused_and_the_link_still_works(admin_client, force_a):
    user, link = invited(admin_client, force_a)
    _, response = choose_password(link, "password")
    assert response.status_code == 400 and "This password is too short" in response.content.decode()
    assert not User.objects.get(pk=user.pk).has_usable_password()
    assert Invitation.objects.get().is_open


def test_two_different_passwords_are_refused(admin_client, force_a):
    _, link = invited(admin_client, force_a)
    response = Client().post(link, {"new_password1": "a long passphrase 2026", "new_password2": "another one 2026"})
    assert response.status_code == 400 and "didn’t match" in response.content.decode()


def test_the_link_works_until_a_week_has_passed(admin_client, force_a, clock):
    _, link = invited(admin_client, force_a)
    clock.shift(datetime.timedelta(days=INVITATION_DAYS) - datetime.timedelta(seconds=1))
    assert Client().get(link).status_code == 200
    clock.shift(datetime.timedelta(seconds=1))
    expired = Client().get(link)
    assert expired.status_code == 410
    assert "This invitation expired on 8 December 2026 at 09:00." in expired.content.decode()


def test_a_link_the_tracker_never_sent_is_refused(db):
    response = Client().get(reverse("invitation", args=["x" * 43]))
    assert response.status_code == 410 and "not one the tracker sent" in response.content.decode()


def test_sending_again_stops_the_first_link_and_the_new_one_works(admin_client, force_a):
    user, first = invited(admin_client, force_a)
    response = admin_client.post(reverse("tracker:person_invite_again", args=[user.pk]))
    second = link_in(mail.outbox[-1])
    assert response.status_code == 302 and first != second
    assert "replaced by a newer one or cancelled" in Client().get(first).content.decode()
    assert choose_password(second)[1].status_code == 302


def test_an_invitation_cancelled_opens_nothing(admin_client, force_a):
    user, link = invited(admin_client, force_a)
    admin_client.post(reverse("tracker:person_cancel_invitation", args=[user.pk]))
    assert Client().get(link).status_code == 410
    event = SignInEvent.objects.filter(user=user).first()
    assert (event.get_kind_display(), event.detail) == ("Invitation cancelled", "Its link no longer works")


def test_nobody_who_has_signed_in_is_sent_an_invitation(admin_client, psd_lead_a):
    response = admin_client.post(reverse("tracker:person_invite_again", args=[psd_lead_a.pk]))
    assert said(response) == [f"{psd_lead_a} has signed in already: an invitation is for someone who never has."]
    assert mail.outbox == []


def test_deactivating_the_account_stops_its_invitation(admin_client, admin_user, force_a):
    user, link = invited(admin_client, force_a)
    people.deactivate(user, by=admin_user, reason="Invited by mistake")
    assert Client().get(link).status_code == 410


def test_signing_in_another_way_closes_the_invitation(admin_client, force_a):
    user, _ = invited(admin_client, force_a)
    Client().force_login(user)  # as single sign-on does (tests/test_single_sign_on.py signs in through a provider)
    assert Invitation.objects.get().state == Invitation.State.ACCEPTED


def test_an_invited_reviewer_sets_up_two_factor_before_being_signed_in(admin_client):
    mail.outbox.clear()
    invite(admin_client, role="reviewer")
    browser, response = choose_password(link_in(mail.outbox[-1]))
    assert response["Location"] == reverse("tracker:two_factor_set_up")
    assert SESSION_KEY not in browser.session
    assert "Set up two-factor authentication" in browser.get(response["Location"]).content.decode()


def test_the_link_signs_out_someone_else_signed_in_on_the_same_computer(admin_client, force_a, psd_lead_b):
    _, link = invited(admin_client, force_a)
    browser = Client()
    browser.force_login(psd_lead_b)
    browser.get(link)
    assert SESSION_KEY not in browser.session


# Deactivating a leaver, reactivating


def test_deactivating_says_who_and_why_in_history_and_the_sign_in_log(admin_client, admin_user, psd_lead_a):
    response = admin_client.post(reverse("tracker:person_deactivate", args=[psd_lead_a.pk]), {"reason": "Retired"})
    user = User.objects.get(pk=psd_lead_a.pk)
    assert response.status_code == 302 and not user.is_active
    row = user.history.first()
    assert (row.history_user, row.history_change_reason) == (admin_user, "Deactivated: Retired")
    assert SignInEvent.objects.get(user=user).by == admin_user


def test_deactivating_ends_the_leavers_sessions_and_api_token(admin_client, psd_lead_a):
    leaver = Client()
    leaver.force_login(psd_lead_a)
    Token.objects.create(user=psd_lead_a)
    admin_client.post(reverse("tracker:person_deactivate", args=[psd_lead_a.pk]), {"reason": "Left"})
    assert leaver.get(reverse("tracker:account")).status_code == 302
    assert not Token.objects.filter(user=psd_lead_a).exists()


def test_deactivating_without_a_reason_is_refused_and_changes_nothing(admin_client, psd_lead_a):
    response = admin_client.post(reverse("tracker:person_deactivate", args=[psd_lead_a.pk]), {"reason": " "})
    assert response.status_code == 400
    assert response.context["deactivate_form"].errors["reason"] == ["Say why: it is kept in the account's history"]
    assert User.objects.get(pk=psd_lead_a.pk).is_active


def test_an_admin_cannot_deactivate_themselves(admin_client, admin_user):
    response = admin_client.post(reverse("tracker:person_deactivate", args=[admin_user.pk]), {"reason": "Oops"})
    assert response.status_code == 400
    assert "You cannot deactivate your own account" in response.content.decode()
    assert User.objects.get(pk=admin_user.pk).is_active


def test_only_an_admin_changes_an_admins_account(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    other_admin = AdminFactory()
    client.force_login(staff)
    response = client.post(reverse("tracker:person_deactivate", args=[other_admin.pk]), {"reason": "Takeover"})
    assert response.status_code == 400
    assert response.context["deactivate_form"].non_field_errors() == [
        "Only an admin can change another admin's account."
    ]
    assert User.objects.get(pk=other_admin.pk).is_active


def test_reactivating_lets_them_sign_in_again_and_says_why(admin_client, admin_user, psd_lead_a):
    people.deactivate(psd_lead_a, by=admin_user, reason="Seconded")
    admin_client.post(reverse("tracker:person_reactivate", args=[psd_lead_a.pk]), {"reason": "Back from secondment"})
    user = User.objects.get(pk=psd_lead_a.pk)
    assert user.is_active and user.history.first().history_change_reason == "Reactivated: Back from secondment"
    assert kinds(user)[-1] == SignInEvent.Kind.REACTIVATED
    assert Client().post(reverse("login"), {"username": user.username, "password": "password"}).status_code == 302


# Role and forces


def test_changing_access_moves_a_psd_lead_to_another_force_saying_why(admin_client, admin_user, psd_lead_a, force_b):
    data = {"role": "psd_lead", "forces": [force_b.pk], "reason": "Moved to force B"}
    admin_client.post(reverse("tracker:person_access", args=[psd_lead_a.pk]), data)
    assert list(psd_lead_a.forces.all()) == [force_b]
    row = psd_lead_a.history.first()
    assert (row.history_user, row.history_change_reason) == (admin_user, "Access changed: Moved to force B")


def test_changing_to_a_reviewer_drops_the_forces(admin_client, psd_lead_a, force_a):
    data = {"role": "reviewer", "forces": [force_a.pk], "reason": "Joined HMIC"}
    admin_client.post(reverse("tracker:person_access", args=[psd_lead_a.pk]), data)
    user = User.objects.get(pk=psd_lead_a.pk)
    assert user.role == User.Role.REVIEWER and list(user.forces.all()) == []


def test_a_psd_lead_left_without_a_force_is_refused_as_typed(admin_client, psd_lead_a, force_a):
    data = {"role": "psd_lead", "reason": "Tidying up"}
    response = admin_client.post(reverse("tracker:person_access", args=[psd_lead_a.pk]), data)
    assert response.status_code == 400 and "Choose at least one force for a PSD lead." in response.content.decode()
    assert response.context["access_form"]["reason"].value() == "Tidying up"
    assert list(psd_lead_a.forces.all()) == [force_a]


def test_nothing_changed_writes_no_history(admin_client, psd_lead_a, force_a):
    before = psd_lead_a.history.count()
    data = {"role": "psd_lead", "forces": [force_a.pk], "reason": "Checking"}
    response = admin_client.post(reverse("tracker:person_access", args=[psd_lead_a.pk]), data)
    assert said(response) == [f"{psd_lead_a} already had that role and those forces."]
    assert psd_lead_a.history.count() == before


def test_an_admin_cannot_change_their_own_role(admin_client, admin_user):
    data = {"role": "psd_lead", "reason": "Testing", "forces": []}
    response = admin_client.post(reverse("tracker:person_access", args=[admin_user.pk]), data)
    assert response.status_code == 400


# The buttons


def test_signing_someone_out_everywhere_ends_their_sessions_naming_the_admin(admin_client, admin_user, psd_lead_a):
    theirs = Client()
    theirs.force_login(psd_lead_a)
    admin_client.post(reverse("tracker:person_sign_out_everywhere", args=[psd_lead_a.pk]))
    assert theirs.get(reverse("tracker:account")).status_code == 302
    event = SignInEvent.objects.filter(user=psd_lead_a).first()
    assert (event.kind, event.by) == (SignInEvent.Kind.SIGNED_OUT_EVERYWHERE, admin_user)


def test_an_admin_resets_a_lost_phones_two_factor(admin_client, admin_user, reviewer):
    with_authenticator(reviewer)
    response = admin_client.post(reverse("tracker:person_reset_two_factor", args=[reviewer.pk]))
    assert said(response) == [
        f"{reviewer}'s two-factor authentication is reset: they set it up again at their next sign-in."
    ]
    assert not two_factor.is_set_up(reviewer)
    assert SignInEvent.objects.filter(user=reviewer).first().by == admin_user


def test_resetting_two_factor_that_is_not_set_up_says_so(admin_client, reviewer):
    response = admin_client.post(reverse("tracker:person_reset_two_factor", args=[reviewer.pk]))
    assert said(response) == [f"{reviewer} has no two-factor authentication to reset."]


def test_an_admin_unlocks_someone_locked_out(admin_client, psd_lead_a):
    AccessAttempt.objects.create(
        username=psd_lead_a.username, ip_address="192.0.2.1", user_agent="", failures_since_start=10
    )
    response = admin_client.post(reverse("tracker:person_unlock", args=[psd_lead_a.pk]))
    assert said(response) == [f"{psd_lead_a} can sign in again."]
    assert not AccessAttempt.objects.filter(username=psd_lead_a.username).exists()


def test_the_buttons_take_only_a_post(admin_client, psd_lead_a):
    assert admin_client.get(reverse("tracker:person_unlock", args=[psd_lead_a.pk])).status_code == 405


def test_a_reviewer_can_change_nobody(client, reviewer, psd_lead_a):
    client.force_login(reviewer)
    response = client.post(reverse("tracker:person_deactivate", args=[psd_lead_a.pk]), {"reason": "No"})
    assert response.status_code == 403 and User.objects.get(pk=psd_lead_a.pk).is_active


def test_the_same_address_invited_twice_at_once_makes_one_account(admin_user, force_a, monkeypatch):
    people.invite(
        email="sam@kent.police.uk", first_name="S", last_name="P", role="psd_lead", forces=[force_a], by=admin_user
    )
    monkeypatch.setattr(people.User.objects, "filter", lambda **kwargs: User.objects.none())  # both checked first
    with pytest.raises(ValidationError, match="sam@kent.police.uk already has an account."):
        people.invite(
            email="sam@kent.police.uk", first_name="S", last_name="P", role="psd_lead", forces=[force_a], by=admin_user
        )


# What mutation testing asked for (make mutation): each rule pinned by its own test.


def test_the_list_marks_only_a_confirmed_app_and_only_an_identity_providers_account(admin_client):
    from allauth.socialaccount.models import SocialAccount
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with_authenticator(PsdLeadFactory(username="with.app"))
    TOTPDevice.objects.create(user=PsdLeadFactory(username="half.set.up"), name="app", confirmed=False)
    SocialAccount.objects.create(user=PsdLeadFactory(username="through.sso"), provider="kent", uid="1")
    rows = {user.username: user for user in admin_client.get(reverse("tracker:people")).context["page"]}
    assert [name for name, user in rows.items() if user.has_authenticator] == ["with.app"]
    assert [name for name, user in rows.items() if user.signs_in_through_provider] == ["through.sso"]


def test_a_password_like_the_persons_name_is_refused_however_it_comes(admin_user, force_a):
    sent = people.invite(
        email="samantha.patel@kent.police.uk",
        first_name="Samantha",
        last_name="Patel",
        role="psd_lead",
        forces=[force_a],
        by=admin_user,
    )
    with pytest.raises(ValidationError, match="too similar"):
        people.accept_with_password(sent.invitation, "samantha.patel@kent.police")
    assert Invitation.objects.get().is_open


def test_the_password_set_is_logged_with_the_browsers_address(admin_client, force_a):
    user, link = invited(admin_client, force_a)
    Client(REMOTE_ADDR="192.0.2.44").post(
        link, {"new_password1": "a long passphrase 2026", "new_password2": "a long passphrase 2026"}
    )
    event = SignInEvent.objects.get(user=user, kind=SignInEvent.Kind.PASSWORD_SET)
    assert event.address == "192.0.2.44"


def test_an_invited_reviewers_link_is_used_once_the_password_is_set_before_the_app_is(admin_client, clock):
    mail.outbox.clear()
    invite(admin_client, role="reviewer")
    link = link_in(mail.outbox[-1])
    choose_password(link)
    invitation = Invitation.objects.get()
    assert invitation.accepted_at == NOW and invitation.state == Invitation.State.ACCEPTED
    assert Client().get(link).status_code == 410


def test_cancelling_is_logged_naming_the_admin_and_their_address(admin_client, admin_user, force_a):
    user, _ = invited(admin_client, force_a)
    admin_client.post(reverse("tracker:person_cancel_invitation", args=[user.pk]), REMOTE_ADDR="192.0.2.9")
    event = SignInEvent.objects.filter(user=user).first()
    assert (event.kind, event.by, event.address) == (SignInEvent.Kind.INVITATION_CANCELLED, admin_user, "192.0.2.9")


def test_cancelling_when_nothing_waits_says_so(admin_client, psd_lead_a):
    response = admin_client.post(reverse("tracker:person_cancel_invitation", args=[psd_lead_a.pk]))
    assert said(response) == [f"{psd_lead_a} has no invitation waiting."]


@pytest.mark.parametrize(
    ("name", "data", "form"),
    [
        ("tracker:person_deactivate", {"reason": "Takeover"}, "deactivate_form"),
        ("tracker:person_reactivate", {"reason": "Takeover"}, "reactivate_form"),
        ("tracker:person_access", {"role": "psd_lead", "forces": [], "reason": "Takeover"}, "access_form"),
        ("tracker:person_invite_again", {}, None),
        ("tracker:person_cancel_invitation", {}, None),
        ("tracker:person_sign_out_everywhere", {}, None),
        ("tracker:person_reset_two_factor", {}, None),
    ],
)
def test_staff_who_are_not_admins_change_no_admins_account(client, name, data, form):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    other_admin = AdminFactory(is_active=name != "tracker:person_reactivate")
    with_authenticator(other_admin)
    before = (other_admin.is_active, other_admin.sessions_ended_at, other_admin.history.count(), len(mail.outbox))
    client.force_login(staff)
    response = client.post(reverse(name, args=[other_admin.pk]), data)
    refusals = response.context[form].non_field_errors() if form else said(response)
    assert refusals == ["Only an admin can change another admin's account."]
    other_admin.refresh_from_db()
    after = (other_admin.is_active, other_admin.sessions_ended_at, other_admin.history.count(), len(mail.outbox))
    assert after == before and two_factor.is_set_up(other_admin)


def test_an_admin_cannot_change_their_own_role_even_with_a_force(admin_client, admin_user, force_a):
    data = {"role": "psd_lead", "reason": "Testing", "forces": [force_a.pk]}
    response = admin_client.post(reverse("tracker:person_access", args=[admin_user.pk]), data)
    assert response.context["access_form"].non_field_errors() == ["You cannot change your own role: ask another admin."]
    assert User.objects.get(pk=admin_user.pk).role == User.Role.REVIEWER


def test_staff_may_change_their_own_forces_keeping_their_role(client, force_a, force_b):
    staff = PsdLeadFactory(is_staff=True, forces=[force_a])
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    client.force_login(staff)
    data = {"role": "psd_lead", "forces": [force_b.pk], "reason": "Moved"}
    response = client.post(reverse("tracker:person_access", args=[staff.pk]), data)
    assert said(response) == [f"{staff}'s access is changed."]
    assert list(staff.forces.all()) == [force_b]


def test_a_change_of_access_made_outside_a_request_names_who_made_it(admin_user, psd_lead_a, force_b):
    people.change_access(psd_lead_a, role="psd_lead", forces=[force_b], by=admin_user, reason="Moved")
    assert psd_lead_a.history.first().history_user == admin_user


def test_deactivating_yourself_says_to_ask_another_admin(admin_user, psd_lead_a):
    with pytest.raises(ValidationError) as refused:
        people.deactivate(admin_user, by=admin_user, reason="Oops")
    assert refused.value.messages == ["You cannot deactivate your own account: ask another admin."]


def test_deactivating_someone_deactivated_says_so(admin_user, psd_lead_a):
    people.deactivate(psd_lead_a, by=admin_user, reason="Left")
    with pytest.raises(ValidationError) as refused:
        people.deactivate(psd_lead_a, by=admin_user, reason="Left")
    assert refused.value.messages == [f"{psd_lead_a}'s account is already deactivated."]


def test_reactivating_someone_active_says_so(admin_user, psd_lead_a):
    with pytest.raises(ValidationError) as refused:
        people.reactivate(psd_lead_a, by=admin_user, reason="Back")
    assert refused.value.messages == [f"{psd_lead_a}'s account is active already."]


def test_deactivating_cancels_only_their_own_waiting_invitation(admin_client, admin_user, force_a):
    user, _ = invited(admin_client, force_a)
    other, _ = invited(admin_client, force_a, email="other@kent.police.uk")
    people.deactivate(user, by=admin_user, reason="Invited by mistake")
    assert user.invitations.get().state == Invitation.State.CANCELLED
    assert other.invitations.get().state == Invitation.State.OPEN


def test_reactivating_is_logged_with_who_why_and_from_where(admin_client, admin_user, psd_lead_a):
    people.deactivate(psd_lead_a, by=admin_user, reason="Seconded")
    url = reverse("tracker:person_reactivate", args=[psd_lead_a.pk])
    admin_client.post(url, {"reason": "Back from secondment"}, REMOTE_ADDR="192.0.2.9")
    event = SignInEvent.objects.filter(user=psd_lead_a).first()
    assert (event.kind, event.by, event.detail, event.address) == (
        SignInEvent.Kind.REACTIVATED,
        admin_user,
        "Back from secondment",
        "192.0.2.9",
    )


def test_a_reactivation_made_outside_a_request_names_who_made_it(admin_user, psd_lead_a):
    people.deactivate(psd_lead_a, by=admin_user, reason="Seconded")
    people.reactivate(psd_lead_a, by=admin_user, reason="Back")
    assert psd_lead_a.history.first().history_user == admin_user


def test_an_invitation_to_a_deactivated_account_is_refused_until_it_is_reactivated(admin_client, admin_user, force_a):
    user, _ = invited(admin_client, force_a)
    people.deactivate(user, by=admin_user, reason="Not yet")
    response = admin_client.post(reverse("tracker:person_invite_again", args=[user.pk]))
    assert said(response)[-1] == f"{user}'s account is deactivated: reactivate it first."


def test_sending_again_is_logged_from_the_admins_address(admin_client, force_a):
    user, _ = invited(admin_client, force_a)
    admin_client.post(reverse("tracker:person_invite_again", args=[user.pk]), REMOTE_ADDR="192.0.2.9")
    assert SignInEvent.objects.filter(user=user).first().address == "192.0.2.9"


def test_an_admin_made_without_a_password_is_invited_as_an_admin(admin_client):
    other_admin = AdminFactory(first_name="Ada", last_name="Hale")
    other_admin.set_unusable_password()
    other_admin.save()
    admin_client.post(reverse("tracker:person_invite_again", args=[other_admin.pk]))
    assert (
        "made you an account on the Recommendation Tracker, where HMIC's recommendations are followed up: Admin."
        in (mail.outbox[-1].body)
    )


def test_a_mail_server_down_is_logged_naming_the_address(admin_client, force_a, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    invite(admin_client, forces=[force_a.pk])
    assert "The invitation to sam.patel@kent.police.uk was not sent" in [r.getMessage() for r in caplog.records]


def test_the_links_secret_has_256_bits(admin_client, force_a):
    _, link = invited(admin_client, force_a)
    assert len(link.rstrip("/").rsplit("/", 1)[1]) == 43  # 32 random bytes, URL-safe base64 without padding


def test_an_invitation_is_logged_from_the_admins_address(admin_client, force_a):
    admin_client.post(
        reverse("tracker:person_invite"),
        {
            "first_name": "Sam",
            "last_name": "Patel",
            "email": "sam@kent.police.uk",
            "role": "psd_lead",
            "forces": [force_a.pk],
        },
        REMOTE_ADDR="192.0.2.9",
    )
    assert SignInEvent.objects.get(user__email="sam@kent.police.uk").address == "192.0.2.9"


def test_an_invitation_made_outside_a_request_names_who_made_it(admin_user, force_a):
    sent = people.invite(
        email="sam@kent.police.uk", first_name="S", last_name="P", role="psd_lead", forces=[force_a], by=admin_user
    )
    assert sent.invitation.user.history.get().history_user == admin_user


def test_an_address_that_is_someones_username_is_refused(admin_client, force_a):
    PsdLeadFactory(username="sam.patel@kent.police.uk", email="sam@home.example")
    response = invite(admin_client, forces=[force_a.pk])
    assert (
        response.status_code == 400 and "sam.patel@kent.police.uk already has an account." in response.content.decode()
    )


def test_the_history_of_access_shows_the_forces_after_each_change(admin_user, psd_lead_a, force_a, force_b):
    people.change_access(psd_lead_a, role="psd_lead", forces=[force_b, force_a], by=admin_user, reason="Both")
    people.change_access(psd_lead_a, role="psd_lead", forces=[force_b], by=admin_user, reason="Only B")
    changes = people.access_history(psd_lead_a, 10)
    assert [(c.record.history_change_reason, c.forces) for c in changes[:2]] == [
        ("Access changed: Only B", [force_b]),
        ("Access changed: Both", [force_b, force_a]),  # by name: Leicestershire, West Midlands
    ]


def test_a_persons_page_costs_the_same_queries_however_long_their_history(
    admin_client, admin_user, psd_lead_a, force_a, force_b, django_assert_max_num_queries
):
    url = reverse("tracker:person", args=[psd_lead_a.pk])
    people.change_access(psd_lead_a, role="psd_lead", forces=[force_b], by=admin_user, reason="1")
    SignInEvent.objects.create(user=psd_lead_a, kind=SignInEvent.Kind.SIGNED_OUT_EVERYWHERE, by=admin_user)
    with django_assert_max_num_queries(100) as few:
        admin_client.get(url)
    for n in range(6):
        people.change_access(
            psd_lead_a, role="psd_lead", forces=[[force_a], [force_b]][n % 2], by=admin_user, reason="n"
        )
        SignInEvent.objects.create(user=psd_lead_a, kind=SignInEvent.Kind.SIGNED_OUT_EVERYWHERE, by=admin_user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(url)


def test_a_commissioners_office_needs_its_force(admin_client):
    response = invite(admin_client, role="commissioner")
    assert response.context["form"].non_field_errors() == [
        "Choose at least one force for a Police and crime commissioner's office."
    ]


def test_access_set_as_it_was_writes_no_history(admin_user, psd_lead_a, force_a):
    before = psd_lead_a.history.count()
    people.set_access(psd_lead_a, frozenset({force_a.pk}), by=admin_user, reason="Nothing new")
    assert psd_lead_a.history.count() == before


def test_a_link_the_tracker_never_sent_says_what_to_do(db):
    response = Client().get(reverse("invitation", args=["x" * 43]))
    assert response.context["reason"] == (
        "This invitation link is not one the tracker sent, or it was cut short. "
        "Copy the whole link from the email, or ask whoever invited you to send a new one."
    )


def test_an_admin_signing_themselves_out_everywhere_is_signed_out_and_logged_once(admin_client, admin_user):
    response = admin_client.post(reverse("tracker:person_sign_out_everywhere", args=[admin_user.pk]))
    assert response["Location"] == reverse("login") and SESSION_KEY not in admin_client.session
    events = SignInEvent.objects.filter(user=admin_user).exclude(kind=SignInEvent.Kind.SIGNED_IN)
    assert [(event.kind, event.by) for event in events] == [(SignInEvent.Kind.SIGNED_OUT_EVERYWHERE, None)]
