"""
Single sign-on for `make run`: the demo's identity provider (scripts/oidc_provider.mjs on 127.0.0.1), its sign-in
rules and the identities a newcomer can sign in as.

The provider is configured like any other (Makefile DEMO_SSO: TRACKER_SSO_PROVIDERS=demo, an issuer on this
machine, addresses at demo.police.uk). Its rules say what a police organisation's would: a group for each inspected
force's PSD makes its PSD leads, and the inspectorate's reviewers' group makes reviewers. Anyone else the provider
vouches for is refused, as they would be.
"""

from __future__ import annotations

import json
from pathlib import Path

from demo.lived_in import seed_inspected_forces
from tracker.models import Force, IdentityProvider, SignInRule, User, configured_identity_providers

KEY = "demo"
DOMAIN = "demo.police.uk"
REVIEWERS_GROUP = "HMIC follow-up reviewers"


def psd_group(force: Force) -> str:
    return f"PSD {force.name}"


def identities(forces: list[Force]) -> dict[str, dict]:
    """The named identities at the demo provider: a reviewer and a PSD lead of each inspected force."""
    people = {
        f"reviewer@{DOMAIN}": {"given_name": "Robin", "family_name": "Reyes", "groups": [REVIEWERS_GROUP]},
    }
    for force in forces:
        people[f"{force.slug}.psd@{DOMAIN}"] = {
            "given_name": "Sam",
            "family_name": f"Lead ({force.name})",
            "groups": ["All staff", psd_group(force)],
        }
    return people


def ensure_rules(forces: list[Force]) -> IdentityProvider:
    """Give the demo provider its sign-in rules, unless an admin has given it some already."""
    provider = IdentityProvider.objects.get_configured(KEY)
    if provider is None:
        raise LookupError(f"No identity provider {KEY!r} is configured (TRACKER_SSO_PROVIDERS).")
    if not provider.rules.exists():
        rules = [
            SignInRule(provider=provider, position=0, claim="groups", value=REVIEWERS_GROUP, role=User.Role.REVIEWER)
        ]
        rules += [
            SignInRule(
                provider=provider,
                position=1,
                claim="groups",
                value=psd_group(force),
                role=User.Role.PSD_LEAD,
                force=force,
            )
            for force in forces
        ]
        for rule in rules:
            rule.save()  # one by one, so each has its history row
    return provider


def write_state(path: Path, *, redirect_uri: str) -> dict[str, dict]:
    """Write the demo provider's state file (scripts/oidc_provider.mjs) and its rules; return its identities."""
    app = configured_identity_providers()[KEY]
    forces = seed_inspected_forces()
    ensure_rules(forces)
    issuer = app["settings"]["server_url"]
    people = identities(forces)
    state = {
        "issuer": issuer,
        "port": int(issuer.rsplit(":", 1)[1]),
        "clients": [{"client_id": app["client_id"], "client_secret": app["secret"], "redirect_uris": [redirect_uri]}],
        "identities": people,
        "tamper": None,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state, indent=2))
    return people
