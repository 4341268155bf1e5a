"""
Single sign-on through an organisation's OpenID Connect identity provider (tracker.sso, tracker/views/sso.py),
against a real provider on 127.0.0.1 (tests.oidc): who gets in, as what, and what is refused and logged.
"""

from __future__ import annotations

import html
import re

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.urls import reverse

from tests.factories import AdminFactory, ForceFactory, IdentityProviderFactory, PsdLeadFactory, SignInRuleFactory
from tests.oidc import KEY, NAME, LocalIdentityProvider, path_of, sign_in_at_provider
from tracker import people
from tracker.models import IdentityProvider, Invitation, SignInEvent, User

CALLBACK = f"http://testserver/accounts/sso/{KEY}/callback/"
DEMO_CALLBACK = "http://testserver/accounts/sso/demo/callback/"


@pytest.fixture(scope="module")
def identity_provider():
    provider = LocalIdentityProvider([CALLBACK, DEMO_CALLBACK])
    yield provider
    provider.stop()


@pytest.fixture
def idp(identity_provider, settings, db):
    """The local provider configured as the tracker's only one; nobody known to it yet, nothing tampered with."""
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [identity_provider.app()]}}
    identity_provider.set(identities={}, tamper=None)
    return identity_provider


@pytest.fixture
def force(db):
    return ForceFactory(name="Testshire Constabulary", slug="testshire")


@pytest.fixture
def psd_rule(force):
    """Anyone with an address at test.police.uk is a PSD lead of Testshire."""
    return SignInRuleFactory(force=force)


def sso_sign_in(client, idp, login, next_url="/", key=KEY):
    """Press "Sign in with Test Constabulary", sign in at the provider as `login`, and come back; the response."""
    start = client.post(reverse("openid_connect_login", args=[key]), {"next": next_url})
    assert start.status_code == 302, start.content[:300]
    return client.get(path_of(sign_in_at_provider(idp, start["Location"], login)))


def signed_in_user(client):
    return client.get(reverse("tracker:account")).context["user"]


# The sign-in page


def test_the_sign_in_page_offers_each_configured_provider(client, idp):
    page = client.get(reverse("login"))
    assert f"Sign in with {NAME}" in page.content.decode()
    assert page.context["identity_providers"] == [IdentityProvider.objects.get(key=KEY)]


def test_the_sign_in_page_lets_its_forms_go_to_the_provider(client, idp):
    assert idp.issuer in client.get(reverse("login"))["Content-Security-Policy"]


def test_without_providers_the_sign_in_page_offers_only_the_password(client, settings, db):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    page = client.get(reverse("login"))
    assert "Sign in with" not in page.content.decode()
    assert "form-action 'self';" in page["Content-Security-Policy"] + ";"


def test_a_provider_switched_off_is_not_offered(client, idp):
    IdentityProviderFactory(key=KEY, enabled=False)
    assert f"Sign in with {NAME}" not in client.get(reverse("login")).content.decode()


def test_starting_a_sign_in_by_get_goes_to_the_sign_in_page(client, idp):
    response = client.get(reverse("openid_connect_login", args=[KEY]))
    assert response.status_code == 302 and response["Location"] == reverse("login")


def test_an_unknown_provider_is_not_found(client, idp):
    assert client.post(reverse("openid_connect_login", args=["nobody"])).status_code == 404
    assert client.get(reverse("openid_connect_callback", args=["nobody"])).status_code == 404


def test_the_provider_is_sent_a_pkce_challenge_and_state(client, idp):
    location = client.post(reverse("openid_connect_login", args=[KEY]))["Location"]
    assert location.startswith(f"{idp.issuer}/auth?")
    assert "code_challenge=" in location and "code_challenge_method=S256" in location and "state=" in location


# Who gets in, as what


