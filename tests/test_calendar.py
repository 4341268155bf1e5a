"""The secret iCalendar feed of a user's deadlines, its page, and changing its address."""

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from tests.factories import ActionFactory
from tracker.models import Action

pytestmark = pytest.mark.django_db
D = datetime.date
S = Action.Status


def _feed(client, user, query=""):
    return client.get(f"{reverse('tracker:calendar_feed', args=[user.calendar_token])}{query}")


def _events(response) -> dict[str, object]:
    assert response.status_code == 200
    return {str(event.uid): event for event in Calendar.from_ical(response.content).events}


@pytest.fixture
def open_a(today, force_a):
    return ActionFactory(
        recommendation__report__subject_force=force_a,
        recommendation__report__title="Police Integrity and Corruption",
        recommendation__number=3,
        recommendation__text="Within six months, the force should publish its policy.",
        status=S.IN_PROGRESS,
    )


def test_feed_has_one_event_per_open_dated_action_the_user_may_see(client, open_a, force_a, force_b, psd_lead_a):
    second = ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 9, 1))
    ActionFactory(recommendation__report__subject_force=force_a, status=S.COMPLETED)
    ActionFactory(recommendation__report__subject_force=force_a, recommendation__due_date=None)
    ActionFactory(recommendation__report__subject_force=force_b)
    events = _events(_feed(client, psd_lead_a))
    assert set(events) == {f"action-{open_a.pk}@recommendation-tracker", f"action-{second.pk}@recommendation-tracker"}


def test_event_is_all_day_on_the_effective_due_date_with_summary_link_and_alarm(client, open_a, psd_lead_a, settings):
    settings.SITE_URL = "https://tracker.example.org"
    open_a.revised_due_date = D(2015, 7, 31)
    open_a.save()
    event = _events(_feed(client, psd_lead_a))[f"action-{open_a.pk}@recommendation-tracker"]
    assert event.start == D(2015, 7, 31) and event.end == D(2015, 8, 1)
    assert event.summary == "Due: West Midlands Police – Police Integrity and Corruption rec. 3"
    url = f"https://tracker.example.org/actions/{open_a.pk}/"
    assert event.description == f"Within six months, the force should publish its policy.\n\n{url}"
    [alarm] = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY" and alarm.decoded("TRIGGER") == -datetime.timedelta(days=7)


def test_feed_is_a_calendar_download_that_is_not_cached_by_others(client, open_a, psd_lead_a):
    response = _feed(client, psd_lead_a)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))


def test_feed_asks_calendars_to_refresh_twice_a_day(client, open_a, psd_lead_a):
    calendar = Calendar.from_ical(_feed(client, psd_lead_a).content)
    assert calendar["X-PUBLISHED-TTL"] == "PT12H"  # an unknown property to icalendar, so read as text
    assert calendar.decoded("REFRESH-INTERVAL") == datetime.timedelta(hours=12)


def test_psd_lead_never_gets_another_forces_deadlines(client, today, force_b, psd_lead_a, open_a):
    ActionFactory(recommendation__report__subject_force=force_b)
    assert [e.summary.split(" – ")[0] for e in _events(_feed(client, psd_lead_a)).values()] == [
        "Due: West Midlands Police"
    ]
    assert _feed(client, psd_lead_a, "?force=leicestershire").status_code == 404


def test_reviewer_gets_every_force_or_one_force(client, open_a, force_b, reviewer):
    other = ActionFactory(recommendation__report__subject_force=force_b)
    assert len(_events(_feed(client, reviewer))) == 2
    assert set(_events(_feed(client, reviewer, "?force=leicestershire"))) == {
        f"action-{other.pk}@recommendation-tracker"
    }


def test_unknown_force_is_not_found(client, open_a, reviewer):
    assert _feed(client, reviewer, "?force=atlantis").status_code == 404


def test_bad_token_is_not_found(client, open_a):
    assert client.get(reverse("tracker:calendar_feed", args=["not-a-real-token"])).status_code == 404


def test_inactive_users_feed_is_not_found(client, open_a, psd_lead_a):
    psd_lead_a.is_active = False
    psd_lead_a.save()
    assert _feed(client, psd_lead_a).status_code == 404


def test_calendar_page_shows_the_subscription_address(client, psd_lead_a, settings):
    settings.SITE_URL = "https://tracker.example.org"
    client.force_login(psd_lead_a)
    body = client.get(reverse("tracker:calendar")).content.decode()
    assert f"https://tracker.example.org/calendar/{psd_lead_a.calendar_token}.ics" in body
    assert "Outlook" in body


def test_calendar_page_needs_log_in(client):
    response = client.get(reverse("tracker:calendar"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_get_on_regenerate_is_not_allowed(client, psd_lead_a):
    token = psd_lead_a.calendar_token
    client.force_login(psd_lead_a)
    assert client.get(reverse("tracker:calendar_regenerate")).status_code == 405
    psd_lead_a.refresh_from_db()
    assert psd_lead_a.calendar_token == token


def test_regenerate_changes_the_address_and_the_old_one_stops_working(client, open_a, psd_lead_a):
    old_url = reverse("tracker:calendar_feed", args=[psd_lead_a.calendar_token])
    client.force_login(psd_lead_a)
    response = client.post(reverse("tracker:calendar_regenerate"))
    assert response.status_code == 302 and response["Location"] == reverse("tracker:calendar")
    psd_lead_a.refresh_from_db()
    assert client.get(old_url).status_code == 404
    assert len(_events(_feed(client, psd_lead_a))) == 1


def test_anonymous_regenerate_changes_nothing(client, psd_lead_a):
    token = psd_lead_a.calendar_token
    response = client.post(reverse("tracker:calendar_regenerate"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    psd_lead_a.refresh_from_db()
    assert psd_lead_a.calendar_token == token
