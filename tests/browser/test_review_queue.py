"""A reviewer verifies one action and reopens another from the review queue, with the keyboard alone."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.factories import ActionFactory, RecommendationFactory, ReportFactory
from tracker import workflow
from tracker.models import Action

pytestmark = pytest.mark.browser


def tab_to(page: Page, target: Locator, *, limit: int = 120) -> None:
    """Press Tab until `target` has the focus; fail if it is not reached within `limit` presses."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"Tab never reached {target}")


def focused(page: Page) -> str:
    return page.evaluate("() => document.activeElement.textContent.trim().replace(/\\s+/g, ' ')")


def test_reviewer_verifies_and_reopens_from_the_queue_with_the_keyboard(
    page, login, screenshot, browser_errors, force_a, psd_lead_a, reviewer
):
    report = ReportFactory(title="Police Integrity and Corruption", subject_force=force_a)
    first, second = (
        ActionFactory(recommendation=RecommendationFactory(report=report, number=n), force=force_a) for n in (1, 2)
    )
    workflow.transition(first, "complete", by=psd_lead_a, text="Code of Ethics briefed to every member of staff.")
    workflow.transition(second, "complete", by=psd_lead_a, text="Monitoring software bought.")
    workflow.add_note(second, by=psd_lead_a, text="Software installed on half the terminals.")

    login(page, reviewer, "/review/")
    expect(page.get_by_text("Code of Ethics briefed to every member of staff.")).to_be_visible()
    expect(page.get_by_text("Software installed on half the terminals.")).to_be_visible()
    screenshot(page, "review-queue-cards")

    tab_to(page, page.get_by_role("button", name=re.compile(r"^Verify and authorise closure\W+.*recommendation 1$")))
    page.keyboard.press("Enter")
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(f"done for {first}. The action is now “Complete – authorised for closure”.")
    expect(banner).to_be_focused()  # a screen reader reads the outcome first
    expect(page.get_by_role("heading", name="Completed, awaiting verification (1)")).to_be_visible()

    tab_to(page, page.locator("summary").filter(has_text="Reopen with a reason"))
    page.keyboard.press("Enter")  # opens the reopen form
    reopen = page.get_by_role("button", name=re.compile(r"^Reopen\W+.*recommendation 2$"))
    tab_to(page, reopen)
    page.keyboard.press("Enter")  # without a reason
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a reason for reopening")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: Review queue"))
    page.keyboard.press("Tab")  # to the error's link, which leads to the field
    page.keyboard.press("Enter")
    reason = page.get_by_label("Reason for reopening")
    expect(reason).to_be_focused()
    page.keyboard.type("Only half the terminals are monitored; send the plan for the rest.")
    tab_to(page, reopen)
    page.keyboard.press("Enter")
    expect(banner).to_contain_text(f"Reopen: done for {second}. The action is now “Being progressed”.")
    expect(banner).to_be_focused()
    expect(page.get_by_text("Nothing is awaiting verification.")).to_be_visible()
    screenshot(page, "review-queue-after-reopening")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Action.Status.VERIFIED, Action.Status.IN_PROGRESS)
    reason_given = second.history.first().history_change_reason
    assert reason_given == "Reopen: Only half the terminals are monitored; send the plan for the rest."
    assert browser_errors == []
