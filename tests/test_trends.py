"""Trends: month-end open / overdue / completed counts worked out from history, and on-time rates per round."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from tests.conftest import LONDON
from tests.factories import ActionFactory, AreaForImprovementFactory, RecommendationFactory, ReportFactory
from tracker import workflow
from tracker.models import Action, Recommendation
from tracker.trends import (
    MonthCounts,
    kind_param,
    month_ends,
    monthly_counts,
    months_param,
    on_time_by_round,
    trend_counts,
)

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


SEED_WEST_MIDLANDS = "fixtures/reports/police-integrity-and-corruption-2014-west-midlands.json"
LOADED_LATE = [D(2014, 10, 31), D(2014, 11, 30), D(2015, 5, 31), D(2015, 12, 31), D(2016, 1, 10)]


def _load_west_midlands_2014():
    call_command("loaddata", "fixtures/forces.json", verbosity=0)
    call_command("load_reports", SEED_WEST_MIDLANDS, stdout=io.StringIO())


def test_a_report_loaded_long_after_publication_counts_as_open_since_publication_not_since_loading():
    with _at(2016, 1, 10):
        _load_west_midlands_2014()  # published 27 November 2014, eight recommendations due 27 May 2015
        counts = monthly_counts(LOADED_LATE)
    assert _counts(counts[None]) == [(0, 0, 0), (8, 0, 0), (8, 8, 0), (8, 8, 0), (8, 8, 0)]
    assert _by_force(counts) == _recount(LOADED_LATE)


def test_a_report_loaded_after_the_months_were_cached_is_counted_in_them():
    with _at(2016, 1, 10):
        call_command("loaddata", "fixtures/forces.json", verbosity=0)
        ActionFactory(due_date=D(2016, 6, 30))  # something to count, so the ended months are cached
        before = trend_counts(LOADED_LATE)
        _load_west_midlands_2014()
        after = trend_counts(LOADED_LATE)
    assert _counts(before[None])[1] == (0, 0, 0)
    assert _counts(after[None])[1] == (8, 0, 0)
    assert after == monthly_counts(LOADED_LATE)


def test_work_on_a_report_loaded_late_counts_from_the_day_it_was_done(psd_lead_a):
    with _at(2016, 1, 10):
        _load_west_midlands_2014()
    action = Action.objects.filter(force__slug="west-midlands").first()
    psd_lead_a.forces.set([action.force])
    with _at(2016, 2, 3):
        workflow.transition(action, "complete", by=psd_lead_a, text="Done, late.")
    with _at(2016, 3, 1):
        counts = monthly_counts([D(2015, 12, 31), D(2016, 1, 31), D(2016, 2, 29)])
    assert _counts(counts[None]) == [(8, 8, 0), (8, 8, 0), (7, 7, 1)]


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


# Recommendations and areas for improvement apart -------------------------------------------------------------

RECOMMENDATION = Recommendation.Kind.RECOMMENDATION
AFI = Recommendation.Kind.AREA_FOR_IMPROVEMENT
KINDS = [None, RECOMMENDATION, AFI]


@pytest.mark.parametrize(
    ("raw", "kind"), [(None, None), ("", None), (AFI, AFI), (RECOMMENDATION, RECOMMENDATION), ("x", None)]
)
def test_the_kind_in_the_address_is_a_known_kind_or_both(raw, kind):
    assert kind_param(raw) == kind


@pytest.fixture
def afi_history(history, psd_lead_a, psd_lead_b, reviewer):
    """The four actions of `history`, and three on areas for improvement of the same reports."""
    integrity, legitimacy = history["a1"].recommendation.report, history["b1"].recommendation.report
    with _at(2015, 1, 15):
        c1 = ActionFactory(recommendation=AreaForImprovementFactory(report=integrity), due_date=D(2015, 3, 1))
    with _at(2015, 2, 5):
        c2 = ActionFactory(recommendation=AreaForImprovementFactory(report=integrity))  # no due date
        d1 = ActionFactory(recommendation=AreaForImprovementFactory(report=legitimacy), due_date=D(2015, 4, 1))
    with _at(2015, 3, 20):
        workflow.transition(c1, "start", by=psd_lead_a)
    with _at(2015, 4, 15):
        workflow.transition(d1, "complete", by=psd_lead_b, text="Done, late.")
    with _at(2015, 5, 10):
        workflow.transition(c1, "complete", by=psd_lead_a, text="Done, late.")
    return {**history, "c1": c1, "c2": c2, "d1": d1}


def _counted_from(row) -> datetime.datetime:
    return min(row.history_date, row.created_at) if row.history_type == "+" else row.history_date


def _recount(days, kind=None, force_ids=None) -> dict:
    """Count from scratch: each action's latest history row at each month end, sorted out in Python."""
    kinds = dict(Recommendation.objects.values_list("pk", "kind"))
    rows = sorted(Action.history.all(), key=lambda row: (row.history_date, row.history_id))
    result = {}
    for k, day in enumerate(days):
        end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=LONDON)
        # An action counts from its created_at: before its first history row when loaded after publication.
        latest = {row.id: row for row in rows if _counted_from(row) < end}
        for row in latest.values():
            if row.history_type == "-" or (kind and kinds[row.recommendation_id] != kind):
                continue
            if force_ids is not None and row.force_id not in force_ids:
                continue
            counts = result.setdefault(row.force_id, [[0, 0, 0] for _ in days])[k]
            due = row.revised_due_date or row.due_date
            if row.status in Action.OPEN_STATUSES:
                counts[0] += 1
                counts[1] += due is not None and due < day
            elif row.status in (Action.Status.COMPLETED, Action.Status.VERIFIED):
                counts[2] += 1
    return {force: [tuple(c) for c in series] for force, series in result.items()}


