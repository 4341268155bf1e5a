"""Priority flags, RAG ratings, recurrence links, publishing switches and bulk changes."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tests.factories import ActionFactory, PsdLeadFactory, RecommendationFactory, ReportFactory
from tracker import workflow
from tracker.models import Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(force_a):
    return ActionFactory(recommendation__report__subject_force=force_a)


def test_psd_lead_rates_an_open_action_and_history_says_why(action, psd_lead_a):
    workflow.set_rag(action, by=psd_lead_a, rag="amber", reason="Training delayed to March")
    action.refresh_from_db()
    assert (action.rag, action.rag_reason) == ("amber", "Training delayed to March")
    last = action.history.latest()
    assert (
        last.history_user == psd_lead_a
        and last.history_change_reason == "RAG rating none → Amber: Training delayed to March"
    )


def test_rag_needs_a_reason(action, psd_lead_a):
    with pytest.raises(workflow.WorkflowError, match="Give a one-line reason for the rating"):
        workflow.set_rag(action, by=psd_lead_a, rag="red", reason=" ")


def test_reviewer_does_not_rate_a_forces_action(action, reviewer):
    with pytest.raises(PermissionDenied, match="Only the force's PSD lead can give the action a RAG rating"):
        workflow.set_rag(action, by=reviewer, rag="red", reason="x")


def test_closed_action_has_no_rag(action, psd_lead_a):
    action.status = Action.Status.VERIFIED
    action.save()
    with pytest.raises(workflow.WorkflowError, match="Only an open action has a RAG rating") as excinfo:
        workflow.set_rag(action, by=psd_lead_a, rag="green", reason="done")
    assert excinfo.value.messages == ["Only an open action has a RAG rating."]


def test_rag_view_from_a_stale_page_is_refused(client, action, psd_lead_a, colleague_a):
    workflow.transition(action, "start", by=colleague_a)
    client.force_login(psd_lead_a)
    response = client.post(
        reverse("tracker:action_set_rag", args=[action.pk]), {"version": 1, "rag": "red", "reason": "Behind plan"}
    )
    assert response.status_code == 409 and "Behind plan" in response.content.decode()


def test_dashboard_counts_rag_and_priority_per_force(client, today, action, psd_lead_a, reviewer):
    workflow.set_rag(action, by=psd_lead_a, rag="red", reason="No budget")
    workflow.set_priority(action.recommendation, by=reviewer, priority=True)
    client.force_login(reviewer)
    row = client.get(reverse("tracker:dashboard")).context["forces"][0]
    assert (row.red_count, row.amber_count, row.green_count, row.priority_open_count) == (1, 0, 0, 1)


def test_priority_actions_sort_first(client, today, force_a, psd_lead_a, reviewer):
    import datetime

    soon = ActionFactory(recommendation__report__subject_force=force_a, due_date=datetime.date(2015, 6, 2))
    later = ActionFactory(recommendation__report__subject_force=force_a, due_date=datetime.date(2015, 9, 1))
    workflow.set_priority(later.recommendation, by=reviewer, priority=True, reason="Cause of concern")
    client.force_login(psd_lead_a)
    assert list(client.get(reverse("tracker:action_list")).context["page_obj"]) == [later, soon]
    assert later.recommendation.history.latest().history_change_reason == "Flagged as a priority: Cause of concern"


def test_psd_lead_cannot_flag_priority(client, action, psd_lead_a):
    client.force_login(psd_lead_a)
    url = reverse("tracker:recommendation_set_priority", args=[action.recommendation.pk])
    assert client.post(url, {"priority": "1"}).status_code == 403


def test_later_recommendation_links_to_the_one_it_supersedes(client, action, reviewer, force_a):
    later = ActionFactory(recommendation__report=ReportFactory(subject_force=force_a, slug="later"), force=force_a)
    client.force_login(reviewer)
    response = client.post(
        reverse("tracker:action_link_recurrence", args=[later.pk]),
        {"earlier": action.recommendation.pk, "kind": "supersedes"},
    )
    assert response.status_code == 302
    later.recommendation.refresh_from_db()
    assert later.recommendation.follows == action.recommendation
    earlier_page = client.get(action.get_absolute_url()).content.decode()
    assert "Superseded by" in earlier_page
    assert "Supersedes" in client.get(later.get_absolute_url()).content.decode()


def test_recurrence_loop_is_refused(force_a, reviewer):
    a = RecommendationFactory(report__subject_force=force_a)
    b = RecommendationFactory(report__subject_force=force_a)
    workflow.link_recurrence(b, by=reviewer, earlier=a, kind="repeats")
    with pytest.raises(workflow.WorkflowError, match="loop"):
        workflow.link_recurrence(a, by=reviewer, earlier=b, kind="repeats")


def test_reviewer_publishes_an_action_and_a_report(client, action, reviewer):
    client.force_login(reviewer)
    client.post(reverse("tracker:action_set_publishable", args=[action.pk]), {"publishable": "1"})
    report = action.recommendation.report
    client.post(reverse("tracker:report_set_publishable", args=[report.slug]), {"publishable": "1"})
    action.refresh_from_db()
    report.refresh_from_db()
    assert action.is_publishable and report.is_publishable
    assert action.history.latest().history_change_reason == "Published on the public register"
    assert report.history.latest().history_user == reviewer


def test_bulk_change_leaves_a_history_row_for_each_action(client, force_a, reviewer):
    lead = PsdLeadFactory(forces=[force_a])
    actions = [ActionFactory(recommendation__report__subject_force=force_a) for _ in range(3)]
    client.force_login(reviewer)
    response = client.post(
        reverse("tracker:actions_bulk"),
        {"actions": [a.pk for a in actions], "operation": "owner", "owner": lead.pk, "next": "/actions/"},
    )
    assert response["Location"] == "/actions/"
    for a in actions:
        a.refresh_from_db()
        assert a.owner == lead
        assert a.history.latest().history_user == reviewer


def test_bulk_owner_outside_the_force_changes_nothing(client, force_a, force_b, reviewer):
    outsider = PsdLeadFactory(forces=[force_b])
    actions = [ActionFactory(recommendation__report__subject_force=force_a) for _ in range(2)]
    client.force_login(reviewer)
    client.post(
        reverse("tracker:actions_bulk"),
        {"actions": [a.pk for a in actions], "operation": "owner", "owner": outsider.pk},
    )
    assert not Action.objects.filter(owner__isnull=False).exists()


def test_psd_lead_cannot_use_bulk_changes(client, action, psd_lead_a):
    client.force_login(psd_lead_a)
    response = client.post(reverse("tracker:actions_bulk"), {"actions": [action.pk], "operation": "publish"})
    assert response.status_code == 403
    action.refresh_from_db()
    assert not action.is_publishable


def test_reloading_a_fixture_keeps_theme_priority_and_publishing(db, reviewer, tmp_path):
    from django.core.management import call_command

    from tracker.models import Recommendation, Report

    call_command("loaddata", "fixtures/forces.json", verbosity=0)
    path = "fixtures/reports/police-integrity-and-corruption-2014-metropolitan.json"
    call_command("load_reports", path, stdout=open("/dev/null", "w"))
    rec = Recommendation.objects.get(number=1)
    theme = rec.theme
    workflow.set_priority(rec, by=reviewer, priority=True)
    workflow.set_report_publishable(rec.report, by=reviewer, publishable=True)
    call_command("load_reports", path, stdout=open("/dev/null", "w"))
    rec.refresh_from_db()
    assert rec.is_priority and rec.theme == theme
    assert Report.objects.get().is_publishable


def reasons(obj):
    return [row.history_change_reason for row in obj.history.order_by("history_date", "history_id")]


def test_priority_flag_without_a_reason_is_recorded_by_its_label(action, reviewer):
    workflow.set_priority(action.recommendation, by=reviewer, priority=True, reason="  ")
    assert reasons(action.recommendation)[-1] == "Flagged as a priority"


def test_a_priority_flag_names_the_reviewer_who_set_it(action, reviewer):
    workflow.set_priority(action.recommendation, by=reviewer, priority=True, reason="Cause of concern")
    assert action.recommendation.history.latest().history_user == reviewer


def test_removing_a_priority_flag_says_so_with_its_reason(action, reviewer):
    workflow.set_priority(action.recommendation, by=reviewer, priority=True)
    workflow.set_priority(action.recommendation, by=reviewer, priority=False, reason=" Fixed in the 2016 revisit ")
    action.recommendation.refresh_from_db()
    assert not action.recommendation.is_priority
    assert reasons(action.recommendation)[-2:] == [
        "Flagged as a priority",
        "Priority flag removed: Fixed in the 2016 revisit",
    ]


def test_setting_the_priority_it_already_has_records_nothing(action, reviewer):
    before = reasons(action.recommendation)
    workflow.set_priority(action.recommendation, by=reviewer, priority=False, reason="No change")
    assert reasons(action.recommendation) == before


def test_bulk_publish_publishes_each_action_and_counts_them(force_a, reviewer):
    actions = [ActionFactory(recommendation__report__subject_force=force_a) for _ in range(2)]
    untouched = ActionFactory(recommendation__report__subject_force=force_a)
    assert workflow.bulk_update(actions, by=reviewer, publishable=True) == 2
    published = set(Action.objects.filter(is_publishable=True).values_list("pk", flat=True))
    assert published == {a.pk for a in actions}
    assert reasons(actions[0])[-1] == "Published on the public register"
    assert untouched.pk not in published


def test_bulk_unpublish_removes_each_action_from_the_register(force_a, reviewer):
    actions = [ActionFactory(recommendation__report__subject_force=force_a, is_publishable=True) for _ in range(2)]
    assert workflow.bulk_update(actions, by=reviewer, publishable=False) == 2
    assert not Action.objects.filter(is_publishable=True).exists()


def test_bulk_priority_flags_each_actions_recommendation(force_a, reviewer):
    actions = [ActionFactory(recommendation__report__subject_force=force_a) for _ in range(2)]
    assert workflow.bulk_update(actions, by=reviewer, priority=True) == 2
    assert [a.recommendation.history.latest().is_priority for a in actions] == [True, True]
    assert not Action.objects.filter(is_publishable=True).exists()


def test_bulk_change_without_a_choice_changes_nothing_but_counts(force_a, reviewer):
    lead = PsdLeadFactory(forces=[force_a])
    actions = [ActionFactory(recommendation__report__subject_force=force_a, owner=lead) for _ in range(3)]
    assert workflow.bulk_update(actions, by=reviewer) == 3
    assert [len(reasons(a)) for a in actions] == [1, 1, 1]
    assert set(Action.objects.values_list("owner", flat=True)) == {lead.pk}


def test_bulk_publish_keeps_each_actions_owner(force_a, reviewer):
    lead = PsdLeadFactory(forces=[force_a])
    actions = [ActionFactory(recommendation__report__subject_force=force_a, owner=lead) for _ in range(2)]
    workflow.bulk_update(actions, by=reviewer, publishable=True)
    assert set(Action.objects.values_list("owner", flat=True)) == {lead.pk}


def test_bulk_owner_change_sets_the_owner_on_each(force_a, reviewer):
    lead = PsdLeadFactory(forces=[force_a])
    actions = [ActionFactory(recommendation__report__subject_force=force_a) for _ in range(2)]
    assert workflow.bulk_update(actions, by=reviewer, set_owner=True, owner=lead) == 2
    assert set(Action.objects.values_list("owner", flat=True)) == {lead.pk}


PUBLISHING = [
    pytest.param(
        lambda force, published: ActionFactory(force=force, is_publishable=published),
        workflow.set_publishable,
        id="action",
    ),
    pytest.param(
        lambda force, published: ReportFactory(subject_force=force, is_publishable=published),
        workflow.set_report_publishable,
        id="report",
    ),
]


@pytest.mark.parametrize(("make", "publish"), PUBLISHING)
@pytest.mark.parametrize(
    ("published", "reason"),
    [(True, "Published on the public register"), (False, "Removed from the public register")],
)
def test_publishing_records_the_reviewer_and_what_changed(force_a, reviewer, make, publish, published, reason):
    record = make(force_a, not published)
    publish(record, by=reviewer, publishable=published)
    last = record.history.latest()
    assert (last.is_publishable, last.history_user, last.history_change_reason) == (published, reviewer, reason)
