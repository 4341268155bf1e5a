"""An iCalendar feed of each user's open deadlines (actions', commissioners' responses' and the chief officers'
comments'), for Outlook and other calendars to subscribe to."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from icalendar import Alarm, Calendar, Event, vDuration

from tracker import responses
from tracker.links import absolute_url
from tracker.models import Action, CommissionerResponse, Force, User

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
    return _day_event(
        f"action-{action.pk}",
        action.effective_due_date,
        f"Due: {action.force.name} – {recommendation.report.title} {recommendation.short_label}",
        recommendation.text,
        absolute_url(action.get_absolute_url()),
        # DTSTAMP is when the action last changed, so an unchanged action reads the same on every refresh.
        action.updated_at,
    )


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
    forces = [force] if force else (None if user.is_reviewer else Force.objects.visible_to(user))
    for awaited in responses.awaited_responses(forces=forces):
        calendar.add_component(response_event(awaited))
    invited = CommissionerResponse.awaiting_comments().select_related("report__subject_force")
    for response in invited if forces is None else invited.filter(report__subject_force__in=forces):
        calendar.add_component(comments_event(response))
    return calendar


def _day_event(uid: str, day: datetime.date, summary: str, description: str, url: str, stamp) -> Event:
    """Return an all-day event on `day`, with a reminder a week before."""
    event = Event.new(
        uid=f"{uid}@{UID_DOMAIN}",
        start=day,
        # The day after, or (for 31 December 9999, which has none) no end: a date's event lasts that one day.
        end=day + datetime.timedelta(days=1) if day < datetime.date.max else None,
        summary=summary,
        description=f"{description}\n\n{url}",
        url=url,
        stamp=stamp,
        transparency="TRANSPARENT",
    )
    event.add_component(Alarm.new_display(description=summary, trigger=-ALARM_BEFORE))
    return event


def _stamp(report) -> datetime.datetime:
    """Return when the response last changed, or (none started) the report's day of publication: the same on every
    refresh while nothing changes."""
    response = responses.response_of(report)
    if response.pk:
        return response.updated_at
    return datetime.datetime.combine(report.published_on, datetime.time(), tzinfo=datetime.UTC)


def response_event(awaited: responses.AwaitedResponse) -> Event:
    """Return an all-day event on the last day for the commissioner's response to a report."""
    report = awaited.report
    return _day_event(
        f"response-{report.pk}",
        awaited.due_on,
        f"Commissioner's response due: {report.subject_force.name} – {report.title}",
        "The last day to publish the police and crime commissioner's response (Police Act 1996, section 55). "
        f"{awaited.stage}.",
        absolute_url(reverse("tracker:report_response", args=[report.slug])),
        _stamp(report),
    )


def comments_event(response: CommissionerResponse) -> Event:
    """Return an all-day event on the day the chief officer's comments on a report are wanted by."""
    report = response.report
    return _day_event(
        f"chief-officer-comments-{response.pk}",
        response.comments_due_on,
        f"Chief officer's comments wanted: {report.subject_force.name} – {report.title}",
        "The police and crime commissioner's office has invited the chief officer's comments, to publish with its "
        "response. The force's PSD lead writes them in the tracker.",
        absolute_url(reverse("tracker:report_response", args=[report.slug])),
        response.updated_at,
    )


def feed_url(user: User, force: Force | None = None) -> str:
    """Return the secret address of `user`'s calendar feed, optionally for one force."""
    url = absolute_url(reverse("tracker:calendar_feed", args=[user.calendar_token]))
    return f"{url}?{urlencode({'force': force.slug})}" if force else url
