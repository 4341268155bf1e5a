"""An iCalendar feed of each user's open deadlines, for Outlook and other calendars to subscribe to."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from icalendar import Alarm, Calendar, Event, vDuration

from tracker.links import absolute_url
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
    url = absolute_url(action.get_absolute_url())
    summary = f"Due: {action.force.name} – {recommendation.report.title} {recommendation.short_label}"
    event = Event.new(
        uid=f"action-{action.pk}@{UID_DOMAIN}",
        start=due,
        # The day after, or (for 31 December 9999, which has none) no end: a date's event lasts that one day.
        end=due + datetime.timedelta(days=1) if due < datetime.date.max else None,
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
    url = absolute_url(reverse("tracker:calendar_feed", args=[user.calendar_token]))
    return f"{url}?{urlencode({'force': force.slug})}" if force else url