def _by_force(counts) -> dict:
    """Return the per-force counts as tuples, leaving out forces with nothing counted at any month end."""
    by_force = {force: _counts(series) for force, series in counts.items() if force is not None}
    return {force: series for force, series in by_force.items() if any(any(c) for c in series)}


@pytest.mark.parametrize("kind", KINDS)
def test_each_kinds_month_end_counts_are_the_recount(today, afi_history, force_a, force_b, kind):
    for force_ids in (None, [force_b.pk]):
        counts = monthly_counts(DAYS, force_ids, kind)
        assert _by_force(counts) == _recount(DAYS, kind, force_ids)
        recount = _recount(DAYS, kind, force_ids)
        assert _counts(counts[None]) == [
            tuple(sum(series[k][n] for series in recount.values()) for n in range(3)) for k in range(len(DAYS))
        ]
        assert trend_counts(DAYS, force_ids, kind) == counts
        assert trend_counts(DAYS, force_ids, kind) == counts  # again, from the cache


def test_areas_for_improvement_are_counted_apart_from_recommendations(today, afi_history, force_a, force_b):
    afis = monthly_counts(DAYS, kind=AFI)
    assert _counts(afis[force_a.pk]) == [
        (0, 0, 0),
        (1, 0, 0),  # c1
        (2, 0, 0),  # c2 (no due date: never overdue)
        (2, 1, 0),  # c1 past 1 March
        (2, 1, 0),
        (1, 0, 1),  # c1 completed
        (1, 0, 1),
    ]
    assert _counts(afis[force_b.pk]) == [(0, 0, 0), (0, 0, 0), (1, 0, 0), (1, 0, 0), (0, 0, 1), (0, 0, 1), (0, 0, 1)]
    # The recommendations alone are what `history` alone counted.
    recommendations = monthly_counts(DAYS, kind=RECOMMENDATION)
    assert _counts(recommendations[None]) == [
        (0, 0, 0),
        (3, 0, 0),
        (3, 0, 0),
        (2, 2, 1),
        (2, 1, 1),
        (0, 0, 2),
        (1, 1, 2),
    ]
    both = monthly_counts(DAYS)
    for force in (force_a.pk, force_b.pk, None):
        assert [
            (r.open + a.open, r.overdue + a.overdue, r.completed + a.completed)
            for r, a in zip(recommendations[force], afis[force], strict=True)
        ] == _counts(both[force])


