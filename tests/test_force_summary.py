"""
The national dashboard reads each force's kept summary (ForceSummary) and counts only open actions afresh:
it must show exactly what a recount of every action shows, after any sequence of changes by any path.
"""

import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import (
    ActionFactory,
    AreaForImprovementFactory,
    ExtensionRequestFactory,
    ForceFactory,
    PsdLeadFactory,
    RecommendationFactory,
    ReportFactory,
)
from tests.test_report_loading import load, report_rows
from tracker import workflow
from tracker.models import SUMMARY_FIELDS, Action, Force, ForceSummary, Recommendation, Report
from tracker.selectors import force_summaries, kept_force_summaries, sorted_forces

D = datetime.date


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.UTC)


S = Action.Status
# Every count the dashboard shows or sorts by, kept or counted afresh.
DASHBOARD_COUNTS = [
    *SUMMARY_FIELDS,
    "overdue_count",
    "due_soon_count",
    "afi_overdue_count",
    "recheck_due_count",
    "completed_on_time_count",
    "recommendation_open_count",
    "recommendation_overdue_count",
    "on_time_rate",
]


def dashboard_rows(forces):
    return {force.slug: {name: getattr(force, name) for name in DASHBOARD_COUNTS} for force in forces}


def assert_dashboard_equals_the_recount(today):
    kept = kept_force_summaries(today, 30)
    recounted = force_summaries(Force.objects.with_actions(), today, 30)
    assert dashboard_rows(kept) == dashboard_rows(recounted)
    ages = Action.objects.overdue_ages(today)
    assert {f.pk: f.overdue_ages for f in kept if f.overdue_count} == ages
    assert ForceSummary.objects.drift() == []


@pytest.fixture
def varied_actions(today, force_a, force_b, psd_lead_a, reviewer):
    """Actions of two forces in every status, overdue, due soon and later, late and on time, RAG, AFI, priority."""
    report = ReportFactory(subject_force=force_a)
    priority = RecommendationFactory(report=report, is_priority=True)
    afi = AreaForImprovementFactory(report=report, due_date=D(2015, 5, 1))
    ActionFactory(recommendation=priority, force=force_a, due_date=D(2015, 5, 1), rag="red")
    ActionFactory(recommendation=afi, force=force_a, due_date=D(2015, 5, 1), status=S.IN_PROGRESS, rag="amber")
    ActionFactory(force=force_a, due_date=D(2015, 6, 20), status=S.IN_PROGRESS, rag="green")
    ActionFactory(force=force_a, due_date=D(2015, 5, 1), revised_due_date=D(2015, 9, 1))
    ActionFactory(force=force_b, due_date=D(2015, 5, 1), status=S.VERIFIED, completed_at=at(2015, 5, 20, 9))
    # Verified with a check-again date: due on the day of the fixture, and later.
    ActionFactory(force=force_a, due_date=D(2014, 5, 1), status=S.VERIFIED, recheck_on=D(2015, 6, 1))
    ActionFactory(force=force_b, due_date=D(2014, 5, 1), status=S.VERIFIED, recheck_on=D(2015, 9, 2))
    ActionFactory(force=force_b, due_date=D(2015, 6, 1), status=S.COMPLETED, completed_at=at(2015, 5, 2, 9))
    ActionFactory(force=force_b, due_date=None, status=S.SUPERSEDED)
    ActionFactory(recommendation=RecommendationFactory(report=report), force=force_b, due_date=D(2014, 1, 1))
    ActionFactory(force=force_b, due_date=D(2012, 1, 1), revised_due_date=D(2013, 3, 31), status=S.IN_PROGRESS)
    ActionFactory(recommendation=AreaForImprovementFactory(report=report, due_date=None), force=force_b)


def test_the_dashboard_shows_what_a_recount_of_every_action_shows(today, varied_actions):
    assert_dashboard_equals_the_recount(today)
    kept = {force.slug: force for force in kept_force_summaries(today, 30)}
    assert (kept["west-midlands"].overdue_count, kept["west-midlands"].due_soon_count) == (2, 1)
    assert (kept["west-midlands"].priority_open_count, kept["west-midlands"].afi_overdue_count) == (1, 1)
    assert (kept["leicestershire"].completed_late_count, kept["leicestershire"].on_time_rate) == (1, 0.5)


