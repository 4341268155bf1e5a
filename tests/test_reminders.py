"""
tracker.reminders chooses who gets which email, reading each list of actions once and rendering each action's
line once: it must choose and word exactly what the straightforward computation, recipient by recipient, does.
"""

import datetime
from collections import Counter

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import (
    ActionFactory,
    AdminFactory,
    AreaForImprovementFactory,
    CommissionerOfficeFactory,
    ForceFactory,
    PsdLeadFactory,
    RecommendationFactory,
    ReportFactory,
    ReviewerFactory,
)
from tracker import reminders, responses
from tracker.models import Action, Force, ReminderLog, User

pytestmark = pytest.mark.django_db
D = datetime.date


def straightforward(today: datetime.date, days: int, digest: bool) -> list[reminders.Reminder]:
    """Return the reminders due today, asking the database about each user and each force in turn."""
    by_due_date = lambda actions: sorted(actions, key=lambda a: (a.effective_due_date, a.pk))  # noqa: E731
    expected = []
    for user in User.objects.order_by("pk"):
        if not user.email:
            continue
        mine = Action.objects.visible_to(user).filter(owner=user)
        overdue, due_soon = by_due_date(mine.overdue(today)), by_due_date(mine.due_within(days, today))
        if overdue or due_soon:
            expected.append(reminders.owner_reminder(user, overdue, due_soon, today, days))
    for force in Force.objects.order_by("name") if digest else []:
        overdue = by_due_date(Action.objects.overdue(today).filter(force=force))
        for lead in force.members.order_by("pk") if overdue else []:
            if lead.role == User.Role.PSD_LEAD and lead.is_active and lead.email:
                expected.append(reminders.digest(lead, force, overdue, today))
    return expected


@pytest.fixture
def cast(force_a, force_b, psd_lead_a, colleague_a, psd_lead_b, reviewer):
    """Owners and leads of every sort: of one force or two, one who left, a reviewer, inactive, no address."""
    force_c = ForceFactory(name="Avon and Somerset Constabulary", slug="avon-and-somerset")
    owners = [
        psd_lead_a,
        colleague_a,
        psd_lead_b,
        PsdLeadFactory(username="both", forces=[force_a, force_b]),
        PsdLeadFactory(username="left", forces=[]),
        PsdLeadFactory(username="gone", forces=[force_a], is_active=False),
        PsdLeadFactory(username="silent", forces=[force_b], email=""),
        reviewer,
        AdminFactory(username="admin"),
    ]
    forces = [force_a, force_b, force_c]
    return {"forces": forces, "reports": [ReportFactory(subject_force=force) for force in forces], "owners": owners}


ACTIONS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2),  # force
        st.one_of(st.none(), st.integers(min_value=0, max_value=8)),  # owner
        st.sampled_from(Action.Status.values),
        st.one_of(st.none(), st.integers(min_value=-40, max_value=40)),  # due date, days from today
        st.one_of(st.none(), st.integers(min_value=-40, max_value=40)),  # revised due date
        st.booleans(),  # an area for improvement
    ),
    max_size=10,
)


@given(actions=ACTIONS, digest=st.booleans(), days=st.sampled_from([0, 7, 14]))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_the_reminders_equal_the_straightforward_computation(today, cast, actions, digest, days):
    with transaction.atomic():
        for force, owner, status, due, revised, afi in actions:
            factory = AreaForImprovementFactory if afi else RecommendationFactory
            ActionFactory(
                recommendation=factory(report=cast["reports"][force]),
                force=cast["forces"][force],
                owner=None if owner is None else cast["owners"][owner],
                status=status,
                due_date=None if due is None else today + datetime.timedelta(days=due),
                revised_due_date=None if revised is None else today + datetime.timedelta(days=revised),
            )
        assert reminders.reminders_for(today, days=days, digest=digest) == straightforward(today, days, digest)
        transaction.set_rollback(True)


def test_an_action_in_an_owner_reminder_and_a_digest_reads_as_each_email_words_it(today, cast, psd_lead_a):
    ActionFactory(force=cast["forces"][0], owner=psd_lead_a, due_date=D(2015, 5, 1))
    mine, *digests = reminders.reminders_for(today, digest=True)
    assert "31 days overdue\n" in mine.body
    assert "31 days overdue, not started, owner Alice Ashby\n" in digests[0].body


