"""
Two-factor authentication for password sign-ins (tracker/two_factor.py): required of reviewers and admins, offered
to PSD leads and commissioners' offices; an authenticator app's codes and recovery codes; nobody signed in between
the password and the code; an admin's reset; and sessions that must sign in again.
"""

import datetime
import importlib
import re

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.authenticator import code_of, device_on_page, with_authenticator
from tests.factories import AdminFactory, PsdLeadFactory, ReviewerFactory
from tracker import two_factor
from tracker.models import SignInEvent, User

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edge/131.0"


@pytest.fixture
def clock():
    """A clock that stands still at 09:00 UTC on 1 December 2026 until moved; authenticator codes follow it."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def later(clock, seconds):
    clock.move_to(datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=seconds))


def sign_in(client, user, password="password", next_url=None):
    data = {"username": user.username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data, REMOTE_ADDR="192.0.2.10", HTTP_USER_AGENT=BROWSER)


def enter_code(client, code):
    return client.post(reverse("two_factor_code"), {"code": code}, REMOTE_ADDR="192.0.2.10")


def is_signed_in(client) -> bool:
    return SESSION_KEY in client.session


def kinds(user):
    return list(SignInEvent.objects.filter(user=user).order_by("at", "pk").values_list("kind", flat=True))


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# Who must have it


@pytest.mark.parametrize(
    ("make", "required"),
    [
        (ReviewerFactory, True),
        (AdminFactory, True),
        (lambda: PsdLeadFactory(is_staff=True), True),
        (PsdLeadFactory, False),
        (lambda: PsdLeadFactory(role=User.Role.COMMISSIONER), False),
    ],
    ids=["reviewer", "admin", "staff", "psd lead", "commissioner"],
)
def test_reviewers_and_admins_must_have_two_factor_and_others_may(make, required):
    assert make().needs_two_factor is required


def test_someone_who_signs_in_only_through_their_organisation_is_not_asked_for_it_here():
    reviewer = ReviewerFactory()
    reviewer.set_unusable_password()
    assert (reviewer.needs_two_factor, two_factor.offered_to(reviewer)) == (False, False)


# Signing in: a reviewer with none yet sets it up before anything else


def test_a_reviewers_right_password_leads_to_setting_up_and_signs_nobody_in(client, clock):
    response = sign_in(client, ReviewerFactory())
    assert response.url == reverse("tracker:two_factor_set_up")
    assert not is_signed_in(client)
    assert client.get(reverse("tracker:home")).status_code == 302  # still the sign-in page


def test_the_set_up_page_shows_a_qr_code_and_the_key_to_type(client, clock):
    reviewer = ReviewerFactory()
    sign_in(client, reviewer)
    page = client.get(reverse("tracker:two_factor_set_up")).content.decode()
    device = device_on_page(client, reviewer)
    assert "<svg" in page
    assert two_factor.key_for_typing(device) in page
    assert 'inputmode="numeric"' in page
    assert "Set up and sign in" in page


def test_the_key_stays_the_same_when_the_set_up_page_is_shown_again(client, clock):
    reviewer = ReviewerFactory()
    sign_in(client, reviewer)
    first = client.get(reverse("tracker:two_factor_set_up")).content.decode()
    key = two_factor.key_for_typing(device_on_page(client, reviewer))
    second = client.get(reverse("tracker:two_factor_set_up")).content.decode()
    assert key in first and key in second


def test_showing_the_set_up_page_saves_nothing(client, clock):
    reviewer = ReviewerFactory()
    sign_in(client, reviewer)
    client.get(reverse("tracker:two_factor_set_up"))
    assert not TOTPDevice.objects.filter(user=reviewer).exists()


def test_the_apps_code_sets_it_up_signs_in_and_shows_ten_recovery_codes_once(client, clock):
    reviewer = ReviewerFactory()
    sign_in(client, reviewer, next_url="/actions/")
    client.get(reverse("tracker:two_factor_set_up"))
    device = device_on_page(client, reviewer)
    response = client.post(reverse("tracker:two_factor_set_up"), {"code": code_of(device)})
    assert response.url == reverse("tracker:recovery_codes")
    assert is_signed_in(client)
    page = client.get(reverse("tracker:recovery_codes")).content.decode()
    codes = set(StaticToken.objects.filter(device__user=reviewer).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in page for code in codes)
    assert 'href="/actions/"' in page  # on to where they were going
    again = client.get(reverse("tracker:recovery_codes")).content.decode()
    assert not any(code in again for code in codes)


def test_setting_up_at_sign_in_is_logged_with_the_sign_in(client, clock):
    reviewer = ReviewerFactory()
    sign_in(client, reviewer)
    client.get(reverse("tracker:two_factor_set_up"))
    client.post(reverse("tracker:two_factor_set_up"), {"code": code_of(device_on_page(client, reviewer))})
    assert kinds(reviewer) == [SignInEvent.Kind.TWO_FACTOR_ON, SignInEvent.Kind.SIGNED_IN]
    assert SignInEvent.objects.get(user=reviewer, kind=SignInEvent.Kind.TWO_FACTOR_ON).address == "127.0.0.1"


def test_a_wrong_code_at_set_up_keeps_what_was_typed_and_signs_nobody_in(client, clock):
    reviewer = ReviewerFactory()
    sign_in(client, reviewer)
    client.get(reverse("tracker:two_factor_set_up"))
    device = device_on_page(client, reviewer)
    wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("tracker:two_factor_set_up"), {"code": wrong})
    assert response.status_code == 200
    assert two_factor.WRONG_SET_UP_CODE in response.content.decode()
    assert f'value="{wrong}"' in response.content.decode()
    assert not is_signed_in(client)
    assert not two_factor.is_set_up(reviewer)


def test_the_set_up_page_without_a_password_first_is_the_sign_in_page(client):
    assert client.get(reverse("tracker:two_factor_set_up")).url == reverse("login")


# Signing in with it set up


def test_the_right_password_asks_for_the_code_and_signs_nobody_in(client, clock):
    reviewer = ReviewerFactory()
    with_authenticator(reviewer)
    response = sign_in(client, reviewer)
    assert response.url == reverse("two_factor_code")
    assert not is_signed_in(client)
    page = client.get(reverse("two_factor_code")).content.decode()
    assert f"Signing in as {reviewer.username}" in page
    assert 'autocomplete="one-time-code"' in page
    assert "inputmode" not in page  # a phone's keyboard with letters, for a recovery code


def test_the_right_code_signs_in_to_where_they_were_going(client, clock):
    reviewer = ReviewerFactory()
    device = with_authenticator(reviewer)
    later(clock, 30)
    sign_in(client, reviewer, next_url="/actions/?status=open")
    response = enter_code(client, code_of(device))
    assert response.url == "/actions/?status=open"
    assert is_signed_in(client)
    assert client.session[two_factor.SIGNED_IN_WITH_KEY] == two_factor.PASSWORD_AND_CODE


def test_a_code_typed_with_spaces_is_taken(client, clock):
    reviewer = ReviewerFactory()
    device = with_authenticator(reviewer)
    later(clock, 30)
    sign_in(client, reviewer)
    code = code_of(device)
    enter_code(client, f" {code[:3]} {code[3:]} ")
    assert is_signed_in(client)


def test_the_sign_in_log_says_a_code_was_used(client, clock):
    reviewer = ReviewerFactory()
    device = with_authenticator(reviewer)
    later(clock, 30)
    sign_in(client, reviewer)
    enter_code(client, code_of(device))
    event = SignInEvent.objects.filter(user=reviewer, kind=SignInEvent.Kind.SIGNED_IN).get()
    assert event.detail == "With a code from the authenticator app"


def test_a_wrong_code_is_refused_and_logged(client, clock):
    reviewer = ReviewerFactory()
    device = with_authenticator(reviewer)
    later(clock, 30)
    sign_in(client, reviewer)
    response = enter_code(client, f"{(int(code_of(device)) + 1) % 1_000_000:06d}")
    assert two_factor.WRONG_CODE in response.content.decode()
    assert not is_signed_in(client)
    failure = SignInEvent.objects.filter(user=reviewer).first()
    assert (failure.kind, failure.address, failure.is_failure) == (SignInEvent.Kind.CODE_FAILED, "192.0.2.10", True)


def test_after_a_wrong_code_the_next_try_must_wait(client, clock):
    reviewer = ReviewerFactory()
    device = with_authenticator(reviewer)
    later(clock, 30)
    sign_in(client, reviewer)
    enter_code(client, "000000" if code_of(device) != "000000" else "111111")
    response = enter_code(client, code_of(device))  # right, but too soon
    assert "Too many wrong codes. Wait until 09:00:31" in response.content.decode()
    assert not is_signed_in(client)
    later(clock, 2)
    enter_code(client, code_of(device))
    assert is_signed_in(client)


def test_a_code_once_used_does_not_sign_in_again(client, clock):
    reviewer = ReviewerFactory()
    device = with_authenticator(reviewer)
    later(clock, 30)
    code = code_of(device)
    sign_in(client, reviewer)
    enter_code(client, code)
    client.logout()
    sign_in(client, reviewer)
    enter_code(client, code)
    assert not is_signed_in(client)


def test_a_recovery_code_signs_in_once(client, clock):
    reviewer = ReviewerFactory()
    with_authenticator(reviewer)
    code = StaticToken.objects.filter(device__user=reviewer).first().token
    sign_in(client, reviewer)
    enter_code(client, code.upper())
    assert is_signed_in(client)
    event = SignInEvent.objects.filter(user=reviewer, kind=SignInEvent.Kind.SIGNED_IN).get()
    assert event.detail == "With a recovery code (9 left)"
    client.logout()
    later(clock, 5)
    sign_in(client, reviewer)
    enter_code(client, code)
    assert not is_signed_in(client)


def test_an_empty_code_is_asked_for(client, clock):
    reviewer = ReviewerFactory()
    with_authenticator(reviewer)
    sign_in(client, reviewer)
    response = enter_code(client, "  ")
    assert "Enter the 6-digit code from your authenticator app, or a recovery code" in response.content.decode()
    assert SignInEvent.Kind.CODE_FAILED not in kinds(reviewer)


def test_the_code_step_ends_after_ten_minutes(client, clock):
    reviewer = ReviewerFactory()
    device = with_authenticator(reviewer)
    sign_in(client, reviewer)
    later(clock, 10 * 60 + 1)
    response = enter_code(client, code_of(device))
    assert response.url == reverse("login")
    assert not is_signed_in(client)
    assert messages_of(response) == [two_factor.step_expired_message()]


def test_a_password_changed_between_the_steps_ends_the_step(client, clock):
    reviewer = ReviewerFactory()
    device = with_authenticator(reviewer)
    later(clock, 30)
    sign_in(client, reviewer)
    reviewer.set_password("a new password 2026")
    reviewer.save()
    enter_code(client, code_of(device))
    assert not is_signed_in(client)


def test_an_account_deactivated_between_the_steps_is_not_signed_in(client, clock):
    reviewer = ReviewerFactory()
    device = with_authenticator(reviewer)
    later(clock, 30)
    sign_in(client, reviewer)
    User.objects.filter(pk=reviewer.pk).update(is_active=False)
    enter_code(client, code_of(device))
    assert not is_signed_in(client)


def test_the_code_page_without_a_password_first_is_the_sign_in_page(client):
    assert client.get(reverse("two_factor_code")).url == reverse("login")


def test_a_wrong_password_never_reaches_the_code(client, clock):
    reviewer = ReviewerFactory()
    with_authenticator(reviewer)
    response = sign_in(client, reviewer, password="wrong")
    assert response.status_code == 200
    assert client.get(reverse("two_factor_code")).url == reverse("login")


def test_the_code_step_gets_a_new_session_id(client, clock):
    reviewer = ReviewerFactory()
    with_authenticator(reviewer)
    client.get(reverse("login"))
    before = client.session.session_key
    sign_in(client, reviewer)
    assert client.session.session_key != before


# PSD leads: optional


def test_a_psd_lead_without_it_signs_in_with_the_password_alone(client, psd_lead_a):
    response = sign_in(client, psd_lead_a)
    assert response.url == "/"
    assert client.session[two_factor.SIGNED_IN_WITH_KEY] == two_factor.PASSWORD


def test_a_psd_lead_who_set_it_up_is_asked_for_the_code(client, psd_lead_a, clock):
    client.force_login(psd_lead_a)
    client.get(reverse("tracker:two_factor_set_up"))
    device = device_on_page(client, psd_lead_a)
    client.post(reverse("tracker:two_factor_set_up"), {"code": code_of(device)})
    client.logout()
    later(clock, 30)
    assert sign_in(client, psd_lead_a).url == reverse("two_factor_code")


def test_setting_it_up_from_the_account_page_shows_the_codes_then_back_to_the_account(client, psd_lead_a, clock):
    client.force_login(psd_lead_a)
    client.get(reverse("tracker:two_factor_set_up"))
    device = device_on_page(client, psd_lead_a)
    client.post(reverse("tracker:two_factor_set_up"), {"code": code_of(device)})
    page = client.get(reverse("tracker:recovery_codes")).content.decode()
    assert f'href="{reverse("tracker:account")}"' in page
    assert "Save these codes now" in page


def test_the_account_page_offers_it_to_a_psd_lead(client, psd_lead_a):
    client.force_login(psd_lead_a)
    page = client.get(reverse("tracker:account")).content.decode()
    assert "Off: you sign in with your password alone" in page
    assert reverse("tracker:two_factor_set_up") in page


def test_the_account_page_says_when_it_was_set_up_and_the_codes_left(client, psd_lead_a, clock):
    with_authenticator(psd_lead_a)
    client.force_login(psd_lead_a)
    page = client.get(reverse("tracker:account")).content.decode()
    assert "On since 1 December 2026" in page
    assert "You have 10 recovery codes left" in page
    assert "Turn off two-factor authentication" in page


def test_the_account_page_of_a_reviewer_offers_no_turning_off(client, clock):
    reviewer = ReviewerFactory()
    with_authenticator(reviewer)
    client.force_login(reviewer)
    page = client.get(reverse("tracker:account")).content.decode()
    assert "Reviewers and admins cannot turn it off" in page
    assert reverse("tracker:two_factor_off") not in page


def test_a_psd_lead_can_turn_it_off_and_it_is_logged(client, psd_lead_a, clock):
    with_authenticator(psd_lead_a)
    client.force_login(psd_lead_a)
    client.post(reverse("tracker:two_factor_off"))
    assert not two_factor.is_set_up(psd_lead_a)
    assert StaticToken.objects.filter(device__user=psd_lead_a).count() == 0
    assert kinds(psd_lead_a)[-1] == SignInEvent.Kind.TWO_FACTOR_OFF
    client.logout()
    assert sign_in(client, psd_lead_a).url == "/"


def test_a_reviewer_cannot_turn_it_off(client, clock):
    reviewer = ReviewerFactory()
    with_authenticator(reviewer)
    client.force_login(reviewer)
    assert client.post(reverse("tracker:two_factor_off")).status_code == 403
    assert two_factor.is_set_up(reviewer)


def test_someone_signing_in_through_their_organisation_is_not_offered_it(client):
    lead = PsdLeadFactory()
    lead.set_unusable_password()
    lead.save()
    client.force_login(lead)
    assert "Two-factor authentication" not in client.get(reverse("tracker:account")).content.decode()
    assert client.get(reverse("tracker:two_factor_set_up")).url == reverse("tracker:account")


# Recovery codes and a new phone


def test_new_recovery_codes_replace_the_old_ones(client, psd_lead_a, clock):
    with_authenticator(psd_lead_a)
    old = set(StaticToken.objects.filter(device__user=psd_lead_a).values_list("token", flat=True))
    client.force_login(psd_lead_a)
    response = client.post(reverse("tracker:recovery_codes"))
    new = set(StaticToken.objects.filter(device__user=psd_lead_a).values_list("token", flat=True))
    assert len(new) == 10
    assert not old & new
    page = client.get(response.url).content.decode()
    assert all(code in page for code in new)
    assert kinds(psd_lead_a)[-1] == SignInEvent.Kind.RECOVERY_CODES


def test_the_recovery_codes_page_later_says_how_many_are_left_and_shows_none(client, psd_lead_a, clock):
    with_authenticator(psd_lead_a)
    client.force_login(psd_lead_a)
    page = client.get(reverse("tracker:recovery_codes")).content.decode()
    assert "You have 10 recovery codes left" in page
    assert not any(token in page for token in StaticToken.objects.values_list("token", flat=True))


def test_a_new_app_replaces_the_old_one(client, clock):
    reviewer = ReviewerFactory()
    old = with_authenticator(reviewer)
    client.force_login(reviewer)
    assert "This replaces the authenticator app" in client.get(reverse("tracker:two_factor_set_up")).content.decode()
    new = device_on_page(client, reviewer)
    later(clock, 30)
    client.post(reverse("tracker:two_factor_set_up"), {"code": code_of(new)})
    assert list(TOTPDevice.objects.filter(user=reviewer).values_list("key", flat=True)) == [new.key]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


# An admin's reset


def test_an_admin_resets_it_and_the_log_says_who(admin_client, clock):
    reviewer = ReviewerFactory()
    with_authenticator(reviewer)
    data = {"action": "reset_two_factor", "_selected_action": [reviewer.pk]}
    admin_client.post(reverse("admin:tracker_user_changelist"), data)
    assert not two_factor.is_set_up(reviewer)
    assert StaticToken.objects.filter(device__user=reviewer).count() == 0
    event = SignInEvent.objects.filter(user=reviewer).first()
    assert (event.kind, event.by.username, event.address) == (SignInEvent.Kind.TWO_FACTOR_RESET, "admin", "127.0.0.1")


def test_after_a_reset_a_reviewer_sets_it_up_again_at_sign_in(client, clock):
    reviewer = ReviewerFactory()
    with_authenticator(reviewer)
    two_factor.reset(reviewer, by=AdminFactory())
    assert sign_in(client, reviewer).url == reverse("tracker:two_factor_set_up")


def test_the_users_admin_page_says_whether_it_is_on(admin_client, clock):
    reviewer = ReviewerFactory()
    page = admin_client.get(reverse("admin:tracker_user_change", args=[reviewer.pk])).content.decode()
    assert "Not set up: will be asked to at the next sign-in" in page
    with_authenticator(reviewer)
    page = admin_client.get(reverse("admin:tracker_user_change", args=[reviewer.pk])).content.decode()
    assert "On since 01/12/2026, 10 recovery codes left" in page


def test_the_admin_shows_no_device_and_no_secret_key(admin_client):
    assert admin_client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert admin_client.get("/admin/otp_static/staticdevice/").status_code == 404


def test_the_admins_own_sign_in_page_is_the_trackers(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.url == f"{reverse('login')}?next=/admin/"


# Sessions that must sign in again


def test_a_psd_lead_made_a_reviewer_must_sign_in_again(client, psd_lead_a):
    sign_in(client, psd_lead_a)
    User.objects.filter(pk=psd_lead_a.pk).update(role=User.Role.REVIEWER)
    response = client.get(reverse("tracker:home"))
    assert response.url.startswith(reverse("login"))
    assert not is_signed_in(client)
    assert messages_of(response) == ["Your account now needs two-factor authentication. Sign in again to set it up."]
    assert sign_in(client, psd_lead_a).url == reverse("tracker:two_factor_set_up")


def test_a_session_with_the_code_is_not_ended(client, clock):
    reviewer = ReviewerFactory()
    device = with_authenticator(reviewer)
    later(clock, 30)
    sign_in(client, reviewer)
    enter_code(client, code_of(device))
    assert client.get(reverse("tracker:account")).status_code == 200


def test_a_session_through_an_identity_provider_is_not_ended(client):
    reviewer = ReviewerFactory()
    client.force_login(reviewer)
    session = client.session
    session[two_factor.SIGNED_IN_WITH_KEY] = two_factor.IDENTITY_PROVIDER
    session.save()
    assert client.get(reverse("tracker:account")).status_code == 200


def test_a_made_reviewers_api_request_is_answered_as_signed_out(client, psd_lead_a):
    sign_in(client, psd_lead_a)
    User.objects.filter(pk=psd_lead_a.pk).update(role=User.Role.REVIEWER)
    assert client.get("/api/actions/").status_code in (401, 403)


end_sessions_migration = importlib.import_module("tracker.migrations.0018_two_factor")


def test_the_migration_ends_the_password_sessions_of_reviewers_and_admins_only(psd_lead_a, clock):
    reviewer, admin = ReviewerFactory(), AdminFactory()
    through_organisation = ReviewerFactory()
    User.objects.filter(pk=through_organisation.pk).update(password="!unusable")
    end_sessions_migration.end_sessions_that_now_need_a_second_factor(apps, None)
    ended = set(User.objects.filter(sessions_ended_at=START).values_list("username", flat=True))
    assert ended == {reviewer.username, admin.username}


# The demonstration


@override_settings(DEBUG=True)
def test_a_demo_log_ins_code_page_shows_its_code_on_a_development_server(client, clock):
    reviewer = ReviewerFactory(username="demo.reviewer")
    device = with_authenticator(reviewer)
    later(clock, 30)
    sign_in(client, reviewer)
    assert re.search(
        rf"its code is shown here: <strong[^>]*>{code_of(device)}</strong>",
        client.get(reverse("two_factor_code")).content.decode(),
    )


@pytest.mark.parametrize(("debug", "username"), [(False, "demo.reviewer"), (True, "reviewer.smith")])
def test_no_code_is_shown_in_production_or_for_a_real_account(client, clock, debug, username):
    reviewer = ReviewerFactory(username=username)
    with_authenticator(reviewer)
    sign_in(client, reviewer)
    with override_settings(DEBUG=debug):
        assert "its code is shown here" not in client.get(reverse("two_factor_code")).content.decode()


def test_someone_signed_in_who_is_not_staff_is_refused_the_admins_sign_in_page(client, psd_lead_a):
    client.force_login(psd_lead_a)
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_staff_signed_in_go_on_from_the_admins_sign_in_page(admin_client):
    assert admin_client.get("/admin/login/?next=/admin/tracker/").url == "/admin/tracker/"
    assert admin_client.get("/admin/login/?next=https://elsewhere.example/").url == reverse("admin:index")


# Telling the account holder


def test_an_admins_reset_is_emailed_to_the_user_naming_the_admin(
    admin_client, mailoutbox, django_capture_on_commit_callbacks, clock
):
    reviewer = ReviewerFactory(email="r.singh@hmicfrs.example")
    with_authenticator(reviewer)
    mailoutbox.clear()
    data = {"action": "reset_two_factor", "_selected_action": [reviewer.pk]}
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:tracker_user_changelist"), data)
    (email,) = mailoutbox
    assert email.to == ["r.singh@hmicfrs.example"]
    assert "\n\nTwo-factor authentication was reset for your Recommendation Tracker account" in email.body
    assert email.subject == f"Recommendation Tracker: two-factor authentication was reset for {reviewer.username}"
    assert "at 09:00 on 1 December 2026 (UK time), by the administrator" in email.body


def test_the_email_renders_without_a_missing_variable(
    psd_lead_a, mailoutbox, django_capture_on_commit_callbacks, clock, settings
):
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "OPTIONS": {**engine["OPTIONS"], "string_if_invalid": "MISSING(%s)"}}]
    with_authenticator(psd_lead_a)
    with django_capture_on_commit_callbacks(execute=True):
        two_factor.reset(psd_lead_a, by=AdminFactory(first_name="Ada", last_name="Hale"))
    (email,) = mailoutbox
    assert "MISSING" not in email.subject + email.body
    assert "by the administrator Ada Hale." in email.body


@pytest.mark.parametrize(
    ("change", "subject"),
    [
        (lambda user: two_factor.turn_off(user), "two-factor authentication was turned off"),
        (lambda user: two_factor.make_recovery_codes(user), "new recovery codes were made"),
        (lambda user: with_authenticator(user), "two-factor authentication was set up"),
    ],
    ids=["turned off", "new recovery codes", "a new app"],
)
def test_each_change_is_emailed_to_the_user(
    psd_lead_a, mailoutbox, django_capture_on_commit_callbacks, clock, change, subject
):
    with_authenticator(psd_lead_a)
    with django_capture_on_commit_callbacks(execute=True):
        change(psd_lead_a)
    (email,) = mailoutbox
    assert email.subject == f"Recommendation Tracker: {subject} for {psd_lead_a.username}"
    assert f"\n\n{subject[0].upper()}{subject[1:]} for your Recommendation Tracker account" in email.body
    assert "If that was you, there is nothing to do." in email.body


def test_a_mail_server_down_does_not_undo_the_change(
    psd_lead_a, django_capture_on_commit_callbacks, clock, settings, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing answers
    with_authenticator(psd_lead_a)
    with django_capture_on_commit_callbacks(execute=True):
        two_factor.turn_off(psd_lead_a)
    assert not two_factor.is_set_up(psd_lead_a)
    assert "The email telling an account holder their two-factor authentication changed was not sent" in [
        record.getMessage() for record in caplog.records
    ]


# Details that matter (each found by mutation testing: `make mutation`, tracker/two_factor.py)


def test_the_key_is_160_bits_shown_in_groups_of_four():
    device = TOTPDevice(key="3132333435363738393031323334353637383930")  # RFC 6238's test key, "1234567890…"
    assert two_factor.key_for_typing(device) == "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"


def test_the_qr_code_is_black_on_white_with_its_quiet_zone_and_large_enough_to_scan():
    device = TOTPDevice(user=ReviewerFactory.build(username="r.singh"), key="31" * 20)
    svg = str(two_factor.qr_code(device))
    modules = int(re.search(r'd="M0 0h(\d+)v', svg).group(1))  # the light square behind: the symbol with its border
    assert svg.startswith(f'<svg width="{modules * 4}" height="{modules * 4}"')  # 4 px a module
    assert '<path fill="#fff" d="M0 0h' in svg and 'stroke="#0b0c0c"' in svg
    assert 'd="M4 4.5h7' in svg  # the finder pattern starts 4 modules in: the quiet zone scanners need


def test_a_new_apps_key_is_160_bits(client, psd_lead_a):
    client.force_login(psd_lead_a)
    client.get(reverse("tracker:two_factor_set_up"))
    assert len(device_on_page(client, psd_lead_a).bin_key) == 20


def test_the_devices_are_named_for_what_they_are(client, psd_lead_a, clock):
    client.force_login(psd_lead_a)
    client.get(reverse("tracker:two_factor_set_up"))
    client.post(reverse("tracker:two_factor_set_up"), {"code": code_of(device_on_page(client, psd_lead_a))})
    assert TOTPDevice.objects.get(user=psd_lead_a).name == "Authenticator app"
    assert StaticDevice.objects.get(user=psd_lead_a).name == "Recovery codes"


def test_after_setting_up_the_set_up_page_offers_a_new_key(client, psd_lead_a, clock):
    client.force_login(psd_lead_a)
    client.get(reverse("tracker:two_factor_set_up"))
    first = device_on_page(client, psd_lead_a)
    client.post(reverse("tracker:two_factor_set_up"), {"code": code_of(first)})
    client.get(reverse("tracker:two_factor_set_up"))
    assert device_on_page(client, psd_lead_a).key != first.key


def test_set_up_takes_the_code_of_an_app_whose_clock_is_a_step_behind(client, psd_lead_a, clock):
    client.force_login(psd_lead_a)
    client.get(reverse("tracker:two_factor_set_up"))
    code = code_of(device_on_page(client, psd_lead_a))
    later(clock, 30)
    client.post(reverse("tracker:two_factor_set_up"), {"code": code})
    assert two_factor.is_set_up(psd_lead_a)


def test_a_code_of_nothing_but_hyphens_is_asked_for(client, clock):
    reviewer = ReviewerFactory()
    with_authenticator(reviewer)
    sign_in(client, reviewer)
    assert two_factor.NO_CODE in enter_code(client, "- -").content.decode()


def test_a_recovery_code_typed_with_a_hyphen_is_taken(client, clock):
    reviewer = ReviewerFactory()
    with_authenticator(reviewer)
    code = StaticToken.objects.filter(device__user=reviewer).first().token
    sign_in(client, reviewer)
    enter_code(client, f"{code[:4]}-{code[4:]}")
    assert is_signed_in(client)


def test_a_wrong_recovery_code_does_not_make_the_apps_code_wait(client, clock):
    reviewer = ReviewerFactory()
    device = with_authenticator(reviewer)
    later(clock, 30)
    sign_in(client, reviewer)
    enter_code(client, "abcdef")
    enter_code(client, code_of(device))
    assert is_signed_in(client)


def test_a_recovery_code_with_none_left_to_match_is_refused(client, clock):
    reviewer = ReviewerFactory()
    with_authenticator(reviewer)
    StaticDevice.objects.filter(user=reviewer).delete()
    sign_in(client, reviewer)
    assert two_factor.WRONG_CODE in enter_code(client, "abcdefgh").content.decode()
    assert not is_signed_in(client)


def test_an_app_never_confirmed_is_not_on(psd_lead_a):
    TOTPDevice.objects.create(user=psd_lead_a, name="Authenticator app", confirmed=False)
    assert two_factor.authenticator(psd_lead_a) is None
    assert not two_factor.is_set_up(psd_lead_a)
    assert not two_factor.status(psd_lead_a).is_on


def test_an_app_never_confirmed_does_not_sign_in(client, clock):
    reviewer = ReviewerFactory()
    confirmed = with_authenticator(reviewer)
    unconfirmed = TOTPDevice.objects.create(user=reviewer, name="Authenticator app", confirmed=False)
    confirmed.delete()
    confirmed.pk = None
    confirmed.save()  # the confirmed app after the unconfirmed one, so the first found is the unconfirmed
    later(clock, 30)
    sign_in(client, reviewer)
    enter_code(client, code_of(unconfirmed))
    assert not is_signed_in(client)


def test_the_code_step_still_stands_at_ten_minutes(client, clock):
    reviewer = ReviewerFactory()
    device = with_authenticator(reviewer)
    sign_in(client, reviewer)
    later(clock, 10 * 60)
    enter_code(client, code_of(device))
    assert is_signed_in(client)


def test_the_expired_step_says_how_long_it_may_take():
    assert two_factor.step_expired_message() == (
        "Signing in took more than 10 minutes between the password and the code. Sign in again."
    )


def test_turning_it_off_for_a_reviewer_is_refused_saying_why(clock):
    reviewer = ReviewerFactory()
    with_authenticator(reviewer)
    with pytest.raises(PermissionError, match="^Two-factor authentication is required for this account.$"):
        two_factor.turn_off(reviewer)


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        (lambda client, user: client.post(reverse("tracker:two_factor_off")), SignInEvent.Kind.TWO_FACTOR_OFF),
        (lambda client, user: client.post(reverse("tracker:recovery_codes")), SignInEvent.Kind.RECOVERY_CODES),
    ],
    ids=["turned off", "new recovery codes"],
)
def test_each_change_is_logged_with_the_address_it_came_from(client, psd_lead_a, clock, change, kind):
    with_authenticator(psd_lead_a)
    client.force_login(psd_lead_a)
    change(client, psd_lead_a)
    event = SignInEvent.objects.filter(user=psd_lead_a).first()
    assert (event.kind, event.address) == (kind, "127.0.0.1")
