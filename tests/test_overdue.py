"""Overdue is derived from dates and status, never stored."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import ActionFactory
from tracker.models import Action
from tracker.report_parser import add_months

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


# How long overdue: the dashboard's ageing bands ----------------------------------------------------------------


def _band(action, today) -> int:
    """The band by hand: how many of 6, 12 and 24 months, added to the effective due date, fall before today."""
    return sum(add_months(action.effective_due_date, months) < today for months in (6, 12, 24))


AGED = [  # (due date, band) on 1 June 2015: each band's first and last day
    (D(2015, 5, 31), 0),
    (D(2014, 12, 1), 0),  # exactly six months ago: not yet six months overdue
    (D(2014, 11, 30), 1),
    (D(2014, 6, 1), 1),
    (D(2014, 5, 31), 2),
    (D(2013, 6, 1), 2),
    (D(2013, 5, 31), 3),
    (D(2001, 1, 1), 3),
]


def test_overdue_ages_put_each_overdue_action_in_one_band_by_its_effective_due_date(today, force_a):
    actions = [ActionFactory(force=force_a, due_date=due) for due, _ in AGED]
    counts = Action.objects.overdue_ages(today)
    assert counts == {force_a.pk: (2, 2, 2, 2)}
    assert [_band(a, today) for a in actions] == [band for _, band in AGED]


@pytest.mark.parametrize(
    ("today", "due", "band"),
    [
        (D(2015, 3, 31), D(2014, 9, 30), 1),  # 30 September + 6 months = 30 March: past on 31 March
        (D(2015, 3, 30), D(2014, 9, 30), 0),
        (D(2015, 2, 28), D(2014, 8, 31), 0),  # 31 August + 6 months = 28 February (no 31st): not yet past
        (D(2015, 3, 1), D(2014, 8, 31), 1),
        (D(2016, 2, 29), D(2014, 2, 28), 3),
        (D(2016, 2, 28), D(2014, 2, 28), 2),
    ],
)
def test_bands_at_the_ends_of_months_agree_with_adding_months_to_the_due_date(today, due, band, force_a):
    action = ActionFactory(force=force_a, due_date=due)
    ActionFactory(force=force_a, due_date=today)  # due that day: not overdue then, whatever the clock says now
    assert _band(action, today) == band
    assert Action.objects.overdue_ages(today) == {force_a.pk: tuple(int(k == band) for k in range(4))}


def test_an_approved_extension_ages_from_the_revised_date(today, force_a):
    ActionFactory(force=force_a, due_date=D(2012, 1, 1), revised_due_date=D(2015, 3, 1))
    assert Action.objects.overdue_ages(today) == {force_a.pk: (1, 0, 0, 0)}


def test_only_open_actions_past_their_due_date_are_aged(today, force_a):
    ActionFactory(force=force_a, due_date=D(2013, 1, 1), status=Action.Status.COMPLETED)
    ActionFactory(force=force_a, due_date=D(2013, 1, 1), status=Action.Status.SUPERSEDED)
    ActionFactory(force=force_a, due_date=today)
    ActionFactory(force=force_a, due_date=None)
    assert Action.objects.overdue_ages(today) == {}


def test_overdue_ages_agree_with_counting_each_action_by_hand(today, force_a, force_b):
    days = [today - datetime.timedelta(days=n) for n in range(1, 1200, 17)]
    for n, due in enumerate(days):
        ActionFactory(force=force_a if n % 3 else force_b, due_date=due)
    expected: dict[int, list[int]] = {}
    for action in Action.objects.overdue(today):
        expected.setdefault(action.force_id, [0, 0, 0, 0])[_band(action, today)] += 1
    assert Action.objects.overdue_ages(today) == {force: tuple(c) for force, c in expected.items()}
