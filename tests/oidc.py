"""
A real OpenID Connect identity provider for the tests: scripts/oidc_provider.mjs (npm's oidc-provider) in a Node.js
process of its own on 127.0.0.1, told who is who and what to get wrong by rewriting its state file.

`sign_in_at_provider` plays the browser at the provider for the tests that do without one: it follows the provider's
redirects, signs in at its sign-in page, and returns the address it sends the browser back to (the tracker's
callback), which the test then asks of Django's test client.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

BASE_DIR = Path(__file__).resolve().parents[1]
SCRIPT = BASE_DIR / "scripts" / "oidc_provider.mjs"
CLIENT_ID = "recommendation-tracker"
CLIENT_SECRET = "test-client-secret-for-the-local-provider"  # noqa: S105 (a test provider's, on 127.0.0.1)
KEY = "test-force"  # the provider's key in TRACKER_SSO_PROVIDERS
NAME = "Test Constabulary"
DOMAINS = ["test.police.uk"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalIdentityProvider:
    """One running provider: `issuer`, `app()` (the tracker's settings for it), `identities` and `tamper` to set."""

    def __init__(self, redirect_uris: list[str]):
        node = shutil.which("node")
        if node is None or not (BASE_DIR / "node_modules" / "oidc-provider").is_dir():
            raise RuntimeError("The local identity provider needs Node.js and `make assets` (npm's oidc-provider).")
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self._directory = tempfile.TemporaryDirectory(prefix="tracker-oidc-")
        self.state_path = Path(self._directory.name) / "state.json"
        self.state = {
            "issuer": self.issuer,
            "port": self.port,
            "clients": [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": redirect_uris}],
            "identities": {},
            "tamper": None,
        }
        self._write()
        self.process = subprocess.Popen(  # noqa: S603 (our own script)
            [node, str(SCRIPT), str(self.state_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if line.startswith("ready "):
                return
            if not line and self.process.poll() is not None:
                break
        self.stop()
        raise RuntimeError(f"The local identity provider did not start ({SCRIPT.name}).")

    def _write(self) -> None:
        self.state_path.write_text(json.dumps(self.state))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.process.stdout.close()
        self._directory.cleanup()

    def set(self, *, identities: dict | None = None, tamper: str | None = None) -> None:
        """Say who is who ({login: claims}) and what the token endpoint gets wrong (None: nothing)."""
        if identities is not None:
            self.state["identities"] = identities
        self.state["tamper"] = tamper
        self._write()

    def app(self, *, key: str = KEY, name: str = NAME, domains: list[str] = DOMAINS, client_id: str = CLIENT_ID):
        """The tracker's configuration of this provider, as config.env.env_identity_providers makes it."""
        return {
            "provider_id": key,
            "name": name,
            "client_id": client_id,
            "secret": CLIENT_SECRET,
            "settings": {"server_url": self.issuer, "oauth_pkce_enabled": True, "email_domains": domains},
        }


def sign_in_at_provider(provider: LocalIdentityProvider, authorize_url: str, login: str) -> str:
    """Sign in as `login` at the provider from its authorisation address; return where it sends the browser back."""
    session = requests.Session()
    url = authorize_url
    for _ in range(10):
        response = session.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (301, 302, 303, 307, 308):
            url = urljoin(url, response.headers["Location"])
            if not url.startswith(provider.issuer):
                return url
            continue
        form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
        assert form, f"the provider showed no sign-in form at {url}: {response.status_code} {response.text[:500]}"
        response = session.post(
            urljoin(url, form[1]),
            data={"prompt": "login", "login": login, "password": "any"},
            allow_redirects=False,
            timeout=10,
        )
        url = urljoin(url, response.headers["Location"])
        if not url.startswith(provider.issuer):
            return url
    raise AssertionError("the provider never sent the browser back")


def path_of(url: str) -> str:
    """The path and query of `url`, for Django's test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
