"""
A reviewer approves a second move of a due date, finds the force's moved due dates from the dashboard with the
keyboard, narrows them to those moved by more than a month, and reads each move on the action page; the public
register shows the original and current due dates. axe-core finds nothing serious on either page.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_accessibility import axe_violations, describe
from tests.browser.test_review_queue import tab_to
from tests.factories import ActionFactory, ExtensionRequestFactory, RecommendationFactory, ReportFactory
from tracker import workflow
from tracker.dates import long_date

pytestmark = pytest.mark.browser


def test_a_moved_due_date_is_found_read_and_published(
    new_page, login, screenshot, browser_errors, force_a, psd_lead_a, reviewer
):
    today = timezone.localdate()
    original, first_move, second_move = (today + datetime.timedelta(days=n) for n in (-40, 10, 100))
    report = ReportFactory(title="Police Integrity and Corruption", subject_force=force_a)
    recommendation = RecommendationFactory(report=report, number=3, due_date=original)
    action = ActionFactory(recommendation=recommendation, force=force_a, due_date=original, is_publishable=True)
    ActionFactory(recommendation=RecommendationFactory(report=report, number=4), force=force_a)  # never moved
    first = ExtensionRequestFactory(action=action, requested_by=psd_lead_a, requested_due_date=first_move)
    workflow.decide_extension(first, by=reviewer, approve=True)
    workflow.request_extension(
        action, by=psd_lead_a, requested_due_date=second_move, reason="The vetting unit starts next quarter."
    )

    page = new_page(bypass_csp=True)
    login(page, reviewer, action.get_absolute_url())
    page.get_by_label("Approve the revised due date").check()
    page.get_by_label("Reason (required when refusing)").fill("Agreed at the oversight board.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()

    page.goto("/dashboard/")
    moved_link = page.locator("#forces-table a[href$='moved=true']")
    expect(moved_link).to_have_text("1 actions whose due date moved")  # the number, and its words for a reader
    tab_to(page, moved_link)
    page.keyboard.press("Enter")
    page.wait_for_url("**/actions/?force=west-midlands&moved=true")
    expect(page.get_by_label("Due date moved")).to_have_value("true")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)

    page.get_by_label("Moved more than this many months in all").fill("1")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"moved=true.*moved_months=1"))
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link").first.click()

    revisions = page.locator("#due-date-revisions + div table tbody tr")
    expect(revisions).to_have_count(2)
    expect(revisions.nth(0)).to_contain_text(f"{long_date(original)} to {long_date(first_move)}")
    expect(revisions.nth(1)).to_contain_text(f"{long_date(first_move)} to {long_date(second_move)}")
    expect(revisions.nth(1)).to_contain_text("The vetting unit starts next quarter.")
    expect(revisions.nth(1)).to_contain_text("Agreed at the oversight board.")
    expect(page.get_by_text(f"Originally {long_date(original)}; moved 2 times, 140 days later in all")).to_be_visible()
    screenshot(page, "action-due-date-moved-twice")
    problems = axe_violations(page)
    assert not problems, describe(page.url, problems)

    public = new_page(bypass_csp=True)
    public.goto(f"/register/actions/{action.pk}/")
    expect(public.get_by_text("Original due date")).to_be_visible()
    expect(public.get_by_text("2, each approved by HMIC")).to_be_visible()
    expect(public.get_by_text("The vetting unit starts next quarter.")).to_have_count(0)
    problems = axe_violations(public)
    assert not problems, describe(public.url, problems)
    assert browser_errors == []
