"""Areas for improvement: a second kind of item, numbered, tracked, shown, filtered and counted on its own."""

import csv
import datetime
import io
import json

import pytest
from django.core import serializers
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import ActionFactory, AreaForImprovementFactory, RecommendationFactory, ReportFactory
from tracker import workflow
from tracker.importer import build_fixture, summary_lines
from tracker.models import Action, Force, Recommendation
from tracker.reminders import owner_reminders
from tracker.report_parser import AREA_FOR_IMPROVEMENT, RECOMMENDATION, ParsedRecommendation, ParsedReport
from tracker.selectors import KindCounts, force_summaries

pytestmark = pytest.mark.django_db
D = datetime.date
S = Action.Status
AFI = Recommendation.Kind.AREA_FOR_IMPROVEMENT


@pytest.fixture
def report_a(force_a):
    return ReportFactory(slug="pic-2014-west-midlands", subject_force=force_a)


@pytest.fixture
def recommendation_action(report_a, force_a):
    """Recommendation 1, overdue on the frozen today."""
    return ActionFactory(recommendation=RecommendationFactory(report=report_a, number=1), force=force_a)


@pytest.fixture
def afi_action(report_a, force_a):
    """Area for improvement 1 of the same report: no due date."""
    return ActionFactory(recommendation=AreaForImprovementFactory(report=report_a, number=1), force=force_a)


# The model ------------------------------------------------------------------------------------------------


def test_the_parsers_kinds_are_the_models():
    assert (Recommendation.Kind.RECOMMENDATION, AFI) == (RECOMMENDATION, AREA_FOR_IMPROVEMENT)


def test_a_recommendation_is_the_default_kind(report_a):
    assert Recommendation.objects.create(report=report_a, number=1, text="x").kind == RECOMMENDATION


def test_numbers_count_within_each_kind(recommendation_action, afi_action):
    assert recommendation_action.recommendation.number == afi_action.recommendation.number == 1
    assert recommendation_action.recommendation.label == "Recommendation 1"
    assert afi_action.recommendation.label == "Area for improvement 1"


def test_a_number_is_unique_within_its_kind(afi_action):
    with pytest.raises(IntegrityError), transaction.atomic():
        AreaForImprovementFactory(report=afi_action.recommendation.report, number=1)


def test_an_area_for_improvement_is_tracked_through_the_workflow(today, afi_action, psd_lead_a, reviewer):
    workflow.transition(afi_action, "start", by=psd_lead_a)
    workflow.transition(
        afi_action, "complete", by=psd_lead_a, text="Appeal outcomes now recorded in the vetting system."
    )
    workflow.transition(afi_action, "verify", by=reviewer)

    afi_action.refresh_from_db()
    assert afi_action.status == S.VERIFIED and afi_action.verified_at is not None
    assert [row.history_user for row in afi_action.history.order_by("history_date", "history_id")][-3:] == [
        psd_lead_a,
        psd_lead_a,
        reviewer,
    ]


def test_an_area_for_improvement_without_a_due_date_is_never_overdue(today, afi_action):
    assert not afi_action.is_overdue
    assert not Action.objects.overdue(today).filter(pk=afi_action.pk).exists()


def test_the_kind_is_kept_in_the_recommendations_history(afi_action):
    assert afi_action.recommendation.history.get().kind == AFI


# Natural keys ---------------------------------------------------------------------------------------------


def test_a_recommendations_natural_key_is_the_pair_it_always_was(recommendation_action):
    recommendation = recommendation_action.recommendation
    assert recommendation.natural_key() == ("pic-2014-west-midlands", 1)
    assert Recommendation.objects.get_by_natural_key(*recommendation.natural_key()) == recommendation
    assert recommendation_action.natural_key() == ("pic-2014-west-midlands", 1, "west-midlands")
    assert Action.objects.get_by_natural_key(*recommendation_action.natural_key()) == recommendation_action


