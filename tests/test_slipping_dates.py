"""
Slipping dates in the open: every move of a due date (an approved extension) is shown with its reason and
approver; lists filter by it; the dashboard and a force's page count it; the public register shows the
original and current due dates and how many times it moved.
"""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import (
    ActionFactory,
    ExtensionRequestFactory,
    ForceFactory,
    RecommendationFactory,
    ReportFactory,
)
from tracker import workflow
from tracker.models import Action, ExtensionRequest, ForceSummary
from tracker.report_parser import add_months

pytestmark = pytest.mark.django_db
D = datetime.date
S = Action.Status


def approve(
    action, reviewer, to: datetime.date, *, asked_by=None, reason="The chief officer group meets later.", note=""
):
    asker = {"requested_by": asked_by} if asked_by else {}
    request = ExtensionRequestFactory(action=action, requested_due_date=to, reason=reason, **asker)
    workflow.decide_extension(request, by=reviewer, approve=True, reason=note)
    action.refresh_from_db()
    return request


def refuse(action, reviewer, to: datetime.date):
    request = ExtensionRequestFactory(action=action, requested_due_date=to)
    workflow.decide_extension(request, by=reviewer, approve=False, reason="Six months was ample.")
    action.refresh_from_db()
    return request


@pytest.fixture
def action(force_a):
    return ActionFactory(force=force_a, recommendation__report__subject_force=force_a, due_date=D(2015, 5, 27))


# The model: revisions, slipped, slipped by more than N months


def test_an_action_whose_due_date_never_moved_has_no_revisions(today, action):
    assert action.due_date_revisions == []
    assert action.days_slipped is None
    assert not Action.objects.slipped().exists()


def test_each_approved_extension_is_a_revision_from_the_date_before_it(today, action, psd_lead_a, reviewer):
    first = approve(action, reviewer, D(2015, 9, 30), asked_by=psd_lead_a, reason="Training runs in September.")
    second = approve(action, reviewer, D(2016, 1, 31), asked_by=psd_lead_a, note="Last time.")
    revisions = Action.objects.get().due_date_revisions
    assert [(r.number, r.moved_from, r.moved_to) for r in revisions] == [
        (1, D(2015, 5, 27), D(2015, 9, 30)),
        (2, D(2015, 9, 30), D(2016, 1, 31)),
    ]
    assert [r.request for r in revisions] == [first, second]
    assert revisions[0].request.reason == "Training runs in September."
    assert revisions[1].request.decided_by == reviewer and revisions[1].request.decision_reason == "Last time."
    assert revisions[0].days_later == 126
    assert Action.objects.get().days_slipped == (D(2016, 1, 31) - D(2015, 5, 27)).days


def test_a_refused_or_pending_request_moves_nothing(today, action, reviewer, psd_lead_a):
    refuse(action, reviewer, D(2015, 9, 30))
    workflow.request_extension(action, by=psd_lead_a, requested_due_date=D(2015, 10, 30), reason="Again.")
    assert action.due_date_revisions == []
    assert not Action.objects.slipped().exists()
    assert Action.objects.with_due_date_revision_count().get().due_date_revision_count == 0


def test_an_action_without_an_original_due_date_moved_by_no_known_amount(today, force_a, reviewer):
    undated = ActionFactory(force=force_a, due_date=None)
    approve(undated, reviewer, D(2015, 9, 30))
    assert undated.due_date_revisions[0].moved_from is None and undated.due_date_revisions[0].days_later is None
    assert list(Action.objects.slipped()) == [undated]
    assert not Action.objects.slipped_more_than(0).exists()


@pytest.mark.parametrize(
    ("due", "revised", "months", "more"),
    [
        (D(2015, 1, 31), D(2015, 2, 28), 1, False),  # 31 January plus a month is 28 February: exactly a month
        (D(2015, 1, 31), D(2015, 3, 1), 1, True),
        (D(2015, 1, 15), D(2015, 7, 15), 6, False),  # exactly six months
        (D(2015, 1, 15), D(2015, 7, 16), 6, True),
        (D(2015, 8, 31), D(2016, 2, 29), 6, False),  # to the end of a leap February
        (D(2014, 12, 31), D(2015, 1, 1), 0, True),  # any move at all is more than nought months
        (D(2014, 11, 30), D(2015, 12, 1), 12, True),  # across a year end
    ],
)
def test_slipped_more_than_counts_calendar_months_as_the_importer_does(due, revised, months, more, force_a):
    ActionFactory(force=force_a, due_date=due, revised_due_date=revised)
    assert Action.objects.slipped_more_than(months).exists() is more
    assert (revised > add_months(due, months)) is more  # the importer's own rule agrees


DATES = st.dates(min_value=D(2012, 1, 1), max_value=D(2020, 12, 31))


