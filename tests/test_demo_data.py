"""demo and generate_demo_data: a realistic, reproducible national data set, built in a few queries a batch."""

import datetime
import importlib
import io
import itertools
import sys
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

import demo
from tests.factories import ActionFactory, ForceFactory, ReportFactory, ReviewerFactory
from tracker.models import Action, ExtensionRequest, Force, ProgressNote, Report, User
from tracker.selectors import action_timeline, force_summaries

TODAY = datetime.date(2026, 6, 1)
pytestmark = pytest.mark.django_db


def _generate(*extra: str, actions: int = 300, seed: int = 7) -> str:
    out = io.StringIO()
    call_command(
        "generate_demo_data",
        "--actions",
        str(actions),
        "--seed",
        str(seed),
        "--today",
        TODAY.isoformat(),
        *extra,
        stdout=out,
    )
    return out.getvalue()


def _snapshot() -> list[tuple]:
    actions = Action.objects.select_related("owner", "force", "recommendation__report").order_by(
        "recommendation__report__slug", "recommendation__number", "force__slug"
    )
    reasons = Counter(Action.history.values_list("history_change_reason", flat=True))
    return [
        (
            a.recommendation.report.slug,
            a.recommendation.number,
            a.recommendation.text,
            a.force.slug,
            a.status,
            a.due_date,
            a.revised_due_date,
            a.owner.username if a.owner else None,
            a.created_at,
            a.completed_at,
            a.verified_at,
            a.closed_at,
            a.version,
        )
        for a in actions
    ] + sorted(reasons.items())


def test_makes_exactly_the_actions_asked_for_across_every_force():
    output = _generate()
    assert Action.objects.count() == 300
    assert "Actions: 300" in output and "Overdue:" in output
    assert Action.objects.values("force").distinct().count() >= 43
    assert all(slug.startswith("demo-") for slug in Report.objects.values_list("slug", flat=True))


def test_the_same_seed_gives_the_same_data():
    _generate()
    first = _snapshot()
    _generate("--clear")
    assert _snapshot() == first
    _generate("--clear", seed=8)
    assert _snapshot() != first


def test_statuses_are_a_realistic_mix():
    _generate()
    statuses = Counter(Action.objects.values_list("status", flat=True))
    assert set(statuses) == set(Action.Status.values)
    assert 0.08 <= Action.objects.overdue(TODAY).count() / 300 <= 0.25
    assert 0.05 <= statuses[Action.Status.COMPLETED] / 300 <= 0.18
    assert statuses[Action.Status.VERIFIED] == max(statuses.values())
    assert Action.objects.completed_late().exists() and Action.objects.completed_on_time().exists()


def test_every_action_has_a_history_that_ends_in_its_current_state():
    _generate()
    history = Action.history.model.objects.order_by("id", "history_date", "history_id")
    rows: dict[int, list] = {}
    for row in history:
        rows.setdefault(row.id, []).append(row)
    assert 7 <= history.count() / 300 <= 13
    for action in Action.objects.all():
        own = rows[action.pk]
        assert own[0].history_type == "+" and own[0].history_change_reason == "Loaded from report fixture"
        assert [r.version for r in own] == list(range(1, action.version + 1))
        last = own[-1]
        assert (last.status, last.owner_id, last.revised_due_date) == (
            action.status,
            action.owner_id,
            action.revised_due_date,
        )
        assert last.history_date == action.updated_at
        assert last.history_date.date() < TODAY
        if action.status in (Action.Status.COMPLETED, Action.Status.VERIFIED):
            assert action.completed_at and own[-1 if action.status == "completed" else -2].history_user_id


def test_completions_reviews_and_extensions_leave_what_the_workflow_leaves():
    _generate()
    verified = Action.objects.filter(status=Action.Status.VERIFIED).first()
    reasons = [entry.reason for entry in action_timeline(verified)]
    assert reasons[0].startswith("Verify and authorise closure")
    assert any(r.startswith("Mark as complete and send for review") for r in reasons)
    assert reasons[-1] == "Loaded from report fixture"
    assert not ProgressNote.objects.filter(text__startswith="Mark as complete").exists()  # the reason, once
    approved = ExtensionRequest.objects.filter(decision="approved").select_related("action")
    assert approved and all(r.action.revised_due_date for r in approved)
    assert ExtensionRequest.history.filter(history_change_reason="Extension requested").count() == (
        ExtensionRequest.objects.count()
    )