def test_the_counts_that_change_with_the_day_are_counted_on_the_day(today, varied_actions):
    for later in (D(2013, 3, 31), D(2015, 6, 21), D(2015, 9, 2), D(2016, 1, 1), D(2016, 1, 2), D(2019, 1, 1)):
        assert_dashboard_equals_the_recount(later)


def test_a_force_whose_actions_are_all_deleted_leaves_the_dashboard(today, force_a, force_b):
    ActionFactory(force=force_a)
    ActionFactory(recommendation__report__subject_force=force_b)
    Report.objects.filter(subject_force=force_b).delete()  # its recommendations and actions go with it
    assert [force.slug for force in kept_force_summaries(today)] == ["west-midlands"]
    assert ForceSummary.objects.get(force=force_b).total_count == 0


def test_saving_what_the_summary_does_not_count_leaves_it_alone(today, force_a, psd_lead_a):
    action = ActionFactory(force=force_a)
    with CaptureQueriesContext(connection) as queries:
        workflow.assign_owner(action, by=psd_lead_a, owner=psd_lead_a)
    assert not [q for q in queries if ForceSummary._meta.db_table in q["sql"]]


def test_saving_only_fields_the_summary_does_not_count_reads_and_locks_no_action(today, force_a, psd_lead_a):
    action = ActionFactory(force=force_a)
    action.owner = psd_lead_a
    with CaptureQueriesContext(connection) as queries:
        action.save(update_fields=["owner"])
    assert [q["sql"].split()[0] for q in queries if Action._meta.db_table + '"' in q["sql"]] == ["UPDATE"]


def _summary_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if f'"{ForceSummary._meta.db_table}"' in q["sql"]]


def test_a_counted_change_to_an_action_locks_it_once_before_counting_it(today, force_a):
    action = ActionFactory(force=force_a)
    action.status = S.COMPLETED
    with CaptureQueriesContext(connection) as queries:
        action.save()
    table = f'"{Action._meta.db_table}"'
    on_actions = [q["sql"] for q in queries if q["sql"].startswith(f'SELECT {table}."id" AS "pk" FROM {table}')]
    assert len(on_actions) == 1  # the lock, before the change is counted; the count after it locks nothing
    if connection.features.has_select_for_update:
        assert on_actions[0].endswith("FOR UPDATE")


def test_a_change_to_one_forces_counts_is_one_update_of_its_summary(today, force_a):
    ActionFactory(force=force_a)
    with CaptureQueriesContext(connection) as queries:
        Action.objects.update(status=S.COMPLETED)
    assert [sql.split()[0] for sql in _summary_queries(queries)] == ["UPDATE"]


def test_a_change_to_several_forces_counts_locks_their_summaries_first(today, force_a, force_b):
    ActionFactory(force=force_a), ActionFactory(force=force_b)
    with CaptureQueriesContext(connection) as queries:
        Action.objects.update(status=S.COMPLETED)
    first, *rest = _summary_queries(queries)
    assert first.startswith("SELECT") and 'ORDER BY "tracker_forcesummary"."force_id" ASC' in first
    if connection.features.has_select_for_update:
        assert first.endswith("FOR UPDATE")
    assert [sql.split()[0] for sql in rest] == ["UPDATE"]


def test_a_forces_first_action_counted_beside_another_forces_next_one(today, force_a, force_b):
    recommendation = ActionFactory(force=force_a).recommendation  # force_a has a summary; force_b has none yet
    Action.objects.bulk_create(
        [Action(recommendation=RecommendationFactory(), force=force_a)]
        + [Action(recommendation=recommendation, force=force_b)]
    )
    assert [ForceSummary.objects.get(force=f).total_count for f in (force_a, force_b)] == [2, 1]


def test_a_change_of_status_costs_the_same_few_queries_however_many_actions_exist(today, force_a, psd_lead_a):
    def queries_to_start(action):
        with CaptureQueriesContext(connection) as queries:
            workflow.transition(action, "start", by=psd_lead_a)
        return len(queries)

    queries_to_start(ActionFactory(force=force_a))  # the first change reads what later ones find cached
    few = queries_to_start(ActionFactory(force=force_a))
    ActionFactory.create_batch(30, force=force_a)
    assert queries_to_start(ActionFactory(force=force_a)) == few