def test_a_first_sign_in_matching_a_rule_creates_a_psd_lead_of_its_force(client, idp, psd_rule, force):
    idp.set(identities={"pat@test.police.uk": {"given_name": "Pat", "family_name": "Jones"}})
    response = sso_sign_in(client, idp, "pat@test.police.uk", next_url="/actions/")
    assert response.status_code == 302 and response["Location"] == "/actions/"
    user = User.objects.get(email="pat@test.police.uk")
    assert (user.username, user.get_full_name(), user.role) == ("pat@test.police.uk", "Pat Jones", User.Role.PSD_LEAD)
    assert list(user.forces.all()) == [force]
    assert not user.has_usable_password()
    assert signed_in_user(client) == user


def test_someone_invited_signs_in_through_the_provider_from_the_invitation(client, idp, psd_rule, force):
    admin = AdminFactory()
    sent = people.invite(
        email="pat@test.police.uk", first_name="Pat", last_name="Jones", role="psd_lead", forces=[force], by=admin
    )
    link = re.search(r"/accounts/invitation/\S+/", mail.outbox[-1].body).group(0)
    assert f"Sign in with {NAME}" in client.get(link).content.decode()
    sso_sign_in(client, idp, "pat@test.police.uk")
    assert signed_in_user(client) == sent.invitation.user
    assert Invitation.objects.get().state == Invitation.State.ACCEPTED


def test_the_new_account_is_linked_to_the_providers_subject(client, idp, psd_rule):
    sso_sign_in(client, idp, "pat@test.police.uk")
    account = SocialAccount.objects.get()
    assert (account.provider, account.uid, account.user.email) == (KEY, "pat@test.police.uk", "pat@test.police.uk")


def test_the_sign_in_is_logged_with_the_provider(client, idp, psd_rule):
    sso_sign_in(client, idp, "pat@test.police.uk")
    event = SignInEvent.objects.get(kind=SignInEvent.Kind.SIGNED_IN)
    assert (event.user.email, event.detail, event.identity) == (
        "pat@test.police.uk",
        f"Through {NAME}",
        "pat@test.police.uk",
    )


def test_the_grant_is_in_the_users_history_naming_the_rule(client, idp, psd_rule, force):
    sso_sign_in(client, idp, "pat@test.police.uk")
    latest = User.objects.get(email="pat@test.police.uk").history.first()
    assert latest.history_change_reason == (
        f"Created at first sign-in through {NAME}: email @test.police.uk → Force PSD lead of {force}"
    )
    assert [row.forces.get().force for row in [latest]] == [force]


def test_a_group_claim_rule_makes_a_reviewer(client, idp, psd_rule):
    SignInRuleFactory(claim="groups", value="hmic-reviewers", role=User.Role.REVIEWER, force=None, position=0)
    psd_rule.position = 1
    psd_rule.save()
    idp.set(identities={"rita@test.police.uk": {"groups": ["staff", "hmic-reviewers"]}})
    sso_sign_in(client, idp, "rita@test.police.uk")
    user = User.objects.get(email="rita@test.police.uk")
    assert (user.role, list(user.forces.all())) == (User.Role.REVIEWER, [])


def test_a_sign_in_matching_no_rule_is_refused_and_logged(client, idp, force):
    SignInRuleFactory(value="@elsewhere.police.uk", force=force)
    response = sso_sign_in(client, idp, "nobody@test.police.uk")
    assert response.status_code == 403
    assert "no sign-in rule gives you access" in response.content.decode()
    assert not User.objects.filter(email="nobody@test.police.uk").exists()
    event = SignInEvent.objects.get()
    assert (event.kind, event.user, event.identity) == (SignInEvent.Kind.SSO_REFUSED, None, "nobody@test.police.uk")
    assert "no sign-in rule" in event.detail
    assert not signed_in_user_or_none(client)


def signed_in_user_or_none(client):
    return client.get(reverse("tracker:account")).status_code == 200


def test_an_address_outside_the_providers_domains_is_refused(client, idp, psd_rule):
    SignInRuleFactory(value="@gmail.com", force=psd_rule.force)
    response = sso_sign_in(client, idp, "someone@gmail.com")
    assert response.status_code == 403
    assert "no email address ending in @test.police.uk" in response.content.decode()
    assert not User.objects.filter(email="someone@gmail.com").exists()


