"""Strict parsing of settings from environment variables."""

import os
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
N = TypeVar("N", int, float)


def env_bool(name: str, default: bool) -> bool:
    """Return the boolean in environment variable `name`, refusing anything ambiguous."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    """Return the comma-separated list in environment variable `name`."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    """Return the whole number in environment variable `name`."""
    return _env_number(name, default, int, "a whole number")


def env_float(name: str, default: float) -> float:
    """Return the number in environment variable `name`."""
    return _env_number(name, default, float, "a number")


def _env_number(name: str, default: N, parse: Callable[[str], N], what: str) -> N:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return parse(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {what}, not {raw!r}.") from None


def env_cache(name: str, key_prefix: str) -> dict:
    """Return the cache environment variable `name` names: a Redis server, or else this process's memory."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": key_prefix}
    # Never the whole address in a message: it may hold the server's password.
    example = "e.g. redis://127.0.0.1:6379/0"
    url = urlsplit(raw)
    if url.scheme not in ("redis", "rediss") or "://" not in raw:
        given = f"not {url.scheme}://…" if "://" in raw else "and this one has no scheme"
        raise ImproperlyConfigured(f"{name} must be a redis:// or rediss:// address ({example}), {given}.")
    try:
        port_ok = url.port != 0  # urlsplit reads the port (a number up to 65535) only when asked
    except ValueError:
        port_ok = False
    if not url.hostname or not port_ok or any(c in raw for c in ",;"):
        raise ImproperlyConfigured(f"{name} must name one Redis server by host and port ({example}).")
    if url.path.strip("/") and not url.path.strip("/").isdigit():
        raise ImproperlyConfigured(f"{name} ends in a Redis database number, or nothing ({example}).")
    return {
        # Django's Redis cache, for which Redis not answering is a miss, not a failed page (tracker/cache.py).
        "BACKEND": "tracker.cache.RedisCacheThatMayBeAway",
        "LOCATION": raw,
        "KEY_PREFIX": key_prefix,
        # A Redis server that stops answering costs a request at most a second, then is left alone a while.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


def env_identity_providers(name: str, prefix: str) -> list[dict]:
    """
    Return the OpenID Connect identity providers named in environment variable `name` (a comma-separated list of
    short keys, e.g. "hmic,west-midlands"), each configured by variables of its own, for key "west-midlands":
    `<prefix>_WEST_MIDLANDS_ISSUER`, `_CLIENT_ID`, `_CLIENT_SECRET`, `_EMAIL_DOMAINS` (comma-separated: the
    addresses this provider speaks for) and `_NAME` (the organisation, for "Sign in with <name>"). As
    django-allauth's `openid_connect` apps.
    """
    apps = []
    for key in env_list(name, []):
        if not key.replace("-", "").isalnum() or key != key.lower():
            raise ImproperlyConfigured(f"{name}: {key!r} is not a provider key (lower-case letters, digits and -).")
        prefix_of_key = f"{prefix}_{key.upper().replace('-', '_')}_"
        values = {
            part: os.environ.get(prefix_of_key + part, "").strip() for part in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET")
        }
        missing = [prefix_of_key + part for part, value in values.items() if not value]
        domains = [domain.lower().lstrip("@") for domain in env_list(prefix_of_key + "EMAIL_DOMAINS", [])]
        if not domains:
            missing.append(prefix_of_key + "EMAIL_DOMAINS")
        if missing:
            raise ImproperlyConfigured(f"Identity provider {key!r} in {name} needs {', '.join(missing)}.")
        issuer = values["ISSUER"].rstrip("/")
        if urlsplit(issuer).scheme not in ("https", "http"):
            raise ImproperlyConfigured(
                f"{prefix_of_key}ISSUER must be the provider's https:// address, not {issuer!r}."
            )
        apps.append(
            {
                "provider_id": key,
                "name": os.environ.get(prefix_of_key + "NAME", "").strip() or key,
                "client_id": values["CLIENT_ID"],
                "secret": values["CLIENT_SECRET"],
                "settings": {
                    "server_url": issuer,
                    "oauth_pkce_enabled": True,
                    "email_domains": domains,
                },
            }
        )
    return apps
