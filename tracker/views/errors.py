"""
The error pages that need more than Django's own handlers: a 404 that says what was not found, the CSRF refusal, a
sign-in refused because of too many failed attempts, and a 503 "try again" while the database cannot be reached.

400 and 403 use Django's handlers (django.views.defaults) with templates/400.html and 403.html; the 403 page shows
the PermissionDenied message (e.g. "Only HMIC reviewers can see this page."). The 500 and 503 pages are rendered with
no context at all, so they work when the database or the session does not.
"""

from __future__ import annotations

import re
import sys

from axes.helpers import get_client_username
from django.apps import apps
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE, REASON_NO_REFERER
from django.shortcuts import render
from django.template import loader
from django.views import defaults

from tracker import signin

# get_object_or_404's message names the model, never the object: "No Action matches the given query."
NO_MATCH = re.compile(r"No (?P<model>\w+) matches the given query\.")


def not_found_reason(exception: Exception | None) -> str:
    """
    Return what was not found in the users' words ("No action found."), or "" for an address that matches no page.

    Every Http404 of the app is raised the same way for an object that does not exist and for one the user may not
    see (tracker/access.py), so its message tells nothing about other forces' data.
    """
    message = exception.args[0] if exception is not None and exception.args else None
    if not isinstance(message, str):
        return ""  # an address no page answers (Resolver404 carries a dict of the patterns tried)
    match = NO_MATCH.fullmatch(message)
    if match is None:
        return message
    models = {model._meta.object_name: model for model in apps.get_models()}
    model = models.get(match["model"])
    return f"No {model._meta.verbose_name if model else 'page'} found."


def page_not_found(request, exception=None):
    """Show "Page not found" in the site's layout, with what was not found when the app said."""
    return render(request, "404.html", {"reason": not_found_reason(exception)}, status=404)


# How long a client is asked to wait before trying again while the database cannot be reached (a restart, a
# fail-over): a few seconds usually, so the page says "in a minute" and Retry-After asks for 30 seconds.
RETRY_AFTER_SECONDS = 30
# SQLite's OperationalError is also its error for a query that is wrong; only these say it cannot be used now.
SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk I/O error")


def database_unavailable(exception: BaseException | None) -> bool:
    """True when `exception` says the database cannot be reached or used for now, not that a query is wrong."""
    if isinstance(exception, InterfaceError):  # a connection that was closed under us
        return True
    if not isinstance(exception, OperationalError):
        return False
    if connection.vendor == "sqlite":
        return any(words in str(exception) for words in SQLITE_UNAVAILABLE)
    return True  # PostgreSQL: refused, closed, shut down by the administrator, too many connections


def server_error(request):
    """
    The 500 handler: a 503 "try again in a minute" when the database cannot be reached (what a user sees while it
    restarts: nothing they did was wrong, and no change was half made), else Django's 500 page.
    """
    # Django calls the handler inside its `except` block for the uncaught exception: sys.exc_info() holds it.
    if database_unavailable(sys.exc_info()[1]):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)


def csrf_failure(request, reason: str = ""):
    """Explain a form refused by the CSRF check (CSRF_FAILURE_VIEW): usually a page left open too long."""
    context = {"no_cookie": reason == REASON_NO_CSRF_COOKIE, "no_referer": reason == REASON_NO_REFERER}
    return render(request, "403_csrf.html", context, status=403)


def sign_in_locked(request, original_response=None, credentials=None):
    """A refused sign-in (django-axes' AXES_LOCKOUT_CALLABLE): the account is locked, or this address for it."""
    username = get_client_username(request, credentials) or ""
    context = {
        "username": username,
        "account_locked": signin.account_is_locked(username),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "account_failure_limit": settings.TRACKER_ACCOUNT_FAILURE_LIMIT,
        "minutes": signin.cooloff_minutes(),
    }
    return render(request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
