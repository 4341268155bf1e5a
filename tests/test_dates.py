"""tracker.dates: dates in the users' words, for templates, emails and exports alike; and absolute addresses."""

import datetime

import pytest
from django.template import Context, Template

from tracker.dates import due_display, local_date, long_date, long_date_time, precise_date
from tracker.links import absolute_url
from tracker.models import Action, Recommendation

D = datetime.date


def _action(due: D | None, precision: str, revised: D | None = None) -> Action:
    return Action(due_date=due, revised_due_date=revised, recommendation=Recommendation(due_precision=precision))


def test_long_date_has_no_leading_zero():
    assert long_date(D(2015, 6, 2)) == "2 June 2015"
    assert long_date(D(2015, 5, 27)) == "27 May 2015"


def test_long_date_time_is_in_local_time():
    moment = datetime.datetime(2015, 6, 2, 13, 5, tzinfo=datetime.UTC)
    assert long_date_time(moment) == "2 June 2015 at 14:05"


def test_local_date_is_the_day_in_local_time():
    late_evening = datetime.datetime(2015, 6, 2, 23, 30, tzinfo=datetime.UTC)  # 00:30 on 3 June in London
    assert local_date(late_evening) == "3 June 2015"


def test_local_date_reads_as_the_date_filter_did():
    moment = datetime.datetime(2015, 1, 9, 23, 30, tzinfo=datetime.UTC)
    django_date = Template('{{ moment|date:"j F Y" }}').render(Context({"moment": moment}))
    assert local_date(moment) == django_date == "9 January 2015"


def test_local_date_of_no_moment_is_empty():
    assert local_date(None) == ""


def test_precise_date_at_each_precision():
    assert precise_date(D(2015, 5, 27)) == "27 May 2015"
    assert precise_date(D(2015, 5, 27), "day") == "27 May 2015"
    assert precise_date(D(2015, 5, 31), "month") == "May 2015"
    assert precise_date(D(2015, 12, 31), "year") == "2015"


def test_precise_date_without_a_precision_is_the_day():
    assert precise_date(D(2015, 5, 27), "") == "27 May 2015"


def test_precise_date_of_no_date():
    assert precise_date(None) == "No due date"
    assert precise_date(None, "month") == "No due date"


def test_due_display_uses_the_recommendations_precision():
    assert due_display(_action(D(2015, 4, 30), "month")) == "April 2015"
    assert due_display(_action(D(2015, 4, 30), "")) == "30 April 2015"


def test_due_display_of_a_revised_due_date_is_exact():
    assert due_display(_action(D(2015, 4, 30), "month", revised=D(2015, 9, 1))) == "1 September 2015"


def test_due_display_without_a_due_date():
    assert due_display(_action(None, "")) == "No due date"


def test_template_filters_say_the_same():
    template = Template(
        "{% load tracker_tags %}{{ day|precise_date:'month' }}; {{ day|precise_date }}; {{ a|due_display }}"
    )
    context = Context({"day": D(2015, 5, 27), "a": _action(D(2015, 4, 30), "month")})
    assert template.render(context) == "May 2015; 27 May 2015; April 2015"


@pytest.mark.parametrize(
    ("site_url", "path_or_url", "expected"),
    [
        ("https://tracker.example.org", "/actions/7/", "https://tracker.example.org/actions/7/"),
        ("https://tracker.example.org/", "/actions/7/?force=kent", "https://tracker.example.org/actions/7/?force=kent"),
        ("https://example.org/tracker/", "/actions/7/", "https://example.org/tracker/actions/7/"),
        ("https://tracker.example.org", "https://elsewhere.example.com/x", "https://elsewhere.example.com/x"),
    ],
    ids=["without-trailing-slash", "with-trailing-slash", "under-a-path", "already-absolute"],
)
def test_absolute_url(settings, site_url, path_or_url, expected):
    settings.SITE_URL = site_url
    assert absolute_url(path_or_url) == expected
