"""How records are found by what people and fixtures call them: a force by its name, anything by its natural key."""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

from tests.factories import (
    ActionFactory,
    AreaForImprovementFactory,
    ForceFactory,
    KeyFigureFactory,
    PsdLeadFactory,
    RecommendationFactory,
    ReportFactory,
)
from tracker.models import (
    Action,
    Force,
    KeyFigure,
    Recommendation,
    _local_day_is_utc_day_or_next,
    force_slug_for,
    save_with_history,
)

pytestmark = pytest.mark.django_db

D = datetime.date
S = Action.Status


# A force's slug from its name


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Metropolitan Police Service", "metropolitan"),
        ("Avon and Somerset Constabulary", "avon-and-somerset"),
        ("  Kent Police ", "kent"),
        ("DYFED-POWYS POLICE", "dyfed-powys"),
        ("Devon & Cornwall Police", "devon-cornwall"),
        ("Gwent (Heddlu Gwent)", "gwent-heddlu-gwent"),
        ("(Kent) Police", "kent"),
        ("Police Service of Northern Ireland", "police-service-of-northern-ireland"),
        ("Hampshire Constabulary", "hampshire"),
    ],
)
def test_a_force_slug_drops_police_or_constabulary_at_the_end_and_joins_words_with_hyphens(name, slug):
    assert force_slug_for(name) == slug


# Resolving the force a report names


@pytest.mark.parametrize(
    ("name", "slug", "asked"),
    [
        pytest.param("Kent Police", "kent", "kent", id="slug"),
        pytest.param("North Wales Police", "north_wales", "north_wales", id="slug-its-name-would-not-give"),
        pytest.param("Metropolitan Police Service", "met", " metropolitan police SERVICE ", id="full-name-any-case"),
        pytest.param("Kent Police", "kent", "Kent Constabulary", id="name-without-police"),
    ],
)
def test_a_force_is_found_by_its_slug_or_its_name(name, slug, asked):
    force = ForceFactory(name=name, slug=slug)
    assert Force.objects.resolve(asked) == force


def test_an_unknown_force_resolves_to_nothing():
    ForceFactory(name="Kent Police", slug="kent")
    assert Force.objects.resolve("Testshire Police") is None


# Natural keys (fixtures refer to records by them)


def test_a_recommendation_natural_key_picks_its_own_report_and_number():
    RecommendationFactory(report=ReportFactory(slug="kent-2014"), number=1)
    essex = ReportFactory(slug="essex-2014")
    wanted = RecommendationFactory(report=essex, number=1)
    RecommendationFactory(report=essex, number=2)
    assert Recommendation.objects.get_by_natural_key("essex-2014", 1) == wanted


def test_a_recommendation_natural_key_tells_a_recommendation_from_an_area_for_improvement():
    report = ReportFactory(slug="kent-2014")
    recommendation = RecommendationFactory(report=report, number=1)
    area = AreaForImprovementFactory(report=report, number=1)
    assert Recommendation.objects.get_by_natural_key("kent-2014", 1) == recommendation
    assert Recommendation.objects.get_by_natural_key("kent-2014", 1, Recommendation.Kind.AREA_FOR_IMPROVEMENT) == area


def test_a_recommendation_natural_key_round_trips():
    recommendation = AreaForImprovementFactory(report=ReportFactory(slug="kent-2014"), number=3)
    assert Recommendation.objects.get_by_natural_key(*recommendation.natural_key()) == recommendation


def test_an_action_natural_key_picks_its_report_number_kind_and_force():
    kent, essex = ForceFactory(slug="kent"), ForceFactory(slug="essex")
    national = ReportFactory(slug="national-2011", subject_force=None)
    other = ReportFactory(slug="other-2011", subject_force=None)
    first, second = RecommendationFactory(report=national, number=1), RecommendationFactory(report=national, number=2)
    area = AreaForImprovementFactory(report=national, number=1)
    wanted = ActionFactory(recommendation=first, force=essex)
    decoys = [
        ActionFactory(recommendation=first, force=kent),
        ActionFactory(recommendation=second, force=essex),
        ActionFactory(recommendation=area, force=essex),
        ActionFactory(recommendation=RecommendationFactory(report=other, number=1), force=essex),
    ]
    assert Action.objects.get_by_natural_key("national-2011", 1, "essex") == wanted
    for action in [wanted, *decoys]:
        assert Action.objects.get_by_natural_key(*action.natural_key()) == action


