"""Trends: month-end open / overdue / completed counts worked out from history, and on-time rates per round."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from tests.conftest import LONDON
from tests.factories import ActionFactory, RecommendationFactory, ReportFactory
from tracker import workflow
from tracker.models import Action
from tracker.trends import MonthCounts, month_ends, monthly_counts, months_param, on_time_by_round, trend_counts

pytestmark = pytest.mark.django_db

D = datetime.date


def _at(year, month, day, hour=12, minute=0):
    return time_machine.travel(datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON), tick=False)


def _counts(series: list[MonthCounts]) -> list[tuple[int, int, int]]:
    return [(m.open, m.overdue, m.completed) for m in series]


def test_month_ends_are_the_last_days_of_the_months_before_today_then_today():
    assert month_ends(D(2015, 6, 1), 4) == [D(2015, 3, 31), D(2015, 4, 30), D(2015, 5, 31), D(2015, 6, 1)]
    assert month_ends(D(2016, 3, 15), 3) == [D(2016, 1, 31), D(2016, 2, 29), D(2016, 3, 15)]
    assert len(month_ends(D(2015, 6, 1))) == 24


@pytest.mark.parametrize(("raw", "months"), [(None, 24), ("", 24), ("6", 6), ("0", 1), ("500", 120), ("abc", 24)])
def test_months_in_the_address_are_kept_within_bounds(raw, months):
    assert months_param(raw) == months


@pytest.fixture
def history(force_a, force_b, psd_lead_a, psd_lead_b, reviewer):
    """Three actions driven through the workflow on known days in 2015, and a fourth created on 1 June."""
    integrity = ReportFactory(subject_force=force_a, series="Integrity 2014")
    legitimacy = ReportFactory(subject_force=force_b, series="Legitimacy 2015")
    with _at(2015, 1, 15):
        a1 = ActionFactory(recommendation=RecommendationFactory(report=integrity), due_date=D(2015, 2, 28))
        a2 = ActionFactory(recommendation=RecommendationFactory(report=integrity), due_date=D(2015, 6, 30))
        b1 = ActionFactory(recommendation=RecommendationFactory(report=legitimacy), due_date=D(2015, 3, 15))
    with _at(2015, 2, 10):
        workflow.transition(a1, "start", by=psd_lead_a)
    with _at(2015, 3, 10):
        workflow.transition(a2, "complete", by=psd_lead_a, text="Done.")
    with _at(2015, 4, 5):
        extension = workflow.request_extension(
            b1, by=psd_lead_b, requested_due_date=D(2015, 5, 31), reason="Waiting for the new case system."
        )
    with _at(2015, 4, 10):
        workflow.decide_extension(extension, by=reviewer, approve=True)
    with _at(2015, 4, 20):
        workflow.transition(a2, "verify", by=reviewer)
    with _at(2015, 5, 5):
        workflow.transition(a1, "complete", by=psd_lead_a, text="Done, late.")
    with _at(2015, 5, 31, 23, 30):  # still May in London (22:30 UTC)
        workflow.transition(b1, "supersede", by=reviewer, text="Replaced by the 2016 recommendation.")
    with _at(2015, 6, 1, 0, 30):  # already June in London, though still 31 May in UTC
        b2 = ActionFactory(recommendation=RecommendationFactory(report=legitimacy), due_date=D(2015, 5, 1))
    return {"a1": a1, "a2": a2, "b1": b1, "b2": b2}


DAYS = [D(2014, 12, 31), D(2015, 1, 31), D(2015, 2, 28), D(2015, 3, 31), D(2015, 4, 30), D(2015, 5, 31), D(2015, 6, 1)]


def test_month_end_counts_come_from_the_state_each_action_had_then(today, history, force_a, force_b):
    counts = monthly_counts(DAYS)
    # (open, overdue, completed) at each month end.
    assert _counts(counts[force_a.pk]) == [
        (0, 0, 0),  # nothing yet
        (2, 0, 0),
        (2, 0, 0),  # a1 due on 28 February is not overdue on that day
        (1, 1, 1),  # a1 overdue; a2 awaiting review
        (1, 1, 1),  # a2 verified: still completed
        (0, 0, 2),  # a1 completed (late)
        (0, 0, 2),
    ]
    assert _counts(counts[force_b.pk]) == [
        (0, 0, 0),
        (1, 0, 0),
        (1, 0, 0),
        (1, 1, 0),  # b1 past its original due date: the extension came only in April
        (1, 0, 0),  # revised to 31 May, so not overdue at the end of April
        (0, 0, 0),  # superseded at 23:30 on 31 May: in no count; b2 not made until 1 June
        (1, 1, 0),  # b2, already past its due date
    ]
    assert _counts(counts[None]) == [(0, 0, 0), (3, 0, 0), (3, 0, 0), (2, 2, 1), (2, 1, 1), (0, 0, 2), (1, 1, 2)]
    assert [m.day for m in counts[None]] == DAYS


def test_the_page_counts_agree_with_the_history_pass(today, history, force_a, force_b):
    assert trend_counts(DAYS) == monthly_counts(DAYS)
    assert trend_counts(DAYS, [force_b.pk]) == monthly_counts(DAYS, [force_b.pk])


def test_ended_months_are_read_from_history_once(today, history, django_assert_num_queries):
    trend_counts(DAYS)
    with django_assert_num_queries(3):  # the newest history id, anything new in an ended month, today: no pass
        again = trend_counts(DAYS)
    assert again == monthly_counts(DAYS)


def test_history_written_into_an_ended_month_is_counted(today, history, force_a, psd_lead_a):
    before = trend_counts(DAYS)
    with _at(2015, 3, 20):  # as a restored backup or demo data would: a row dated in an ended month
        ActionFactory(recommendation=RecommendationFactory(report__subject_force=force_a), due_date=D(2015, 3, 1))
    after = trend_counts(DAYS)
    assert after == monthly_counts(DAYS)
    assert _counts(after[force_a.pk])[3] == (2, 2, 1) and _counts(before[force_a.pk])[3] == (1, 1, 1)


def test_a_reopened_action_counts_as_open_again(force_a, psd_lead_a, reviewer):
    with _at(2015, 1, 5):
        action = ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 12, 31))
    with _at(2015, 1, 20):
        workflow.transition(action, "complete", by=psd_lead_a, text="Done.")
    with _at(2015, 2, 3):
        workflow.transition(action, "reopen", by=reviewer, text="No evidence.")
    counts = monthly_counts([D(2015, 1, 31), D(2015, 2, 28)])
    assert _counts(counts[None]) == [(0, 0, 1), (1, 0, 0)]


def test_counts_are_limited_to_the_forces_given(today, history, force_a):
    counts = monthly_counts(DAYS, [force_a.pk])
    assert set(counts) == {force_a.pk, None}
    assert counts[None] == counts[force_a.pk]


def test_on_time_rate_per_inspection_round(today, history):
    rounds = {r.series: r for r in on_time_by_round(Action.objects.all())}
    assert (rounds["Integrity 2014"].completed, rounds["Integrity 2014"].on_time, rounds["Integrity 2014"].late) == (
        2,
        1,
        1,
    )
    assert rounds["Legitimacy 2015"].completed == 0


# The page ------------------------------------------------------------------------------------------------


def test_reviewer_sees_national_trends_and_each_force(client, today, history, reviewer, django_assert_max_num_queries):
    client.force_login(reviewer)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("tracker:trends"), {"months": 7})
    assert response.status_code == 200
    assert response.context["scope"] == "England and Wales"
    assert _counts(response.context["series"])[3] == (2, 2, 1)
    assert [(f.slug, m.open) for f, m in response.context["by_force"]] == [("leicestershire", 1), ("west-midlands", 0)]
    page = response.content.decode()
    assert "31 March 2015" in page and "On-time rate" in page and "50%" in page


def test_reviewer_can_look_at_one_force(client, today, history, reviewer, force_b):
    client.force_login(reviewer)
    response = client.get(reverse("tracker:trends"), {"force": force_b.slug, "months": 7})
    assert response.context["force"] == force_b
    assert _counts(response.context["series"])[3] == (1, 1, 0)
    assert [r.series for r in response.context["rounds"]] == ["Legitimacy 2015"]


def test_psd_lead_sees_their_own_force(client, today, history, psd_lead_a, force_a):
    client.force_login(psd_lead_a)
    response = client.get(reverse("tracker:trends"), {"months": 7})
    assert response.status_code == 200 and response.context["force"] == force_a
    assert _counts(response.context["series"])[3] == (1, 1, 1)
    assert not response.context["by_force"]


def test_psd_lead_cannot_see_another_forces_trends(client, today, history, psd_lead_a, force_b):
    client.force_login(psd_lead_a)
    assert client.get(reverse("tracker:trends"), {"force": force_b.slug}).status_code == 404


def test_trends_need_a_sign_in(client):
    response = client.get(reverse("tracker:trends"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_trends_page_is_read_only(client, reviewer):
    client.force_login(reviewer)
    assert client.post(reverse("tracker:trends")).status_code == 405
