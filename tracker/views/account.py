"""The signed-in user's own account: who they are, their sign-in log, signing out everywhere, and the idle timer."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracker import sessions, sso, two_factor
from tracker.models import SIGN_IN_LOG_DAYS
from tracker.views.common import next_url

LOG_LIMIT = 50  # sign-in events on the account page


@login_required
@require_GET
def account_page(request):
    """Show the user's account: role and forces, their sign-ins of the last 90 days, and 'sign out everywhere'."""
    user = request.user
    context = {
        "forces": list(user.forces.all()),
        "identity_providers": sso.providers_of(user),
        "two_factor": two_factor.status(user),
        "events": sessions.recent_events(user, limit=LOG_LIMIT),
        "log_days": SIGN_IN_LOG_DAYS,
        "log_limit": LOG_LIMIT,
        "idle_minutes": settings.TRACKER_IDLE_TIMEOUT_MINUTES,
    }
    return render(request, "tracker/account.html", context)


@login_required
@require_POST
def sign_out_everywhere(request):
    """End every session of the user, on every computer, this one included."""
    sessions.sign_out_everywhere(request)
    return redirect("login")


@require_http_methods(["GET", "POST"])
def session_status(request):
    """Say how long the session has before it ends for being idle (GET, which does not count as use); POST is use:
    the page's "Stay signed in" and its typing. A form posted without the page's script comes back to its page."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False})
    if request.method == "POST":
        sessions.mark_active(request, always=True)
        if not request.headers.get("Accept", "").startswith("application/json"):
            return HttpResponseRedirect(next_url(request) or reverse("tracker:home"))
    return JsonResponse({"signed_in": True, "seconds_left": sessions.seconds_left(request)})


session_status.counts_as_use = False  # it counts its own POSTs (tracker.middleware.IdleSignOut counts no request here)