def test_an_extension_that_moves_no_kept_count_still_moves_the_dashboards_overdue_count(today, force_a, reviewer):
    # Moved once already, overdue again: moving it again changes none of the kept counts (slipped_count too).
    action = ActionFactory(
        force=force_a,
        due_date=today - datetime.timedelta(days=40),
        revised_due_date=today - datetime.timedelta(days=10),
    )
    assert [force.overdue_count for force in kept_force_summaries(today)] == [1]  # counted, and cached
    kept = {name: getattr(ForceSummary.objects.get(force=force_a), name) for name in SUMMARY_FIELDS}
    extension = ExtensionRequestFactory(action=action, requested_due_date=today + datetime.timedelta(days=60))
    workflow.decide_extension(extension, by=reviewer, approve=True, reason="Granted.")
    assert {name: getattr(ForceSummary.objects.get(force=force_a), name) for name in SUMMARY_FIELDS} == kept
    assert [force.overdue_count for force in kept_force_summaries(today)] == [0]


def test_the_dashboard_reads_no_action_again_the_same_day_until_one_changes(today, force_a, psd_lead_a):
    action = ActionFactory(force=force_a, due_date=today)
    kept_force_summaries(today)
    with CaptureQueriesContext(connection) as queries:
        kept_force_summaries(today)
    assert [q["sql"] for q in queries if Action._meta.db_table in q["sql"]] == []
    assert len(queries) == 1  # the forces and their summaries
    workflow.transition(action, "start", by=psd_lead_a)  # still open, due the same day: nothing to count again
    with CaptureQueriesContext(connection) as queries:
        kept_force_summaries(today)
    assert [q["sql"] for q in queries if Action._meta.db_table in q["sql"]] == []
    workflow.transition(action, "complete", by=psd_lead_a, text="Done.")  # a new revision of the force's actions
    with CaptureQueriesContext(connection) as queries:
        kept_force_summaries(today)
    assert len([q for q in queries if Action._meta.db_table in q["sql"]]) == 2  # recently due; re-checks due
    with CaptureQueriesContext(connection) as queries:
        kept_force_summaries(today + datetime.timedelta(days=1))  # another day, counted afresh
    assert len([q for q in queries if Action._meta.db_table in q["sql"]]) == 2


def test_a_confirmed_recheck_is_counted_afresh_the_same_day(today, force_a, psd_lead_a, reviewer):
    action = ActionFactory(force=force_a, due_date=today, status=S.COMPLETED)
    workflow.transition(action, "verify", by=reviewer, recheck_on=today + datetime.timedelta(days=1))
    tomorrow = today + datetime.timedelta(days=1)
    assert [force.recheck_due_count for force in kept_force_summaries(tomorrow)] == [1]  # counted, and cached
    with time_machine.travel(datetime.datetime(2015, 6, 2, 12, tzinfo=datetime.UTC), tick=False):
        workflow.confirm_recheck(action, by=reviewer)  # moves no count but the pending re-checks
    assert [force.recheck_due_count for force in kept_force_summaries(tomorrow)] == [0]


def test_a_recommendation_flagged_as_a_priority_counts_its_open_actions(today, force_a, force_b, reviewer):
    recommendation = RecommendationFactory()
    ActionFactory(recommendation=recommendation, force=force_a)
    ActionFactory(recommendation=recommendation, force=force_b, status=S.VERIFIED)
    workflow.set_priority(recommendation, by=reviewer, priority=True)
    assert ForceSummary.objects.get(force=force_a).priority_open_count == 1
    assert ForceSummary.objects.get(force=force_b).priority_open_count == 0


def test_an_import_counts_its_actions_in_the_same_transaction(today, force_a):
    load(report_rows())
    assert ForceSummary.objects.get(force=force_a).total_count == 1
    assert ForceSummary.objects.drift() == []


def test_a_recommendation_updated_to_an_area_for_improvement_moves_its_actions_counts(today, force_a):
    action = ActionFactory(force=force_a)
    Recommendation.objects.filter(pk=action.recommendation_id).update(kind=Recommendation.Kind.AREA_FOR_IMPROVEMENT)
    assert ForceSummary.objects.get(force=force_a).afi_total_count == 1
    assert ForceSummary.objects.drift() == []


