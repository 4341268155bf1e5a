"""
Sign-in protection beyond one address: the account locks after TRACKER_ACCOUNT_FAILURE_LIMIT failures from any
addresses, its holder is told by email, an admin can unlock it, and X-Forwarded-For is read only as far as the
trusted proxies wrote it.
"""

import datetime
import logging

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.test import RequestFactory, override_settings
from django.urls import reverse

from tests.factories import PsdLeadFactory
from tracker import signin

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("axes_on")]

ACCOUNT_LIMIT = 10


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.TRACKER_ACCOUNT_FAILURE_LIMIT = ACCOUNT_LIMIT
    settings.TRACKER_TRUSTED_PROXIES = 0


def sign_in(client, user, password="wrong-password", address="192.0.2.10", **headers):
    data = {"username": user if isinstance(user, str) else user.username, "password": password}
    return client.post(reverse("login"), data, REMOTE_ADDR=address, **headers)


def in_full_width(username: str) -> str:
    """The username in full-width letters ("ｐｓｄ－ａ"), which the sign-in form reads as the plain one (NFKC)."""
    return "".join(chr(ord(c) + 0xFEE0) for c in username)


def fail_from_many_addresses(client, user, times):
    """`times` wrong passwords, each from its own address (so no address is ever locked)."""
    return [sign_in(client, user, address=f"198.51.100.{n}").status_code for n in range(1, times + 1)]


# Locked per account


def test_failures_from_many_addresses_lock_the_account_at_the_limit(client, psd_lead_a):
    answers = fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT)
    assert answers == [200] * (ACCOUNT_LIMIT - 1) + [429]


def test_a_locked_account_refuses_the_right_password_from_a_new_address(client, psd_lead_a):
    fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT)
    response = sign_in(client, psd_lead_a, password="password", address="203.0.113.99")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_page_says_the_account_is_locked_from_every_computer(client, psd_lead_a):
    fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT)
    body = sign_in(client, psd_lead_a, address="203.0.113.99").content.decode()
    assert "paused from every computer" in body and "Wait 15 minutes" in body


def test_the_address_lock_page_says_this_computer(client, psd_lead_a):
    for _ in range(5):
        response = sign_in(client, psd_lead_a)
    body = response.content.decode()
    assert response.status_code == 429 and "from this computer" in body and "every computer" not in body


def test_another_account_is_not_locked_by_one_accounts_failures(client, psd_lead_a, psd_lead_b):
    fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT)
    assert sign_in(client, psd_lead_b, password="password", address="198.51.100.1").status_code == 302


def test_one_failure_fewer_than_the_limit_still_lets_the_right_password_in(client, psd_lead_a):
    fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT - 1)
    assert sign_in(client, psd_lead_a, password="password", address="203.0.113.99").status_code == 302


def test_attempts_while_locked_are_not_counted(client, psd_lead_a):
    fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT)
    for n in range(5):
        assert sign_in(client, psd_lead_a, address=f"203.0.113.{n}").status_code == 429
    assert signin.account_failures(psd_lead_a.username) == ACCOUNT_LIMIT


def test_the_account_lock_ends_after_the_cool_off(client, psd_lead_a):
    with time_machine.travel(datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as traveller:
        fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT)
        traveller.shift(datetime.timedelta(minutes=14))
        assert sign_in(client, psd_lead_a, password="password", address="203.0.113.99").status_code == 429
        traveller.shift(datetime.timedelta(minutes=2))
        assert sign_in(client, psd_lead_a, password="password", address="203.0.113.99").status_code == 302


def test_signing_in_clears_only_that_addresses_failures(client, psd_lead_a):
    fail_from_many_addresses(client, psd_lead_a, 3)  # 198.51.100.1 to .3
    sign_in(client, psd_lead_a, address="203.0.113.99")
    assert sign_in(client, psd_lead_a, password="password", address="203.0.113.99").status_code == 302
    assert signin.account_failures(psd_lead_a.username) == 3


# The account's holder is told


def test_the_account_holder_is_emailed_when_the_account_locks(client, psd_lead_a):
    psd_lead_a.email = "psd.lead@force-a.police.uk"
    psd_lead_a.save()
    with time_machine.travel(datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT)
    [email] = mail.outbox
    assert email.to == ["psd.lead@force-a.police.uk"]
    assert email.subject == f"Recommendation Tracker: signing in as {psd_lead_a.username} is locked for 15 minutes"
    assert f"There were {ACCOUNT_LIMIT} failed attempts" in email.body
    assert f"from {ACCOUNT_LIMIT} network addresses" in email.body
    assert "until 09:15 on 2 December 2026 (UK time)" in email.body
    assert "tell your administrator" in email.body


