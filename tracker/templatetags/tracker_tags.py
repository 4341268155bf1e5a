"""Formatting helpers for templates; dates come from tracker.dates, worded as in emails and exports."""

from django import template

from tracker import dates

register = template.Library()
register.filter(dates.precise_date)
register.filter(dates.local_date)
register.filter(dates.due_display)


@register.filter(is_safe=False)
def first_words(text: str, count: int) -> str:
    """
    Return the first `count` words of `text`, with " …" after them if there were more: Django's truncatewords
    for plain text (tests/test_template_tags.py compares them), without its lazy Truncator and translation
    lookup for every row, which were a tenth of drawing a list of 50 actions.
    """
    if count <= 0:
        return ""
    words = str(text).split(maxsplit=count)
    if len(words) <= count:
        return " ".join(words)
    shown = " ".join(words[:count])
    return shown if shown.endswith(" …") else f"{shown} …"


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
