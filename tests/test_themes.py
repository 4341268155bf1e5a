"""Themes: the same recommendation made to several forces, found on import and regrouped by reviewers."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from tests.factories import (
    ActionFactory,
    AreaForImprovementFactory,
    ForceFactory,
    RecommendationFactory,
    ReportFactory,
    ThemeFactory,
)
from tracker import themes
from tracker.models import Action, Recommendation, Theme

pytestmark = pytest.mark.django_db
QUIET = {"stdout": open("/dev/null", "w")}


FORCE_REPORTS = [
    f"fixtures/reports/police-integrity-and-corruption-2014-{force}.json"
    for force in ("west-midlands", "cambridgeshire", "leicestershire", "metropolitan")
]


@pytest.fixture
def seeds(db):
    """Load the four 2014 force reports as shipped (the national review adds nothing to these themes)."""
    call_command("loaddata", "fixtures/forces.json", verbosity=0)
    call_command("load_reports", *FORCE_REPORTS, **QUIET)


def _forces_of(theme: Theme) -> set[str]:
    return {r.report.subject_force.slug for r in theme.recommendations.select_related("report__subject_force")}


def _theme_of(text_start: str, force: str) -> Theme:
    return Recommendation.objects.get(text__startswith=text_start, report__subject_force__slug=force).theme


def test_notifiable_associations_theme_found_for_three_forces(seeds):
    theme = _theme_of("Within six months, the force should ensure that it has communicated", "west-midlands")
    assert _forces_of(theme) == {"west-midlands", "cambridgeshire", "leicestershire"}


def test_proactive_capability_theme_found_for_three_forces(seeds):
    theme = _theme_of("Within six months, the force should ensure that it has the proactive", "west-midlands")
    assert _forces_of(theme) == {"west-midlands", "cambridgeshire", "leicestershire"}


def test_lessons_to_be_learnt_theme_found_for_west_midlands_and_the_met(seeds):
    theme = _theme_of("Within six months, the force should ensure it has an effective process", "metropolitan")
    assert _forces_of(theme) == {"west-midlands", "metropolitan"}


def test_suspension_policy_theme_found_for_west_midlands_and_leicestershire(seeds):
    theme = _theme_of("Within six months, the force should publish a policy", "leicestershire")
    assert _forces_of(theme) == {"west-midlands", "leicestershire"}


@pytest.mark.parametrize(
    "text_start,force",
    [
        (
            "Within six months, the force should ensure it complies, as far as practicable, with the current",
            "cambridgeshire",
        ),
        ("Within six months, the force should work with the EMSOU", "leicestershire"),
        (
            "Within six months, the force should ensure that all staff in inspector and superintendent ranks",
            "metropolitan",
        ),
        ("With immediate effect, the force should publish to all staff the outcomes of misconduct", "metropolitan"),
        (
            "Within six months, force should ensure that it has a policy which informs staff of the gifts",
            "west-midlands",
        ),
    ],
)
def test_unrelated_recommendations_stay_single(seeds, text_start, force):
    theme = _theme_of(text_start, force)
    assert theme.recommendations.count() == 1


def test_wording_differences_are_ignored():
    a = themes.signature(
        "Within six months, the force should ensure that it has the capability to respond to and act on information."
    )
    b = themes.signature(
        "Within 3 months the force should ensure it has the capability to respond and act on information"
    )
    assert themes.similarity(a, b) == 1.0


def test_narrower_wording_scores_lower_than_the_same_wording():
    wide = themes.signature(
        "communicate the requirements to comply with policies on business interests and gifts and hospitality"
    )
    narrow = themes.signature("communicate the requirements to comply with the gifts and hospitality policy")
    assert 0 < themes.similarity(wide, narrow) < 1


def test_threshold_decides_whether_a_recommendation_joins(settings, force_a, force_b):
    first = RecommendationFactory(
        report__subject_force=force_a, text="Publish a policy on gifts and hospitality registers."
    )
    themes.assign_themes([first])
    second = RecommendationFactory(
        report__subject_force=force_b, text="Publish a policy on gifts, hospitality and business interests."
    )
    settings.THEME_SIMILARITY_THRESHOLD = 0.99
    themes.assign_themes([second])
    assert second.theme_id != first.theme_id
    second.theme = None
    second.save()
    themes.assign_themes([Recommendation.objects.get(pk=second.pk)], minimum=0.5)
    assert Recommendation.objects.get(pk=second.pk).theme_id == first.theme_id


def test_recommendations_of_one_report_never_join_each_other(force_a):
    report = ReportFactory(subject_force=force_a)
    a = RecommendationFactory(report=report, text="Publish the policy on secondary employment.")
    b = RecommendationFactory(report=report, text="Publish the policy on secondary employment.")
    themes.assign_themes([a, b])
    assert a.theme_id != b.theme_id


def test_an_area_for_improvement_never_joins_a_recommendations_theme(force_a, force_b):
    recommendation = RecommendationFactory(
        report__subject_force=force_a, text="Publish a gifts and hospitality policy."
    )
    afi = AreaForImprovementFactory(report__subject_force=force_b, text="Publish a gifts and hospitality policy.")
    themes.assign_themes([recommendation])
    themes.assign_themes([afi])
    assert afi.theme_id != recommendation.theme_id


def test_reviewer_merges_two_themes_with_history(seeds, reviewer):
    target = _theme_of("Within six months, the force should publish a policy", "leicestershire")
    source = _theme_of("Within six months, force should ensure that it has a policy which informs", "west-midlands")
    themes.merge(target, source, by=reviewer)
    assert not Theme.objects.filter(pk=source.pk).exists()
    moved = Recommendation.objects.get(
        text__startswith="Within six months, force should ensure that it has a policy which"
    )
    assert moved.theme == target
    last = moved.history.latest()
    assert last.history_user == reviewer and "Merged from theme" in last.history_change_reason


def test_a_merged_theme_leaves_a_deletion_row_naming_the_reviewer_and_the_target(seeds, reviewer):
    target = _theme_of("Within six months, the force should publish a policy", "leicestershire")
    source = _theme_of("Within six months, force should ensure that it has a policy which informs", "west-midlands")
    source_id = source.pk
    themes.merge(target, source, by=reviewer)
    deleted = Theme.history.filter(id=source_id).latest()
    assert deleted.history_type == "-"
    assert deleted.history_user == reviewer
    assert deleted.history_change_reason == f"Merged into theme “{target.title}”"


def test_reviewer_splits_a_theme(seeds, reviewer):
    theme = _theme_of("Within six months, the force should ensure that it has communicated", "west-midlands")
    leics = theme.recommendations.get(report__subject_force__slug="leicestershire")
    new = themes.split(theme, [leics], by=reviewer, title="Gifts and hospitality policy")
    assert list(new.recommendations.all()) == [leics]
    assert theme.recommendations.count() == 2
    assert new.history.get().history_user == reviewer


def test_split_of_every_recommendation_is_refused(seeds, reviewer):
    theme = _theme_of("Within six months, the force should publish a policy", "leicestershire")
    with pytest.raises(ValidationError, match="Leave at least one recommendation in the theme"):
        themes.split(theme, list(theme.recommendations.all()), by=reviewer)


def test_split_of_every_recommendation_on_the_page_is_refused_beside_the_choice(client, seeds, reviewer):
    theme = _theme_of("Within six months, the force should publish a policy", "leicestershire")
    client.force_login(reviewer)
    chosen = [r.pk for r in theme.recommendations.all()]
    response = client.post(reverse("tracker:theme_split", args=[theme.pk]), {"recommendations": chosen})
    assert response.status_code == 400
    assert response.context["split_form"].errors == {
        "recommendations": ["Leave at least one recommendation in the theme: rename it instead."]
    }
    assert theme.recommendations.count() == len(chosen)


def test_rename_and_confirm_are_recorded(seeds, reviewer):
    theme = _theme_of("Within six months, the force should publish a policy", "leicestershire")
    themes.rename(theme, by=reviewer, title="Suspension, resignation and retirement policy")
    themes.confirm(theme, by=reviewer)
    reasons = list(theme.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert reasons[-2:] == ["Renamed", "Grouping confirmed"]


def test_psd_lead_cannot_change_themes(seeds, psd_lead_a):
    theme = Theme.objects.first()
    with pytest.raises(PermissionDenied, match="Only an HMIC reviewer can change themes"):
        themes.rename(theme, by=psd_lead_a, title="x")


def test_themes_page_lists_shared_themes_with_counts(client, seeds, reviewer, django_assert_max_num_queries):
    client.force_login(reviewer)
    with django_assert_max_num_queries(15):
        response = client.get(
            reverse("tracker:theme_list"), {"series": "Police Integrity and Corruption 2014", "shared": "true"}
        )
    assert response.status_code == 200
    listed = list(response.context["page_obj"])
    assert len(listed) == 4
    assert {t.force_count for t in listed} == {3, 2}
    assert all(t.overdue_count == t.force_count for t in listed)


def test_themes_page_filters_by_round_and_sharing(client, seeds, reviewer):
    call_command("load_reports", "fixtures/reports/without-fear-or-favour-2011-national.json", **QUIET)
    client.force_login(reviewer)
    singles = client.get(
        reverse("tracker:theme_list"), {"series": "Police Integrity and Corruption 2014", "shared": "false"}
    )
    assert len(singles.context["page_obj"]) == 21 - 10  # 21 recommendations, 10 of them in the four shared themes
    national = client.get(reverse("tracker:theme_list"), {"series": "Without fear or favour 2011"})
    assert len(national.context["page_obj"]) == 4


def test_themes_export_has_a_row_per_force(client, seeds, reviewer):
    client.force_login(reviewer)
    query = {"series": "Police Integrity and Corruption 2014", "shared": "true"}
    response = client.get(reverse("tracker:theme_export", args=["csv"]), query)
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("Theme,Force")
    assert len(lines) == 1 + 3 + 3 + 2 + 2


def test_psd_lead_cannot_see_themes(client, psd_lead_a):
    client.force_login(psd_lead_a)
    assert client.get(reverse("tracker:theme_list")).status_code == 403


def test_merge_view_moves_recommendations(client, seeds, reviewer):
    target = _theme_of("Within six months, the force should publish a policy", "leicestershire")
    source = _theme_of("Within six months, force should ensure that it has a policy which informs", "west-midlands")
    client.force_login(reviewer)
    response = client.post(reverse("tracker:theme_merge", args=[target.pk]), {"other": source.pk})
    assert response.status_code == 302
    assert target.recommendations.count() == 3


def test_action_page_shows_other_forces_to_reviewers_only(client, seeds, reviewer, settings):
    from tracker.models import Action, User

    action = Action.objects.get(
        force__slug="leicestershire",
        recommendation__text__startswith="Within six months, the force should publish a policy",
    )
    client.force_login(reviewer)
    others = client.get(action.get_absolute_url()).context["other_forces"]
    assert [a.force.slug for a in others.actions] == ["west-midlands"]
    lead = User.objects.create(username="lead", role=User.Role.PSD_LEAD)
    lead.forces.add(action.force)
    client.force_login(lead)
    assert client.get(action.get_absolute_url()).context["other_forces"] is None
    settings.THEMES_SHOW_OTHER_FORCES_TO_PSD_LEADS = True
    body = client.get(action.get_absolute_url()).content.decode()
    assert "West Midlands Police" in body and 'href="/actions/' in body


def _themed_action(theme, force_name: str, status=Action.Status.NOT_STARTED):
    force = ForceFactory(name=force_name)
    return ActionFactory(recommendation__theme=theme, recommendation__report__subject_force=force, status=status)


@pytest.fixture
def themed(db):
    """Return an action of Avon and Somerset, and its theme's actions in four other forces."""
    theme = ThemeFactory()
    S = Action.Status
    for name, status in [
        ("Dorset Police", S.VERIFIED),
        ("Kent Police", S.VERIFIED),
        ("Essex Police", S.IN_PROGRESS),
        ("Surrey Police", S.NOT_STARTED),
    ]:
        _themed_action(theme, name, status)
    return _themed_action(theme, "Avon and Somerset Constabulary")