def test_an_area_for_improvements_natural_key_adds_its_kind(recommendation_action, afi_action):
    afi = afi_action.recommendation
    assert afi.natural_key() == ("pic-2014-west-midlands", 1, AFI)
    assert Recommendation.objects.get_by_natural_key(*afi.natural_key()) == afi
    assert afi_action.natural_key() == ("pic-2014-west-midlands", 1, "west-midlands", AFI)
    assert Action.objects.get_by_natural_key(*afi_action.natural_key()) == afi_action


def test_natural_keys_round_trip_through_a_dump(recommendation_action, afi_action):
    rows = [recommendation_action.recommendation, afi_action.recommendation, recommendation_action, afi_action]
    text = serializers.serialize("json", rows, use_natural_foreign_keys=True, use_natural_primary_keys=True)
    assert [row["fields"]["recommendation"] for row in json.loads(text)[2:]] == [
        ["pic-2014-west-midlands", 1],
        ["pic-2014-west-midlands", 1, AFI],
    ]
    Action.objects.all().delete()
    Recommendation.objects.all().delete()

    for restored in serializers.deserialize("json", text):
        restored.save()

    assert Action.objects.get(recommendation__kind=AFI).recommendation.label == "Area for improvement 1"
    assert Action.objects.get(recommendation__kind=RECOMMENDATION).recommendation.label == "Recommendation 1"


# Fixtures -------------------------------------------------------------------------------------------------


def _parsed(force: Force) -> ParsedReport:
    def item(kind, number, text, timeframe="", due=None):
        return ParsedRecommendation(number, text, timeframe, due, "day" if due else None, ("subject",), "", "", kind)

    return ParsedReport(
        title="PEEL: Police effectiveness",
        series="PEEL 2016",
        subject=force.name,
        is_national=False,
        published=D(2016, 3, 1),
        published_precision="day",
        isbn="",
        recommendations=(
            item(
                RECOMMENDATION,
                1,
                "Within three months, the force should publish a policy.",
                "Within three months",
                D(2016, 6, 1),
            ),
            item(AREA_FOR_IMPROVEMENT, 1, "The force should improve how it records vetting appeals."),
            item(AREA_FOR_IMPROVEMENT, 2, "The force should improve its supervision of investigations."),
        ),
        key_figures=(),
        warnings=(),
    )


def test_a_fixture_names_the_kind_of_an_area_for_improvement_only(force_a):
    built = build_fixture(_parsed(force_a), source_name="peel.txt")
    recommendations = [row["fields"] for row in built.rows if row["model"] == "tracker.recommendation"]
    actions = [row["fields"]["recommendation"] for row in built.rows if row["model"] == "tracker.action"]
    assert [fields.get("kind") for fields in recommendations] == [None, AFI, AFI]
    assert actions == [
        ["peel-2016-west-midlands", 1],
        ["peel-2016-west-midlands", 1, AFI],
        ["peel-2016-west-midlands", 2, AFI],
    ]


def test_a_fixture_with_areas_for_improvement_loads_and_reloads_without_change(force_a, psd_lead_a, tmp_path):
    path = tmp_path / "peel.json"
    path.write_text(build_fixture(_parsed(force_a), source_name="peel.txt").to_json())
    call_command("loaddata", path, verbosity=0)
    afi = Action.objects.get(recommendation__kind=AFI, recommendation__number=2)
    workflow.transition(afi, "start", by=psd_lead_a)
    before = list(Action.objects.order_by("pk").values())
    history = Action.history.count()

    call_command("loaddata", path, verbosity=0)

    assert list(Action.objects.order_by("pk").values()) == before
    assert Action.history.count() == history
    assert Recommendation.objects.filter(kind=AFI).count() == 2 and Recommendation.objects.count() == 3
    assert Action.objects.get(recommendation__kind=AFI, recommendation__number=1).due_date is None


def test_the_summary_lists_areas_for_improvement_apart(force_a):
    lines = summary_lines(build_fixture(_parsed(force_a), source_name="peel.txt"))
    assert "Recommendations: 1; actions: 3" in lines and "Areas for improvement: 2" in lines
    assert any(line.startswith("  AFI  2. (no timeframe) → due no date → west-midlands") for line in lines)


# Pages, lists and exports ---------------------------------------------------------------------------------


