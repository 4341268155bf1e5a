"""
Sessions on shared workstations (tracker/sessions.py): the sign-in log, the idle timeout and its warning, signing
out everywhere, and a deactivated account's sessions, API token and calendar address ending at once.
"""

import datetime

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import ActionFactory
from tests.test_settings import _manage
from tracker import sessions
from tracker.models import ProgressNote, SignInEvent, User

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edge/131.0"
START = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    """A clock that stands still at 09:00 UTC on 1 December 2026 until moved (clock.move_to(...))."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def sign_in(client, user, password="password", address="192.0.2.10"):
    data = {"username": user.username, "password": password}
    return client.post(reverse("login"), data, REMOTE_ADDR=address, HTTP_USER_AGENT=BROWSER)


def kinds(user):
    return list(SignInEvent.objects.filter(user=user).order_by("at", "pk").values_list("kind", flat=True))


def minutes_later(minutes):
    return START + datetime.timedelta(minutes=minutes)


def is_signed_in(client) -> bool:
    return client.get(reverse("tracker:session_status")).json()["signed_in"]


# The sign-in log


def test_signing_in_is_logged_with_the_address_and_browser(client, psd_lead_a):
    sign_in(client, psd_lead_a)
    event = SignInEvent.objects.get(user=psd_lead_a)
    assert (event.kind, event.address, event.browser) == (SignInEvent.Kind.SIGNED_IN, "192.0.2.10", BROWSER)


def test_a_wrong_password_is_logged_as_a_failure_of_that_account(client, psd_lead_a):
    sign_in(client, psd_lead_a, password="not-my-password")
    assert kinds(psd_lead_a) == [SignInEvent.Kind.FAILED]


def test_a_wrong_password_for_a_username_nobody_has_is_not_logged(client, psd_lead_a):
    client.post(reverse("login"), {"username": "nobody-at-all", "password": "x"})
    assert not SignInEvent.objects.exists()


def test_signing_out_is_logged(client, psd_lead_a):
    sign_in(client, psd_lead_a)
    client.post(reverse("logout"))
    assert kinds(psd_lead_a) == [SignInEvent.Kind.SIGNED_IN, SignInEvent.Kind.SIGNED_OUT]


def test_the_failure_that_locks_the_account_and_the_attempts_refused_after_are_logged_as_such(
    client, psd_lead_a, settings
):
    settings.AXES_ENABLED = True
    settings.TRACKER_ACCOUNT_FAILURE_LIMIT = 10
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, psd_lead_a, password="wrong")
    sign_in(client, psd_lead_a)  # the right password, refused: the sign-in is locked
    assert kinds(psd_lead_a) == [SignInEvent.Kind.FAILED] * (settings.AXES_FAILURE_LIMIT - 1) + [
        SignInEvent.Kind.LOCKED_OUT,
        SignInEvent.Kind.REFUSED_LOCKED,
    ]


def test_the_failure_that_locks_the_account_from_every_address_is_logged_as_such(client, psd_lead_a, settings):
    settings.AXES_ENABLED = True
    settings.TRACKER_ACCOUNT_FAILURE_LIMIT = 3
    for n in range(3):  # each from its own address, so no address is locked: the account is
        sign_in(client, psd_lead_a, password="wrong", address=f"198.51.100.{n + 1}")
    assert kinds(psd_lead_a) == [SignInEvent.Kind.FAILED] * 2 + [SignInEvent.Kind.LOCKED_OUT]


def test_the_account_page_lists_the_users_own_sign_ins_only(client, psd_lead_a, psd_lead_b):
    sign_in(Client(), psd_lead_b, address="198.51.100.7")
    sign_in(client, psd_lead_a, password="wrong", address="203.0.113.5")
    sign_in(client, psd_lead_a)
    page = client.get(reverse("tracker:account")).content.decode()
    assert "203.0.113.5" in page and "Wrong password" in page and BROWSER in page
    assert "198.51.100.7" not in page


def test_the_account_page_shows_the_last_90_days_only(client, psd_lead_a, clock):
    sessions.record(psd_lead_a, SignInEvent.Kind.FAILED)
    SignInEvent.objects.update(at=START - datetime.timedelta(days=91), address="203.0.113.91")
    client.force_login(psd_lead_a)
    page = client.get(reverse("tracker:account")).content.decode()
    assert "203.0.113.91" not in page


def test_the_account_page_shows_the_latest_50(client, psd_lead_a):
    for _ in range(60):
        sessions.record(psd_lead_a, SignInEvent.Kind.FAILED)
    client.force_login(psd_lead_a)
    page = client.get(reverse("tracker:account")).content.decode()
    assert page.count('<tr class="govuk-table__row">') == 1 + 50  # the heading's row, and the latest 50
    assert page.count("Wrong password</strong>") == 49  # the 50th is this sign-in


def test_the_account_page_links_from_the_name_in_the_header(client, psd_lead_a):
    client.force_login(psd_lead_a)
    page = client.get(reverse("tracker:calendar")).content.decode()
    assert f'href="{reverse("tracker:account")}"' in page


# Signing out everywhere


def test_signing_out_everywhere_ends_the_users_sessions_in_every_browser(psd_lead_a):
    here, elsewhere = Client(), Client()
    sign_in(here, psd_lead_a)
    sign_in(elsewhere, psd_lead_a)
    response = here.post(reverse("tracker:sign_out_everywhere"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not is_signed_in(here) and not is_signed_in(elsewhere)


def test_signing_out_everywhere_leaves_other_users_signed_in(psd_lead_a, psd_lead_b):
    mine, theirs = Client(), Client()
    mine.force_login(psd_lead_a)
    theirs.force_login(psd_lead_b)
    mine.post(reverse("tracker:sign_out_everywhere"))
    assert is_signed_in(theirs)


def test_signing_out_everywhere_is_logged_once(client, psd_lead_a):
    sign_in(client, psd_lead_a)
    client.post(reverse("tracker:sign_out_everywhere"))
    assert kinds(psd_lead_a) == [SignInEvent.Kind.SIGNED_IN, SignInEvent.Kind.SIGNED_OUT_EVERYWHERE]


def test_after_signing_out_everywhere_the_user_can_sign_in_again(client, psd_lead_a):
    sign_in(client, psd_lead_a)
    client.post(reverse("tracker:sign_out_everywhere"))
    sign_in(client, psd_lead_a)
    assert is_signed_in(client)


def test_signing_out_everywhere_takes_a_post(client, psd_lead_a):
    client.force_login(psd_lead_a)
    assert client.get(reverse("tracker:sign_out_everywhere")).status_code == 405
    assert is_signed_in(client)


def test_changing_the_password_still_ends_the_other_sessions(psd_lead_a):
    elsewhere = Client()
    elsewhere.force_login(psd_lead_a)
    psd_lead_a.set_password("a-new-long-password")
    psd_lead_a.save()
    assert not is_signed_in(elsewhere)


def test_an_admin_can_sign_users_out_everywhere_and_the_log_names_the_admin(client, admin_user, psd_lead_a):
    theirs = Client()
    theirs.force_login(psd_lead_a)
    client.force_login(admin_user)
    changelist = reverse("admin:tracker_user_changelist")
    client.post(changelist, {"action": "sign_out_everywhere", "_selected_action": [psd_lead_a.pk]})
    assert not is_signed_in(theirs)
    event = SignInEvent.objects.get(user=psd_lead_a, kind=SignInEvent.Kind.SIGNED_OUT_EVERYWHERE)
    assert event.by == admin_user


# Deactivating an account


@pytest.fixture
def deactivated(client, admin_user, psd_lead_a):
    """psd_lead_a signed in elsewhere with an API token, then deactivated by an admin in the users' admin."""
    elsewhere = Client()
    elsewhere.force_login(psd_lead_a)
    token = Token.objects.create(user=psd_lead_a)
    calendar_token = psd_lead_a.calendar_token
    client.force_login(admin_user)
    change = reverse("admin:tracker_user_change", args=[psd_lead_a.pk])
    form = client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(
        forces=[force.pk for force in psd_lead_a.forces.all()],
        is_active="",
        last_login_0="",
        last_login_1="",
        **{
            f"{inline}-{key}": value
            for inline in ("sign_in_events", "socialaccount_set")
            for key, value in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0}.items()
        },
    )
    data.pop("groups", None), data.pop("user_permissions", None)
    response = client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return elsewhere, token, calendar_token


