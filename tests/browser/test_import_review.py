"""An admin uploads a report, corrects a due date, splits a recommendation in two and confirms: history says who,
and the page after says what was loaded."""

import datetime
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.seeds import SEEDS
from tracker.models import Action, Report

pytestmark = pytest.mark.browser

SEED = SEEDS / "004_b223533a9aa4004e.txt"  # Metropolitan Police Service: four recommendations


def test_admin_corrects_and_splits_before_confirming(page, login, admin_user, screenshot, browser_errors):
    call_command("loaddata", "fixtures/forces.json", verbosity=0)
    login(page, admin_user, "/admin/tracker/report/import/")
    page.get_by_label("Report file").set_input_files(str(SEED))
    page.get_by_label("Publication date").fill("2014-11-27")
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_text("4 recommendations, 4 actions")).to_be_visible()

    first, second = page.locator("#item-0"), page.locator("#item-1")
    first.get_by_label("Due date").fill("2015-01-31")
    second.get_by_label("Text").fill(
        "Within six months, the force should publish its gifts and hospitality register.\n\n"
        "With immediate effect, the force should stop accepting gifts from suppliers."
    )
    second.get_by_role("button", name="Split").click()
    expect(page.get_by_text("5 recommendations, 5 actions")).to_be_visible()
    expect(page.locator("#item-2 h2")).to_have_text("Recommendation 3 · due 27 November 2014")
    screenshot(page, "import-review-after-split")
    # Enter in a field updates the preview; it never presses the first item's Split.
    first.get_by_label("Timeframe").press("Enter")
    expect(page.get_by_text("5 recommendations, 5 actions")).to_be_visible()
    expect(page.locator("#import-error")).to_have_count(0)

    expect(page.locator("#item-0-actions")).to_have_text("Actions for: Metropolitan Police Service")
    page.get_by_role("button", name="Confirm and load").click()
    expect(page).to_have_url(re.compile(r"/admin/tracker/report/\d+/imported/$"))
    imported = "Imported “Police Integrity and Corruption – Metropolitan Police Service”."
    expect(page.get_by_text(imported)).to_be_visible()
    expect(page.get_by_text("In the tracker: 5 recommendations, 5 actions")).to_be_visible()
    forces = page.locator("#imported-forces tbody tr")
    expect(forces).to_have_count(1)
    expect(forces.get_by_role("rowheader")).to_have_text("Metropolitan Police Service")
    expect(forces.get_by_role("cell")).to_have_text("5")
    screenshot(page, "import-summary")

    report = Report.objects.get()
    recommendations = list(report.recommendations.order_by("number"))
    assert len(recommendations) == 5
    assert (recommendations[0].due_date, recommendations[0].due_precision) == (datetime.date(2015, 1, 31), "day")
    assert recommendations[2].text == "With immediate effect, the force should stop accepting gifts from suppliers."
    history = Action.objects.get(recommendation=recommendations[2]).history.get()
    assert history.history_user == admin_user
    assert history.history_change_reason.endswith("with the web import by admin")
    assert browser_errors == []