def test_a_recommendation_saved_as_an_area_for_improvement_moves_its_actions_counts(today, force_a):
    recommendation = ActionFactory(force=force_a).recommendation
    recommendation.kind = Recommendation.Kind.AREA_FOR_IMPROVEMENT
    recommendation.save(update_fields=["kind"])
    assert ForceSummary.objects.get(force=force_a).afi_total_count == 1


def test_actions_created_in_bulk_ignoring_conflicts_are_counted(today, force_a, force_b):
    existing = ActionFactory(force=force_a)
    again = Action(recommendation=existing.recommendation, force=force_a)  # the same recommendation and force
    new = Action(recommendation=existing.recommendation, force=force_b)
    Action.objects.bulk_create([again, new], ignore_conflicts=True)  # no ids come back
    assert ForceSummary.objects.get(force=force_a).total_count == 1
    assert ForceSummary.objects.get(force=force_b).total_count == 1
    assert ForceSummary.objects.drift() == []


def test_actions_created_in_bulk_keep_the_batch_size_given(today, force_a, force_b):
    recommendation = RecommendationFactory()
    actions = [Action(recommendation=recommendation, force=force) for force in (force_a, force_b)]
    with CaptureQueriesContext(connection) as queries:
        Action.objects.bulk_create(actions, 1)  # batch_size, as Django's own bulk_create takes it
    inserts = [q for q in queries if q["sql"].startswith(f'INSERT INTO "{Action._meta.db_table}"')]
    assert len(inserts) == 2
    assert ForceSummary.objects.drift() == []


@pytest.mark.django_db(databases=["default", "other"])
def test_changes_made_in_another_database_are_counted_in_its_summaries(today):
    force = Force.objects.using("other").create(slug="kent", name="Kent Police")
    report = Report.objects.using("other").create(slug="kent-2014", title="Kent", published_on=D(2014, 11, 1))
    first, second = (
        Recommendation.objects.using("other").create(report=report, number=number, text="Publish.") for number in (1, 2)
    )
    Action.objects.using("other").bulk_create([Action(recommendation=first, force=force)])
    Action.objects.using("other").filter(force=force).update(status=S.COMPLETED)
    Recommendation.objects.using("other").filter(pk=first.pk).update(kind=Recommendation.Kind.AREA_FOR_IMPROVEMENT)
    Action(recommendation_id=second.pk, force_id=force.pk).save(using="other")  # by ids: no database implied
    second.is_priority = True
    second.save(using="other")
    kept = ForceSummary.objects.using("other").get(force=force)
    counts = ("total_count", "open_count", "awaiting_review_count", "afi_total_count", "afi_awaiting_review_count")
    assert [getattr(kept, name) for name in (*counts, "priority_open_count")] == [2, 1, 1, 1, 1, 1]
    assert not ForceSummary.objects.using("default").exists()


def _a_recommendation_in_other() -> tuple[Force, Recommendation]:
    force = Force.objects.using("other").create(slug="kent", name="Kent Police")
    report = Report.objects.using("other").create(slug="kent-2014", title="Kent", published_on=D(2014, 11, 1))
    return force, Recommendation.objects.using("other").create(report=report, number=1, text="Publish.")


@pytest.mark.django_db(databases=["default", "other"])
def test_an_action_read_from_another_database_is_counted_there_when_saved(today):
    force, recommendation = _a_recommendation_in_other()
    Action.objects.using("other").create(recommendation=recommendation, force=force)
    action = Action.objects.using("other").get()
    action.status = S.COMPLETED
    action.save()  # where it came from, as Django saves it
    kept = ForceSummary.objects.using("other").get(force=force)
    assert (kept.total_count, kept.open_count, kept.awaiting_review_count) == (1, 0, 1)


class ActionsToOther:
    """A database router that writes actions to the "other" database (and leaves everything else alone)."""

    def db_for_write(self, model, **hints):
        return "other" if model is Action else None