def test_claims_changed_to_another_force_move_the_psd_lead(client, idp, psd_rule, force):
    other = ForceFactory(name="Otherton Police", slug="otherton")
    SignInRuleFactory(claim="groups", value="otherton-psd", force=other, position=0)
    sso_sign_in(client, idp, "pat@test.police.uk")
    client.logout()
    idp.set(identities={"pat@test.police.uk": {"groups": ["otherton-psd"]}})
    sso_sign_in(client, idp, "pat@test.police.uk")
    user = User.objects.get(email="pat@test.police.uk")
    assert set(user.forces.all()) == {other, force}  # both rules for PSD leads match: both forces


def test_claims_that_no_longer_match_remove_the_role_at_the_next_sign_in(client, idp, force):
    rule = SignInRuleFactory(claim="groups", value="testshire-psd", force=force)
    idp.set(identities={"pat@test.police.uk": {"groups": ["testshire-psd"]}})
    sso_sign_in(client, idp, "pat@test.police.uk")
    client.logout()
    idp.set(identities={"pat@test.police.uk": {"groups": []}})
    response = sso_sign_in(client, idp, "pat@test.police.uk")
    assert response.status_code == 403
    user = User.objects.get(email="pat@test.police.uk")
    assert (user.is_active, user.deactivated_by_rules, list(user.forces.all())) == (False, True, [])
    assert user.history.first().history_change_reason == f"No sign-in rule matches any more (sign-in through {NAME})"
    kinds = list(user.sign_in_events.values_list("kind", flat=True))
    assert kinds[:2] == [SignInEvent.Kind.SSO_REFUSED, SignInEvent.Kind.DEACTIVATED]
    assert rule.pk  # the rule is still there: the claims changed


def test_claims_that_match_again_reactivate_the_account(client, idp, force):
    SignInRuleFactory(claim="groups", value="testshire-psd", force=force)
    idp.set(identities={"pat@test.police.uk": {"groups": ["testshire-psd"]}})
    sso_sign_in(client, idp, "pat@test.police.uk")
    idp.set(identities={"pat@test.police.uk": {"groups": []}})
    sso_sign_in(client, idp, "pat@test.police.uk")
    idp.set(identities={"pat@test.police.uk": {"groups": ["testshire-psd"]}})
    assert sso_sign_in(client, idp, "pat@test.police.uk").status_code == 302
    user = User.objects.get(email="pat@test.police.uk")
    assert (user.is_active, user.deactivated_by_rules, list(user.forces.all())) == (True, False, [force])


def test_an_account_an_admin_deactivated_stays_deactivated(client, idp, psd_rule):
    sso_sign_in(client, idp, "pat@test.police.uk")
    client.logout()
    user = User.objects.get(email="pat@test.police.uk")
    user.is_active = False
    user.save()
    response = sso_sign_in(client, idp, "pat@test.police.uk")
    assert response.status_code == 403 and "deactivated by an administrator" in response.content.decode()
    assert not User.objects.get(pk=user.pk).is_active


def test_an_existing_account_with_the_address_is_linked_and_keeps_its_username(client, idp, psd_rule, force):
    existing = PsdLeadFactory(username="pjones", email="Pat@test.police.uk", forces=[])
    sso_sign_in(client, idp, "pat@test.police.uk")
    assert signed_in_user(client) == existing
    existing.refresh_from_db()
    assert (existing.username, list(existing.forces.all())) == ("pjones", [force])
    assert SocialAccount.objects.get().user == existing


def test_an_existing_account_matching_no_rule_is_refused_and_left_alone(client, idp, force):
    existing = PsdLeadFactory(username="pjones", email="pat@test.police.uk", forces=[force])
    assert sso_sign_in(client, idp, "pat@test.police.uk").status_code == 403
    existing.refresh_from_db()
    assert existing.is_active and list(existing.forces.all()) == [force]
    assert not SocialAccount.objects.exists()