def test_the_kind_filter_narrows_the_list_to_areas_for_improvement(
    client, today, recommendation_action, afi_action, psd_lead_a
):
    client.force_login(psd_lead_a)
    afis = client.get(reverse("tracker:action_list"), {"kind": AFI})
    recommendations = client.get(reverse("tracker:action_list"), {"kind": RECOMMENDATION})
    both = client.get(reverse("tracker:action_list"))
    assert list(afis.context["page_obj"]) == [afi_action]
    assert list(recommendations.context["page_obj"]) == [recommendation_action]
    assert set(both.context["page_obj"]) == {afi_action, recommendation_action}


def test_the_kind_filter_is_kept_in_the_download_links(client, afi_action, psd_lead_a):
    client.force_login(psd_lead_a)
    response = client.get(reverse("tracker:action_list"), {"kind": AFI})
    assert all(f"kind={AFI}" in url for _, url in response.context["export_urls"])


def test_lists_name_an_area_for_improvement_in_the_users_words(client, afi_action, psd_lead_a):
    client.force_login(psd_lead_a)
    assert "Area for improvement 1" in client.get(reverse("tracker:action_list")).content.decode()


def test_the_action_page_names_its_kind(client, afi_action, psd_lead_a):
    client.force_login(psd_lead_a)
    page = client.get(afi_action.get_absolute_url()).content.decode()
    assert '<h1 class="govuk-heading-l">Area for improvement 1</h1>' in page


def test_the_report_page_lists_recommendations_and_areas_for_improvement_in_sections(
    client, recommendation_action, afi_action, psd_lead_a
):
    AreaForImprovementFactory(report=afi_action.recommendation.report, number=2)
    client.force_login(psd_lead_a)
    response = client.get(afi_action.recommendation.report.get_absolute_url())
    sections = [(s.heading, [r.label for r in s.recommendations]) for s in response.context["sections"]]
    assert sections == [
        ("Recommendations", ["Recommendation 1"]),
        ("Areas for improvement", ["Area for improvement 1", "Area for improvement 2"]),
    ]
    page = response.content.decode()
    assert page.index("Recommendation 1") < page.index(">Areas for improvement<") < page.index("Area for improvement 1")


def test_a_report_with_recommendations_only_has_no_empty_section(client, recommendation_action, psd_lead_a):
    client.force_login(psd_lead_a)
    response = client.get(recommendation_action.recommendation.report.get_absolute_url())
    assert [s.heading for s in response.context["sections"]] == ["Recommendations"]
    assert "Areas for improvement" not in response.content.decode()