@pytest.mark.django_db(databases=["default", "other"])
def test_actions_a_router_writes_elsewhere_are_counted_there(today, settings):
    force, recommendation = _a_recommendation_in_other()
    settings.DATABASE_ROUTERS = [f"{__name__}.ActionsToOther"]
    Action(recommendation_id=recommendation.pk, force_id=force.pk).save()
    assert ForceSummary.objects.using("other").get(force=force).total_count == 1


@pytest.fixture
def failing_count(monkeypatch):
    """Make adding a change to the force summaries fail, as a database error would."""

    def fail(*args, **kwargs):
        raise RuntimeError("the count failed")

    monkeypatch.setattr(ForceSummary.objects, "add", fail)


@pytest.mark.django_db(databases=["default", "other"], transaction=True)
def test_a_bulk_create_whose_count_fails_leaves_no_action_behind(failing_count):
    force, recommendation = _a_recommendation_in_other()
    with pytest.raises(RuntimeError):
        Action.objects.using("other").bulk_create([Action(recommendation=recommendation, force=force)])
    assert not Action.objects.using("other").exists()


@pytest.mark.django_db(databases=["default", "other"], transaction=True)
def test_an_action_whose_count_fails_is_not_saved(failing_count):
    force, recommendation = _a_recommendation_in_other()
    with pytest.raises(RuntimeError):
        Action(recommendation_id=recommendation.pk, force_id=force.pk).save(using="other")
    assert not Action.objects.using("other").exists()


# The summary equals the recount after any sequence of changes (hypothesis draws the sequences)

OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "create",
                "create_afi",
                "transition",
                "rag",
                "extension",
                "priority",
                "import",
                "reimport",
                "delete_action",
                "delete_recommendation",
                "bulk",
                "admin_save",
                "queryset_update",
                "bulk_create",
                "recommendation_update",
                "recheck",
            ]
        ),
        st.integers(min_value=0, max_value=10_000),
    ),
    min_size=1,
    max_size=12,
)


@pytest.fixture
def world(force_a, force_b, psd_lead_a, reviewer):
    return {
        "forces": [force_a, force_b],
        "leads": {force_a.pk: psd_lead_a, force_b.pk: PsdLeadFactory(forces=[force_b])},
        "reviewer": reviewer,
        "reports": [ReportFactory(subject_force=force_a), ReportFactory(subject_force=None)],
    }


def apply(world, name: str, pick: int) -> None:
    """Make one change of kind `name`, choosing what it applies to by `pick`."""
    reviewer = world["reviewer"]
    actions = list(Action.objects.order_by("pk"))
    action = actions[pick % len(actions)] if actions else None
    if name in ("create", "create_afi"):
        factory = AreaForImprovementFactory if name == "create_afi" else RecommendationFactory
        recommendation = factory(report=world["reports"][pick % 2], due_date=D(2015, 1 + pick % 12, 1))
        ActionFactory(recommendation=recommendation, force=world["forces"][pick % 2])
    elif name == "import":
        load(report_rows(due=f"2015-0{1 + pick % 9}-27"))
    elif name == "reimport" and Report.objects.filter(slug=report_rows()[0]["fields"]["slug"]).exists():
        load(report_rows(due=f"2016-0{1 + pick % 9}-27", text=f"Corrected {pick}."))
    elif action is None:
        return
    elif name == "transition":
        user = reviewer if pick % 2 else world["leads"][action.force_id]
        choices = workflow.available_transitions(user, action)
        if choices:
            workflow.transition(action, choices[pick % len(choices)].name, by=user, text="Because.")
    elif name == "rag" and action.is_open:
        rag = ["red", "amber", "green"][pick % 3]
        workflow.set_rag(action, by=world["leads"][action.force_id], rag=rag, reason="Why.")
    elif name == "extension" and action.is_open and not action.extension_requests.filter(decision="pending"):
        request = ExtensionRequestFactory(action=action, requested_due_date=D(2016, 1 + pick % 12, 1))
        workflow.decide_extension(request, by=reviewer, approve=bool(pick % 2), reason="Decided.")
    elif name == "priority":
        workflow.set_priority(action.recommendation, by=reviewer, priority=not action.recommendation.is_priority)
    elif name == "delete_action":
        action.delete()
    elif name == "delete_recommendation":
        Recommendation.objects.filter(pk=action.recommendation_id).delete()
    elif name == "bulk":
        workflow.bulk_update(Action.objects.filter(force=action.force), by=reviewer, priority=bool(pick % 2))
    elif name == "queryset_update":  # which actions the filter selects changes with the update
        Action.objects.filter(force=action.force_id, status__in=Action.OPEN_STATUSES).update(status=S.VERIFIED)
    elif name == "bulk_create":
        recommendation = RecommendationFactory(report=world["reports"][1], is_priority=bool(pick % 2))
        Action.objects.bulk_create(Action(recommendation=recommendation, force=f) for f in world["forces"])
    elif name == "recommendation_update":
        kinds = Recommendation.Kind
        recommendation = action.recommendation
        kind = kinds.RECOMMENDATION if recommendation.is_area_for_improvement else kinds.AREA_FOR_IMPROVEMENT
        numbered = Recommendation.objects.filter(report=recommendation.report_id, number=recommendation.number)
        if not numbered.filter(kind=kind).exists():  # its number is free in the other kind
            Recommendation.objects.filter(pk=recommendation.pk).update(kind=kind, is_priority=bool(pick % 3))
    elif name == "recheck" and action.status == S.COMPLETED:  # verified with a check-again date, due or not
        workflow.transition(action, "verify", by=reviewer, recheck_on=D(2015, 6, 2 + pick % 20))
    elif name == "recheck" and action.recheck_on is not None:
        workflow.confirm_recheck(action, by=reviewer)
    elif name == "admin_save":  # a plain save of every field, as the admin does
        action.status, action.completed_at = S.COMPLETED, at(2015, 4, 1 + pick % 28, 12)
        action.save()


