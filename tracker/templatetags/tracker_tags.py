"""Formatting helpers for templates: UK dates at the precision the source gives."""

import datetime

from django import template

register = template.Library()


@register.filter
def precise_date(value: datetime.date | None, precision: str = "day") -> str:
    """Format a date the UK way, as "27 May 2015", or "May 2015" when only the month is known."""
    if not value:
        return "No due date"
    if precision == "month":
        return value.strftime("%B %Y")
    if precision == "year":
        return value.strftime("%Y")
    return f"{value.day} {value:%B %Y}"


@register.filter
def due_display(action) -> str:
    """Format an action's effective due date at its precision."""
    return precise_date(action.effective_due_date, action.due_precision)


@register.filter
def percent(part: int, whole: int) -> str:
    """Return part/whole as a whole percentage, or an en dash when there is nothing to divide."""
    if not whole:
        return "–"
    return f"{round(100 * part / whole)}%"


@register.filter
def page_numbers(page):
    """Return the page numbers to link to: the first and last, and those around this page, with gaps."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
