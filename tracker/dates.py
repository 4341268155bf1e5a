"""
Dates in the users' words, the UK way ("27 May 2015"), at the precision the source gives.

Templates (through tracker_tags), emails, exports and the calendar all format dates here, so a date
reads the same wherever it appears.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone

if TYPE_CHECKING:
    from tracker.models import Action


# The dates the tracker accepts as a due date, a revised due date or a publication date, wherever one comes in
# (forms, the admin, report imports): people type 31/12/9999 for "no end date" and 01/01/0001 by slip, and no
# page, export or calendar feed should have to draw those. Dates already stored outside it are still shown.
EARLIEST_DATE = datetime.date(2000, 1, 1)
YEARS_AHEAD = 10


def latest_date(today: datetime.date | None = None) -> datetime.date:
    """Return the last date accepted: ten years from today (from 29 February, the 28th)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February, and the year ten on is not a leap year
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def outside_window(value: datetime.date | None) -> bool:
    """Tell whether a date is before 2000 or more than ten years from today (no date is not outside)."""
    return value is not None and not EARLIEST_DATE <= value <= latest_date()


def window_words() -> str:
    """Return the accepted dates in words: "between 1 January 2000 and 2 December 2036 (ten years from today)"."""
    return f"between {long_date(EARLIEST_DATE)} and {long_date(latest_date())} (ten years from today)"


def check_date_window(value: datetime.date | None) -> None:
    """Refuse a date before 2000 or more than ten years from today, naming the dates that are accepted."""
    if outside_window(value):
        raise ValidationError("Enter a date %(window)s.", code="outside_window", params={"window": window_words()})


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