def test_action_page_sums_up_the_other_forces_by_status_with_the_list_folded(client, themed, reviewer):
    client.force_login(reviewer)
    body = client.get(themed.get_absolute_url()).content.decode()
    words = " ".join(re.sub(r"<[^>]+>", " ", body).split())
    assert (
        "Also recommended to 4 other forces: 2 complete – authorised for closure, 1 not started, 1 being progressed."
    ) in words
    folded = body.split('<details class="govuk-details">')[-1].split("</details>")[0]
    assert "Every force, with its status" in folded
    assert re.findall(r'<a class="govuk-link" href="/actions/\d+/">([^<]+)</a>', folded) == [
        "Dorset Police",
        "Essex Police",
        "Kent Police",
        "Surrey Police",
    ]


def test_psd_leads_see_the_summary_and_names_without_links_only_when_allowed(client, themed, settings):
    from tests.factories import PsdLeadFactory

    lead = PsdLeadFactory(forces=[themed.force])
    client.force_login(lead)
    assert "Also recommended to" not in client.get(themed.get_absolute_url()).content.decode()
    settings.THEMES_SHOW_OTHER_FORCES_TO_PSD_LEADS = True
    body = client.get(themed.get_absolute_url()).content.decode()
    assert "4 other forces: 2 complete – authorised for closure, 1 not started, 1 being progressed." in body
    folded = body.split('<details class="govuk-details">')[-1].split("</details>")[0]
    assert "<li>Dorset Police: Complete – authorised for closure</li>" in folded
    assert "href" not in folded