def test_each_kind_is_cached_apart(today, afi_history, django_assert_num_queries):
    for kind in KINDS:
        trend_counts(DAYS, kind=kind)
    with django_assert_num_queries(3):  # as before for both kinds: no recommendations' history read
        both = trend_counts(DAYS)
    with django_assert_num_queries(4):  # and the newest recommendation history id, for one kind
        afis = trend_counts(DAYS, kind=AFI)
    assert both == monthly_counts(DAYS) and afis == monthly_counts(DAYS, kind=AFI)
    assert trend_counts(DAYS, kind=AFI) != trend_counts(DAYS, kind=RECOMMENDATION)


def test_a_corrected_kind_is_counted_at_once(today, afi_history):
    before = trend_counts(DAYS, kind=AFI)
    recommendation = afi_history["a1"].recommendation
    recommendation.kind, recommendation.number = AFI, 99  # an admin's correction: history rows, but none of actions
    recommendation.save()
    after = trend_counts(DAYS, kind=AFI)
    assert after == monthly_counts(DAYS, kind=AFI) != before
    assert trend_counts(DAYS, kind=RECOMMENDATION) == monthly_counts(DAYS, kind=RECOMMENDATION)


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
    assert "31 March 2015" in page and "On-time rate" in page
    numbers = "".join(f'<td class="govuk-table__cell govuk-table__cell--numeric">{n}</td>' for n in (2, 1, 1, "50%"))
    heading = '<th scope="row" class="govuk-table__header">Integrity 2014</th>'
    assertInHTML(f'<tr class="govuk-table__row">{heading}{numbers}</tr>', page)  # completed, on time, late, rate


def test_the_page_draws_the_month_end_counts_as_a_chart_with_the_table_for_screen_readers(
    client, today, history, reviewer
):
    client.force_login(reviewer)
    page = client.get(reverse("tracker:trends"), {"months": 7}).content.decode()
    assert '<svg class="app-line-chart__svg" viewBox="0 0 720 300" role="img"' in page
    assert '<desc id="trend-chart-summary">Today: 1 open, 1 overdue, 2 completed.' in page
    for key in ("open", "overdue", "completed"):
        assert f'<g class="app-line-chart__series app-line-chart__series--{key}">' in page
    assert "<title>March 2015: 2 overdue</title>" in page
    assert '<table class="govuk-table" id="trend-table">' in page


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


def test_the_page_shows_areas_for_improvement_alone(
    client, today, afi_history, reviewer, force_a, django_assert_max_num_queries
):
    client.force_login(reviewer)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("tracker:trends"), {"months": 7, "kind": AFI})
    assert response.status_code == 200
    assert response.context["kind"] == AFI
    assert response.context["series"] == trend_counts(DAYS, kind=AFI)[None]
    assert [(f.slug, m.open) for f, m in response.context["by_force"]] == [("leicestershire", 0), ("west-midlands", 1)]
    assert [(r.series, r.completed) for r in response.context["rounds"]] == [
        ("Integrity 2014", 1),
        ("Legitimacy 2015", 1),
    ]
    page = response.content.decode()
    assert "Open, overdue and completed areas for improvement at each month end" in page
    assert f'<option value="{AFI}" selected>Areas for improvement</option>' in page
    assert f"?months=7&amp;kind={AFI}&amp;force=west-midlands" in page  # the kind is kept in each force's link


def test_the_page_counts_both_kinds_unless_asked(client, today, afi_history, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("tracker:trends"), {"months": 7, "kind": "neither"})
    assert response.context["kind"] == ""
    assert response.context["series"] == monthly_counts(DAYS)[None]
    page = response.content.decode()
    assert "Open, overdue and completed actions at each month end" in page
    assert '<option value="" selected>Both</option>' in page