def test_the_email_renders_without_a_missing_variable(client, psd_lead_a, settings):
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "OPTIONS": {**engine["OPTIONS"], "string_if_invalid": "MISSING(%s)"}}]
    fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT)
    [email] = mail.outbox
    assert "MISSING" not in email.subject and "MISSING" not in email.body
    assert email.body.startswith("Dear Alice Ashby,")


def test_the_email_is_sent_once_however_many_attempts_follow(client, psd_lead_a):
    fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT + 5)
    assert len(mail.outbox) == 1


def test_no_email_before_the_account_locks(client, psd_lead_a):
    fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT - 1)
    assert mail.outbox == []


def test_no_email_when_only_one_address_is_locked(client, psd_lead_a):
    for _ in range(5 + 3):
        sign_in(client, psd_lead_a)
    assert mail.outbox == []


def test_guessing_at_a_username_nobody_has_sends_nothing_and_still_locks(client, db):
    answers = fail_from_many_addresses(client, "nobody.here", ACCOUNT_LIMIT)
    assert answers[-1] == 429 and mail.outbox == []


def test_an_account_without_an_email_address_is_locked_without_one(client, psd_lead_a):
    psd_lead_a.email = ""
    psd_lead_a.save()
    assert fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT)[-1] == 429
    assert mail.outbox == []


# An administrator unlocks


def locked_account(client, user):
    fail_from_many_addresses(client, user, ACCOUNT_LIMIT)
    assert signin.account_is_locked(user.username)
    return user


def unlock_in_the_admin(client, admin_user, *users):
    client.force_login(admin_user)
    data = {"action": "unlock_sign_in", "_selected_action": [user.pk for user in users]}
    response = client.post(reverse("admin:tracker_user_changelist"), data, follow=True)
    client.logout()
    return response


def test_an_admin_unlocks_a_locked_account_and_the_user_signs_in(client, admin_user, psd_lead_a):
    locked_account(client, psd_lead_a)
    response = unlock_in_the_admin(client, admin_user, psd_lead_a)
    assert f"Signing in is unlocked: {psd_lead_a.username}." in response.content.decode()
    assert sign_in(client, psd_lead_a, password="password", address="198.51.100.1").status_code == 302


def test_unlocking_is_recorded_with_who_did_it(client, admin_user, psd_lead_a):
    locked_account(client, psd_lead_a)
    unlock_in_the_admin(client, admin_user, psd_lead_a)
    [entry] = LogEntry.objects.filter(object_id=str(psd_lead_a.pk))
    assert entry.user == admin_user and "Unlocked sign-in." in entry.get_change_message()


def test_unlocking_one_user_leaves_anothers_failures(client, admin_user, psd_lead_a, psd_lead_b):
    locked_account(client, psd_lead_a)
    locked_account(client, psd_lead_b)
    unlock_in_the_admin(client, admin_user, psd_lead_a)
    assert not signin.account_is_locked(psd_lead_a.username)
    assert signin.account_is_locked(psd_lead_b.username)


def test_the_users_list_filters_locked_users(client, admin_user, psd_lead_a, psd_lead_b):
    locked_account(client, psd_lead_a)
    for _ in range(5):
        sign_in(client, psd_lead_b)  # locked from one address only
    client.force_login(admin_user)
    response = client.get(reverse("admin:tracker_user_changelist"), {"sign_in_locked": "yes"})
    assert {user.username for user in response.context["cl"].result_list} == {psd_lead_a.username, psd_lead_b.username}


def test_the_users_page_says_whether_sign_in_is_locked(client, admin_user, psd_lead_a):
    with time_machine.travel(datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        locked_account(client, psd_lead_a)
        client.force_login(admin_user)
        page = client.get(reverse("admin:tracker_user_change", args=[psd_lead_a.pk])).content.decode()
    assert "Locked after failed attempts, until 09:15 on 02/12/2026" in page


def test_locked_usernames_agrees_with_each_accounts_count(client, psd_lead_a, psd_lead_b, colleague_a):
    fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT)
    fail_from_many_addresses(client, psd_lead_b, ACCOUNT_LIMIT - 1)
    for _ in range(5):
        sign_in(client, colleague_a, address="192.0.2.77")
    expected = {
        user.username
        for user in (psd_lead_a, psd_lead_b, colleague_a)
        if signin.account_is_locked(user.username)
        or AccessAttempt.objects.filter(username=user.username, ip_address="192.0.2.77").exists()
    }
    assert signin.locked_usernames() == expected == {psd_lead_a.username, colleague_a.username}