@given(operations=OPERATIONS)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_the_summary_equals_the_recount_after_any_sequence_of_changes(today, world, operations):
    with transaction.atomic():
        for name, pick in operations:
            apply(world, name, pick)
            # On two days, with what the dashboard cached after the step before: never of stale actions.
            assert_dashboard_equals_the_recount(today)
            assert_dashboard_equals_the_recount(D(2016, 2, 1))
        transaction.set_rollback(True)


# rebuild_summaries


def test_rebuild_summaries_corrects_and_reports_drift(today, force_a, capsys):
    ActionFactory.create_batch(2, force=force_a)
    ForceSummary.objects.filter(force=force_a).update(total_count=7)
    call_command("rebuild_summaries")
    assert "West Midlands Police: total_count kept 7, recounted 2" in capsys.readouterr().out
    assert ForceSummary.objects.get(force=force_a).total_count == 2


def test_rebuild_summaries_check_fails_on_drift_and_changes_nothing(today, force_a):
    ActionFactory(force=force_a)
    ForceSummary.objects.filter(force=force_a).update(open_count=0)
    with pytest.raises(CommandError, match="1 count"):
        call_command("rebuild_summaries", "--check")
    assert ForceSummary.objects.get(force=force_a).open_count == 0
    ForceSummary.objects.rebuild()


def test_rebuild_summaries_says_when_nothing_drifted(today, force_a, capsys):
    ActionFactory(force=force_a)
    call_command("rebuild_summaries", "--check")
    assert "Every force's summary equals the recount" in capsys.readouterr().out


def test_rebuild_gives_every_force_a_summary(db):
    forces = ForceFactory.create_batch(3)
    ForceSummary.objects.all().delete()
    assert ForceSummary.objects.rebuild() == []
    assert set(ForceSummary.objects.values_list("force", flat=True)) == {f.pk for f in forces}


def test_the_dashboard_sorts_most_first_then_by_name_and_forces_with_no_rate_last(db):
    def force(name, rate):
        row = ForceFactory.build(name=name)
        row.on_time_rate = rate
        return row

    forces = [force("Kent Police", None), force("Avon and Somerset", 0.5), force("Dorset Police", 0.5)]
    forces.append(force("Essex Police", 0.9))
    assert [f.name for f in sorted_forces(forces, "-on_time_rate")] == [
        "Essex Police",
        "Avon and Somerset",
        "Dorset Police",
        "Kent Police",
    ]
    assert [f.name for f in sorted_forces(forces, "on_time_rate")][-1] == "Kent Police"
