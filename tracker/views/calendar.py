"""The calendar page (the user's secret feed address) and the feed itself, which calendars fetch without a log-in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST

from tracker.access import get_force_for_user
from tracker.ical import deadlines_calendar, feed_url
from tracker.models import Force, User


@require_GET
def calendar_feed(request, token: str) -> HttpResponse:
    """Serve the deadlines of the user whose secret token is in the address; no log-in, the token is the key."""
    user = get_object_or_404(User, calendar_token=token, is_active=True)
    slug = request.GET.get("force")
    force = get_force_for_user(user, slug) if slug else None
    response = HttpResponse(deadlines_calendar(user, force).to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    add_never_cache_headers(response)  # the address is the key: no cache keeps what it opens
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_GET
def calendar_page(request):
    """Show the user's calendar address, how to subscribe to it in Outlook, and a button to change it."""
    user = request.user
    forces = Force.objects.visible_to(user).with_actions()
    force_feeds = [(force, feed_url(user, force)) for force in forces]
    url = feed_url(user)
    context = {
        "feed_url": url,
        # Outlook for Windows and Apple Calendar open webcal: links as "subscribe to this calendar".
        "webcal_url": "webcal://" + url.split("://", 1)[1],
        "force_feeds": force_feeds if len(force_feeds) > 1 else [],
    }
    return render(request, "tracker/calendar.html", context)


@login_required
@require_POST
def calendar_regenerate(request):
    """Give the user a new calendar address, so the old one (perhaps shared by mistake) stops working."""
    request.user.regenerate_calendar_token()
    messages.success(
        request, "Your calendar address has changed. The old address no longer works: subscribe again with the new one."
    )
    return redirect("tracker:calendar")
