"""
The People pages in the browser (tracker/views/people.py): an admin invites a PSD lead, who opens the emailed link,
chooses a password and is signed in; the admin deactivates them as they leave, and their open page is signed out.
The invitation and a person's page pass axe, refused forms included.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.test_accessibility import axe_violations, describe, visit
from tracker.models import User

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a long passphrase for kent 2026"


def link_in_the_email() -> str:
    """The path of the invitation's link (the email names SITE_URL; the test's server is elsewhere)."""
    return re.search(r"/accounts/invitation/\S+/", mail.outbox[-1].body).group(0)


def invite_sam(page, force):
    page.goto("/people/")
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Patel")
    page.get_by_label("Email address").fill("sam.patel@example.police.uk")
    page.get_by_label("Force PSD lead").check()
    page.get_by_label(force.name).check()
    page.get_by_role("button", name="Send the invitation").click()


def test_an_invited_psd_lead_chooses_a_password_and_is_deactivated_when_they_leave(
    new_page, login, admin_user, force_a, browser_errors
):
    admin = new_page()
    login(admin, admin_user)
    invite_sam(admin, force_a)
    expect(admin.get_by_role("heading", level=1)).to_have_text("Sam Patel")
    banner = admin.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Invitation sent to sam.patel@example.police.uk")
    expect(admin.locator("main")).to_contain_text("waiting, the link works until")

    sam = new_page()
    sam.goto(link_in_the_email())
    expect(sam.get_by_role("heading", level=1)).to_have_text("Welcome, Sam Patel")
    sam.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    sam.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    sam.get_by_role("button", name="Set password and sign in").click()
    expect(sam.locator("header")).to_contain_text("Sign out")
    expect(sam.locator("main")).to_contain_text(force_a.name)

    admin.reload()
    expect(admin.locator("main")).to_contain_text("accepted")
    admin.get_by_label("Reason").last.fill("Left the force on 30 November")
    admin.get_by_role("button", name="Deactivate Sam Patel").click()
    expect(admin.locator(".govuk-notification-banner")).to_contain_text("Sam Patel's account is deactivated")
    history = admin.locator("#history + .app-table-container")
    expect(history).to_contain_text("Deactivated: Left the force on 30 November")

    sam.reload()
    expect(sam).to_have_url(re.compile(r"/accounts/login/"))
    assert not User.objects.get(email="sam.patel@example.police.uk").is_active
    assert not browser_errors, "\n".join(browser_errors)


def test_the_invitation_pages_pass_axe_with_their_errors(new_page, login, admin_user, force_a):
    admin = new_page(bypass_csp=True)
    login(admin, admin_user)
    visit(admin, "/people/invite/")
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin.locator(".govuk-error-summary")).to_be_focused()
    assert not axe_violations(admin), describe(admin.url, axe_violations(admin))
    invite_sam(admin, force_a)
    admin.get_by_role("button", name=re.compile("^Deactivate")).click()
    expect(admin.locator(".govuk-error-summary")).to_contain_text("Say why")
    assert not axe_violations(admin), describe(admin.url, axe_violations(admin))

    sam = new_page(bypass_csp=True)
    visit(sam, link_in_the_email())
    assert not axe_violations(sam), describe(sam.url, axe_violations(sam))
    sam.get_by_label("New password", exact=True).fill("short")
    sam.get_by_role("button", name="Set password and sign in").click()
    expect(sam.locator(".govuk-error-summary")).to_be_visible()
    expect(sam.get_by_label("New password", exact=True)).to_have_value("")
    assert not axe_violations(sam), describe(sam.url, axe_violations(sam))
