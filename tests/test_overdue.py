"""Overdue is derived from dates and status, never stored."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import ActionFactory
from tracker.models import Action

pytestmark = pytest.mark.django_db

D = datetime.date


def test_action_due_today_is_not_overdue(today):
    action = ActionFactory(due_date=today)
    assert not action.is_overdue
    assert action.days_left == 0
    assert not Action.objects.overdue().exists()


def test_action_due_yesterday_is_overdue_by_one_day(today):
    action = ActionFactory(due_date=today - datetime.timedelta(days=1))
    assert action.is_overdue
    assert action.days_overdue == 1
    assert list(Action.objects.overdue()) == [action]


def test_revised_due_date_replaces_the_original(today):
    action = ActionFactory(due_date=D(2015, 5, 27), revised_due_date=D(2015, 9, 30))
    assert action.effective_due_date == D(2015, 9, 30)
    assert not action.is_overdue
    assert not Action.objects.overdue().exists()


def test_revised_due_date_in_the_past_is_overdue(today):
    action = ActionFactory(due_date=D(2015, 1, 1), revised_due_date=D(2015, 5, 31))
    assert action.is_overdue
    assert list(Action.objects.overdue()) == [action]


@pytest.mark.parametrize(
    "status", [Action.Status.COMPLETED, Action.Status.VERIFIED, Action.Status.SUPERSEDED, Action.Status.NOT_ACCEPTED]
)
def test_action_claimed_complete_or_closed_is_not_overdue(today, status):
    action = ActionFactory(due_date=D(2015, 1, 1), status=status)
    assert not action.is_overdue
    assert not Action.objects.overdue().exists()


def test_in_progress_action_past_due_is_overdue(today):
    ActionFactory(due_date=D(2015, 1, 1), status=Action.Status.IN_PROGRESS)
    assert Action.objects.overdue().count() == 1


def test_action_without_a_due_date_is_never_overdue(today):
    action = ActionFactory(due_date=None)
    assert not action.is_overdue
    assert not Action.objects.overdue().exists()


def test_due_within_counts_from_today_to_the_horizon(today):
    inside = [ActionFactory(due_date=today), ActionFactory(due_date=today + datetime.timedelta(days=30))]
    ActionFactory(due_date=today + datetime.timedelta(days=31))
    ActionFactory(due_date=today - datetime.timedelta(days=1))
    ActionFactory(due_date=D(2015, 1, 1), revised_due_date=today + datetime.timedelta(days=5))
    assert set(Action.objects.due_within(30)) == {*inside, Action.objects.get(revised_due_date__isnull=False)}


def test_completed_after_the_effective_due_date_is_completed_late(today):
    late = ActionFactory(due_date=D(2015, 5, 1), status=Action.Status.COMPLETED, completed_at=timezone.now())
    on_time = ActionFactory(due_date=D(2015, 6, 1), status=Action.Status.VERIFIED, completed_at=timezone.now())
    extended = ActionFactory(
        due_date=D(2015, 5, 1),
        revised_due_date=D(2015, 7, 1),
        status=Action.Status.COMPLETED,
        completed_at=timezone.now(),
    )
    assert late.was_completed_late and not on_time.was_completed_late and not extended.was_completed_late
    assert list(Action.objects.completed_late()) == [late]
    assert set(Action.objects.completed_on_time()) == {on_time, extended}


def test_overdue_follows_the_calendar_not_a_stored_flag(today, time_machine):
    action = ActionFactory(due_date=D(2015, 6, 10))
    assert not action.is_overdue
    time_machine.move_to(datetime.datetime(2015, 6, 11, 9, 0, tzinfo=datetime.UTC))
    assert action.is_overdue
    assert Action.objects.overdue().count() == 1