def test_a_key_figure_natural_key_picks_its_report_and_code():
    KeyFigureFactory(report=ReportFactory(slug="kent-2014"), code="complaints")
    wanted = KeyFigureFactory(report=ReportFactory(slug="essex-2014"), code="complaints")
    KeyFigureFactory(report=wanted.report, code="conduct-cases")
    assert KeyFigure.objects.get_by_natural_key("essex-2014", "complaints") == wanted
    assert KeyFigure.objects.get_by_natural_key(*wanted.natural_key()) == wanted


# Queryset edges


def test_not_overdue_counts_from_the_day_it_is_given(today):
    overdue_now = ActionFactory(due_date=today - datetime.timedelta(days=5))
    assert overdue_now not in Action.objects.not_overdue()
    assert overdue_now in Action.objects.not_overdue(today - datetime.timedelta(days=10))


@override_settings(TIME_ZONE="America/New_York")
def test_completed_late_uses_the_revised_due_date_where_it_is_behind_utc(today):
    # The exact (local day) branch: late against the revised date, not against the original one.
    def completed(day):
        return ActionFactory(
            due_date=D(2015, 3, 1),
            revised_due_date=D(2015, 5, 1),
            status=S.COMPLETED,
            completed_at=datetime.datetime(2015, day.month, day.day, 15, tzinfo=datetime.UTC),
        )

    on_time, late = completed(D(2015, 4, 1)), completed(D(2015, 5, 2))
    assert (on_time.was_completed_late, late.was_completed_late) == (False, True)
    assert list(Action.objects.completed_late()) == [late]
    assert list(Action.objects.completed_on_time()) == [on_time]


# Values shown for reports, recommendations and users


def test_a_report_with_no_subject_force_is_national():
    assert ReportFactory(subject_force=None).is_national
    assert not ReportFactory().is_national


def test_a_recommendation_is_named_by_its_kind_and_number_with_the_first_80_characters():
    text = "Within six months, the force should ensure that it has communicated to all staff the requirements."
    recommendation = RecommendationFactory(number=3, text=text)
    assert str(recommendation) == "Recommendation 3: " + text[:80]
    assert str(AreaForImprovementFactory(number=2, text="Short.")) == "Area for improvement 2: Short."


def test_a_recommendation_short_label_says_rec_or_afi():
    assert RecommendationFactory(number=3).short_label == "rec. 3"
    assert AreaForImprovementFactory(number=2).short_label == "AFI 2"


def test_a_new_calendar_address_saves_only_the_token():
    user = PsdLeadFactory(first_name="Alex")
    old_token = user.calendar_token
    user.first_name = "Not saved"
    user.regenerate_calendar_token()
    user.refresh_from_db()
    assert user.calendar_token != old_token
    assert user.first_name == "Alex"


def test_a_priority_recommendation_comes_first_in_the_attention_order(today):
    overdue = ActionFactory(due_date=today - datetime.timedelta(days=30))
    priority = ActionFactory(due_date=today + datetime.timedelta(days=30), recommendation__is_priority=True)
    assert sorted([overdue, priority], key=lambda action: action.attention_order()) == [priority, overdue]


