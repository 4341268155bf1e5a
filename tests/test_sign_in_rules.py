"""
Who signing in through an identity provider gets what (SignInRule), what the tracker believes of an ID token
(tracker.sso.verify_id_token), and identity providers configured from the environment (config.env).
"""

from __future__ import annotations

import time

import jwt
import pytest
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse

from config.env import env_identity_providers
from tests.factories import ForceFactory, IdentityProviderFactory, SignInRuleFactory
from tracker import sso
from tracker.models import IdentityProvider, SignInRule, User

# SignInRule.matches


@pytest.mark.parametrize(
    ("value", "email", "matches"),
    [
        ("@test.police.uk", "pat@test.police.uk", True),
        ("@test.police.uk", "PAT@Test.Police.UK", True),
        ("@test.police.uk", "pat@sub.test.police.uk", False),
        ("@test.police.uk", "pat@nottest.police.uk", False),
        ("pat@test.police.uk", "pat@test.police.uk", True),
        ("pat@test.police.uk", "sam@test.police.uk", False),
    ],
)
def test_an_email_rule_matches_a_domain_or_one_address(value, email, matches):
    assert SignInRule(claim="email", value=value).matches({"email": email}) is matches


def test_an_email_rule_does_not_match_without_an_address():
    assert not SignInRule(claim="email", value="@test.police.uk").matches({"email": ["pat@test.police.uk"]})


@pytest.mark.parametrize(
    ("claimed", "matches"),
    [(["staff", "PSD-Leads"], True), ("psd-leads", True), (["staff"], False), (None, False), (True, False)],
)
def test_a_claim_rule_matches_a_value_or_a_value_in_a_list(claimed, matches):
    assert SignInRule(claim="groups", value="psd-leads").matches({"groups": claimed}) is matches


def test_a_numeric_claim_matches_its_digits():
    assert SignInRule(claim="department", value="42").matches({"department": 42})


# SignInRuleQuerySet.grant_for


@pytest.fixture
def provider(db):
    return IdentityProviderFactory()


def test_no_matching_rule_grants_nothing(provider):
    SignInRuleFactory(provider=provider, value="@elsewhere.police.uk")
    assert provider.rules.grant_for({"email": "pat@test.police.uk"}) is None


def test_the_first_matching_rule_gives_the_role(provider):
    SignInRuleFactory(provider=provider, position=2)
    SignInRuleFactory(provider=provider, position=1, claim="groups", value="hmic", role=User.Role.REVIEWER, force=None)
    grant = provider.rules.grant_for({"email": "rita@test.police.uk", "groups": ["hmic"]})
    assert (grant.role, grant.force_ids) == (User.Role.REVIEWER, frozenset())


def test_every_matching_rule_for_that_role_adds_its_force(provider):
    first, second = ForceFactory(slug="first"), ForceFactory(slug="second")
    SignInRuleFactory(provider=provider, force=first)
    SignInRuleFactory(provider=provider, claim="groups", value="second-psd", force=second)
    SignInRuleFactory(provider=provider, claim="groups", value="nobody", force=ForceFactory(slug="third"))
    grant = provider.rules.grant_for({"email": "pat@test.police.uk", "groups": ["second-psd"]})
    assert (grant.role, grant.force_ids) == (User.Role.PSD_LEAD, frozenset({first.pk, second.pk}))


def test_rules_of_another_provider_grant_nothing(provider):
    SignInRuleFactory(provider=IdentityProviderFactory(key="another"))
    assert provider.rules.grant_for({"email": "pat@test.police.uk"}) is None


# SignInRule.clean


def test_a_psd_lead_rule_needs_a_force(provider):
    with pytest.raises(ValidationError, match="Say which force"):
        SignInRule(provider=provider, claim="email", value="@test.police.uk", role=User.Role.PSD_LEAD).clean()


def test_a_reviewer_rule_has_no_force(provider):
    rule = SignInRule(provider=provider, claim="groups", value="x", role=User.Role.REVIEWER, force=ForceFactory())
    with pytest.raises(ValidationError, match="every force"):
        rule.clean()


def test_an_email_rule_needs_a_domain_or_an_address(provider):
    rule = SignInRule(provider=provider, claim="email", value="test.police.uk", role=User.Role.REVIEWER)
    with pytest.raises(ValidationError, match="starting with @"):
        rule.clean()


# IdentityProvider


def test_a_provider_speaks_only_for_its_email_domains(settings, db):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [_app("force", ["force.police.uk"])]}}
    provider = IdentityProvider.objects.get_configured("force")
    assert provider.speaks_for("Pat@Force.Police.UK")
    assert not provider.speaks_for("pat@other.police.uk")
    assert not provider.speaks_for("pat@force.police.uk@other.police.uk")
    assert not provider.speaks_for("")


