"""
Two-factor authentication in the browser (tracker/two_factor.py): a reviewer sets up an authenticator app as they
first sign in (scanning is replaced by the key the page shows for typing), keeps the recovery codes, and signs in
again with a recovery code; a wrong code is answered in the page's error summary; the pages pass axe.
"""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD
from tests.browser.test_accessibility import axe_violations, describe, visit
from tests.factories import ReviewerFactory
from tracker.models import SignInEvent

pytestmark = pytest.mark.browser


def code_for(typed_key: str) -> str:
    """The code an authenticator app given `typed_key` (as the page shows it) shows now."""
    return f"{totp(b32decode(typed_key.replace(' ', ''))):06d}"


def type_password(page, user, next_url=""):
    page.goto(f"/accounts/login/?next={next_url}" if next_url else "/accounts/login/")
    page.get_by_label("Username", exact=True).fill(user.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


@pytest.fixture
def reviewer_without_an_app(transactional_db):
    return ReviewerFactory(username="r.singh")


def test_a_reviewer_sets_it_up_at_first_sign_in_and_signs_in_later_with_a_recovery_code(
    page, reviewer_without_an_app, browser_errors
):
    type_password(page, reviewer_without_an_app, next_url="/review/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    key = page.locator("#authenticator-key").inner_text()
    page.get_by_label("Code from the app").fill(code_for(key))
    page.get_by_role("button", name="Set up and sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    codes = page.get_by_role("list", name="Your recovery codes").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have saved them: continue").click()
    expect(page).to_have_url(re.compile(r"/review/$"))

    page.get_by_role("button", name="Sign out", exact=True).click()
    type_password(page, reviewer_without_an_app)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("header")).to_contain_text("Sign out")
    page.goto("/account/")
    expect(page.locator("main")).to_contain_text("You have 9 recovery codes left")
    expect(page.locator("main")).to_contain_text("With a recovery code (9 left)")
    assert not browser_errors, "\n".join(browser_errors)


def test_a_wrong_code_is_shown_in_the_error_summary_with_what_was_typed(page, reviewer_without_an_app):
    type_password(page, reviewer_without_an_app)
    key = page.locator("#authenticator-key").inner_text()
    page.get_by_label("Code from the app").fill(code_for(key))
    page.get_by_role("button", name="Set up and sign in").click()
    codes = page.get_by_role("list", name="Your recovery codes").get_by_role("listitem").all_inner_texts()
    page.get_by_role("link", name="I have saved them: continue").click()
    page.get_by_role("button", name="Sign out", exact=True).click()

    type_password(page, reviewer_without_an_app)
    wrong = f"{(int(code_for(key)) + 500_000) % 1_000_000:06d}"
    page.get_by_label("Code", exact=True).fill(wrong)
    page.get_by_role("button", name="Sign in", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The code is not right")
    expect(page.get_by_label("Code", exact=True)).to_have_value(wrong)
    expect(page.locator("header")).not_to_contain_text("Sign out")
    assert SignInEvent.objects.filter(user=reviewer_without_an_app, kind=SignInEvent.Kind.CODE_FAILED).exists()

    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("header")).to_contain_text("Sign out")


def test_the_two_factor_pages_pass_axe(new_page, reviewer_without_an_app):
    page = new_page(bypass_csp=True)  # axe-core is injected as a script of the test's own
    type_password(page, reviewer_without_an_app)
    visit(page, "/account/two-factor/set-up/")
    assert not axe_violations(page), describe(page.url, axe_violations(page))
    key = page.locator("#authenticator-key").inner_text()
    page.get_by_label("Code from the app").fill("12")
    page.get_by_role("button", name="Set up and sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert not axe_violations(page), describe(page.url, axe_violations(page))
    page.get_by_label("Code from the app").fill(code_for(key))
    page.get_by_role("button", name="Set up and sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    assert not axe_violations(page), describe(page.url, axe_violations(page))
    page.get_by_role("link", name="I have saved them: continue").click()
    visit(page, "/account/")
    assert not axe_violations(page), describe(page.url, axe_violations(page))
    page.get_by_role("button", name="Sign out", exact=True).click()
    type_password(page, reviewer_without_an_app)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    visit(page, "/accounts/login/code/")
    assert not axe_violations(page), describe(page.url, axe_violations(page))