def test_the_export_has_a_kind_column(client, recommendation_action, afi_action, psd_lead_a):
    client.force_login(psd_lead_a)
    response = client.get(reverse("tracker:action_export", args=["csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted((row["Kind"], row["Recommendation number"]) for row in rows) == [
        ("Area for improvement", "1"),
        ("Recommendation", "1"),
    ]


def test_the_reminder_names_an_area_for_improvement(today, afi_action, psd_lead_a):
    Action.objects.filter(pk=afi_action.pk).update(owner=psd_lead_a, due_date=D(2015, 6, 10))
    [reminder] = owner_reminders(today)
    assert "Police Integrity and Corruption, area for improvement 1\n  Due 10 June 2015" in reminder.body


# The public register ---------------------------------------------------------------------------------------


def test_the_register_shows_and_filters_areas_for_improvement_apart(client, recommendation_action, afi_action):
    Action.objects.update(is_publishable=True)
    report = afi_action.recommendation.report
    page = client.get(reverse("tracker:register_report", args=[report.slug]))
    assert [s.heading for s in page.context["sections"]] == ["Recommendations", "Areas for improvement"]
    filtered = client.get(reverse("tracker:register"), {"kind": AFI})
    assert list(filtered.context["page_obj"]) == [afi_action]


# The dashboard ---------------------------------------------------------------------------------------------


def _recount(force: Force, kind: str, today: datetime.date) -> tuple[int, int]:
    actions = Action.objects.filter(force=force, recommendation__kind=kind)
    return actions.open().count(), actions.overdue(today).count()


def test_the_dashboard_counts_areas_for_improvement_apart(
    client, today, force_a, force_b, reviewer, django_assert_max_num_queries
):
    report = ReportFactory(subject_force=force_a)
    ActionFactory(recommendation=RecommendationFactory(report=report), force=force_a, due_date=D(2015, 5, 1))
    ActionFactory(recommendation=RecommendationFactory(report=report), force=force_a, due_date=D(2015, 7, 1))
    ActionFactory(recommendation=AreaForImprovementFactory(report=report), force=force_a, due_date=D(2015, 5, 1))
    ActionFactory(recommendation=AreaForImprovementFactory(report=report), force=force_a)
    ActionFactory(recommendation=AreaForImprovementFactory(report=report), force=force_a, status=S.VERIFIED)
    ActionFactory(recommendation=AreaForImprovementFactory(), force=force_b, due_date=D(2015, 5, 1))
    client.force_login(reviewer)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("tracker:dashboard"))
    assert response.status_code == 200
    rows = {f.slug: f for f in response.context["forces"]}
    a, b = rows["west-midlands"], rows["leicestershire"]
    assert (a.recommendation_open_count, a.recommendation_overdue_count) == (2, 1)
    assert (a.afi_open_count, a.afi_overdue_count) == (2, 1)
    assert (b.recommendation_open_count, b.afi_open_count, b.afi_overdue_count) == (0, 1, 1)
    for force in (force_a, force_b):
        row = rows[force.slug]
        assert (row.recommendation_open_count, row.recommendation_overdue_count) == _recount(
            force, RECOMMENDATION, today
        )
        assert (row.afi_open_count, row.afi_overdue_count) == _recount(force, AFI, today)
    totals = response.context["totals"]
    assert (totals["afi_open_count"], totals["afi_overdue_count"]) == (3, 2)
    assert (totals["recommendation_open_count"], totals["recommendation_overdue_count"]) == (2, 1)


def test_the_dashboard_counts_in_as_many_queries_with_areas_for_improvement(
    client, today, force_a, force_b, reviewer, django_assert_num_queries
):
    ActionFactory(recommendation__report__subject_force=force_a)
    client.force_login(reviewer)
    client.get(reverse("tracker:dashboard"))  # the session and the user, read once
    ActionFactory(recommendation__report__subject_force=force_a)  # open actions counted afresh, as after any change
    with CaptureQueriesContext(connection) as before:
        assert client.get(reverse("tracker:dashboard")).status_code == 200
    for _ in range(3):
        ActionFactory(recommendation=AreaForImprovementFactory(report__subject_force=force_b), force=force_b)
    with django_assert_num_queries(len(before.captured_queries)):
        response = client.get(reverse("tracker:dashboard"))
    assert response.status_code == 200
    assert {f.slug: f.afi_open_count for f in response.context["forces"]} == {"leicestershire": 3, "west-midlands": 0}


def test_force_summaries_count_every_action_once(today, force_a):
    ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 5, 1))
    ActionFactory(recommendation=AreaForImprovementFactory(report__subject_force=force_a), force=force_a)
    [row] = force_summaries(Force.objects.filter(pk=force_a.pk), today)
    assert (row.open_count, row.overdue_count) == (2, 1)
    assert row.recommendation_open_count + row.afi_open_count == row.open_count


def test_the_dashboard_sorts_by_areas_for_improvement_overdue(client, today, force_a, force_b, reviewer):
    ActionFactory(recommendation__report__subject_force=force_b, due_date=D(2015, 5, 1))
    ActionFactory(
        recommendation=AreaForImprovementFactory(report__subject_force=force_a, due_date=D(2015, 5, 1)),
        force=force_a,
        due_date=D(2015, 5, 1),
    )
    client.force_login(reviewer)
    by_afi = client.get(reverse("tracker:dashboard"), {"sort": "afi"}).context["forces"]
    by_recommendations = client.get(reverse("tracker:dashboard"), {"sort": "overdue"}).context["forces"]
    assert [f.slug for f in by_afi] == ["west-midlands", "leicestershire"]
    assert [f.slug for f in by_recommendations] == ["leicestershire", "west-midlands"]


