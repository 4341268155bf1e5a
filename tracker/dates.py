"""
Dates in the users' words, the UK way ("27 May 2015"), at the precision the source gives.

Templates (through tracker_tags), emails, exports and the calendar all format dates here, so a date
reads the same wherever it appears.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from tracker.models import Action


def long_date(day: datetime.date) -> str:
    """Format a date as "27 May 2015"."""
    return f"{day.day} {day:%B %Y}"


def local_date(moment: datetime.datetime | None) -> str:
    """Format the day of a moment, in local time, as "27 May 2015"; nothing for no moment."""
    return long_date(timezone.localtime(moment)) if moment else ""


def long_date_time(moment: datetime.datetime) -> str:
    """Format a moment in local time as "27 May 2015 at 14:05"."""
    local = timezone.localtime(moment)
    return f"{long_date(local)} at {local:%H:%M}"


def precise_date(value: datetime.date | None, precision: str = "day") -> str:
    """Format a date as "27 May 2015", or "May 2015" when only the month is known, or "2015" the year."""
    if not value:
        return "No due date"
    if precision == "month":
        return value.strftime("%B %Y")
    if precision == "year":
        return value.strftime("%Y")
    return long_date(value)


def due_display(action: Action) -> str:
    """Format an action's effective due date at its precision."""
    return precise_date(action.effective_due_date, action.due_precision)