def test_deactivating_an_account_ends_its_sessions(deactivated, psd_lead_a):
    elsewhere, _token, _calendar = deactivated
    assert not is_signed_in(elsewhere)


def test_deactivating_an_account_ends_its_api_token(deactivated, psd_lead_a):
    _elsewhere, token, _calendar = deactivated
    assert not Token.objects.filter(key=token.key).exists()
    response = Client().get(reverse("api:api-root"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401


def test_deactivating_an_account_ends_its_calendar_address(deactivated, psd_lead_a):
    _elsewhere, _token, calendar_token = deactivated
    psd_lead_a.refresh_from_db()
    assert psd_lead_a.calendar_token != calendar_token


def test_deactivating_an_account_is_logged_naming_the_admin(deactivated, psd_lead_a, admin_user):
    event = SignInEvent.objects.get(user=psd_lead_a, kind=SignInEvent.Kind.DEACTIVATED)
    assert event.by == admin_user


def test_reactivating_an_account_brings_back_no_old_session(deactivated, psd_lead_a):
    elsewhere, _token, _calendar = deactivated
    user = User.objects.get(pk=psd_lead_a.pk)
    user.is_active = True
    user.save()
    assert not is_signed_in(elsewhere)


def test_deactivating_by_saving_one_field_ends_the_sessions_too(psd_lead_a):
    elsewhere = Client()
    elsewhere.force_login(psd_lead_a)
    user = User.objects.get(pk=psd_lead_a.pk)
    user.is_active = False
    user.save(update_fields=["is_active"])
    user.is_active = True
    user.save(update_fields=["is_active"])
    assert not is_signed_in(elsewhere)


def test_saving_an_active_account_ends_no_session(psd_lead_a):
    elsewhere = Client()
    elsewhere.force_login(psd_lead_a)
    user = User.objects.get(pk=psd_lead_a.pk)
    user.first_name = "Alicia"
    user.save()
    assert is_signed_in(elsewhere)
    assert not SignInEvent.objects.filter(kind=SignInEvent.Kind.DEACTIVATED).exists()


# The idle timeout (30 minutes by default)


@pytest.fixture
def signed_in(client, psd_lead_a, clock):
    """psd_lead_a signed in at 09:00 with the sign-in form."""
    sign_in(client, psd_lead_a)
    return client


def test_a_page_asked_for_within_the_timeout_is_served(signed_in, clock):
    clock.move_to(minutes_later(29))
    assert signed_in.get(reverse("tracker:calendar")).status_code == 200


def test_a_page_asked_for_after_the_timeout_sends_the_user_to_sign_in_again(signed_in, clock):
    clock.move_to(minutes_later(30))
    response = signed_in.get(reverse("tracker:calendar"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('tracker:calendar')}"
    assert SESSION_KEY not in signed_in.session


def test_the_sign_in_page_says_why_the_session_ended(signed_in, clock):
    clock.move_to(minutes_later(31))
    response = signed_in.get(reverse("tracker:calendar"), follow=True)
    assert "signed out after 30 minutes without activity" in response.content.decode()


def test_ending_an_idle_session_is_logged(signed_in, psd_lead_a, clock):
    clock.move_to(minutes_later(31))
    signed_in.get(reverse("tracker:calendar"))
    assert kinds(psd_lead_a) == [SignInEvent.Kind.SIGNED_IN, SignInEvent.Kind.IDLE]


def test_each_page_starts_the_timeout_again(signed_in, clock):
    for minutes in (20, 40, 60, 80):
        clock.move_to(minutes_later(minutes))
        assert signed_in.get(reverse("tracker:calendar")).status_code == 200


def test_a_form_sent_after_the_timeout_saves_nothing_and_goes_back_to_its_page_through_sign_in(
    signed_in, force_a, clock
):
    action = ActionFactory(force=force_a)
    page = reverse("tracker:action", args=[action.pk])
    clock.move_to(minutes_later(45))
    response = signed_in.post(
        reverse("tracker:action_add_note", args=[action.pk]),
        {"text": "Written over 45 minutes"},
        HTTP_REFERER=f"http://testserver{page}",
    )
    assert response.status_code == 302 and response["Location"] == f"{reverse('login')}?next={page}"
    assert not ProgressNote.objects.exists()
    assert "Sign in again" in " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_a_form_sent_after_the_timeout_from_another_site_goes_back_to_the_home_page(signed_in, clock):
    clock.move_to(minutes_later(45))
    response = signed_in.post(reverse("tracker:calendar_regenerate"), HTTP_REFERER="https://elsewhere.example/")
    assert response["Location"] == f"{reverse('login')}?next={reverse('tracker:home')}"


def test_asking_how_long_is_left_does_not_count_as_use(signed_in, clock):
    clock.move_to(minutes_later(20))
    assert signed_in.get(reverse("tracker:session_status")).json() == {"signed_in": True, "seconds_left": 600}
    clock.move_to(minutes_later(31))
    assert signed_in.get(reverse("tracker:session_status")).json() == {"signed_in": False}


def test_staying_signed_in_from_the_warning_starts_the_timeout_again(signed_in, clock):
    clock.move_to(minutes_later(28))
    answer = signed_in.post(reverse("tracker:session_status"), HTTP_ACCEPT="application/json").json()
    assert answer == {"signed_in": True, "seconds_left": 1800}
    clock.move_to(minutes_later(50))
    assert is_signed_in(signed_in)


def test_staying_signed_in_without_the_script_goes_back_to_the_page(signed_in, clock):
    response = signed_in.post(reverse("tracker:session_status"), {"next": reverse("tracker:calendar")})
    assert response.status_code == 302 and response["Location"] == reverse("tracker:calendar")


def test_staying_signed_in_never_goes_to_another_site(signed_in, clock):
    response = signed_in.post(reverse("tracker:session_status"), {"next": "https://elsewhere.example/"})
    assert response["Location"] == reverse("tracker:home")


def test_the_session_is_written_at_most_once_a_minute_for_the_timeout(signed_in, clock):
    clock.move_to(START + datetime.timedelta(seconds=30))
    signed_in.get(reverse("tracker:calendar"))
    assert signed_in.session[sessions.LAST_ACTIVE_KEY] == START.timestamp()
    clock.move_to(START + datetime.timedelta(seconds=61))
    signed_in.get(reverse("tracker:calendar"))
    assert signed_in.session[sessions.LAST_ACTIVE_KEY] == START.timestamp() + 61


def test_a_clock_set_back_counts_as_no_time_idle(signed_in, clock):
    clock.move_to(START - datetime.timedelta(hours=2))
    assert signed_in.get(reverse("tracker:session_status")).json() == {"signed_in": True, "seconds_left": 1800}


def test_the_timeout_is_set_in_minutes(signed_in, clock, settings):
    settings.TRACKER_IDLE_TIMEOUT_MINUTES = 10
    clock.move_to(minutes_later(11))
    assert not is_signed_in(signed_in)


def test_a_timeout_of_0_never_signs_out(signed_in, clock, settings):
    settings.TRACKER_IDLE_TIMEOUT_MINUTES = 0
    clock.move_to(minutes_later(300))  # within the session's own limit, SESSION_COOKIE_AGE (8 hours)
    assert signed_in.get(reverse("tracker:session_status")).json() == {"signed_in": True, "seconds_left": None}
    assert 'id="idle-warning"' not in signed_in.get(reverse("tracker:calendar")).content.decode()


def test_anyone_not_signed_in_is_told_so(client):
    assert client.get(reverse("tracker:session_status")).json() == {"signed_in": False}


def test_the_api_with_a_token_has_no_idle_timeout(psd_lead_a, clock):
    token = Token.objects.create(user=psd_lead_a)
    clock.move_to(minutes_later(600))
    response = Client().get(reverse("api:api-root"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


def test_the_api_in_an_idle_session_answers_as_to_someone_signed_out(signed_in, clock):
    clock.move_to(minutes_later(31))
    assert signed_in.get(reverse("api:api-root")).status_code in (401, 403)


def test_the_public_register_neither_checks_nor_counts_as_use(signed_in, clock):
    clock.move_to(minutes_later(20))
    response = signed_in.get(reverse("tracker:register"))
    assert response.status_code == 200 and "cookie" not in response.get("Vary", "").lower()
    clock.move_to(minutes_later(31))
    assert not is_signed_in(signed_in)


# The warning in the page


def test_every_signed_in_page_carries_the_warning_with_its_timings(signed_in, settings):
    settings.TRACKER_IDLE_WARNING_SECONDS = 90
    page = signed_in.get(reverse("tracker:calendar")).content.decode()
    assert 'id="idle-warning"' in page
    assert 'data-timeout-seconds="1800"' in page and 'data-warning-seconds="90"' in page


def test_the_warning_comes_at_most_half_way_through_the_timeout(settings):
    settings.TRACKER_IDLE_TIMEOUT_MINUTES = 2
    settings.TRACKER_IDLE_WARNING_SECONDS = 300
    assert sessions.idle_warning() == datetime.timedelta(minutes=1)


def test_the_public_register_carries_no_warning(signed_in):
    assert 'id="idle-warning"' not in signed_in.get(reverse("tracker:register")).content.decode()


def test_the_sign_in_page_carries_no_warning(client):
    assert 'id="idle-warning"' not in client.get(reverse("login")).content.decode()


# Settings


@pytest.mark.parametrize("name", ["TRACKER_IDLE_TIMEOUT_MINUTES", "TRACKER_IDLE_WARNING_SECONDS"])
def test_a_negative_timeout_or_warning_is_refused_at_start(name):
    result = _manage("check", DJANGO_DEBUG="true", **{name: "-1"})
    assert result.returncode == 1
    assert "TRACKER_IDLE_TIMEOUT_MINUTES and TRACKER_IDLE_WARNING_SECONDS must be 0 or more" in result.stderr


# The model


def test_an_event_reads_as_what_who_and_when_in_local_time(psd_lead_a, clock):
    event = sessions.record(psd_lead_a, SignInEvent.Kind.SIGNED_IN)
    clock.move_to(START + datetime.timedelta(days=200))  # an event told later still says when it happened
    assert str(event) == "Signed in: Alice Ashby at 2026-12-01 09:00"


def test_signing_out_everywhere_saves_nothing_else_of_the_user(psd_lead_a):
    stale = User.objects.get(pk=psd_lead_a.pk)
    User.objects.filter(pk=psd_lead_a.pk).update(first_name="Alicia")  # an admin's change meanwhile
    sessions.end_sessions(stale)
    psd_lead_a.refresh_from_db()
    assert psd_lead_a.first_name == "Alicia" and psd_lead_a.sessions_ended_at is not None