def test_the_dashboard_chart_counts_overdue_recommendations_as_its_column_does(
    client, today, force_a, force_b, reviewer
):
    report = ReportFactory(subject_force=force_a)
    for due in (D(2015, 4, 1), D(2015, 5, 1), D(2015, 7, 1)):
        ActionFactory(recommendation=RecommendationFactory(report=report), force=force_a, due_date=due)
    for _ in range(3):  # overdue areas for improvement of force B: many, but not recommendations
        ActionFactory(
            recommendation=AreaForImprovementFactory(report__subject_force=force_b),
            force=force_b,
            due_date=D(2015, 5, 1),
        )
    ActionFactory(
        recommendation=RecommendationFactory(report__subject_force=force_b), force=force_b, due_date=D(2015, 5, 1)
    )
    client.force_login(reviewer)
    response = client.get(reverse("tracker:dashboard"), {"sort": "force"})
    chart = response.context["overdue_chart"]
    assert [(bar.force.slug, bar.count, bar.percent) for bar in chart] == [
        ("west-midlands", 2, 100),
        ("leicestershire", 1, 50),
    ]
    column = {f.slug: f.recommendation_overdue_count for f in response.context["forces"]}
    assert all(bar.count == column[bar.force.slug] == _recount(bar.force, RECOMMENDATION, today)[1] for bar in chart)
    page = response.content.decode()
    assert page.count('<h2 class="govuk-heading-m" id="overdue-chart">Overdue recommendations per force</h2>') == 1
    assert '2<span class="govuk-visually-hidden"> overdue recommendations</span>' in page
    assert '1<span class="govuk-visually-hidden"> overdue recommendation</span>' in page


def test_the_dashboard_has_no_chart_without_overdue_recommendations(client, today, force_a, reviewer):
    ActionFactory(
        recommendation=AreaForImprovementFactory(report__subject_force=force_a), force=force_a, due_date=D(2015, 5, 1)
    )
    client.force_login(reviewer)
    response = client.get(reverse("tracker:dashboard"))
    assert response.context["overdue_chart"] == []
    assert "overdue-chart" not in response.content.decode()


# The force page --------------------------------------------------------------------------------------------


@pytest.fixture
def mixed_report(report_a, force_a, force_b):
    """A report of force A with two recommendations and three areas for improvement, in every state."""
    recommendations = [RecommendationFactory(report=report_a, number=n) for n in (1, 2, 3)]
    ActionFactory(recommendation=recommendations[0], force=force_a, due_date=D(2015, 5, 1))  # overdue
    ActionFactory(recommendation=recommendations[1], force=force_a, due_date=D(2015, 7, 1), status=S.COMPLETED)
    ActionFactory(recommendation=recommendations[2], force=force_b, due_date=D(2015, 5, 1))  # another force's
    afis = [AreaForImprovementFactory(report=report_a, number=n) for n in (1, 2, 3)]
    ActionFactory(recommendation=afis[0], force=force_a, due_date=D(2015, 5, 1))  # overdue
    ActionFactory(recommendation=afis[1], force=force_a)  # open, no due date
    ActionFactory(recommendation=afis[2], force=force_a, status=S.VERIFIED)
    return report_a


def _kind_recount(actions, today: datetime.date) -> list[KindCounts]:
    """Count each kind's actions one query at a time, the plain way."""
    rows = []
    for kind, plural in Recommendation.KIND_PLURALS.items():
        of_kind = actions.filter(recommendation__kind=kind)
        counts = KindCounts(
            plural,
            of_kind.count(),
            of_kind.overdue(today).count(),
            of_kind.open().count(),
            of_kind.awaiting_review().count(),
            of_kind.filter(status=S.VERIFIED).count(),
        )
        if counts.total:
            rows.append(counts)
    return rows


