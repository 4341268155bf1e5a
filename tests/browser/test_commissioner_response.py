"""
The commissioner's statutory response, end to end in a browser: the commissioner's office invites the chief
officer's comments, the force's PSD lead writes them, the office explains each recommendation (starting from the
suggestions), is told what is missing, publishes, and the response is on the public register; axe-core finds
nothing serious on the workspace.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_accessibility import axe_violations, describe
from tests.factories import ActionFactory, RecommendationFactory, ReportFactory
from tracker.models import Action, CommissionerResponse

pytestmark = pytest.mark.browser


def test_the_commissioners_office_and_the_psd_lead_write_and_publish_the_response(
    new_page, login, screenshot, browser_errors, force_a, psd_lead_a, commissioner_a
):
    today = timezone.localdate()
    published = today - datetime.timedelta(days=10)
    report = ReportFactory(
        slug="custody-west-midlands",
        title="Inspection of police custody",
        subject_force=force_a,
        published_on=published,
    )
    report.is_publishable = True
    report.save()
    for number in (1, 2):
        ActionFactory(
            recommendation=RecommendationFactory(
                report=report, number=number, text=f"Custody recommendation {number}."
            ),
            force=force_a,
            due_date=today + datetime.timedelta(days=150),
            is_publishable=True,
        )
    last_day = published + datetime.timedelta(days=55)
    comments_by = today + datetime.timedelta(days=7)

    office = new_page(bypass_csp=True)
    login(office, commissioner_a, f"/reports/{report.slug}/response/")
    expect(office.get_by_role("heading", name="The police and crime commissioner's response")).to_be_visible()
    expect(office.locator("#response-summary")).to_contain_text(f"by {last_day.day} {last_day:%B %Y} (in 45 days)")
    problems = axe_violations(office)
    assert not problems, describe(office.url, problems)
    screenshot(office, "commissioner-response-workspace")
    office.get_by_label("Chief officer's comments wanted by").fill(comments_by.strftime("%d/%m/%Y"))
    office.get_by_role("button", name="Invite the comments").click()
    expect(office.locator(".govuk-notification-banner--success")).to_contain_text("comments are invited")

    lead = new_page(bypass_csp=True)
    login(lead, psd_lead_a, f"/forces/{force_a.slug}/")
    expect(lead.locator("#responses")).to_contain_text("Chief officer's comments invited")
    lead.get_by_role("link", name="Inspection of police custody").first.click()
    lead.get_by_label("The chief officer's comments").fill("The chief constable accepts both recommendations.")
    lead.get_by_role("button", name="Save the comments").click()
    expect(lead.locator(".govuk-notification-banner--success")).to_contain_text("comments are saved")

    office.reload()
    expect(office.get_by_text("The chief constable accepts both recommendations.")).to_be_visible()
    first = office.get_by_label(re.compile("^Recommendation 1: the action taken"))
    expect(first).to_have_value(re.compile("^Action proposed: the force is to do this by"))  # suggested
    office.get_by_label("The commissioner's comments on the report").fill("I welcome the report.")
    office.get_by_label(re.compile("^Recommendation 2: the action taken")).fill("")
    office.get_by_role("button", name="Publish the response").click()
    expect(office.locator(".govuk-error-summary")).to_contain_text(
        "Explain the action taken or proposed on recommendation 2"
    )
    expect(office.get_by_label("The commissioner's comments on the report")).to_have_value("I welcome the report.")
    office.get_by_label(re.compile("^Recommendation 2: the action taken")).fill("Accepted: a new custody audit.")
    office.get_by_role("button", name="Publish the response").click()
    expect(office.locator(".govuk-notification-banner--success")).to_contain_text("The response is published")
    response = CommissionerResponse.objects.get(report=report)
    assert response.published_by == commissioner_a and response.published_in_time

    office.get_by_role("link", name="On the public register").click()
    expect(office.get_by_role("heading", level=1)).to_contain_text("The police and crime commissioner's response")
    expect(office.get_by_text("Accepted: a new custody audit.")).to_be_visible()
    assert Action.objects.filter(force=force_a).count() == 2
    assert browser_errors == []
