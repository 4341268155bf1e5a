"""Set up the demo's single sign-on for `make run`: the local identity provider's state file and sign-in rules."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from demo import single_sign_on
from tracker.models import configured_identity_providers


class Command(BaseCommand):
    help = (
        "Write the state file of the demo's local identity provider (scripts/oidc_provider.mjs) and give the "
        "'demo' provider its sign-in rules (unless it has some). Needs TRACKER_SSO_PROVIDERS=demo (Makefile DEMO_SSO)."
    )

    def add_arguments(self, parser):
        parser.add_argument("state", type=Path, help="Where to write the provider's state file.")
        parser.add_argument("--redirect-uri", required=True, help="The tracker's callback address for the provider.")

    def handle(self, *args, state, redirect_uri, **options):
        app = configured_identity_providers().get(single_sign_on.KEY)
        if app is None:
            raise CommandError(f"No identity provider {single_sign_on.KEY!r} is configured: set TRACKER_SSO_PROVIDERS.")
        people = single_sign_on.write_state(state, redirect_uri=redirect_uri)
        self.stdout.write(
            f"\nSingle sign-on: press 'Sign in with {app['name']}' on the sign-in page, then sign in there as one of "
            "these (any password):"
        )
        for login, claims in people.items():
            self.stdout.write(f"  {login:<40} groups: {', '.join(claims['groups'])}")
        self.stdout.write(
            f"  {'anyone.else@' + single_sign_on.DOMAIN:<40} no group: refused, as no sign-in rule matches"
        )
