"""Middleware of the tracker's own: what every response to a signed-in user must carry."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


def private_responses(get_response):
    """Keep every signed-in answer out of shared and disk caches (Cache-Control: private, no-store).

    Police workstations are shared: an action page, an export, the API token or the calendar's secret address
    must not be left in a browser's or a proxy's cache for the next person. A response that says it is public
    (the public register) keeps its own caching; it is the same for everyone and holds nothing of a user's.
    """

    def middleware(request):
        response = get_response(request)
        if _is_public(response):
            return response  # without reading the session, which would make it vary on the cookie
        user = getattr(request, "user", None)  # set by the API's token sign-in too, once the view has run
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response

    return middleware


def _is_public(response) -> bool:
    """Return whether the response says any cache may keep it (Cache-Control: public)."""
    cache_control = response.get("Cache-Control", "")
    return "public" in {part.strip() for part in cache_control.lower().split(",")}