def many_owners_and_actions(forces: list[Force], owners: int, actions: int) -> None:
    """Give each force `owners` PSD leads, each owning `actions` actions overdue and one due soon."""
    for force in forces:
        report = ReportFactory(subject_force=force)
        for _ in range(owners):
            owner = PsdLeadFactory(forces=[force])
            for number in range(actions):
                ActionFactory(recommendation__report=report, force=force, owner=owner, due_date=D(2015, 5, 1 + number))
            ActionFactory(recommendation__report=report, force=force, owner=owner, due_date=D(2015, 6, 10))


def queries_to_choose(today: datetime.date) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        chosen = reminders.reminders_for(today, digest=True)
    return len(queries), len(chosen)


def responses_awaited(forces: list[Force], offices: int) -> None:
    """Give each force `offices` commissioner's offices and a report whose response they owe, the chief officer's
    comments invited (a report of 2017: the duty applies)."""
    for force in forces:
        report = ReportFactory(subject_force=force, published_on=D(2017, 6, 1))
        ActionFactory(recommendation__report=report, force=force)
        for _ in range(offices):
            office = CommissionerOfficeFactory(forces=[force])
        responses.invite_comments(report, by=office, due_on=D(2015, 6, 10))


def test_choosing_takes_the_same_queries_however_many_actions_and_recipients(today, force_a, force_b, reviewer):
    many_owners_and_actions([force_a], owners=1, actions=1)
    ActionFactory(force=force_a, status=Action.Status.VERIFIED, recheck_on=today)
    responses_awaited([force_a], offices=1)
    few_queries, few_reminders = queries_to_choose(today)
    many_owners_and_actions([force_a, force_b], owners=3, actions=4)
    for force in (force_a, force_b):
        ActionFactory(force=force, status=Action.Status.VERIFIED, recheck_on=today - datetime.timedelta(days=3))
    ReviewerFactory()
    responses_awaited([force_a, force_b], offices=2)
    many_queries, many_reminders = queries_to_choose(today)
    # An owner's reminder and a digest to each owner of a force; the re-checks to each reviewer; the responses
    # awaited to each commissioner's office, and the chief officer's comments invited to each PSD lead.
    assert (few_reminders, many_reminders) == (5, 16 + 5 + 7)
    assert many_queries == few_queries <= 19  # bench/run.py holds make bench's run to the same 19


# Sending


@pytest.mark.django_db(transaction=True)
def test_sending_reads_todays_claims_once_and_claims_each_email_in_one_insert(today, force_a, force_b):
    many_owners_and_actions([force_a, force_b], owners=2, actions=3)
    due = reminders.reminders_for(today, digest=True)
    with CaptureQueriesContext(connection) as queries:
        outcome = reminders.send_all(due, today)
    assert len(outcome.sent) == len(due) == 8  # four owners' reminders, a digest to each of them
    statements = Counter(query["sql"].split()[0] for query in queries)
    assert statements == {"SELECT": 1, "BEGIN": 8, "INSERT": 8, "COMMIT": 8}  # one transaction an email


def test_a_claim_made_since_the_run_began_is_skipped(today, force_a, psd_lead_a):
    ActionFactory(force=force_a, owner=psd_lead_a, due_date=D(2015, 5, 1))
    [reminder] = reminders.reminders_for(today, digest=False)
    ReminderLog.objects.create(user=psd_lead_a, kind=reminder.kind, sent_on=today)  # by another run, just now
    outcome = reminders.send_all([reminder], today)
    assert (outcome.skipped, mail.outbox) == ([reminder], [])


def test_a_database_error_after_the_claim_is_a_failure_not_a_skip(today, force_a, psd_lead_a, monkeypatch):
    ActionFactory(force=force_a, owner=psd_lead_a, due_date=D(2015, 5, 1))
    [reminder] = reminders.reminders_for(today, digest=False)

    def fail(self, fail_silently=False):
        raise IntegrityError("the claim's user was deleted meanwhile")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", fail)
    outcome = reminders.send_all([reminder], today)
    assert (outcome.failed, ReminderLog.objects.exists()) == ([reminder], False)