def test_figures_page_compares_forces_with_england_and_wales(client, seeds, reviewer):
    client.force_login(reviewer)
    response = client.get(
        reverse("tracker:figures"), {"figure": "public-complaints-per-100-workforce", "sort": "value"}
    )
    rows = response.context["rows"]
    assert [r.report.subject_force.slug for r in rows][0] == max(rows, key=lambda r: r.value).report.subject_force.slug
    assert all(r.national_value is not None for r in rows)
    assert len(rows) == 4


def test_grouping_a_report_is_one_pass_over_the_known_recommendations(force_a, force_b, django_assert_max_num_queries):
    for n in range(50):
        RecommendationFactory(report__subject_force=force_a, text=f"Publish policy number {n} on topic {n * 7}.")
    themes.assign_themes(Recommendation.objects.all())
    report = ReportFactory(subject_force=force_b)
    new = [RecommendationFactory(report=report, text=f"Publish policy number {n} on topic {n * 7}.") for n in range(5)]
    with django_assert_max_num_queries(1 + 5 * 3):
        themes.assign_themes(new)
    earlier = dict(Recommendation.objects.filter(report__subject_force=force_a).values_list("text", "theme_id"))
    assert [r.theme_id for r in new] == [earlier[r.text] for r in new]


def _theme_with_actions(count: int, today, overdue: int = 0) -> Theme:
    """A theme made to `count` forces, the first `overdue` of them overdue, the rest due next year."""
    theme = ThemeFactory()
    for n in range(count):
        ActionFactory(
            recommendation__theme=theme,
            recommendation__report__subject_force=ForceFactory(name=f"Force {n:02}"),
            due_date=today.replace(month=5) if n < overdue else today.replace(year=today.year + 1),
        )
    return theme


