"""
Single sign-on end to end in the browser, through a real OpenID Connect provider on 127.0.0.1 (tests.oidc): the
sign-in page's "Sign in with Test Constabulary", the provider's own sign-in page, and back.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import axe_violations, describe, visit
from tests.factories import ForceFactory, SignInRuleFactory
from tests.oidc import KEY, NAME, LocalIdentityProvider
from tracker.models import SignInEvent, User

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def identity_provider(live_server):
    provider = LocalIdentityProvider([f"{live_server.url}/accounts/sso/{KEY}/callback/"])
    yield provider
    provider.stop()


@pytest.fixture
def idp(identity_provider, settings, transactional_db):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [identity_provider.app()]}}
    identity_provider.set(identities={}, tamper=None)
    return identity_provider


@pytest.fixture
def force(transactional_db):
    return ForceFactory(name="Testshire Constabulary", slug="testshire")


@pytest.fixture
def psd_group_rule(force):
    return SignInRuleFactory(claim="groups", value="testshire-psd", force=force)


def sign_in_with_the_provider(page, idp, login_name, next_url=""):
    """From the tracker's sign-in page, sign in at the provider as `login_name` and come back."""
    page.goto(f"/accounts/login/?next={next_url}" if next_url else "/accounts/login/")
    page.get_by_role("button", name=f"Sign in with {NAME}").click()
    page.wait_for_url(f"{idp.issuer}/**")  # the provider's own sign-in page
    page.locator("input[name=login]").fill(login_name)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(lambda url: not url.startswith(idp.issuer))


def test_a_psd_lead_signs_in_with_the_organisation_and_lands_on_their_force(page, idp, psd_group_rule, force):
    idp.set(identities={"pat@test.police.uk": {"name": "Pat Jones", "groups": ["testshire-psd"]}})
    sign_in_with_the_provider(page, idp, "pat@test.police.uk", next_url="/account/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your account")
    expect(page.locator("main")).to_contain_text("Testshire Constabulary")
    expect(page.locator("main")).to_contain_text(f"Through {NAME}")
    user = User.objects.get(email="pat@test.police.uk")
    assert (user.role, list(user.forces.all())) == (User.Role.PSD_LEAD, [force])


def test_someone_no_rule_matches_is_refused_with_a_clear_page(page, idp, psd_group_rule):
    idp.set(identities={"sam@test.police.uk": {"groups": ["traffic"]}})
    sign_in_with_the_provider(page, idp, "sam@test.police.uk")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are not signed in")
    expect(page.locator("main")).to_contain_text("no sign-in rule gives you access")
    assert SignInEvent.objects.get().kind == SignInEvent.Kind.SSO_REFUSED
    assert not User.objects.filter(email="sam@test.police.uk").exists()


def test_claims_changed_at_the_provider_remove_the_role_at_the_next_sign_in(new_page, idp, psd_group_rule):
    idp.set(identities={"pat@test.police.uk": {"groups": ["testshire-psd"]}})
    first = new_page()
    sign_in_with_the_provider(first, idp, "pat@test.police.uk")
    expect(first.locator("header")).to_contain_text("Sign out")
    idp.set(identities={"pat@test.police.uk": {"groups": []}})  # moved out of the PSD at the provider
    later = new_page()
    sign_in_with_the_provider(later, idp, "pat@test.police.uk")
    expect(later.get_by_role("heading", level=1)).to_have_text("You are not signed in")
    user = User.objects.get(email="pat@test.police.uk")
    assert (user.is_active, list(user.forces.all())) == (False, [])
    first.reload()  # the session signed in before has ended with the access
    assert "/accounts/login/" in first.url


@pytest.mark.parametrize("tamper", ["audience", "expired", "signature"])
def test_an_id_token_that_cannot_be_trusted_is_refused(page, idp, psd_group_rule, tamper):
    idp.set(identities={"pat@test.police.uk": {"groups": ["testshire-psd"]}}, tamper=tamper)
    sign_in_with_the_provider(page, idp, "pat@test.police.uk")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are not signed in")
    expect(page.locator("main")).to_contain_text(f"{NAME} did not sign you in")
    assert not User.objects.filter(email="pat@test.police.uk").exists()


def test_the_sign_in_page_with_providers_and_the_refused_page_pass_axe(new_page, idp, psd_group_rule):
    page = new_page(bypass_csp=True)  # axe-core is injected as a script of the test's own
    visit(page, "/accounts/login/")
    expect(page.get_by_role("button", name=f"Sign in with {NAME}")).to_be_visible()
    assert not axe_violations(page), describe(page.url, axe_violations(page))
    sign_in_with_the_provider(page, idp, "nobody@test.police.uk")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are not signed in")
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true })")
    assert not axe_violations(page), describe(page.url, axe_violations(page))


def test_the_password_form_still_signs_in_beside_the_providers(page, idp, login, psd_lead_a):
    page.goto("/accounts/login/")
    page.get_by_label("Username", exact=True).fill(psd_lead_a.username)
    page.get_by_label("Password", exact=True).fill("password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("header")).to_contain_text("Sign out")
