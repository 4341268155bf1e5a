"""Someone else changes an action while a user is typing on its page: their words come back exactly as typed."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import ActionFactory, ExtensionRequestFactory
from tracker import workflow
from tracker.models import Action, ExtensionRequest, ProgressNote

pytestmark = pytest.mark.browser

TYPED = "Lessons-learned bulletin sent to all 43 forces ['see annex'];\nboard sign-off on 3 June."
CONFLICT = re.compile(r"This action was changed by Colin Cole on .+ after you opened it\. Nothing was saved")


@pytest.fixture
def action(force_a):
    return ActionFactory(recommendation__report__subject_force=force_a)


def _version(page: Page, button: str) -> str:
    """Return the action version carried by the form with this button: the one the next submit is checked against."""
    return page.locator(f'form:has(button:text("{button}")) input[name="version"]').input_value()


def _summary_row(page: Page, term: str):
    return page.locator(".govuk-summary-list__row").filter(has=page.get_by_role("term").filter(has_text=term))


def test_a_completion_note_survives_a_colleagues_change_and_is_saved_from_the_fresh_page(
    page, login, browser_errors, action, psd_lead_a, colleague_a
):
    login(page, psd_lead_a, action.get_absolute_url())
    note = page.get_by_label("Completion note: what was done, and where the evidence is")
    note.fill(TYPED)
    workflow.transition(action, "start", by=colleague_a)  # Colin starts it while Alice is typing

    page.get_by_role("button", name="Mark as complete and send for review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Your change was not saved")
    expect(page.locator(".govuk-error-summary")).to_contain_text(CONFLICT)
    expect(_summary_row(page, "Status")).to_contain_text("Being progressed")  # the page as it is now
    expect(note).to_have_value(TYPED)
    action.refresh_from_db()
    assert (action.status, action.version) == (Action.Status.IN_PROGRESS, 2)  # nothing saved yet
    assert _version(page, "Mark as complete") == "2"

    page.get_by_role("button", name="Mark as complete and send for review").click()
    expect(page.get_by_role("alert")).to_contain_text("The action is now “Awaiting review”")
    action.refresh_from_db()
    assert action.status == Action.Status.COMPLETED
    # A browser sends a line break as CRLF.
    expected = f"Mark as complete and send for review: {TYPED}".replace("\n", "\r\n")
    assert action.history.latest().history_change_reason == expected
    assert browser_errors == []


def test_a_rag_rating_and_an_owner_survive_a_colleagues_change(
    page, login, browser_errors, action, psd_lead_a, colleague_a
):
    login(page, psd_lead_a, action.get_absolute_url())
    page.get_by_text("Give a RAG rating").click()
    page.get_by_label("Amber – at risk").check()
    page.get_by_label("Reason, in one line").fill("Waiting for the ['vetting'] unit")
    workflow.assign_owner(action, by=colleague_a, owner=colleague_a)

    page.get_by_role("button", name="Save rating").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(CONFLICT)
    expect(_summary_row(page, "Owner")).to_contain_text("Colin Cole")
    expect(page.get_by_label("Reason, in one line")).to_have_value("Waiting for the ['vetting'] unit")
    expect(page.get_by_label("Amber – at risk")).to_be_checked()
    assert _version(page, "Save rating") == "2"
    action.refresh_from_db()
    assert action.rag == ""

    page.get_by_text("Change owner").click()
    page.get_by_label("Owner").select_option(label=str(psd_lead_a))
    workflow.transition(action, "start", by=colleague_a)
    page.get_by_role("button", name="Save owner").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(CONFLICT)
    expect(page.get_by_label("Owner")).to_have_value(str(psd_lead_a.pk))
    assert _version(page, "Save owner") == "3"
    # The RAG rating was never saved: its form shows the action as it is now.
    expect(page.get_by_label("Reason, in one line")).to_have_value("")
    page.get_by_role("button", name="Save owner").click()
    expect(page.get_by_role("alert")).to_contain_text("Owner updated.")
    action.refresh_from_db()
    assert action.owner == psd_lead_a and action.rag == ""
    assert browser_errors == []


def test_words_for_a_change_no_longer_on_offer_wait_in_the_note_box(
    page, login, browser_errors, action, psd_lead_a, colleague_a
):
    login(page, psd_lead_a, action.get_absolute_url())
    page.get_by_text("Ask for a revised due date").click()
    later = datetime.date.today() + datetime.timedelta(days=400)  # within the ten years a due date may be ahead
    page.get_by_label("Revised due date").fill(f"{later:%d/%m/%Y}")
    page.get_by_label("Why the current due date cannot be met").fill(TYPED)
    workflow.request_extension(action, by=colleague_a, requested_due_date=later, reason="Colin asked first")

    page.get_by_role("button", name="Send request to HMIC").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "An extension request for this action is already awaiting a decision. "
        "What you wrote is in the progress note box below."
    )
    expect(page.locator(".govuk-inset-text").filter(has_text="Revised due date requested")).to_contain_text(
        "Colin asked first"
    )
    expect(page.get_by_label("Progress note")).to_have_value(TYPED)
    assert ExtensionRequest.objects.count() == 1 and not ProgressNote.objects.exists()
    assert browser_errors == []


def test_a_reviewers_reason_survives_a_decision_made_meanwhile(
    page, login, browser_errors, action, reviewer, admin_user
):
    extension = ExtensionRequestFactory(action=action)
    login(page, reviewer, action.get_absolute_url())
    page.get_by_label("Refuse").check()
    page.get_by_label("Reason (required when refusing)").fill(TYPED)
    workflow.decide_extension(extension, by=admin_user, approve=True)

    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "This request was already approved. What you wrote is in the progress note box below."
    )
    expect(page.get_by_label("Progress note")).to_have_value(TYPED)
    extension.refresh_from_db()
    assert extension.decision == ExtensionRequest.Decision.APPROVED
    assert browser_errors == []