def test_an_admin_keeps_the_access_an_admin_gave(client, idp, psd_rule):
    from tests.factories import AdminFactory

    admin = AdminFactory(username="boss", email="boss@test.police.uk")
    sso_sign_in(client, idp, "boss@test.police.uk")
    admin.refresh_from_db()
    assert (admin.is_superuser, admin.role, list(admin.forces.all())) == (True, User.Role.REVIEWER, [])
    assert signed_in_user(client) == admin


def test_an_admin_with_a_password_signing_in_through_the_provider_is_not_asked_for_a_code(client, idp, psd_rule):
    """The organisation's sign-in is the second factor's place (tracker.two_factor): no code after it."""
    from tests.factories import AdminFactory

    AdminFactory(username="boss", email="boss@test.police.uk")
    assert sso_sign_in(client, idp, "boss@test.police.uk", next_url="/account/").url == "/account/"
    assert client.get(reverse("tracker:account")).status_code == 200


def test_an_account_named_after_the_address_but_holding_another_is_not_taken_over(client, idp, psd_rule):
    PsdLeadFactory(username="pat@test.police.uk", email="someone.else@example.org")
    response = sso_sign_in(client, idp, "pat@test.police.uk")
    assert response.status_code == 403 and "has another email address" in response.content.decode()
    assert SignInEvent.objects.get().identity == "pat@test.police.uk"


def test_two_accounts_with_the_address_are_refused_for_an_admin_to_merge(client, idp, psd_rule):
    PsdLeadFactory(username="pat1", email="pat@test.police.uk")
    PsdLeadFactory(username="pat2", email="PAT@test.police.uk")
    response = sso_sign_in(client, idp, "pat@test.police.uk")
    assert response.status_code == 403 and "More than one account" in response.content.decode()


def test_an_account_linked_to_another_identity_of_the_provider_is_not_taken_over(client, idp, psd_rule):
    existing = PsdLeadFactory(username="pjones", email="pat@test.police.uk")
    SocialAccount.objects.create(user=existing, provider=KEY, uid="an-earlier-pat")
    response = sso_sign_in(client, idp, "pat@test.police.uk")
    assert response.status_code == 403 and "belongs to another" in response.content.decode()


def test_a_deactivated_admin_is_refused(client, idp, psd_rule):
    from tests.factories import AdminFactory

    AdminFactory(username="boss", email="boss@test.police.uk", is_active=False)
    response = sso_sign_in(client, idp, "boss@test.police.uk")
    assert response.status_code == 403 and "deactivated by an administrator" in response.content.decode()
    assert not signed_in_user_or_none(client)


def test_a_hostile_next_address_is_not_followed(client, idp, psd_rule):
    response = sso_sign_in(client, idp, "pat@test.police.uk", next_url="https://evil.example/")
    assert response["Location"] == "/"


def test_a_provider_switched_off_refuses_a_sign_in_already_under_way(client, idp, psd_rule):
    start = client.post(reverse("openid_connect_login", args=[KEY]))
    IdentityProvider.objects.filter(key=KEY).update(enabled=False)
    response = client.get(path_of(sign_in_at_provider(idp, start["Location"], "pat@test.police.uk")))
    assert response.status_code == 403 and "switched off" in response.content.decode()
    assert not User.objects.filter(email="pat@test.police.uk").exists()


def test_pressing_the_button_of_a_provider_switched_off_refuses(client, idp):
    IdentityProviderFactory(key=KEY, enabled=False)
    response = client.post(reverse("openid_connect_login", args=[KEY]))
    assert response.status_code == 403 and "switched off" in response.content.decode()


# ID tokens that must be refused


@pytest.mark.parametrize(
    ("tamper", "technical"),
    [
        ("audience", "Audience doesn't match"),
        ("expired", "Signature has expired"),
        ("signature", "Signature verification failed"),
        ("issuer", "Invalid issuer"),
    ],
)
def test_an_id_token_that_cannot_be_trusted_is_refused(client, idp, psd_rule, tamper, technical):
    idp.set(tamper=tamper)
    response = sso_sign_in(client, idp, "pat@test.police.uk")
    assert response.status_code == 403
    assert technical in html.unescape(response.content.decode())
    assert not User.objects.filter(email="pat@test.police.uk").exists()
    event = SignInEvent.objects.get()
    assert event.kind == SignInEvent.Kind.SSO_REFUSED and technical in event.detail