# The client's address, and a spoofed X-Forwarded-For


def address_of(remote_address, forwarded_for=None):
    meta = {"REMOTE_ADDR": remote_address}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return signin.client_address(RequestFactory().get("/", **meta))


def test_with_no_trusted_proxy_the_header_is_never_read():
    assert address_of("192.0.2.1", "203.0.113.5") == "192.0.2.1"


@override_settings(TRACKER_TRUSTED_PROXIES=1)
def test_behind_one_proxy_the_address_it_appended_is_the_clients():
    assert address_of("10.0.0.2", "203.0.113.5, 198.51.100.20") == "198.51.100.20"


@override_settings(TRACKER_TRUSTED_PROXIES=1)
def test_behind_one_proxy_a_header_of_one_entry_is_the_clients_address():
    assert address_of("10.0.0.2", "198.51.100.20") == "198.51.100.20"


@override_settings(TRACKER_TRUSTED_PROXIES=1)
def test_behind_a_proxy_a_request_without_the_header_is_its_remote_address():
    assert address_of("192.0.2.1") == "192.0.2.1"


@override_settings(TRACKER_TRUSTED_PROXIES=2)
def test_behind_two_proxies_the_outer_ones_entry_is_the_clients():
    assert address_of("10.0.0.2", "203.0.113.5, 198.51.100.20, 10.0.0.1") == "198.51.100.20"


@override_settings(TRACKER_TRUSTED_PROXIES=2)
def test_a_header_shorter_than_the_proxies_means_the_request_did_not_come_through_them():
    assert address_of("192.0.2.1", "203.0.113.5") == "192.0.2.1"


@override_settings(TRACKER_TRUSTED_PROXIES=1)
@pytest.mark.parametrize("entry", ["", "not-an-address", "1.2.3.4.5", "\x00", "9" * 100_000])
def test_an_entry_that_is_not_an_address_is_not_used(entry):
    assert address_of("192.0.2.1", f"203.0.113.5, {entry}") == "192.0.2.1"


def test_a_changing_x_forwarded_for_does_not_escape_the_address_lock(client, psd_lead_a):
    answers = [sign_in(client, psd_lead_a, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(6)]
    assert answers == [200, 200, 200, 200, 429, 429]


@override_settings(TRACKER_TRUSTED_PROXIES=1)
def test_behind_a_proxy_a_spoofed_first_entry_does_not_escape_the_address_lock(client, psd_lead_a):
    # The client writes its own X-Forwarded-For; the proxy appends the address it was reached from.
    headers = [f"203.0.113.{n}, 198.51.100.20" for n in range(6)]
    answers = [sign_in(client, psd_lead_a, address="10.0.0.2", HTTP_X_FORWARDED_FOR=h).status_code for h in headers]
    assert answers == [200, 200, 200, 200, 429, 429]


@override_settings(TRACKER_TRUSTED_PROXIES=1)
def test_reaching_gunicorn_directly_with_a_new_address_each_time_is_stopped_by_the_account_lock(client, psd_lead_a):
    # The attack found: twelve wrong passwords, each claiming a new address, then a right one.
    for n in range(12):
        sign_in(client, psd_lead_a, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = sign_in(client, psd_lead_a, password="password", HTTP_X_FORWARDED_FOR="203.0.113.200")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_mail_server_that_is_down_does_not_fail_the_sign_in_page(client, psd_lead_a, monkeypatch, caplog):
    import smtplib

    def down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", down)
    assert fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT)[-1] == 429
    assert signin.account_is_locked(psd_lead_a.username)
    [record] = [r for r in caplog.records if r.name == "tracker.signin" and r.levelno == logging.ERROR]
    assert record.getMessage() == "The email telling an account holder their sign-in is locked was not sent"


def test_two_failures_crossing_the_limit_together_still_tell_the_holder(client, psd_lead_a, monkeypatch):
    from axes.handlers.database import AxesDatabaseHandler
    from django.utils import timezone

    fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT - 1)
    record = AxesDatabaseHandler.user_login_failed

    def with_another_failure_at_the_same_moment(self, *args, **kwargs):
        AccessAttempt.objects.create(
            username=psd_lead_a.username,
            ip_address="203.0.113.2",
            user_agent="",
            failures_since_start=1,
            attempt_time=timezone.now(),
            get_data="",
            post_data="",
            http_accept="",
            path_info="",
        )
        return record(self, *args, **kwargs)

    monkeypatch.setattr(AxesDatabaseHandler, "user_login_failed", with_another_failure_at_the_same_moment)
    sign_in(client, psd_lead_a, address="203.0.113.1")  # the count goes from one below the limit to one above
    assert len(mail.outbox) == 1


