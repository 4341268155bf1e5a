"""tracker.access: one helper for every kind of object a URL names; another force's object is a 404."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import Http404

from tests.factories import (
    ActionFactory,
    ExtensionRequestFactory,
    ForceFactory,
    ProgressNoteFactory,
    PsdLeadFactory,
    RecommendationFactory,
    ThemeFactory,
)
from tracker import access
from tracker.models import Force, Report

pytestmark = pytest.mark.django_db


def evidence_for(action):
    note = ProgressNoteFactory(action=action)
    note.attachment.save("evidence.pdf", ContentFile(b"%PDF-1.4"), save=True)
    return note


def test_force_visible_to_a_psd_lead_is_only_their_own(force_a, force_b, psd_lead_a):
    assert list(Force.objects.visible_to(psd_lead_a)) == [force_a]


def test_every_force_is_visible_to_a_reviewer(force_a, force_b, reviewer):
    assert set(Force.objects.visible_to(reviewer)) == {force_a, force_b}


def test_no_force_is_visible_to_an_inactive_psd_lead(force_a, psd_lead_a):
    psd_lead_a.is_active = False
    assert not Force.objects.visible_to(psd_lead_a).exists()


def test_psd_lead_gets_their_own_force_and_404_for_another(force_a, force_b, psd_lead_a):
    assert access.get_force_for_user(psd_lead_a, force_a.slug) == force_a
    with pytest.raises(Http404):
        access.get_force_for_user(psd_lead_a, force_b.slug)


@pytest.mark.parametrize("get", [access.get_force_for_user, access.get_report_for_user])
@pytest.mark.parametrize("slug", ["west\x00midlands", "west midlands", "../admin"])
def test_what_cannot_be_a_slug_is_a_404_without_asking_the_database(
    get, slug, force_a, psd_lead_a, django_assert_num_queries
):
    # PostgreSQL refuses a NUL byte outright (a 500): such a value never reaches a query.
    with django_assert_num_queries(0), pytest.raises(Http404):
        get(psd_lead_a, slug)


def test_report_is_visible_when_it_has_an_action_of_the_users_force(force_a, force_b, psd_lead_a):
    mine = ActionFactory(recommendation__report__subject_force=force_a).recommendation.report
    theirs = ActionFactory(recommendation__report__subject_force=force_b).recommendation.report
    assert access.get_report_for_user(psd_lead_a, mine.slug) == mine
    with pytest.raises(Http404):
        access.get_report_for_user(psd_lead_a, theirs.slug)
    assert list(Report.objects.visible_to(psd_lead_a)) == [mine]


def test_national_report_is_visible_to_a_force_it_made_an_action_for(force_a, psd_lead_a):
    national = ActionFactory(recommendation__report__subject_force=None, force=force_a).recommendation.report
    ActionFactory(recommendation=national.recommendations.get(), force=ForceFactory())
    assert access.get_report_for_user(psd_lead_a, national.slug) == national


def test_evidence_of_another_forces_action_is_a_404(force_a, force_b, psd_lead_a):
    mine = evidence_for(ActionFactory(force=force_a))
    theirs = evidence_for(ActionFactory(force=force_b))
    assert access.get_evidence_for_user(psd_lead_a, mine.pk) == mine
    with pytest.raises(Http404):
        access.get_evidence_for_user(psd_lead_a, theirs.pk)


def test_a_note_without_a_file_is_not_evidence(force_a, psd_lead_a):
    note = ProgressNoteFactory(action=ActionFactory(force=force_a))
    with pytest.raises(Http404):
        access.get_evidence_for_user(psd_lead_a, note.pk)


def test_recommendation_is_visible_to_the_forces_it_was_made_to(force_a, force_b, psd_lead_a, reviewer):
    mine = ActionFactory(force=force_a).recommendation
    theirs = ActionFactory(force=force_b).recommendation
    assert access.get_recommendation_for_user(psd_lead_a, mine.pk) == mine
    with pytest.raises(Http404):
        access.get_recommendation_for_user(psd_lead_a, theirs.pk)
    without_actions = RecommendationFactory()
    assert access.get_recommendation_for_user(reviewer, without_actions.pk) == without_actions


def test_themes_are_for_reviewers_only(psd_lead_a, reviewer):
    theme = ThemeFactory()
    assert access.get_theme_for_user(reviewer, theme.pk) == theme
    with pytest.raises(PermissionDenied, match=r"^Only HMIC reviewers can see themes\.$"):
        access.get_theme_for_user(psd_lead_a, theme.pk)
    with pytest.raises(Http404):
        access.get_theme_for_user(reviewer, theme.pk + 1)


def test_extension_request_is_found_by_its_id_among_the_users_own(force_a, force_b, psd_lead_a):
    first = ExtensionRequestFactory(action=ActionFactory(force=force_a))
    second = ExtensionRequestFactory(action=ActionFactory(force=force_a))
    theirs = ExtensionRequestFactory(action=ActionFactory(force=force_b))
    assert access.get_extension_request_for_user(psd_lead_a, second.pk) == second
    assert access.get_extension_request_for_user(psd_lead_a, first.pk) == first
    with pytest.raises(Http404):
        access.get_extension_request_for_user(psd_lead_a, theirs.pk)


# The pages that call these helpers show the related objects below; each helper fetches them in its one query.


def test_an_action_comes_with_its_force_owner_recommendation_and_report(force_a, psd_lead_a, django_assert_num_queries):
    created = ActionFactory(
        recommendation__report__subject_force=force_a, force=force_a, owner=PsdLeadFactory(forces=[force_a])
    )
    action = access.get_action_for_user(psd_lead_a, created.pk)
    with django_assert_num_queries(0):
        shown = (
            action.force.name,
            action.owner.username,
            action.recommendation.text,
            action.recommendation.report.title,
            action.recommendation.report.subject_force.name,
        )
    assert shown == (
        force_a.name,
        created.owner.username,
        created.recommendation.text,
        "Police Integrity and Corruption",
        force_a.name,
    )


def test_an_extension_request_comes_with_its_action(force_a, psd_lead_a, django_assert_num_queries):
    created = ExtensionRequestFactory(action=ActionFactory(force=force_a))
    request = access.get_extension_request_for_user(psd_lead_a, created.pk)
    with django_assert_num_queries(0):
        assert request.action.force_id == force_a.pk


def test_a_report_comes_with_its_force(force_a, psd_lead_a, django_assert_num_queries):
    created = ActionFactory(recommendation__report__subject_force=force_a).recommendation.report
    report = access.get_report_for_user(psd_lead_a, created.slug)
    with django_assert_num_queries(0):
        assert report.subject_force.name == force_a.name


@pytest.mark.parametrize("role", ["psd_lead_a", "reviewer"])
def test_a_recommendation_comes_with_its_report(role, force_a, request, django_assert_num_queries):
    user = request.getfixturevalue(role)
    created = ActionFactory(force=force_a).recommendation
    recommendation = access.get_recommendation_for_user(user, created.pk)
    with django_assert_num_queries(0):
        assert recommendation.report.title == created.report.title
