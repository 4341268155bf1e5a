"""
A PSD lead's own spreadsheet, in a browser: from the action list to the workbook page, the download, changes made
in the workbook, the upload, the preview (one row refused with its reason) and applying the rest; axe-core finds
nothing serious on the preview.
"""

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.test_accessibility import axe_violations, describe
from tests.factories import ActionFactory, RecommendationFactory, ReportFactory
from tracker.models import Action

pytestmark = pytest.mark.browser


def test_a_psd_lead_updates_actions_in_excel_and_uploads_them(
    new_page, login, screenshot, browser_errors, force_a, psd_lead_a, colleague_a, tmp_path
):
    report = ReportFactory(title="Police Integrity and Corruption", subject_force=force_a)
    first, second = (
        ActionFactory(recommendation=RecommendationFactory(report=report, number=n), force=force_a) for n in (1, 2)
    )

    page = new_page(bypass_csp=True)
    login(page, psd_lead_a, "/actions/")
    page.get_by_role("link", name="Update in Excel").click()
    expect(page.get_by_role("heading", name="Update your actions in Excel")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the workbook of your force's open actions").click()
    assert info.value.suggested_filename == "actions-to-update-west-midlands-" + f"{timezone.localdate():%Y-%m-%d}.xlsx"
    downloaded = tmp_path / info.value.suggested_filename
    info.value.save_as(downloaded)
    book = load_workbook(downloaded)
    sheet = book["Actions"]
    sheet["H2"] = "Being progressed"
    sheet["I2"] = "Colin Cole (colleague-a)"
    sheet["J3"] = "Purple"
    edited = tmp_path / "actions.xlsx"
    book.save(edited)

    page.get_by_label("Your edited workbook (.xlsx)").set_input_files(str(edited))
    page.get_by_role("button", name="Upload and check the changes").click()
    expect(page.get_by_role("heading", name="Check the changes before they are applied")).to_be_visible()
    expect(page.locator("#refused")).to_contain_text("“Purple” is not a RAG rating")
    expect(page.locator("#changes")).to_contain_text("Status: Not started → Being progressed")
    problems = axe_violations(page)
    assert not problems, describe(page.url, problems)
    screenshot(page, "workbook-preview")
    page.get_by_role("button", name="Apply 2 changes").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("2 changes to 1 action applied")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.owner) == (Action.Status.IN_PROGRESS, colleague_a)
    assert second.rag == ""
    assert browser_errors == []
