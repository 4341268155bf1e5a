"""A PSD lead completes an action, an HMIC reviewer verifies it; a PSD lead of another force cannot reach it."""

import re

import pytest
from playwright.sync_api import Page, expect

from tracker.models import Action

pytestmark = pytest.mark.browser

COMPLETION_NOTE = (
    "All 6,200 officers and staff were briefed on the Code of Ethics and the gifts and hospitality policy "
    "in March; attendance records are on the PSD share, folder 2024/ethics."
)


def force_counts(page: Page, force_name: str) -> dict[str, int]:
    """Return the dashboard's open and overdue recommendations, awaiting-review and verified counts for one force."""
    headers = [h.strip() for h in page.locator("#forces-table thead th").all_inner_texts()]
    row = page.locator("#forces-table tbody tr").filter(has=page.get_by_role("rowheader", name=force_name))
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    by_header = dict(zip(headers[1:], cells, strict=True))
    return {
        name: int(re.match(r"\d+", by_header[name]).group())
        for name in ("Open recommendations", "Overdue recommendations", "Awaiting review", "Verified")
    }


def test_psd_lead_completes_and_reviewer_verifies(
    new_page, login, screenshot, browser_errors, follow_up, force_a, psd_lead_a, reviewer
):
    action = follow_up.action

    hmic = new_page()
    login(hmic, reviewer)
    expect(hmic).to_have_url(re.compile(r"/dashboard/$"))
    screenshot(hmic, "dashboard")
    assert force_counts(hmic, force_a.name) == {
        "Open recommendations": 4,
        "Overdue recommendations": 2,
        "Awaiting review": 1,
        "Verified": 0,
    }

    lead = new_page()
    login(lead, psd_lead_a)
    expect(lead).to_have_url(re.compile(f"{force_a.get_absolute_url()}$"))  # the landing page is their force
    screenshot(lead, "force")
    lead.get_by_role("link", name="Recommendation 1", exact=True).click()  # one click from landing
    expect(lead).to_have_url(re.compile(f"{action.get_absolute_url()}$"))
    expect(lead.get_by_role("heading", level=1)).to_have_text("Recommendation 1")
    status = lead.locator(".govuk-summary-list__row").filter(has=lead.get_by_role("term").filter(has_text="Status"))
    expect(status).to_contain_text("Not started")
    expect(status).to_contain_text("Overdue")
    screenshot(lead, "action-psd-lead")

    lead.get_by_role("button", name="Mark as being progressed").click()
    expect(lead.get_by_role("alert")).to_contain_text("The action is now “Being progressed”")
    expect(status).to_contain_text("Being progressed")

    complete = lead.get_by_role("button", name="Mark as complete and send for review")
    complete.click()  # without the required note
    expect(lead.locator(".govuk-error-summary")).to_contain_text(
        "Enter a completion note: what was done, and where the evidence is"
    )
    expect(lead).to_have_title(re.compile(r"^Error: "))
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS
    screenshot(lead, "action-psd-lead-error")

    lead.get_by_label("Completion note: what was done, and where the evidence is").fill(COMPLETION_NOTE)
    complete.click()
    expect(lead.get_by_role("alert")).to_contain_text("The action is now “Awaiting review”")
    expect(status).to_contain_text("Awaiting review")
    action.refresh_from_db()
    assert action.status == Action.Status.COMPLETED

    hmic.get_by_role("link", name="Review queue").click()
    expect(hmic.get_by_role("heading", name="Completed, awaiting verification (2)")).to_be_visible()
    screenshot(hmic, "review-queue")
    # The button's name carries the action (visually hidden), so screen reader users know which one they verify.
    verify = re.compile(r"^Verify and authorise closure\W+West Midlands Police recommendation 1$")
    hmic.get_by_role("button", name=verify).click()
    expect(hmic.get_by_role("alert")).to_contain_text("The action is now “Complete – authorised for closure”")
    expect(hmic).to_have_url(re.compile(r"/review/$"))
    expect(hmic.get_by_role("heading", name="Completed, awaiting verification (1)")).to_be_visible()
    action.refresh_from_db()
    assert action.status == Action.Status.VERIFIED

    hmic.get_by_role("link", name="All forces").click()
    assert force_counts(hmic, force_a.name) == {
        "Open recommendations": 3,
        "Overdue recommendations": 1,
        "Awaiting review": 1,
        "Verified": 1,
    }

    hmic.goto(action.get_absolute_url())
    history = hmic.locator(".app-timeline")
    entry = history.locator(".app-timeline__item")
    expect(entry.filter(has_text="Status: Not started → Being progressed")).to_contain_text("Alice Ashby")
    expect(entry.filter(has_text="Status: Being progressed → Awaiting review")).to_contain_text(COMPLETION_NOTE)
    expect(entry.filter(has_text="Status: Being progressed → Awaiting review")).to_contain_text("Alice Ashby")
    expect(entry.filter(has_text="→ Complete – authorised for closure")).to_contain_text("Rita Reviewer")
    screenshot(hmic, "action-history")
    assert not browser_errors, "\n".join(browser_errors)


def test_psd_lead_of_another_force_cannot_reach_the_action(page, login, follow_up, force_a, psd_lead_b):
    action = follow_up.action
    login(page, psd_lead_b)
    expect(page.get_by_role("heading", level=1)).to_have_text("Leicestershire Police")
    expect(page.get_by_role("main")).not_to_contain_text(force_a.name)

    assert page.goto(action.get_absolute_url()).status == 404
    assert page.goto(force_a.get_absolute_url()).status == 404
    page.goto("/actions/?q=gifts+and+hospitality")
    expect(page.get_by_role("main")).to_contain_text("No actions match.")

    # Refused by the server, not just hidden: a well-formed POST with a valid CSRF token is a 404 too.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    response = page.request.post(
        f"{action.get_absolute_url()}change/start/", form={"csrfmiddlewaretoken": token, "version": "1"}
    )
    assert response.status == 404
    action.refresh_from_db()
    assert action.status == Action.Status.NOT_STARTED
