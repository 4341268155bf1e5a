"""
No lost updates, with real concurrent connections: two people save the same action from the same
version at the same moment; one wins, the other is refused with "changed by X" and nothing is lost.

PostgreSQL only (SQLite has no row locks to race on): on the SQLite leg, where DATABASE_URL is not a
PostgreSQL address, the module is skipped by its skipif condition; when DATABASE_URL names PostgreSQL
(`make test-postgres`) it runs, and it fails, never skips, if the database it gets is not PostgreSQL.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from urllib.parse import urlparse

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from tests.factories import ActionFactory, ExtensionRequestFactory
from tracker import workflow
from tracker.models import Action, ExtensionRequest

POSTGRES_LEG = urlparse(os.environ.get("DATABASE_URL", "")).scheme in ("postgres", "postgresql", "pgsql")

pytestmark = [
    pytest.mark.skipif(not POSTGRES_LEG, reason="SQLite leg: real concurrent connections are tested on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]
S = Action.Status
TIMEOUT = 30


@pytest.fixture(autouse=True)
def _require_postgresql(transactional_db):
    if connection.vendor != "postgresql":
        pytest.fail(f"DATABASE_URL names PostgreSQL but the tests got {connection.vendor}", pytrace=False)


@pytest.fixture
def action(force_a):
    return ActionFactory(recommendation__report__subject_force=force_a)


def run_together(*jobs: Callable[[], object]) -> list[object]:
    """Run each job in its own thread (so its own database connection), released at the same moment."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(TIMEOUT)
            results[index] = job()
        except Exception as exc:  # the refusal is the result under test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "a concurrent save hung"
    return results


def _connections_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize("round_", range(5))
def test_two_saves_from_the_same_version_one_wins_one_is_refused(action, psd_lead_a, colleague_a, round_):
    seen = Action.objects.get(pk=action.pk).version
    pids: set[int] = set()
    both_loaded = threading.Barrier(2)

    def complete(user, note):
        def job():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids.add(cursor.fetchone()[0])
            mine = Action.objects.get(pk=action.pk)  # each loads the action, at version `seen`
            assert mine.version == seen
            both_loaded.wait(TIMEOUT)  # neither saves before both have the page open
            return workflow.transition(mine, "complete", by=user, text=note, expected_version=seen)

        return job

    history_before = action.history.count()
    results = run_together(complete(psd_lead_a, "Alice's note"), complete(colleague_a, "Colin's note"))

    assert len(pids) == 2, "the two saves did not use two connections"
    won = [r for r in results if isinstance(r, Action)]
    refused = [r for r in results if isinstance(r, workflow.StaleActionError)]
    assert len(won) == 1 and len(refused) == 1, results
    action.refresh_from_db()
    assert action.status == S.COMPLETED and action.version == seen + 1
    assert action.history.count() == history_before + 1
    winner = action.history.latest().history_user
    assert str(winner) in refused[0].messages[0] and "Nothing was saved" in refused[0].messages[0]
    reasons = list(action.history.values_list("history_change_reason", flat=True))
    assert sum("Alice's note" in r or "Colin's note" in r for r in reasons if r) == 1  # only the winner's note


def test_the_second_save_waits_for_the_first_then_sees_it(action, psd_lead_a, colleague_a):
    """Hold the row lock in one connection; the other's save waits for it, then is refused, not applied."""
    locked, release = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            mine = Action.objects.select_for_update().get(pk=action.pk)
            locked.set()
            release.wait(TIMEOUT)
            return workflow.transition(mine, "start", by=psd_lead_a, expected_version=1)

    def second():
        locked.wait(TIMEOUT)
        return workflow.transition(
            Action.objects.get(pk=action.pk), "complete", by=colleague_a, text="Done", expected_version=1
        )

    outcome: list[object] = []
    waiter = threading.Thread(target=lambda: outcome.extend(run_together(first, second)))
    waiter.start()
    assert locked.wait(TIMEOUT)
    deadline = time.monotonic() + 10
    while _connections_waiting_for_a_lock() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _connections_waiting_for_a_lock() == 1, "the second save did not wait for the row lock"
    assert waiter.is_alive()
    release.set()
    waiter.join(TIMEOUT)
    first_result, second_result = outcome
    assert isinstance(first_result, Action) and isinstance(second_result, workflow.StaleActionError)
    assert "Alice Ashby" in second_result.messages[0]
    action.refresh_from_db()
    assert action.status == S.IN_PROGRESS and action.version == 2 and action.history.count() == 2