def test_themes_page_shows_each_themes_most_pressing_actions_and_links_to_the_rest(client, today, reviewer):
    theme = _theme_with_actions(12, today)
    late = ActionFactory(
        recommendation__theme=theme, recommendation__report__subject_force=ForceFactory(name="Zed Police")
    )
    late.due_date = today.replace(month=4)
    late.save()
    client.force_login(reviewer)
    response = client.get(reverse("tracker:theme_list"))
    (listed,) = response.context["page_obj"]
    assert len(listed.preview_actions) == 10 and listed.action_count == 13
    assert listed.preview_actions[0] == late  # overdue first, though last by name
    assert "The 10 needing most attention of 13 actions" in response.content.decode()


def test_themes_page_queries_do_not_grow_with_actions(client, today, reviewer, django_assert_max_num_queries):
    _theme_with_actions(3, today)
    client.force_login(reviewer)
    with django_assert_max_num_queries(10) as few:
        response = client.get(reverse("tracker:theme_list"))
    assert response.status_code == 200 and [t.action_count for t in response.context["page_obj"]] == [3]
    for _ in range(3):
        _theme_with_actions(15, today, overdue=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("tracker:theme_list"))
    assert response.status_code == 200
    assert sorted(t.action_count for t in response.context["page_obj"]) == [3, 15, 15, 15]


def test_theme_page_pages_through_its_actions_overdue_first(client, today, reviewer):
    theme = _theme_with_actions(55, today, overdue=3)
    client.force_login(reviewer)
    first = client.get(theme.get_absolute_url())
    second = client.get(theme.get_absolute_url(), {"page": 2})
    assert len(first.context["actions"]) == 50 and len(second.context["actions"]) == 5
    assert [a.is_overdue for a in first.context["actions"][:4]] == [True, True, True, False]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, "themes-shared-2015-06-01.xlsx"),  # what the page shows with no filter chosen
        (
            {"series": "Police Integrity and Corruption 2014", "status": "overdue", "shared": "false", "q": "Vetting"},
            "themes-one-force-police-integrity-and-corruption-2014-status-overdue-containing-vetting-2015-06-01.xlsx",
        ),
        ({"status": "in_progress", "series": "No such round"}, "themes-status-in-progress-2015-06-01.xlsx"),
    ],
)
def test_themes_download_is_named_after_the_filters_applied(client, today, force_a, reviewer, query, expected):
    ActionFactory(recommendation__report__subject_force=force_a)
    client.force_login(reviewer)
    response = client.get(reverse("tracker:theme_export", args=["xlsx"]), query)
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'