def test_one_actions_attention_order_is_the_querysets_order(today):
    kent, essex = ForceFactory(name="Kent Police"), ForceFactory(name="Essex Police")
    day = datetime.timedelta(days=1)
    for force in (kent, essex):
        ActionFactory(force=force, due_date=today - 40 * day)  # overdue
        ActionFactory(force=force, due_date=today - 40 * day, status=S.IN_PROGRESS)  # same day: by force, then id
        ActionFactory(force=force, due_date=today - 10 * day, revised_due_date=today + 90 * day)  # extended
        ActionFactory(force=force, due_date=today + 10 * day)
        ActionFactory(force=force, due_date=None)
        ActionFactory(force=force, due_date=today + 5 * day, recommendation__is_priority=True)
        ActionFactory(force=force, due_date=today - 90 * day, status=S.COMPLETED)
        ActionFactory(force=force, due_date=today - 95 * day, status=S.VERIFIED)
        ActionFactory(force=force, due_date=None, status=S.COMPLETED)
        ActionFactory(force=force, due_date=today - 99 * day, status=S.SUPERSEDED)
    actions = list(Action.objects.select_related("force", "recommendation"))
    assert sorted(actions, key=Action.attention_order) == list(Action.objects.by_attention())


def test_a_report_names_its_force_or_says_national():
    assert str(ReportFactory(title="Police Integrity and Corruption", subject_force__name="Kent Police")) == (
        "Police Integrity and Corruption – Kent Police"
    )
    assert str(ReportFactory(title="Without fear or favour", subject_force=None)) == "Without fear or favour – National"


def test_membership_is_checked_by_force_or_by_its_id():
    kent, essex = ForceFactory(), ForceFactory()
    lead = PsdLeadFactory(forces=[kent])
    assert (lead.is_member_of(kent), lead.is_member_of(kent.pk)) == (True, True)
    assert (lead.is_member_of(essex), lead.is_member_of(essex.pk)) == (False, False)


def test_someone_who_may_see_no_force_costs_no_query(django_assert_num_queries):
    ActionFactory()
    with django_assert_num_queries(0):
        assert list(Action.objects.visible_to(AnonymousUser())) == []


def test_the_effective_due_date_annotation_is_the_revised_date_else_the_original():
    extended = ActionFactory(due_date=D(2015, 5, 1), revised_due_date=D(2015, 9, 1))
    plain = ActionFactory(due_date=D(2015, 6, 1))
    undated = ActionFactory(due_date=None)
    dates = dict(Action.objects.with_effective_due_date().values_list("pk", "effective_due"))
    assert dates == {extended.pk: D(2015, 9, 1), plain.pk: D(2015, 6, 1), undated.pk: None}


def test_saving_with_history_writes_only_the_changes_it_is_given():
    action = ActionFactory(rag_reason="")
    stale = Action.objects.get(pk=action.pk)
    Action.objects.filter(pk=action.pk).update(rag_reason="Written meanwhile")
    save_with_history(stale, {"version": stale.version + 1}, by=None, reason="Test")
    stale.refresh_from_db()
    assert (stale.rag_reason, stale.version) == ("Written meanwhile", action.version + 1)


def test_saving_with_history_and_no_changes_saves_every_field():
    action = ActionFactory(rag_reason="")
    action.rag_reason = "Set on the instance"
    save_with_history(action, by=None, reason="Test")
    action.refresh_from_db()
    assert action.rag_reason == "Set on the instance"
    assert action.history.latest().history_change_reason == "Test"


# The fast test of lateness (UTC day) is taken only where a completion's local day is its UTC day or the next


@pytest.mark.parametrize(
    ("zone", "fast"),
    [
        ("Europe/London", True),  # +0 in winter, +1 in summer
        ("UTC", True),
        ("Asia/Kolkata", True),
        ("Pacific/Kiritimati", True),  # +14
        ("America/New_York", False),
        ("Atlantic/Azores", False),  # -1 in winter, +0 in summer
    ],
)
def test_the_fast_lateness_test_is_used_only_where_the_local_day_is_the_utc_day_or_the_next(zone, fast):
    with override_settings(TIME_ZONE=zone):
        assert _local_day_is_utc_day_or_next() is fast


def test_a_calendar_address_carries_256_random_bits():
    first, second = PsdLeadFactory(), PsdLeadFactory()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", first.calendar_token)  # 32 bytes, URL-safe base64
    assert first.calendar_token != second.calendar_token
