"""Landing pages, force page, dashboard, lists and reports, scoped per role."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import ActionFactory, ForceFactory, PsdLeadFactory, RecommendationFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_psd_lead_lands_on_their_force(client, force_a, psd_lead_a):
    client.force_login(psd_lead_a)
    response = client.get(reverse("tracker:home"))
    assert response.status_code == 302 and response["Location"] == force_a.get_absolute_url()


def test_reviewer_lands_on_the_dashboard(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("tracker:home"))["Location"] == reverse("tracker:dashboard")


def test_psd_lead_of_several_forces_chooses_one(client, force_a, force_b):
    client.force_login(PsdLeadFactory(forces=[force_a, force_b]))
    response = client.get(reverse("tracker:home"))
    assert response.status_code == 200 and force_b.name in response.content.decode()


def test_psd_lead_cannot_see_the_dashboard(client, psd_lead_a):
    client.force_login(psd_lead_a)
    assert client.get(reverse("tracker:dashboard")).status_code == 403


def test_dashboard_counts_overdue_per_force(client, today, force_a, force_b, reviewer, django_assert_max_num_queries):
    ActionFactory(recommendation__report__subject_force=force_a, due_date=today.replace(month=5))
    ActionFactory(recommendation__report__subject_force=force_a, due_date=today.replace(month=7))
    ActionFactory(recommendation__report__subject_force=force_b, due_date=today.replace(month=7))
    client.force_login(reviewer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("tracker:dashboard"))
    assert response.status_code == 200
    rows = {f.slug: f for f in response.context["forces"]}
    assert rows["west-midlands"].overdue_count == 1 and rows["west-midlands"].open_count == 2
    assert rows["leicestershire"].overdue_count == 0


def test_dashboard_shows_how_long_each_forces_overdue_actions_have_been_overdue(
    client, today, force_a, force_b, reviewer
):
    for due in (D(2015, 5, 1), D(2014, 9, 1), D(2012, 1, 1)):
        ActionFactory(force=force_a, due_date=due)
    ActionFactory(force=force_b, due_date=D(2015, 5, 20))
    ActionFactory(force=force_b, due_date=D(2015, 9, 1))  # not yet due
    client.force_login(reviewer)
    response = client.get(reverse("tracker:dashboard"))
    rows = [(row.force.slug if row.force else None, row.counts, row.total) for row in response.context["overdue_ages"]]
    assert rows == [
        ("west-midlands", (1, 1, 0, 1), 3),
        ("leicestershire", (1, 0, 0, 0), 1),
        (None, (2, 1, 0, 1), 4),  # every force
    ]
    page = response.content.decode()
    assert "How long overdue actions have been overdue" in page
    for label in ("Under 6 months", "6 to 12 months", "1 to 2 years", "Over 2 years"):
        assert f'<th scope="col" class="govuk-table__header govuk-table__header--numeric">{label}</th>' in page


def test_dashboard_leaves_out_the_ageing_table_when_nothing_is_overdue(client, today, force_a, reviewer):
    ActionFactory(force=force_a, due_date=D(2015, 9, 1))
    client.force_login(reviewer)
    response = client.get(reverse("tracker:dashboard"))
    assert response.context["overdue_ages"] == []
    assert "How long overdue actions have been overdue" not in response.content.decode()


def test_force_page_puts_overdue_first(client, today, force_a, psd_lead_a):
    recommendation = RecommendationFactory(report__subject_force=force_a)
    later = ActionFactory(recommendation=recommendation, due_date=today.replace(month=9))
    overdue = ActionFactory(
        recommendation=RecommendationFactory(report=recommendation.report), due_date=today.replace(month=5)
    )
    client.force_login(psd_lead_a)
    response = client.get(force_a.get_absolute_url())
    assert list(response.context["reports"].values())[0] == [overdue, later]


def test_psd_lead_cannot_open_another_forces_page(client, force_b, psd_lead_a):
    client.force_login(psd_lead_a)
    assert client.get(force_b.get_absolute_url()).status_code == 404


def test_action_list_is_scoped_then_filtered(
    client, today, force_a, force_b, psd_lead_a, django_assert_max_num_queries
):
    ActionFactory(recommendation__report__subject_force=force_a, due_date=today.replace(month=5))
    ActionFactory(recommendation__report__subject_force=force_a, due_date=today.replace(month=9))
    ActionFactory(recommendation__report__subject_force=force_b, due_date=today.replace(month=5))
    client.force_login(psd_lead_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("tracker:action_list"), {"overdue": "true"})
    assert response.status_code == 200
    assert [a.force for a in response.context["page_obj"]] == [force_a]


def test_action_list_ignores_a_filter_for_another_force(client, force_a, force_b, psd_lead_a):
    ActionFactory(recommendation__report__subject_force=force_b)
    client.force_login(psd_lead_a)
    response = client.get(reverse("tracker:action_list"), {"force": force_b.slug})
    assert not list(response.context["page_obj"])


def test_report_page_lists_each_forces_status(client, reviewer):
    recommendation = RecommendationFactory(report__subject_force=None, report__title="Without fear or favour")
    forces = [ForceFactory() for _ in range(3)]
    for force in forces:
        ActionFactory(recommendation=recommendation, force=force)
    client.force_login(reviewer)
    body = client.get(recommendation.report.get_absolute_url()).content.decode()
    assert all(force.name in body for force in forces)


def test_report_of_another_force_is_not_found(client, force_b, psd_lead_a):
    action = ActionFactory(recommendation__report__subject_force=force_b)
    client.force_login(psd_lead_a)
    assert client.get(action.recommendation.report.get_absolute_url()).status_code == 404


def test_login_page_renders(client):
    assert client.get(reverse("login")).status_code == 200


def test_force_page_shows_reports_with_overdue_actions_first(client, today, force_a, psd_lead_a):
    done = ActionFactory(
        recommendation__report__subject_force=force_a,
        recommendation__report__published_on=today.replace(year=2015, month=3),
        status="verified",
    )
    late = ActionFactory(
        recommendation__report__subject_force=force_a,
        recommendation__report__published_on=today.replace(year=2014, month=1),
        due_date=today.replace(month=5),
    )
    client.force_login(psd_lead_a)
    response = client.get(force_a.get_absolute_url())
    reports = list(response.context["reports"])
    assert reports == [late.recommendation.report, done.recommendation.report]
    assert reports[0].overdue_count == 1 and reports[1].overdue_count == 0


def test_force_page_pages_through_reports_ten_at_a_time(client, today, force_a, psd_lead_a):
    for _ in range(12):
        ActionFactory(recommendation__report__subject_force=force_a)
    client.force_login(psd_lead_a)
    first = client.get(force_a.get_absolute_url())
    second = client.get(force_a.get_absolute_url(), {"page": 2})
    assert len(first.context["reports"]) == 10 and len(second.context["reports"]) == 2
    assert "Reports 1 to 10 of 12" in first.content.decode()
    assert not set(first.context["reports"]) & set(second.context["reports"])


def test_force_page_counts_only_that_forces_actions(client, today, force_a, force_b, reviewer):
    recommendation = RecommendationFactory(report__subject_force=None)
    ActionFactory(recommendation=recommendation, force=force_a, due_date=today.replace(month=5))
    ActionFactory(recommendation=recommendation, force=force_b, due_date=today.replace(month=5))
    client.force_login(reviewer)
    (report,) = client.get(force_a.get_absolute_url()).context["reports"]
    assert report.action_count == 1 and report.overdue_count == 1


def test_action_list_narrowed_to_a_report_names_it_with_a_link_to_remove_it(client, force_a, psd_lead_a):
    wanted = ActionFactory(recommendation__report__subject_force=force_a, recommendation__report__title="Vetting")
    ActionFactory(recommendation__report__subject_force=force_a)
    client.force_login(psd_lead_a)
    response = client.get(reverse("tracker:action_list"), {"report": wanted.recommendation.report.slug, "page": 1})
    body = response.content.decode()
    assert list(response.context["page_obj"]) == [wanted]
    assert "Report: <a" in body and "Vetting" in body
    assert 'href="?"' in body  # the remove link drops the report (and the page)


def test_action_list_filters_by_inspection_round(client, force_a, psd_lead_a):
    wanted = ActionFactory(
        recommendation__report__subject_force=force_a, recommendation__report__series="Integrity 2014"
    )
    ActionFactory(recommendation__report__subject_force=force_a, recommendation__report__series="Vetting 2019")
    client.force_login(psd_lead_a)
    response = client.get(reverse("tracker:action_list"), {"series": "Integrity 2014"})
    assert list(response.context["page_obj"]) == [wanted]


def test_report_list_counts_only_the_actions_a_psd_lead_can_see(client, force_a, force_b, psd_lead_a):
    recommendation = RecommendationFactory(report__subject_force=None)
    ActionFactory(recommendation=recommendation, force=force_a)
    ActionFactory(recommendation=recommendation, force=force_b)
    ActionFactory(recommendation__report__subject_force=force_b)
    client.force_login(psd_lead_a)
    (report,) = client.get(reverse("tracker:report_list")).context["page_obj"]
    assert report == recommendation.report and report.action_count == 1


def test_report_list_filters_by_round_and_pages(client, force_a, reviewer):
    for _ in range(51):
        ActionFactory(recommendation__report__subject_force=force_a, recommendation__report__series="Integrity 2014")
    ActionFactory(recommendation__report__subject_force=force_a, recommendation__report__series="Vetting 2019")
    client.force_login(reviewer)
    first = client.get(reverse("tracker:report_list"), {"series": "Integrity 2014"})
    assert first.context["page_obj"].paginator.count == 51 and len(first.context["page_obj"]) == 50
    vetting = client.get(reverse("tracker:report_list"), {"series": "Vetting 2019"})
    assert [r.series for r in vetting.context["page_obj"]] == ["Vetting 2019"]
