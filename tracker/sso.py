"""
Single sign-on through organisations' OpenID Connect identity providers (README "Single sign-on").

django-allauth speaks the protocol: the provider's discovery document, the redirect with state and PKCE, the code
exchanged for tokens, the userinfo call. This module decides what the answer is worth and who it lets in:

- The ID token is checked whatever the route it came by: signed (with an asymmetric algorithm) by a key the
  provider publishes, issued by the configured issuer to this application, not expired, not replayed
  (IdentityProviderAdapter; allauth alone skips the signature for a token straight from the token endpoint).
- A provider is believed only about the email domains it is configured for (TRACKER_SSO_<KEY>_EMAIL_DOMAINS).
- Who gets what is the provider's sign-in rules (SignInRule, managed in the admin). The first sign-in that matches
  a rule creates the account (just in time); every sign-in sets the role and forces to what the rules give now;
  one that matches no rule is refused, and an account that signed in this way before is deactivated (sessions, API
  token and calendar address end with it). A later sign-in that matches again reactivates it; an account an admin
  deactivated stays deactivated. Admins (superusers) keep the access an admin gave them.
- Every grant and change is a row of the user's history naming the rule and the provider; every refusal is in the
  sign-in log, with whom the provider said it was and why.
"""

from __future__ import annotations

import jwt
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.db import transaction

from tracker import sessions
from tracker.models import Grant, IdentityProvider, SignInEvent, User
from tracker.people import set_access

# Only signatures a public key checks: never "none", never a shared secret.
ASYMMETRIC_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
# How far this server's clock and the provider's may disagree.
CLOCK_LEEWAY_SECONDS = 60


class Refused(Exception):
    """A sign-in through an identity provider that is not let in; the message says why, in the user's words."""

    def __init__(self, reason: str, *, identity: str = "", user: User | None = None):
        super().__init__(reason)
        self.reason, self.identity, self.user = reason, identity, user


