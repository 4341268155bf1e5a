"""Overdue report, upcoming deadlines, my actions, review queue and dashboard sorting."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from tests.conftest import empty_this_runs_cache
from tests.factories import ActionFactory, ExtensionRequestFactory, ForceFactory, PsdLeadFactory
from tracker import workflow
from tracker.models import Action, ExtensionRequest, Report

pytestmark = pytest.mark.django_db
D = datetime.date


def _rows(response):
    return list(response.context["page_obj"])


def test_overdue_report_lists_only_overdue_grouped_by_force(client, today, force_a, force_b, reviewer):
    late_b = ActionFactory(recommendation__report__subject_force=force_b, due_date=D(2015, 5, 1))
    late_a = ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 5, 27))
    ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 7, 1))
    ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 1, 1), status=Action.Status.COMPLETED)
    client.force_login(reviewer)
    response = client.get(reverse("tracker:overdue"))
    assert _rows(response) == [late_b, late_a]  # Leicestershire before West Midlands


def test_overdue_report_shows_days_overdue_in_each_row(client, today, force_a, force_b, reviewer):
    ActionFactory(recommendation__report__subject_force=force_b, due_date=D(2015, 5, 1))
    ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 5, 27))
    client.force_login(reviewer)
    body = client.get(reverse("tracker:overdue")).content.decode()
    days_column = re.findall(r'<strong class="govuk-tag govuk-tag--red">(\d+)</strong>', body)
    assert days_column == ["31", "5"]


def test_overdue_report_is_scoped_to_the_psd_leads_force(client, today, force_a, force_b, psd_lead_a):
    ActionFactory(recommendation__report__subject_force=force_b, due_date=D(2015, 5, 1))
    client.force_login(psd_lead_a)
    assert _rows(client.get(reverse("tracker:overdue"))) == []


@pytest.fixture
def overdue_in_three_forces(today, force_a, force_b):
    """Overdue actions of three forces, an area for improvement, one revised into the future, one closed."""
    third = ForceFactory()
    ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 5, 1))
    ActionFactory(
        recommendation__report__subject_force=force_a, due_date=D(2013, 1, 1), status=Action.Status.IN_PROGRESS
    )
    ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 1, 1), revised_due_date=D(2015, 9, 1))
    ActionFactory(recommendation__report__subject_force=force_b, due_date=D(2014, 5, 1))
    ActionFactory(recommendation__report__subject_force=force_b, due_date=D(2014, 5, 1), status=Action.Status.VERIFIED)
    ActionFactory(recommendation__report__subject_force=third, due_date=D(2015, 5, 30))
    return third


@pytest.mark.parametrize("who", ["reviewer", "psd_lead_a", "lead_of_two", "lead_of_none"])
@pytest.mark.parametrize("query", [{}, {"page": "2"}, {"sort": "due"}, {"force": "leicestershire"}, {"q": "the"}])
def test_overdue_report_counts_what_it_lists(
    client, today, overdue_in_three_forces, force_a, force_b, who, query, request
):
    users = {
        "lead_of_two": lambda: PsdLeadFactory(forces=[force_a, overdue_in_three_forces]),
        "lead_of_none": lambda: PsdLeadFactory(forces=[]),
    }
    user = users[who]() if who in users else request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(reverse("tracker:overdue"), query)
    assert response.status_code == 200
    listed = response.context["filter"].qs
    assert response.context["page_obj"].paginator.count == listed.count() == len(listed)


def test_the_overdue_report_with_no_filter_counts_from_the_kept_summaries(
    client, today, overdue_in_three_forces, reviewer, django_assert_num_queries
):
    client.force_login(reviewer)
    client.get(reverse("tracker:overdue"))  # the session and the user, and the day's counts, read once
    with django_assert_num_queries(4) as queries:  # session, user, the forces' summaries, the page's actions
        response = client.get(reverse("tracker:overdue"))
    assert not [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert response.context["page_obj"].paginator.count == 4


def test_the_overdue_report_reads_the_days_counts_the_dashboard_cached(
    client, today, overdue_in_three_forces, reviewer, settings
):
    settings.DUE_SOON_DAYS = 14
    client.force_login(reviewer)
    client.get(reverse("tracker:dashboard"))  # counts the day's open actions, and caches them
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("tracker:overdue"))
    assert len([q for q in queries if Action._meta.db_table in q["sql"]]) == 1  # the page's 50, nothing counted
    assert response.context["page_obj"].paginator.count == 4


def test_overdue_report_query_count_does_not_grow(client, today, reviewer, django_assert_max_num_queries):
    for _ in range(30):
        ActionFactory(recommendation__report__subject_force=ForceFactory(), due_date=D(2015, 5, 1))
    client.force_login(reviewer)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("tracker:overdue"))
    assert response.status_code == 200
    assert len(_rows(response)) == 30


def test_upcoming_defaults_to_30_days_and_takes_n(client, today, force_a, psd_lead_a):
    soon = ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 6, 20))
    later = ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 8, 20))
    client.force_login(psd_lead_a)
    assert _rows(client.get(reverse("tracker:upcoming"))) == [soon]
    assert _rows(client.get(reverse("tracker:upcoming"), {"days": 90})) == [soon, later]


def test_my_actions_lists_what_i_own_soonest_first(client, today, force_a, psd_lead_a, colleague_a):
    second = ActionFactory(recommendation__report__subject_force=force_a, owner=psd_lead_a, due_date=D(2015, 9, 1))
    first = ActionFactory(
        recommendation__report__subject_force=force_a,
        owner=psd_lead_a,
        due_date=D(2015, 1, 1),
        revised_due_date=D(2015, 7, 1),
    )
    ActionFactory(recommendation__report__subject_force=force_a, owner=colleague_a)
    client.force_login(psd_lead_a)
    assert _rows(client.get(reverse("tracker:my_actions"))) == [first, second]


def test_an_empty_my_actions_says_how_an_action_becomes_yours(client, today, force_a, psd_lead_a, colleague_a):
    ActionFactory(recommendation__report__subject_force=force_a, owner=colleague_a)
    client.force_login(psd_lead_a)
    page = client.get(reverse("tracker:my_actions")).content.decode()
    assert (
        "No action is yours yet, or none matches. An action becomes yours when you, a colleague or a reviewer" in page
    )
    assert "No actions match." in client.get(reverse("tracker:action_list"), {"q": "nothing like it"}).content.decode()


def test_filters_stay_in_the_query_string_across_pages(client, today, force_a, psd_lead_a):
    for _ in range(55):
        ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 5, 1))
    client.force_login(psd_lead_a)
    body = client.get(reverse("tracker:action_list"), {"overdue": "true"}).content.decode()
    assert "overdue=true&amp;page=2" in body


def test_review_queue_shows_oldest_completed_first(client, today, time_machine, force_a, psd_lead_a, reviewer):
    newer = ActionFactory(recommendation__report__subject_force=force_a)
    older = ActionFactory(recommendation__report__subject_force=force_a)
    workflow.transition(older, "complete", by=psd_lead_a, text="done first")
    time_machine.move_to(datetime.datetime(2015, 6, 1, 15, 0, tzinfo=datetime.UTC))
    workflow.transition(newer, "complete", by=psd_lead_a, text="done second")
    client.force_login(reviewer)
    response = client.get(reverse("tracker:review_queue"))
    assert _rows(response) == [older, newer]


def test_review_queue_lists_pending_extension_requests(client, today, force_a, reviewer):
    request = ExtensionRequestFactory(action=ActionFactory(recommendation__report__subject_force=force_a))
    client.force_login(reviewer)
    response = client.get(reverse("tracker:review_queue"))
    assert list(response.context["extensions"]) == [request]


def test_verify_from_the_queue_returns_to_the_queue(client, today, force_a, psd_lead_a, reviewer):
    action = ActionFactory(recommendation__report__subject_force=force_a)
    workflow.transition(action, "complete", by=psd_lead_a, text="done")
    client.force_login(reviewer)
    queue = reverse("tracker:review_queue")
    response = client.post(
        reverse("tracker:action_transition", args=[action.pk, "verify"]), {"version": action.version, "next": queue}
    )
    assert response["Location"] == queue
    action.refresh_from_db()
    assert action.status == Action.Status.VERIFIED


def test_next_pointing_off_site_is_ignored(client, today, force_a, psd_lead_a):
    action = ActionFactory(recommendation__report__subject_force=force_a)
    client.force_login(psd_lead_a)
    response = client.post(
        reverse("tracker:action_transition", args=[action.pk, "start"]), {"version": 1, "next": "https://evil.example/"}
    )
    assert response["Location"] == action.get_absolute_url()


def test_psd_lead_cannot_open_the_review_queue(client, psd_lead_a):
    client.force_login(psd_lead_a)
    assert client.get(reverse("tracker:review_queue")).status_code == 403


def test_dashboard_sorts_by_the_chosen_column(client, today, force_a, force_b, reviewer):
    ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 7, 1))
    ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 7, 1))
    ActionFactory(recommendation__report__subject_force=force_b, due_date=D(2015, 7, 1))
    client.force_login(reviewer)
    by_open = client.get(reverse("tracker:dashboard"), {"sort": "open"}).context["forces"]
    by_name = client.get(reverse("tracker:dashboard"), {"sort": "force"}).context["forces"]
    assert [f.slug for f in by_open] == ["west-midlands", "leicestershire"]
    assert [f.slug for f in by_name] == ["leicestershire", "west-midlands"]


def test_dashboard_on_time_rate(client, today, force_a, reviewer, psd_lead_a):
    on_time = ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 7, 1))
    late = ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 5, 1))
    workflow.transition(on_time, "complete", by=psd_lead_a, text="x")
    workflow.transition(late, "complete", by=psd_lead_a, text="x")
    client.force_login(reviewer)
    row = client.get(reverse("tracker:dashboard")).context["forces"][0]
    assert (row.completed_count, row.completed_late_count, row.on_time_rate) == (2, 1, 0.5)
    on_time_cell = '<td class="govuk-table__cell govuk-table__cell--numeric">50%</td>'
    assertInHTML(on_time_cell, client.get(reverse("tracker:dashboard")).content.decode())


def test_reopen_from_the_queue_needs_a_reason(client, today, force_a, psd_lead_a, reviewer):
    action = ActionFactory(recommendation__report__subject_force=force_a)
    workflow.transition(action, "complete", by=psd_lead_a, text="done")
    client.force_login(reviewer)
    url = reverse("tracker:action_transition", args=[action.pk, "reopen"])
    queue = reverse("tracker:review_queue")
    assert client.post(url, {"version": action.version, "next": queue, "text": ""}).status_code == 400
    response = client.post(url, {"version": action.version, "next": queue, "text": "No evidence of training"})
    assert response["Location"] == queue
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS


def _many_actions(force, count=25, owner=None):
    # Half overdue, half due within 30 days, so every list has rows.
    for n in range(count):
        due = D(2015, 5, 1) if n % 2 else D(2015, 6, 10)
        ActionFactory(recommendation__report__subject_force=force, due_date=due, owner=owner)


def _shown(response) -> int:
    """How many rows the page drew: actions on a list page, forces on the dashboard."""
    if "page_obj" in response.context:
        return len(response.context["page_obj"])
    return len(response.context["forces"])


# (page, rows for 2 actions of one force, rows once 40 more of another force are added); half are overdue,
# the rest due within 30 days, and the reviewer owns them all.
@pytest.mark.parametrize(
    "url_name,few_rows,many_rows",
    [
        ("tracker:action_list", 2, 42),
        ("tracker:overdue", 1, 21),
        ("tracker:upcoming", 1, 21),
        ("tracker:my_actions", 2, 42),
        ("tracker:dashboard", 1, 2),
    ],
)
def test_list_queries_do_not_grow_with_rows(client, today, reviewer, force_a, url_name, few_rows, many_rows):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(reviewer)
    _many_actions(force_a, 2, owner=reviewer)
    with CaptureQueriesContext(connection) as few:
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert _shown(response) == few_rows
    _many_actions(ForceFactory(), 40, owner=reviewer)
    empty_this_runs_cache()  # the filter form is cached per address: draw it again, as the first time
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert _shown(response) == many_rows
    assert len(many) == len(few)


def test_force_page_and_review_queue_queries_do_not_grow(client, today, reviewer, force_a, psd_lead_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(reviewer)
    _many_actions(force_a, 2)
    for action in Action.objects.all():
        workflow.transition(action, "complete", by=psd_lead_a, text="x")
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            force_page = client.get(force_a.get_absolute_url())
            queue = client.get(reverse("tracker:review_queue"))
        counts.append(len(queries))
        assert (force_page.status_code, queue.status_code) == (200, 200)
        reports = Report.objects.filter(recommendations__actions__force=force_a).distinct()
        assert force_page.context["page_obj"].paginator.count == reports.count()
        assert all(force_page.context["reports"].values())  # every report drawn with its action
        completed = Action.objects.filter(status=Action.Status.COMPLETED).count()
        assert queue.context["page_obj"].paginator.count == completed
        assert set(queue.context["extensions"]) == set(ExtensionRequest.objects.all())
        _many_actions(force_a, 30)
        for action in Action.objects.open():
            workflow.transition(action, "complete", by=psd_lead_a, text="x")
            ExtensionRequestFactory(action=ActionFactory(recommendation__report__subject_force=force_a))
    assert counts[0] == counts[1]


def test_filter_form_is_drawn_once_per_address_and_user(client, today, force_a, psd_lead_a, reviewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    psd_lead_a.forces.add(ForceFactory(name="Staffordshire Police", slug="staffordshire"))  # a choice to make
    client.force_login(psd_lead_a)

    def filter_form(response) -> str:
        return response.content.decode().split("Filter</h2>")[1].split("Apply filters")[0]

    ForceFactory(name="Leicestershire Police", slug="leicestershire")
    with CaptureQueriesContext(connection) as first:
        body = filter_form(client.get(reverse("tracker:overdue")))
    with CaptureQueriesContext(connection) as again:
        assert filter_form(client.get(reverse("tracker:overdue"))) == body
    assert len(again) < len(first)
    assert "West Midlands Police" in body and "Staffordshire Police" in body and "Leicestershire Police" not in body
    client.force_login(reviewer)  # another user's choices (every force) are drawn for them, not the cached form
    assert "Leicestershire Police" in filter_form(client.get(reverse("tracker:overdue")))