def test_each_batch_writes_in_the_same_small_number_of_queries():
    seen = []
    with CaptureQueriesContext(connection) as queries:
        demo.generate(actions=400, seed=7, today=TODAY, batch_size=100, progress=lambda _: seen.append(len(queries)))
    # Inserts of actions, history, notes, extension requests and their history, two id look-ups, one savepoint.
    per_batch = {later - earlier for earlier, later in itertools.pairwise(seen)}
    assert len(seen) == 4 and len(per_batch) == 1 and per_batch.pop() <= 10


def test_demo_data_is_built_without_the_development_requirements(monkeypatch):
    """factory-boy and Faker are for tests: the demo package and its command must not need them."""
    command = "tracker.management.commands.generate_demo_data"
    for name in ("factory", "faker"):
        monkeypatch.setitem(sys.modules, name, None)  # importing it now raises ImportError
    for name in [n for n in sys.modules if n == command or n == "demo" or n.startswith("demo.")]:
        monkeypatch.delitem(sys.modules, name)
    importlib.import_module("demo")
    importlib.import_module(command)
    assert "Actions: 50" in _generate(actions=50)
    assert Action.objects.count() == 50


def test_refuses_a_database_that_holds_other_reports():
    ReportFactory(slug="police-integrity-and-corruption-2014-west-midlands")
    with pytest.raises(CommandError, match="1 report"):
        _generate()
    assert Action.objects.count() == 0


def test_refuses_to_add_to_existing_demo_data_without_clear():
    _generate(actions=50)
    with pytest.raises(CommandError, match="demo data set"):
        _generate(actions=50)
    _generate("--clear", actions=60)
    assert Action.objects.count() == 60


def test_clear_replaces_other_reports_after_confirmation_but_keeps_real_users():
    ReportFactory(slug="a-real-report")
    real = ReviewerFactory(username="rita")
    _generate("--clear", "--no-input", actions=50)
    assert not Report.objects.filter(slug="a-real-report").exists()
    assert User.objects.filter(pk=real.pk).exists() and Action.objects.count() == 50


def test_clear_asks_before_deleting_other_reports(monkeypatch):
    ReportFactory(slug="a-real-report")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing was changed"):
        _generate("--clear", actions=50)
    assert Report.objects.filter(slug="a-real-report").exists()


def test_dashboard_counts_completed_late_by_the_london_day_as_the_rule_does():
    """force_summaries counts lateness on the UTC day first; the London day decides the edge cases."""
    force = ForceFactory(slug="demo-edge")
    utc = datetime.UTC
    cases = [
        (datetime.date(2025, 7, 10), None, datetime.datetime(2025, 7, 10, 23, 30, tzinfo=utc)),  # 00:30 BST on the 11th
        (datetime.date(2025, 7, 10), None, datetime.datetime(2025, 7, 10, 22, 30, tzinfo=utc)),  # 23:30 BST: on time
        (datetime.date(2025, 1, 10), None, datetime.datetime(2025, 1, 10, 23, 30, tzinfo=utc)),  # 23:30 GMT: on time
        (datetime.date(2025, 1, 10), None, datetime.datetime(2025, 1, 11, 0, 30, tzinfo=utc)),  # late
        (datetime.date(2025, 1, 10), datetime.date(2025, 3, 1), datetime.datetime(2025, 2, 1, 9, tzinfo=utc)),
        (datetime.date(2025, 1, 10), datetime.date(2025, 3, 1), datetime.datetime(2025, 3, 2, 9, tzinfo=utc)),
        (None, None, datetime.datetime(2025, 3, 2, 9, tzinfo=utc)),  # no due date: never late
    ]
    for due, revised, completed in cases:
        ActionFactory(
            force=force, due_date=due, revised_due_date=revised, completed_at=completed, status=Action.Status.COMPLETED
        )
    [row] = force_summaries(Force.objects.filter(pk=force.pk))
    assert row.completed_late_count == Action.objects.completed_late().count() == 3
    assert row.completed_on_time_count == 4


def test_a_million_actions_plan_reports_of_distinct_slugs():
    import random

    from demo.plan import plan_reports

    forces = [Force(pk=n, slug=f"force-{n}", name=f"Force {n}") for n in range(1, 44)]
    bodies = {slug: Force(pk=100 + n, slug=slug) for n, slug in enumerate(["home-office", "npcc", "acpo"])}
    reports = plan_reports(
        actions=1_000_000, rng=random.Random(2014), today=datetime.date(2026, 12, 1), forces=forces, bodies=bodies
    )
    slugs = [report.slug for report in reports]
    assert len(slugs) == len(set(slugs)) > 10_000
    assert all(len(slug) <= Report._meta.get_field("slug").max_length for slug in slugs)
