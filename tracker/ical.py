"""An iCalendar feed of each user's open deadlines, for Outlook and other calendars to subscribe to."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST
from icalendar import Alarm, Calendar, Event, vDuration

from tracker.access import get_force_for_user
from tracker.models import Action, Force, User

UID_DOMAIN = "recommendation-tracker"
ALARM_BEFORE = datetime.timedelta(days=7)
REFRESH_EVERY = datetime.timedelta(hours=12)


def feed_actions(user: User, force: Force | None = None) -> QuerySet[Action]:
    """Return the open actions with a due date that `user` may see, optionally for one force."""
    actions = (
        Action.objects.visible_to(user)
        .open()
        .filter(Q(due_date__isnull=False) | Q(revised_due_date__isnull=False))
        .select_related("force", "recommendation", "recommendation__report")
        .order_by("due_date", "pk")
    )
    return actions.filter(force=force) if force else actions


def action_event(action: Action) -> Event:
    """Return an all-day event on the action's effective due date, with a reminder a week before."""
    recommendation = action.recommendation
    due = action.effective_due_date
    url = settings.SITE_URL.rstrip("/") + action.get_absolute_url()
    summary = f"Due: {action.force.name} – {recommendation.report.title} {recommendation.short_label}"
    event = Event.new(
        uid=f"action-{action.pk}@{UID_DOMAIN}",
        start=due,
        end=due + datetime.timedelta(days=1),
        summary=summary,
        description=f"{recommendation.text}\n\n{url}",
        url=url,
        # DTSTAMP is when the action last changed, so an unchanged action reads the same on every refresh.
        stamp=action.updated_at,
        transparency="TRANSPARENT",
    )
    event.add_component(Alarm.new_display(description=summary, trigger=-ALARM_BEFORE))
    return event


def deadlines_calendar(user: User, force: Force | None = None) -> Calendar:
    """Return `user`'s deadlines (for one force, if given) as a calendar."""
    name = f"{force.name} deadlines" if force else "Recommendation deadlines"
    calendar = Calendar.new(
        prodid="-//Recommendation Tracker//Deadlines//EN",
        method="PUBLISH",
        name=name,
        uid=f"deadlines-{user.pk}-{force.slug if force else 'all'}@{UID_DOMAIN}",
        refresh_interval=REFRESH_EVERY,
    )
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH_EVERY))  # Outlook reads this rather than REFRESH-INTERVAL
    for action in feed_actions(user, force).iterator(chunk_size=2000):
        calendar.add_component(action_event(action))
    return calendar


def feed_url(user: User, force: Force | None = None) -> str:
    """Return the secret address of `user`'s calendar feed, optionally for one force."""
    url = settings.SITE_URL.rstrip("/") + reverse("tracker:calendar_feed", args=[user.calendar_token])
    return f"{url}?{urlencode({'force': force.slug})}" if force else url


@require_GET
def calendar_feed(request, token: str) -> HttpResponse:
    """Serve the deadlines of the user whose secret token is in the address; no log-in, the token is the key."""
    user = get_object_or_404(User, calendar_token=token, is_active=True)
    slug = request.GET.get("force")
    force = get_force_for_user(user, slug) if slug else None
    response = HttpResponse(deadlines_calendar(user, force).to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_GET
def calendar_page(request):
    """Show the user's calendar address, how to subscribe to it in Outlook, and a button to change it."""
    user = request.user
    forces = Force.objects.with_actions()
    if not user.is_reviewer:
        forces = forces.filter(pk__in=user.member_force_ids())
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