def test_a_callback_without_a_sign_in_under_way_is_refused(client, idp):
    response = client.get(reverse("openid_connect_callback", args=[KEY]), {"code": "x", "state": "forged"})
    assert response.status_code == 403
    assert SignInEvent.objects.get().kind == SignInEvent.Kind.SSO_REFUSED


def test_a_provider_that_does_not_answer_is_refused_with_a_reason(client, idp, settings):
    app = idp.app()
    app["settings"]["server_url"] = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [app]}}
    response = client.post(reverse("openid_connect_login", args=[KEY]))
    assert response.status_code == 403
    assert f"{NAME} did not sign you in" in response.content.decode()


def test_signing_in_with_a_password_notes_the_time_but_adds_nothing_to_history(client, psd_lead_a):
    rows = psd_lead_a.history.count()
    client.post(reverse("login"), {"username": psd_lead_a.username, "password": "password"})
    psd_lead_a.refresh_from_db()
    assert psd_lead_a.last_login is not None
    assert psd_lead_a.history.count() == rows


def test_the_account_page_says_the_rules_set_the_role(client, idp, psd_rule):
    sso_sign_in(client, idp, "pat@test.police.uk")
    page = client.get(reverse("tracker:account")).content.decode()
    assert f"Each time you sign in with {NAME}, your role and forces are set by the sign-in rules" in page


# The demo's single sign-on (`make run`): its rules and identities


@pytest.fixture
def demo_idp(identity_provider, settings, db):
    app = identity_provider.app(key="demo", name="Demo Police", domains=["demo.police.uk"])
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [app]}}
    return identity_provider


def test_the_demo_identities_sign_in_as_the_demo_rules_say(client, demo_idp, force):
    from demo import single_sign_on

    single_sign_on.ensure_rules([force])
    demo_idp.set(identities=single_sign_on.identities([force]))
    sso_sign_in(client, demo_idp, f"{force.slug}.psd@demo.police.uk", key="demo")
    lead = User.objects.get(email=f"{force.slug}.psd@demo.police.uk")
    assert (lead.role, list(lead.forces.all())) == (User.Role.PSD_LEAD, [force])
    client.logout()
    sso_sign_in(client, demo_idp, "reviewer@demo.police.uk", key="demo")
    assert User.objects.get(email="reviewer@demo.police.uk").role == User.Role.REVIEWER
    client.logout()
    assert sso_sign_in(client, demo_idp, "anyone.else@demo.police.uk", key="demo").status_code == 403


def test_the_demo_rules_are_left_alone_once_an_admin_has_some(demo_idp, force):
    from demo import single_sign_on

    provider = IdentityProvider.objects.get_configured("demo")
    SignInRuleFactory(provider=provider, value="@demo.police.uk", force=force)
    single_sign_on.ensure_rules([force, ForceFactory(slug="another")])
    assert provider.rules.count() == 1


def test_make_run_writes_the_demo_providers_state_and_lists_whom_to_sign_in_as(demo_idp, force, tmp_path, settings):
    import json
    from io import StringIO

    from django.core.management import call_command

    from tests.factories import ReportFactory

    ReportFactory(subject_force=force)  # an inspected force
    out = StringIO()
    call_command("demo_identity_provider", tmp_path / "state.json", redirect_uri=DEMO_CALLBACK, stdout=out)
    state = json.loads((tmp_path / "state.json").read_text())
    assert (state["issuer"], state["port"]) == (demo_idp.issuer, demo_idp.port)
    assert state["clients"][0]["redirect_uris"] == [DEMO_CALLBACK]
    assert f"{force.slug}.psd@demo.police.uk" in state["identities"]
    assert f"{force.slug}.psd@demo.police.uk" in out.getvalue() and "Sign in with Demo Police" in out.getvalue()
