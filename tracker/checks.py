"""System checks: settings the site cannot work without, refused before it serves anything."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register


@register()
def site_url_check(app_configs, **kwargs) -> list[Error]:
    """Refuse a start without SITE_URL in production, or with one that is not an http(s) address."""
    site_url = settings.SITE_URL
    hint = (
        "Set SITE_URL to the address the site is served at, e.g. SITE_URL=https://tracker.example.org: "
        "links in emails, calendar feeds and the API are built from it."
    )
    if not site_url:
        if settings.DEBUG:
            return []
        return [Error("SITE_URL is not set.", hint=hint, id="tracker.E001")]
    parts = urlsplit(site_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return [Error(f"SITE_URL {site_url!r} is not an http:// or https:// address.", hint=hint, id="tracker.E002")]
    return []
