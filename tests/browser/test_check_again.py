"""
A reviewer verifies an action with a check-again date from the review queue, and confirms the re-check of another
whose date has come, with the keyboard alone; axe-core finds nothing serious on the queue.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_accessibility import axe_violations, describe
from tests.browser.test_review_queue import tab_to
from tests.factories import ActionFactory, RecommendationFactory, ReportFactory
from tracker import workflow
from tracker.models import Action

pytestmark = pytest.mark.browser


def test_reviewer_verifies_with_a_check_again_date_and_confirms_a_re_check(
    new_page, login, screenshot, browser_errors, force_a, psd_lead_a, reviewer
):
    today = timezone.localdate()
    report = ReportFactory(title="Police Integrity and Corruption", subject_force=force_a)
    awaiting, due_again = (
        ActionFactory(recommendation=RecommendationFactory(report=report, number=n), force=force_a) for n in (1, 2)
    )
    workflow.transition(awaiting, "complete", by=psd_lead_a, text="Gifts register audited monthly.")
    workflow.transition(due_again, "complete", by=psd_lead_a, text="Vetting renewals tracked weekly.")
    Action.objects.filter(pk=due_again.pk).update(
        status=Action.Status.VERIFIED,
        verified_at=timezone.now() - datetime.timedelta(days=200),
        recheck_on=today - datetime.timedelta(days=2),
    )

    page = new_page(bypass_csp=True)
    login(page, reviewer, "/review/")
    expect(page.get_by_role("heading", name="Verified, re-check due (1)")).to_be_visible()
    problems = axe_violations(page)
    assert not problems, describe(page.url, problems)
    screenshot(page, "review-queue-re-check")

    date_field = page.locator(f"#id_verify_{awaiting.pk}_recheck_on")
    tab_to(page, date_field)
    in_six_months = today + datetime.timedelta(days=182)
    page.keyboard.type(in_six_months.strftime("%d/%m/%Y"))
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the verify button follows the date
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Verify and authorise closure")
    awaiting.refresh_from_db()
    assert (awaiting.status, awaiting.recheck_on) == (Action.Status.VERIFIED, in_six_months)

    confirm = page.get_by_role("button", name=re.compile(r"^Confirm the fix has lasted\W+.*recommendation 2$"))
    tab_to(page, page.locator(f"#id_recheck_{due_again.pk}_text"))
    page.keyboard.type("Twenty files sampled: all renewed on time.")
    tab_to(page, confirm)
    page.keyboard.press("Enter")
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("the fix has lasted, and it is closed for good")
    expect(page.get_by_role("heading", name="Verified, re-check due (0)")).to_be_visible()
    due_again.refresh_from_db()
    assert due_again.recheck_on is None
    assert browser_errors == []
