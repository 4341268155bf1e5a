"""Formatting helpers for templates; dates come from tracker.dates, worded as in emails and exports."""

from django import template

from tracker import dates

register = template.Library()
register.filter(dates.precise_date)
register.filter(dates.local_date)
register.filter(dates.due_display)


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
