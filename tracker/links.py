"""Absolute addresses on this site, for emails, calendar feeds, exports and the API's examples."""

from urllib.parse import urlsplit

from django.conf import settings


def absolute_url(path_or_url: str) -> str:
    """Return the address of `path_or_url` on this site (SITE_URL), or the address itself if it is absolute."""
    if urlsplit(path_or_url).scheme:
        return path_or_url
    return settings.SITE_URL.rstrip("/") + path_or_url