# Smaller rules of the account lock


def test_an_account_with_no_failures_has_none_counted(psd_lead_a):
    assert signin.account_failures(psd_lead_a.username) == 0
    assert signin.account_failures("") == 0 and signin.account_failures(None) == 0


def test_a_user_with_no_failed_sign_in_has_no_lock_to_end(psd_lead_a):
    assert signin.lock_ends(psd_lead_a.username) is None


def test_failures_from_one_address_in_two_browsers_add_up_to_its_lock(client, psd_lead_a):
    for agent in ("Firefox", "Firefox", "Firefox", "Edge", "Edge"):
        sign_in(client, psd_lead_a, HTTP_USER_AGENT=agent)
    assert signin.locked_usernames() == {psd_lead_a.username}


def test_only_the_locked_accounts_holder_is_told(client, force_a, psd_lead_a):
    # Another active user who sorts first (users are ordered by last name): telling "the first user" would tell him.
    PsdLeadFactory(username="abbott", last_name="Abbott", forces=[force_a])
    fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT)
    [email] = mail.outbox
    assert email.to == [psd_lead_a.email]


def test_a_deactivated_account_is_locked_without_an_email(client, psd_lead_a):
    psd_lead_a.is_active = False
    psd_lead_a.save()
    fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT)
    assert mail.outbox == []


def test_the_account_lock_is_logged_without_the_username(client, psd_lead_a, caplog):
    with caplog.at_level(logging.WARNING, logger="tracker.signin"):
        fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT)
    [record] = [r for r in caplog.records if r.name == "tracker.signin"]
    assert record.getMessage() == f"Sign-in locked for an account after {ACCOUNT_LIMIT} failed attempts"


def test_axes_lock_out_signal_is_sent_for_an_account_lock(client, psd_lead_a):
    from axes.signals import user_locked_out

    heard = []

    def listen(sender, request, username, ip_address, **kwargs):
        heard.append((sender, request.path, username, ip_address))

    user_locked_out.connect(listen)
    try:
        fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT)
    finally:
        user_locked_out.disconnect(listen)
    assert heard[0] == ("axes", reverse("login"), psd_lead_a.username, f"198.51.100.{ACCOUNT_LIMIT}")


def test_the_username_in_another_form_of_the_same_letters_is_the_same_locked_account(client, psd_lead_a):
    # The sign-in form reads "ｐｓｄ－ａ" (full-width) as "psd-a" (NFKC), and so must the lock, or typing the
    # username in full-width letters would step round it.
    fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT)
    full_width = in_full_width(psd_lead_a.username)
    assert sign_in(client, full_width, password="password", address="203.0.113.99").status_code == 429


def test_the_username_in_another_form_is_the_same_locked_address(client, psd_lead_a):
    for _ in range(5):
        sign_in(client, psd_lead_a)
    full_width = in_full_width(psd_lead_a.username)
    assert sign_in(client, full_width, password="password").status_code == 429


def test_the_failure_that_locks_the_account_may_be_typed_in_another_form_and_still_tells_the_holder(client, psd_lead_a):
    fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT - 1)
    full_width = in_full_width(psd_lead_a.username)
    assert sign_in(client, full_width, address="203.0.113.99").status_code == 429
    assert len(mail.outbox) == 1


def test_the_lock_page_names_the_account_as_the_sign_in_form_read_it(client, psd_lead_a):
    fail_from_many_addresses(client, psd_lead_a, ACCOUNT_LIMIT - 1)
    full_width = in_full_width(psd_lead_a.username)
    body = sign_in(client, full_width, address="203.0.113.99").content.decode()
    assert f"as <strong>{psd_lead_a.username}</strong>" in body


def test_a_failed_sign_in_reported_without_a_request_counts_nothing(psd_lead_a):
    # Django's signal may come without a request (another backend, a script); axes' own backend refuses those.
    from django.contrib.auth.signals import user_login_failed

    for _ in range(ACCOUNT_LIMIT):
        user_login_failed.send(sender=__name__, credentials={"username": psd_lead_a.username}, request=None)
    assert signin.account_failures(psd_lead_a.username) == 0 and mail.outbox == []