def test_two_people_post_from_stale_pages_the_second_keeps_their_input(action, psd_lead_a, colleague_a):
    def post(user, text):
        def job():
            client = Client()
            client.force_login(user)
            url = reverse("tracker:action_transition", args=[action.pk, "complete"])
            return client.post(url, {"version": 1, "text": text})

        return job

    # Warm up first: two threads importing the same modules for the first time can trip over each other.
    warm_up = Client()
    warm_up.force_login(psd_lead_a)
    assert warm_up.post(reverse("tracker:action_transition", args=[action.pk, "complete"]), {}).status_code == 400
    responses = run_together(post(psd_lead_a, "Alice: policy published"), post(colleague_a, "Colin: policy out"))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302, 409], statuses
    refused = next(r for r in responses if r.status_code == 409)
    body = refused.content.decode()
    winner = action.history.latest().history_user
    assert f"changed by {winner}" in body and "try again" in body
    typed = "Alice: policy published" if winner == colleague_a else "Colin: policy out"
    assert typed in body  # what the refused user typed is still in the form
    action.refresh_from_db()
    assert action.version == 2 and action.history.count() == 2


def test_two_reviewers_decide_one_extension_at_once_only_one_decision_counts(force_a, psd_lead_a, reviewer):
    from tests.factories import ReviewerFactory

    other_reviewer = ReviewerFactory(username="reviewer-2")
    action = ActionFactory(recommendation__report__subject_force=force_a, status=S.IN_PROGRESS)
    extension = ExtensionRequestFactory(action=action, requested_by=psd_lead_a)

    def decide(user, approve):
        return lambda: workflow.decide_extension(
            ExtensionRequest.objects.get(pk=extension.pk), by=user, approve=approve, reason="Decided"
        )

    results = run_together(decide(reviewer, True), decide(other_reviewer, False))
    decided = [r for r in results if isinstance(r, ExtensionRequest)]
    refused = [r for r in results if isinstance(r, workflow.WorkflowError)]
    assert len(decided) == 1 and len(refused) == 1, results
    assert "already" in refused[0].messages[0]
    extension.refresh_from_db()
    assert extension.decision == decided[0].decision
    assert extension.history.count() == 2  # requested, then one decision
    action.refresh_from_db()
    approved = extension.decision == ExtensionRequest.Decision.APPROVED
    assert (action.revised_due_date == extension.requested_due_date) is approved


def test_changes_to_two_actions_of_one_force_do_not_wait_for_each_other(force_a, psd_lead_a, colleague_a):
    """A change locks its action's row only: not the force's, which every other action of the force shares."""
    first_action, second_action = (ActionFactory(recommendation__report__subject_force=force_a) for _ in range(2))
    locked, release = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            workflow.transition(first_action, "start", by=psd_lead_a)
            locked.set()
            release.wait(TIMEOUT)  # the first change's transaction stays open, its locks held

    def second():
        locked.wait(TIMEOUT)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '3s'")  # waiting for the first would fail here
                return workflow.transition(second_action, "start", by=colleague_a)
        finally:
            release.set()

    first_result, second_result = run_together(first, second)
    assert first_result is None
    assert isinstance(second_result, Action) and second_result.status == S.IN_PROGRESS
    assert set(Action.objects.values_list("status", flat=True)) == {S.IN_PROGRESS}


def test_changes_made_at_once_to_one_forces_actions_all_reach_its_summary(force_a, force_b, psd_lead_a, reviewer):
    """Eight people change eight actions of one force, an import adds more and a rebuild runs, all at once."""
    from tests.test_report_loading import load, report_rows
    from tracker.models import ForceSummary

    actions = ActionFactory.create_batch(8, force=force_a)

    def start(action):
        return lambda: workflow.transition(Action.objects.get(pk=action.pk), "start", by=psd_lead_a)

    results = run_together(
        *(start(a) for a in actions),
        lambda: load(report_rows()),
        lambda: ForceSummary.objects.rebuild(),
        lambda: Action.objects.filter(force=force_b).update(status=S.VERIFIED),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert ForceSummary.objects.drift() == []
    assert ForceSummary.objects.get(force=force_a).open_count == 9  # eight started, one imported


def test_a_forces_first_action_while_another_transaction_makes_its_summary_is_counted_once(force_a):
    """Another transaction has just made the force's summary row, uncommitted, when its first action is saved."""
    from tests.factories import RecommendationFactory
    from tracker.models import ForceSummary

    recommendation = RecommendationFactory()
    made = threading.Event()

    def make_the_summary_and_hold_it():
        try:
            with transaction.atomic():
                ForceSummary.objects.create(force=force_a)
                made.set()
                time.sleep(1)  # the action's save finds no row, tries to insert one and waits for this commit
        finally:
            connection.close()

    other = threading.Thread(target=make_the_summary_and_hold_it)
    other.start()
    assert made.wait(TIMEOUT)
    Action.objects.create(recommendation=recommendation, force=force_a)
    other.join(TIMEOUT)
    assert ForceSummary.objects.get(force=force_a).total_count == 1
    assert ForceSummary.objects.drift() == []