@given(
    moves=st.lists(st.tuples(DATES, st.one_of(st.none(), DATES)), min_size=1, max_size=12),
    months=st.integers(min_value=0, max_value=30),
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_slipped_more_than_is_the_straightforward_rule_on_every_database(force_a, moves, months):
    Action.objects.all().delete()
    recommendation = RecommendationFactory()
    actions = Action.objects.bulk_create(
        Action(recommendation=recommendation, force=ForceFactory(), due_date=due, revised_due_date=revised)
        for due, revised in moves
    )
    expected = {a.pk for a in actions if a.revised_due_date and a.revised_due_date > add_months(a.due_date, months)}
    assert set(Action.objects.slipped_more_than(months).values_list("pk", flat=True)) == expected
    assert set(Action.objects.slipped().values_list("pk", flat=True)) == {a.pk for a in actions if a.revised_due_date}


def test_the_revision_count_in_lists_is_the_number_of_revisions_on_the_page(today, force_a, force_b, reviewer):
    moved_twice = ActionFactory(force=force_a, due_date=D(2015, 5, 1))
    moved_once = ActionFactory(force=force_b, due_date=D(2015, 5, 1))
    never = ActionFactory(force=force_b, due_date=D(2015, 5, 1))
    approve(moved_twice, reviewer, D(2015, 8, 1))
    refuse(moved_twice, reviewer, D(2016, 8, 1))
    approve(moved_twice, reviewer, D(2015, 12, 1))
    approve(moved_once, reviewer, D(2015, 7, 1))
    counted = {a.pk: a.due_date_revision_count for a in Action.objects.with_due_date_revision_count()}
    assert counted == {moved_twice.pk: 2, moved_once.pk: 1, never.pk: 0}
    for each in Action.objects.with_due_date_revisions():
        assert len(each.due_date_revisions) == counted[each.pk]


def test_the_kept_summary_counts_moved_due_dates_and_the_open_ones(today, action, psd_lead_a, reviewer):
    approve(action, reviewer, D(2015, 9, 30))
    summary = ForceSummary.objects.get(force=action.force)
    assert (summary.slipped_count, summary.slipped_open_count) == (1, 1)
    workflow.transition(action, "complete", by=psd_lead_a, text="Done.")
    summary.refresh_from_db()
    assert (summary.slipped_count, summary.slipped_open_count) == (1, 0)


# The signed-in pages


def test_the_action_page_shows_the_original_date_each_move_its_reason_and_approver(
    client, today, action, psd_lead_a, reviewer
):
    approve(action, reviewer, D(2015, 9, 30), asked_by=psd_lead_a, reason="Training runs in September.")
    approve(action, reviewer, D(2015, 12, 31), asked_by=psd_lead_a, reason="The trainer left.", note="Final.")
    client.force_login(psd_lead_a)
    page = client.get(action.get_absolute_url()).content.decode()
    assert "31 December 2015" in page and "Originally 27 May 2015; moved 2 times, 218 days later in all" in page
    assert "Due date revisions" in page
    assert "27 May 2015 to 30 September 2015" in page and "30 September 2015 to 31 December 2015" in page
    assert "“Training runs in September.”" in page and "“The trainer left.”" in page
    assert f"{reviewer}, 1 June 2015: “Final.”" in page


def test_the_action_page_of_an_unmoved_action_shows_no_revisions(client, today, action, psd_lead_a):
    client.force_login(psd_lead_a)
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Due date revisions" not in page and "Originally" not in page


def test_the_action_page_reads_its_revisions_in_a_fixed_number_of_queries(client, today, action, psd_lead_a, reviewer):
    client.force_login(psd_lead_a)
    client.get(action.get_absolute_url())  # the session and caches warm
    with CaptureQueriesContext(connection) as unmoved:
        client.get(action.get_absolute_url())
    for month in (7, 8, 9, 10):
        approve(action, reviewer, D(2015, month, 1), asked_by=psd_lead_a)
    with CaptureQueriesContext(connection) as moved:
        client.get(action.get_absolute_url())
    assert len(moved) == len(unmoved)


@pytest.fixture
def moved_actions(today, force_a, reviewer):
    """Actions of force A: one never moved, one moved by a month, one by seven months, one undated moved."""
    report = ReportFactory(subject_force=force_a)
    never = ActionFactory(force=force_a, recommendation__report=report, due_date=D(2015, 5, 1))
    month = ActionFactory(force=force_a, recommendation__report=report, due_date=D(2015, 5, 1))
    seven = ActionFactory(force=force_a, recommendation__report=report, due_date=D(2015, 5, 1))
    undated = ActionFactory(force=force_a, recommendation__report=report, due_date=None)
    approve(month, reviewer, D(2015, 6, 1))
    approve(seven, reviewer, D(2015, 9, 1))
    approve(seven, reviewer, D(2015, 12, 2))
    approve(undated, reviewer, D(2015, 9, 1))
    return {"never": never, "month": month, "seven": seven, "undated": undated}


def listed(client, query: str) -> set[int]:
    response = client.get(f"{reverse('tracker:action_list')}?{query}")
    assert response.status_code == 200
    return {action.pk for action in response.context["page_obj"]}


def test_the_list_filters_actions_whose_due_date_moved(client, moved_actions, psd_lead_a):
    client.force_login(psd_lead_a)
    ids = {name: action.pk for name, action in moved_actions.items()}
    assert listed(client, "moved=true") == {ids["month"], ids["seven"], ids["undated"]}
    assert listed(client, "moved=false") == {ids["never"]}
    assert listed(client, "moved_months=6") == {ids["seven"]}
    assert listed(client, "moved_months=0") == {ids["month"], ids["seven"]}
    assert listed(client, "") == set(ids.values())


def test_the_moved_filter_stays_in_the_address_and_the_form(client, moved_actions, psd_lead_a):
    client.force_login(psd_lead_a)
    page = client.get(f"{reverse('tracker:action_list')}?moved=true&moved_months=6").content.decode()
    assert 'name="moved_months"' in page and 'value="6"' in page
    assert '<option value="true" selected>Yes</option>' in page


@pytest.mark.parametrize("months", ["-1", "121", "six", "1.5"])
def test_a_number_of_months_that_is_not_one_is_refused_with_a_message(client, moved_actions, psd_lead_a, months):
    client.force_login(psd_lead_a)
    response = client.get(f"{reverse('tracker:action_list')}?moved_months={months}")
    page = response.content.decode()
    assert "govuk-error-message" in page or "govuk-error-summary" in page
    assert f'value="{months}"' in page  # what they typed is kept


def test_the_api_filters_by_a_moved_due_date_and_lists_each_revision(client, moved_actions, psd_lead_a, reviewer):
    client.force_login(psd_lead_a)
    body = client.get(reverse("api:action-list") + "?moved_months=6").json()
    [seven] = body["results"]
    assert seven["id"] == moved_actions["seven"].pk
    assert seven["due_date"] == "2015-05-01" and seven["revised_due_date"] == "2015-12-02"
    assert seven["days_slipped"] == 215
    assert [(r["number"], r["moved_from"], r["moved_to"]) for r in seven["due_date_revisions"]] == [
        (1, "2015-05-01", "2015-09-01"),
        (2, "2015-09-01", "2015-12-02"),
    ]
    assert seven["due_date_revisions"][0]["approved_by"]["name"] == str(reviewer)
    assert seven["due_date_revisions"][0]["reason"] == "The chief officer group meets later."


def test_the_dashboard_counts_each_forces_moved_due_dates_and_links_to_them(client, moved_actions, reviewer, force_b):
    ActionFactory(force=force_b, due_date=D(2015, 5, 1))
    client.force_login(reviewer)
    response = client.get(reverse("tracker:dashboard") + "?sort=moved")
    page = response.content.decode()
    forces = response.context["forces"]
    assert [(f.slug, f.slipped_count, f.slipped_open_count) for f in forces] == [
        ("west-midlands", 3, 3),
        ("leicestershire", 0, 0),
    ]
    assert f'{reverse("tracker:action_list")}?force=west-midlands&amp;moved=true">3' in page
    assert "3 had their due date moved, 3 of them still open." in page


def test_a_forces_page_links_to_its_moved_due_dates(client, moved_actions, psd_lead_a):
    client.force_login(psd_lead_a)
    page = client.get(reverse("tracker:force", args=["west-midlands"])).content.decode()
    assert "Due date moved: 3 actions (3 still open)" in page


# The public register


@pytest.fixture
def published(moved_actions):
    Action.objects.update(is_publishable=True)
    return moved_actions


def test_the_register_shows_the_original_and_current_due_date_and_the_moves(client, published):
    page = client.get(reverse("tracker:register_action", args=[published["seven"].pk])).content.decode()
    assert "Original due date" in page and "1 May 2015" in page
    assert "Current due date" in page and "2 December 2015" in page
    assert "Times the due date moved" in page and ">2, each approved by HMIC<" in page
    assert "The chief officer group meets later." not in page  # the force's reasons stay internal


def test_the_register_says_when_a_due_date_never_moved(client, published):
    page = client.get(reverse("tracker:register_action", args=[published["never"].pk])).content.decode()
    assert "Not moved since the report" in page and "Original due date" not in page


def test_the_registers_lists_show_the_original_date_and_the_number_of_moves(client, published):
    report = published["seven"].recommendation.report
    Action.objects.filter(pk=published["seven"].pk).update(is_publishable=True)
    report_page = client.get(reverse("tracker:register_report", args=[report.slug])).content.decode()
    home = client.get(reverse("tracker:register")).content.decode()
    for page in (report_page, home):
        assert "Originally 1 May 2015; moved 2 times" in page
        assert "Originally 1 May 2015; moved 1 time<" in page


def test_the_register_download_has_the_original_due_date_and_the_moves(client, published):
    response = client.get(reverse("tracker:register_export"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    moves = {(row["Due date"], row["Original due date"], row["Times the due date moved"]) for row in rows}
    assert ("2015-12-02", "2015-05-01", "2") in moves and ("2015-05-01", "2015-05-01", "0") in moves


def test_the_register_reads_the_moves_of_a_page_of_actions_in_one_query(client, published):
    client.get(reverse("tracker:register"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("tracker:register"))
    for _ in range(5):
        approve_more = ActionFactory(is_publishable=True, due_date=D(2015, 5, 1))
        ExtensionRequestFactory(action=approve_more, decision=ExtensionRequest.Decision.APPROVED)
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("tracker:register"))
    assert len(more) == len(few)
