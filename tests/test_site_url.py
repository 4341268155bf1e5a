"""Absolute links (calendar, emails, API) use SITE_URL, the address the site is served at, never the Host header."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from icalendar import Calendar

from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db
SERVED_AT = "http://127.0.0.1:8101"  # `make run PORT=8101`
SPOOFED = {"HTTP_HOST": "evil.example"}  # a Host header the client chose


@pytest.fixture(autouse=True)
def served_at(settings):
    settings.SITE_URL = SERVED_AT
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.example"]


@pytest.fixture
def action(today, force_a, psd_lead_a):
    return ActionFactory(force=force_a, owner=psd_lead_a, due_date=datetime.date(2015, 6, 10))


def test_the_calendar_page_gives_the_feed_and_webcal_addresses_at_the_site_url(client, psd_lead_a):
    client.force_login(psd_lead_a)
    response = client.get(reverse("tracker:calendar"), **SPOOFED)
    path = reverse("tracker:calendar_feed", args=[psd_lead_a.calendar_token])
    assert response.context["feed_url"] == f"{SERVED_AT}{path}"
    assert response.context["webcal_url"] == f"webcal://127.0.0.1:8101{path}"
    assert "evil.example" not in response.content.decode()


def test_the_feeds_events_link_to_the_site_url(client, action, psd_lead_a):
    response = client.get(reverse("tracker:calendar_feed", args=[psd_lead_a.calendar_token]), **SPOOFED)
    [event] = Calendar.from_ical(response.content).events
    assert str(event["URL"]) == f"{SERVED_AT}/actions/{action.pk}/"


def test_reminder_emails_link_to_the_site_url(action):
    call_command("send_reminders", "--digest-weekday", "monday", stdout=StringIO())
    [message] = [m for m in mail.outbox if m.to == ["psd-a@example.org"]]
    assert f"{SERVED_AT}/actions/{action.pk}/" in message.body
    assert "127.0.0.1:8000" not in message.body


def test_the_api_token_page_example_uses_the_site_url(client, psd_lead_a):
    client.force_login(psd_lead_a)
    response = client.get(reverse("api:token"), **SPOOFED)
    assert response.context["example_url"] == f"{SERVED_AT}/api/actions/?overdue=true"
