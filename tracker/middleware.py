"""Middleware of the tracker's own: what every response to a signed-in user must carry, and the idle timeout."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme

from tracker import sessions, two_factor


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


class IdleSignOut:
    """End a signed-in session unused for TRACKER_IDLE_TIMEOUT_MINUTES (tracker.sessions), and note each use.

    Checked before the view runs, so a page asked for after the timeout is answered as to anyone signed out
    (the sign-in page, then back to it). A form sent after the timeout is not saved: it comes back to the page
    it was sent from, through the sign-in page, with a message saying why. Pages that never read the session
    (the public register: `reads_no_session`) are neither checked nor counted as use; the page script's own
    question "how long have I left?" (`counts_as_use = False`: it counts its own "Stay signed in") is checked here
    but not counted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if sessions.idle_timeout() is None or getattr(view_func, "reads_no_session", False):
            return None
        if settings.SESSION_COOKIE_NAME not in request.COOKIES or not request.user.is_authenticated:
            return None
        if sessions.is_idle(request):
            sessions.sign_out_idle(request)
            if request.method not in ("GET", "HEAD") and not request.path.startswith("/api/"):
                return redirect_to_login(_page_it_came_from(request))
            return None  # answered as signed out: the sign-in page for a page, 401 or 403 from the API
        if getattr(view_func, "counts_as_use", True):
            sessions.mark_active(request)
        return None


def _page_it_came_from(request) -> str:
    """Return the path of the page a form was sent from (its Referer, if it is this site's), else the home page."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("tracker:home")


class SecondFactorRequired:
    """End a session signed in with a password alone whose user now needs two-factor authentication (made a
    reviewer or an admin since): the next sign-in asks for their code, or has them set it up (tracker.two_factor).

    Signing in never makes such a session: the password of someone who needs two-factor signs nobody in until the
    code. Sessions from before two-factor came are ended by migration 0018.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "reads_no_session", False) or not request.user.is_authenticated:
            return None
        if not two_factor.needs_to_sign_in_again(request):
            return None
        logout(request)
        messages.info(request, "Your account now needs two-factor authentication. Sign in again to set it up.")
        if request.path.startswith("/api/"):
            return None  # answered as signed out: 401 or 403
        return redirect_to_login(request.get_full_path())