def test_configured_providers_get_rows_in_the_environments_order(settings, db):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [_app("zulu", ["z.uk"]), _app("alpha", ["a.uk"])]}}
    assert [row.key for row in IdentityProvider.objects.configured()] == ["zulu", "alpha"]
    assert IdentityProvider.objects.get_configured("nobody") is None


def _app(key, domains):
    settings = {"server_url": f"https://{key}.example", "oauth_pkce_enabled": True, "email_domains": domains}
    return {"provider_id": key, "name": key.title(), "client_id": "c", "secret": "s", "settings": settings}


# The admin


def test_the_admin_lists_the_configured_providers_and_switches_one_off(client, admin_user, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [_app("force", ["force.police.uk"])]}}
    client.force_login(admin_user)
    page = client.get(reverse("admin:tracker_identityprovider_changelist"))
    assert "@force.police.uk" in page.content.decode()
    provider = IdentityProvider.objects.get(key="force")
    change = reverse("admin:tracker_identityprovider_change", args=[provider.pk])
    management = {"rules-TOTAL_FORMS": 0, "rules-INITIAL_FORMS": 0}
    assert client.post(change, {"enabled": "", **management}).status_code == 302
    provider.refresh_from_db()
    assert not provider.enabled
    assert provider.history.first().history_user == admin_user


def test_the_admin_refuses_a_psd_lead_rule_without_a_force(client, admin_user, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [_app("force", ["force.police.uk"])]}}
    client.force_login(admin_user)
    provider = IdentityProvider.objects.get_configured("force")
    change = reverse("admin:tracker_identityprovider_change", args=[provider.pk])
    rule = {
        "rules-0-position": 0,
        "rules-0-claim": "email",
        "rules-0-value": "@force.police.uk",
        "rules-0-role": "psd_lead",
    }
    response = client.post(change, {"enabled": "on", "rules-TOTAL_FORMS": 1, "rules-INITIAL_FORMS": 0, **rule})
    assert response.status_code == 200 and "Say which force" in response.content.decode()
    assert not SignInRule.objects.exists()


# tracker.sso.verify_id_token, for what the local provider cannot send


@pytest.fixture
def signing_key(monkeypatch):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    monkeypatch.setattr(sso.jwtkit, "fetch_key", lambda token, url, lookup: ("RS256", key.public_key()))
    return key


def _token(key, algorithm="RS256", **claims):
    now = int(time.time())
    body = {"iss": "https://idp.example", "aud": "tracker", "sub": "pat", "iat": now, "exp": now + 300, **claims}
    return jwt.encode(body, key, algorithm=algorithm, headers={"kid": "k"})


def _verify(token):
    return sso.verify_id_token(
        token, jwks_uri="https://idp.example/jwks", issuer="https://idp.example", client_id="tracker"
    )


def test_a_good_id_token_gives_its_claims(signing_key):
    assert _verify(_token(signing_key))["sub"] == "pat"


def test_an_unsigned_id_token_is_refused(signing_key):
    with pytest.raises(OAuth2Error, match="'none'"):
        _verify(jwt.encode({"sub": "pat"}, None, algorithm="none"))


def test_an_id_token_signed_with_a_shared_secret_is_refused(signing_key):
    with pytest.raises(OAuth2Error, match="'HS256'"):
        _verify(jwt.encode({"sub": "pat"}, "secret-secret-secret-secret-secret!", algorithm="HS256"))


def test_an_id_token_without_an_expiry_is_refused(signing_key):
    now = int(time.time())
    token = jwt.encode({"iss": "https://idp.example", "aud": "tracker", "sub": "p", "iat": now}, signing_key, "RS256")
    with pytest.raises(OAuth2Error, match="exp"):
        _verify(token)


def test_an_id_token_for_several_applications_must_be_authorised_for_this_one(signing_key):
    with pytest.raises(OAuth2Error, match="authorised for another"):
        _verify(_token(signing_key, aud=["tracker", "other"], azp="other"))
    assert _verify(_token(signing_key, aud=["tracker", "other"], azp="tracker"))["sub"] == "pat"


def test_the_same_id_token_twice_is_refused(signing_key):
    token = _token(signing_key, jti="once")
    _verify(token)
    with pytest.raises(OAuth2Error, match="already used"):
        _verify(token)


def test_userinfo_about_someone_else_is_refused():
    with pytest.raises(sso.Refused, match="two different people"):
        sso.claims_of({"id_token": {"sub": "pat"}, "userinfo": {"sub": "sam"}})