def verify_id_token(id_token: str, *, jwks_uri: str, issuer: str, client_id: str) -> dict:
    """
    Return the claims of `id_token` if it is signed by a key at `jwks_uri`, issued by `issuer` to `client_id` and
    in date; raise OAuth2Error saying what is wrong otherwise.
    """
    try:
        algorithm = jwt.get_unverified_header(id_token).get("alg")
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            raise OAuth2Error(f"ID token refused: signed with {algorithm!r}, not a public-key algorithm")
        _, key = jwtkit.fetch_key(id_token, jwks_uri, jwtkit.lookup_kid_jwk)
        claims = jwt.decode(
            id_token,
            key=key,
            algorithms=[algorithm],
            audience=client_id,
            issuer=issuer,
            leeway=CLOCK_LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
    except (jwt.PyJWTError, KeyError, TypeError) as exc:
        raise OAuth2Error(f"ID token refused: {exc}") from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise OAuth2Error("ID token refused: issued to several applications, authorised for another")
    jwtkit.verify_jti(claims)  # the same token twice is a replay
    return claims


class IdentityProviderAdapter(OpenIDConnectOAuth2Adapter):
    """allauth's OpenID Connect adapter, checking the discovery document's issuer and every ID token's signature."""

    @property
    def openid_config(self) -> dict:
        config = super().openid_config
        configured = self.get_provider().app.settings["server_url"].rstrip("/")
        if str(config.get("issuer", "")).rstrip("/") != configured:
            raise OAuth2Error(f"The provider's discovery document names issuer {config.get('issuer')!r}")
        return config

    def _decode_id_token(self, app, id_token: str) -> dict:
        config = self.openid_config
        return verify_id_token(id_token, jwks_uri=config["jwks_uri"], issuer=config["issuer"], client_id=app.client_id)


def claims_of(extra_data: dict) -> dict:
    """Return what the provider said of the person: the ID token's claims, with the userinfo's added (a userinfo
    answer about someone else is refused, as OpenID Connect Core 5.3.2 says)."""
    id_token, userinfo = extra_data.get("id_token") or {}, extra_data.get("userinfo") or {}
    if userinfo and id_token and userinfo.get("sub") != id_token.get("sub"):
        raise Refused("The identity provider's answers were about two different people.")
    return {**id_token, **userinfo}


def _email(claims: dict) -> str:
    email = claims.get("email")
    return email.strip() if isinstance(email, str) else ""


def _names(claims: dict) -> dict[str, str]:
    names = {"first_name": claims.get("given_name"), "last_name": claims.get("family_name")}
    if not any(names.values()) and isinstance(claims.get("name"), str):
        first, _, last = claims["name"].strip().rpartition(" ")
        names = {"first_name": first, "last_name": last}
    return {field: value.strip()[:150] for field, value in names.items() if isinstance(value, str) and value.strip()}


def _user_by_email(provider: IdentityProvider, email: str) -> User | None:
    users = list(User.objects.filter(email__iexact=email)[:2])
    if len(users) > 1:
        raise Refused(
            f"More than one account has the address {email}: an administrator must merge them.", identity=email
        )
    if users and SocialAccount.objects.filter(user=users[0], provider=provider.key).exists():
        raise Refused(
            f"The account with the address {email} belongs to another {provider.name} identity: "
            "an administrator must check who it is.",
            identity=email,
        )
    return users[0] if users else None


def admit(provider: IdentityProvider, claims: dict) -> User:
    """
    Return the user `claims` (from `provider`, checked) sign in as, the account made or brought up to date with what
    the provider's sign-in rules give now; raise Refused if they are not let in (after removing the access of an
    account that signed in this way before and matches no rule now).
    """
    sub, email = str(claims.get("sub") or ""), _email(claims)
    identity = email or sub
    if not provider.enabled:
        raise Refused(SWITCHED_OFF.format(provider=provider.name), identity=identity)
    if not sub:
        raise Refused(f"{provider.name} did not say who you are.", identity=identity)
    if not provider.speaks_for(email):
        domains = " or ".join(f"@{domain}" for domain in provider.email_domains)
        raise Refused(
            f"{provider.name} gave no email address ending in {domains}, so the tracker cannot take its word.",
            identity=identity,
        )
    account = SocialAccount.objects.select_related("user").filter(provider=provider.key, uid=sub).first()
    user = account.user if account else _user_by_email(provider, email)
    grant = provider.rules.grant_for(claims)
    through = f"sign-in through {provider.name}"
    refused = None
    with transaction.atomic():
        if user is not None and user.is_superuser:
            if not user.is_active:  # an admin's access is another admin's to change, whatever the rules say
                refused = Refused(DEACTIVATED, identity=identity, user=user)
        elif grant is None:
            if account is not None and user.is_active:
                changes = {"is_active": False, "deactivated_by_rules": True}
                set_access(
                    user, frozenset(), changes=changes, by=None, reason=f"No sign-in rule matches any more ({through})"
                )
            refused = Refused(NO_RULE.format(provider=provider.name), identity=identity, user=user)
        elif user is not None and not user.is_active and not user.deactivated_by_rules:
            refused = Refused(DEACTIVATED, identity=identity, user=user)
        else:
            if user is None:
                if User.objects.filter(username__iexact=email).exists():
                    raise Refused(
                        f"An account named {email} has another email address: ask an administrator.", identity=email
                    )
                user = User(username=email.lower(), email=email, role=grant.role, **_names(claims))
                user.set_unusable_password()
                set_access(user, grant.force_ids, by=None, reason=f"Created at first {through}: {grant.describe()}")
            else:
                _grant(user, grant, claims, through)
            if account is None:
                SocialAccount.objects.create(user=user, provider=provider.key, uid=sub, extra_data={"claims": claims})
            else:
                SocialAccount.objects.filter(pk=account.pk).update(extra_data={"claims": claims})
    if refused is not None:
        raise refused
    return user


def _grant(user: User, grant: Grant, claims: dict, through: str) -> None:
    profile = {"email": _email(claims), **_names(claims)}
    changes = {name: value for name, value in profile.items() if value and getattr(user, name) != value}
    if user.role != grant.role:
        changes["role"] = grant.role
    if not user.is_active:
        changes["is_active"] = True
    set_access(user, grant.force_ids, changes=changes, by=None, reason=f"{through.capitalize()}: {grant.describe()}")


NO_RULE = (
    "{provider} signed you in, but no sign-in rule gives you access to the tracker. "
    "Ask the tracker's administrator to add one for your role and force."
)
SWITCHED_OFF = (
    "Signing in with {provider} is switched off for now. "
    "Sign in with your password, or ask the tracker's administrator."
)
PROVIDER_ERROR = "{provider} did not sign you in: its answer was missing, refused or could not be checked."
CANCELLED = "The sign-in was cancelled at the identity provider."
DEACTIVATED = "Your account in the tracker has been deactivated by an administrator. Ask them if you still need it."


def providers_of(user: User) -> list[IdentityProvider]:
    """Return the configured identity providers `user` has signed in with."""
    keys = set(SocialAccount.objects.filter(user=user).values_list("provider", flat=True))
    return [provider for provider in IdentityProvider.objects.configured() if provider.key in keys] if keys else []


def log_refusal(request, provider: IdentityProvider | None, refused: Refused, *, technical: str = "") -> None:
    """File a refused single sign-on in the sign-in log (under the account, if there is one)."""
    detail = (
        f"{provider.name}: {refused.reason}" if provider and provider.name not in refused.reason else refused.reason
    )
    if technical:
        detail = f"{detail} ({technical})"
    sessions.record(refused.user, SignInEvent.Kind.SSO_REFUSED, request, identity=refused.identity, detail=detail)