def test_the_force_page_counts_each_reports_recommendations_and_areas_for_improvement_apart(
    client, today, mixed_report, force_a, psd_lead_a
):
    client.force_login(psd_lead_a)
    response = client.get(force_a.get_absolute_url())
    (report,) = response.context["reports"]
    assert report.kind_counts == [
        KindCounts("Recommendations", total=2, overdue=1, open=1, awaiting_review=1, verified=0),
        KindCounts("Areas for improvement", total=3, overdue=1, open=2, awaiting_review=0, verified=1),
    ]
    assert report.kind_counts == _kind_recount(
        Action.objects.filter(force=force_a, recommendation__report=report), today
    )
    assert (report.action_count, report.overdue_count, report.open_count) == (5, 2, 3)  # every action, as before
    assert (
        "Recommendations: 1 overdue, 1 open, 1 awaiting review, of 2 · "
        "Areas for improvement: 1 overdue, 2 open, 0 awaiting review, of 3</span>"
    ) in response.content.decode()


def test_the_force_pages_headline_counts_recommendations_and_areas_for_improvement_apart(
    client, today, mixed_report, force_a, psd_lead_a
):
    ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 4, 1))  # another report
    client.force_login(psd_lead_a)
    response = client.get(force_a.get_absolute_url())
    assert response.context["summary_by_kind"] == [
        KindCounts("Recommendations", total=3, overdue=2, open=2, awaiting_review=1, verified=0),
        KindCounts("Areas for improvement", total=3, overdue=1, open=2, awaiting_review=0, verified=1),
    ]
    assert response.context["summary_by_kind"] == _kind_recount(Action.objects.filter(force=force_a), today)
    page = response.content.decode()
    assert '<th scope="row" class="govuk-table__header">Areas for improvement</th>' in page


def test_a_force_without_areas_for_improvement_shows_recommendations_only(
    client, today, recommendation_action, force_a, psd_lead_a
):
    client.force_login(psd_lead_a)
    response = client.get(force_a.get_absolute_url())
    (report,) = response.context["reports"]
    assert (
        [c.kind for c in report.kind_counts]
        == [c.kind for c in response.context["summary_by_kind"]]
        == ["Recommendations"]
    )
    assert "Recommendations: 1 overdue, 1 open, 0 awaiting review, of 1</span>" in response.content.decode()


def test_the_force_page_counts_in_as_many_queries_with_areas_for_improvement(
    client, today, force_a, psd_lead_a, django_assert_num_queries
):
    ActionFactory(recommendation__report__subject_force=force_a)
    client.force_login(psd_lead_a)
    client.get(force_a.get_absolute_url())  # the session and the user, read once
    # As many as before the counts were split, and one for the commissioner's responses awaited
    with django_assert_num_queries(9):
        response = client.get(force_a.get_absolute_url())
    assert response.status_code == 200 and response.context["summary"].afi_open_count == 0
    for _ in range(3):
        ActionFactory(recommendation=AreaForImprovementFactory(report__subject_force=force_a), force=force_a)
    with django_assert_num_queries(9):
        response = client.get(force_a.get_absolute_url())
    assert response.status_code == 200 and response.context["summary"].afi_open_count == 3
    assert sum(len(actions) for actions in response.context["reports"].values()) == 4


# The API ---------------------------------------------------------------------------------------------------


def _api(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return api


def test_the_api_gives_each_actions_kind(recommendation_action, afi_action, psd_lead_a):
    response = _api(psd_lead_a).get(reverse("api:action-detail", args=[afi_action.pk]))
    assert response.json()["recommendation"]["kind"] == AFI
    assert response.json()["recommendation"]["label"] == "Area for improvement 1"


def test_the_api_filters_actions_and_recommendations_by_kind(recommendation_action, afi_action, psd_lead_a):
    api = _api(psd_lead_a)
    actions = api.get(reverse("api:action-list"), {"kind": AFI}).json()["results"]
    recommendations = api.get(reverse("api:recommendation-list"), {"kind": RECOMMENDATION}).json()["results"]
    assert [row["id"] for row in actions] == [afi_action.pk]
    assert [(row["kind"], row["number"]) for row in recommendations] == [(RECOMMENDATION, 1)]
