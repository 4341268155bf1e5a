"""
The idle timeout in the browser: the warning before an unused session ends, staying signed in, being signed out
at the end with the reason, and typing counting as use (a long note never times out).

The timeout is shortened to seconds here (TRACKER_IDLE_TIMEOUT_MINUTES takes a fraction in the settings).
"""

import re
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TIMEOUT_MINUTES = 0.2  # 12 seconds
WARNING_SECONDS = 5  # the warning opens 7 seconds after the last use


@pytest.fixture(autouse=True)
def short_timeout(settings):
    settings.TRACKER_IDLE_TIMEOUT_MINUTES = TIMEOUT_MINUTES
    settings.TRACKER_IDLE_WARNING_SECONDS = WARNING_SECONDS


def warning(page):
    return page.get_by_role("dialog", name="You are about to be signed out")


def test_the_warning_opens_before_the_end_and_staying_signed_in_keeps_the_session(page, login, psd_lead_a):
    login(page, psd_lead_a, "/calendar/")
    dialog = warning(page)
    expect(dialog).to_be_visible(timeout=12_000)
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    expect(dialog).to_contain_text(re.compile(r"signed out at \d\d:\d\d"))
    stay.click()
    expect(dialog).to_be_hidden()
    assert page.evaluate("fetch('/account/session/').then(r => r.json())")["seconds_left"] > WARNING_SECONDS
    assert page.url.endswith("/calendar/")


def test_escape_also_stays_signed_in(page, login, psd_lead_a):
    login(page, psd_lead_a, "/calendar/")
    expect(warning(page)).to_be_visible(timeout=12_000)
    page.keyboard.press("Escape")
    expect(warning(page)).to_be_hidden()
    assert page.evaluate("fetch('/account/session/').then(r => r.json())")["signed_in"] is True


def test_at_the_end_the_page_goes_to_the_sign_in_page_saying_why(page, login, psd_lead_a):
    login(page, psd_lead_a, "/calendar/")
    expect(warning(page)).to_be_visible(timeout=12_000)
    page.wait_for_url("**/accounts/login/?next=%2Fcalendar%2F", timeout=15_000)
    expect(page.get_by_text("You were signed out after 0.2 minutes without activity")).to_be_visible()


def test_typing_a_long_note_counts_as_use(page, login, psd_lead_a, follow_up):
    login(page, psd_lead_a, follow_up.action.get_absolute_url())
    note = page.get_by_label("Progress note")
    started = time.monotonic()
    while time.monotonic() - started < 2 * TIMEOUT_MINUTES * 60:  # twice the timeout, typing all along
        note.press_sequentially("More. ", delay=150)
        expect(warning(page)).to_be_hidden()
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