# config.env.env_identity_providers


@pytest.fixture
def provider_env(monkeypatch):
    values = {
        "TRACKER_SSO_PROVIDERS": "west-midlands",
        "TRACKER_SSO_WEST_MIDLANDS_ISSUER": "https://login.example/tenant/v2.0/",
        "TRACKER_SSO_WEST_MIDLANDS_CLIENT_ID": "client",
        "TRACKER_SSO_WEST_MIDLANDS_CLIENT_SECRET": "secret",
        "TRACKER_SSO_WEST_MIDLANDS_EMAIL_DOMAINS": "@WestMidlands.police.uk, wmp.example",
        "TRACKER_SSO_WEST_MIDLANDS_NAME": "West Midlands Police",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_a_provider_is_configured_from_its_own_variables(provider_env):
    [app] = env_identity_providers("TRACKER_SSO_PROVIDERS", "TRACKER_SSO")
    assert (app["provider_id"], app["name"], app["client_id"], app["secret"]) == (
        "west-midlands",
        "West Midlands Police",
        "client",
        "secret",
    )
    assert app["settings"] == {
        "server_url": "https://login.example/tenant/v2.0",
        "oauth_pkce_enabled": True,
        "email_domains": ["westmidlands.police.uk", "wmp.example"],
    }


@pytest.mark.parametrize("missing", ["ISSUER", "CLIENT_ID", "CLIENT_SECRET", "EMAIL_DOMAINS"])
def test_a_provider_missing_a_variable_is_refused_naming_it(provider_env, missing):
    provider_env.delenv(f"TRACKER_SSO_WEST_MIDLANDS_{missing}")
    with pytest.raises(ImproperlyConfigured, match=f"TRACKER_SSO_WEST_MIDLANDS_{missing}"):
        env_identity_providers("TRACKER_SSO_PROVIDERS", "TRACKER_SSO")


def test_a_provider_key_must_be_a_slug(provider_env):
    provider_env.setenv("TRACKER_SSO_PROVIDERS", "West Midlands")
    with pytest.raises(ImproperlyConfigured, match="not a provider key"):
        env_identity_providers("TRACKER_SSO_PROVIDERS", "TRACKER_SSO")


def test_an_issuer_must_be_a_web_address(provider_env):
    provider_env.setenv("TRACKER_SSO_WEST_MIDLANDS_ISSUER", "login.example")
    with pytest.raises(ImproperlyConfigured, match="https://"):
        env_identity_providers("TRACKER_SSO_PROVIDERS", "TRACKER_SSO")


def test_no_providers_by_default(monkeypatch):
    monkeypatch.delenv("TRACKER_SSO_PROVIDERS", raising=False)
    assert env_identity_providers("TRACKER_SSO_PROVIDERS", "TRACKER_SSO") == []


# The user's history


def test_an_admins_change_of_role_and_forces_is_one_row_of_history(client, admin_user, psd_lead_a, force_b):
    from tracker.models import save_with_history

    rows = psd_lead_a.history.count()
    psd_lead_a.forces.add(force_b)  # a change of forces alone is a row too
    save_with_history(psd_lead_a, {"role": User.Role.COMMISSIONER}, by=admin_user, reason="Moved to the PCC")
    latest = psd_lead_a.history.first()
    assert psd_lead_a.history.count() == rows + 2
    assert (latest.role, latest.history_user, latest.history_change_reason) == (
        User.Role.COMMISSIONER,
        admin_user,
        "Moved to the PCC",
    )
    assert {row.force for row in latest.forces.all()} == set(psd_lead_a.forces.all())


def test_a_user_loaded_from_a_fixture_adds_no_history(psd_lead_a, force_a, force_b):
    from django.core import serializers

    psd_lead_a.forces.add(force_b)
    from django.apps import apps

    past_forces = apps.get_model("tracker", "HistoricalUser_forces")
    rows = User.history.count(), past_forces.objects.count()
    dumped = serializers.serialize("json", [psd_lead_a])
    User.forces.through.objects.filter(user=psd_lead_a).delete()  # as in an empty database being restored into
    [loaded] = serializers.deserialize("json", dumped)
    loaded.save()
    assert set(User.objects.get(pk=psd_lead_a.pk).forces.all()) == {force_a, force_b}
    assert (User.history.count(), past_forces.objects.count()) == rows


def test_ending_sessions_adds_no_history(psd_lead_a):
    rows = psd_lead_a.history.count()
    psd_lead_a.end_sessions()
    assert psd_lead_a.history.count() == rows
