"""The values an action shows are derived from its dates and status: days left, lateness, order, precision."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.conftest import LONDON
from tests.factories import ActionFactory, ForceFactory, RecommendationFactory
from tracker.models import Action, DatePrecision, ForceSummary, Report

pytestmark = pytest.mark.django_db

D = datetime.date
S = Action.Status
UTC = datetime.UTC
# Awaiting review or closed: nothing is left for the force to do by the due date.
NOT_OPEN = [S.COMPLETED, S.VERIFIED, S.SUPERSEDED, S.NOT_ACCEPTED]


def at(*args, tz=UTC):
    return datetime.datetime(*args, tzinfo=tz)


# Days left and days overdue


@pytest.mark.parametrize("status", NOT_OPEN)
def test_a_closed_action_shows_no_days_left(today, status):
    action = ActionFactory(due_date=today + datetime.timedelta(days=10), status=status)
    assert action.days_left is None


@pytest.mark.parametrize("status", NOT_OPEN)
def test_a_closed_action_past_its_due_date_shows_no_days_overdue(today, status):
    action = ActionFactory(due_date=today - datetime.timedelta(days=10), status=status)
    assert action.days_overdue is None


@pytest.mark.parametrize("status", [S.NOT_STARTED, S.IN_PROGRESS])
def test_an_open_action_shows_the_days_until_its_due_date(today, status):
    action = ActionFactory(due_date=today + datetime.timedelta(days=10), status=status)
    assert action.days_left == 10


def test_an_open_action_due_today_has_zero_days_left_and_is_not_overdue(today):
    action = ActionFactory(due_date=today, status=S.IN_PROGRESS)
    assert (action.days_left, action.days_overdue) == (0, None)


def test_an_overdue_action_shows_days_overdue_not_days_left(today):
    action = ActionFactory(due_date=today - datetime.timedelta(days=3), status=S.IN_PROGRESS)
    assert (action.days_left, action.days_overdue) == (None, 3)


def test_days_left_count_to_the_revised_due_date(today):
    action = ActionFactory(due_date=D(2015, 5, 1), revised_due_date=D(2015, 6, 11))
    assert action.days_left == 10


def test_days_overdue_count_from_the_revised_due_date(today):
    action = ActionFactory(due_date=D(2015, 5, 1), revised_due_date=D(2015, 5, 25))
    assert action.days_overdue == 7


def test_an_action_without_a_due_date_has_no_days_left(today):
    assert ActionFactory(due_date=None).days_left is None


def test_days_left_are_counted_from_todays_date_in_london(time_machine):
    # 23:30 UTC on 1 June is 00:30 on 2 June in London (British Summer Time).
    time_machine.move_to(at(2015, 6, 1, 23, 30), tick=False)
    action = ActionFactory(due_date=D(2015, 6, 12))
    assert action.days_left == 10


# Overdue by the London day


def test_an_action_is_overdue_once_the_london_day_after_its_due_date_begins(time_machine):
    time_machine.move_to(at(2015, 6, 1, 23, 30), tick=False)  # 00:30 on 2 June in London
    action = ActionFactory(due_date=D(2015, 6, 1))
    assert (action.is_overdue, action.days_overdue) == (True, 1)


def test_the_overdue_list_uses_the_london_day(time_machine):
    time_machine.move_to(at(2015, 6, 1, 23, 30), tick=False)  # 00:30 on 2 June in London
    overdue = ActionFactory(due_date=D(2015, 6, 1))
    ActionFactory(due_date=D(2015, 6, 2))
    assert list(Action.objects.overdue()) == [overdue]


def test_an_action_is_not_overdue_late_on_its_due_day_in_london(time_machine):
    time_machine.move_to(at(2015, 6, 1, 22, 30), tick=False)  # 23:30 on 1 June in London
    action = ActionFactory(due_date=D(2015, 6, 1))
    assert not action.is_overdue
    assert not Action.objects.overdue().exists()


def test_an_action_due_on_its_revised_date_today_is_not_overdue(today):
    action = ActionFactory(due_date=D(2015, 5, 1), revised_due_date=today)
    assert (action.is_overdue, action.days_left) == (False, 0)
    assert not Action.objects.overdue().exists()


def test_the_overdue_list_counts_from_the_day_it_is_given(today):
    due_in_april = ActionFactory(due_date=D(2015, 4, 30))
    ActionFactory(due_date=D(2015, 5, 1))
    assert list(Action.objects.overdue(D(2015, 5, 1))) == [due_in_april]


def test_not_overdue_is_everything_the_overdue_list_leaves_out(today):
    overdue = ActionFactory(due_date=D(2015, 5, 1))
    others = {
        ActionFactory(due_date=D(2015, 7, 1)),
        ActionFactory(due_date=D(2015, 5, 1), status=S.VERIFIED),
        ActionFactory(due_date=None),
    }
    assert set(Action.objects.not_overdue()) == others
    assert overdue not in Action.objects.not_overdue()


def test_actions_falling_due_soon_leave_out_closed_ones(today):
    soon = ActionFactory(due_date=today + datetime.timedelta(days=3), status=S.IN_PROGRESS)
    ActionFactory(due_date=today + datetime.timedelta(days=3), status=S.COMPLETED)
    ActionFactory(due_date=today + datetime.timedelta(days=3), status=S.SUPERSEDED)
    assert list(Action.objects.due_within(30)) == [soon]


def test_actions_falling_due_soon_count_from_the_day_given(today):
    in_may = ActionFactory(due_date=D(2015, 5, 10))
    ActionFactory(due_date=D(2015, 4, 30))
    assert list(Action.objects.due_within(10, today=D(2015, 5, 1))) == [in_may]


# Completed late, by the London day of completion


# (due date, completed at, late?) at the edges of the London day, in summer (UTC+1) and in winter (UTC).
LONDON_DAY_EDGES = [
    # 23:30 UTC on 1 June is 00:30 on 2 June in London: the day after the due date.
    pytest.param(D(2015, 6, 1), at(2015, 6, 1, 23, 30), True, id="summer-utc-due-day-is-london-next-day"),
    # 22:30 UTC on 1 June is 23:30 on 1 June in London: still the due date.
    pytest.param(D(2015, 6, 1), at(2015, 6, 1, 22, 30), False, id="summer-last-london-hour-of-due-day"),
    # 00:30 on 1 June in London is 23:30 on 31 May in UTC: the London day is past the due date.
    pytest.param(D(2015, 5, 31), at(2015, 6, 1, 0, 30, tz=LONDON), True, id="summer-first-london-hour-after"),
    # In winter London is on UTC: 23:30 UTC on 1 December is still 1 December.
    pytest.param(D(2014, 12, 1), at(2014, 12, 1, 23, 30), False, id="winter-last-hour-of-due-day"),
]


@pytest.mark.parametrize("due,completed_at,late", LONDON_DAY_EDGES)
def test_completion_is_late_by_its_london_day(today, due, completed_at, late):
    action = ActionFactory(due_date=due, status=S.COMPLETED, completed_at=completed_at)
    assert action.was_completed_late is late
    assert list(Action.objects.completed_late()) == ([action] if late else [])
    assert list(Action.objects.completed_on_time()) == ([] if late else [action])


def test_completion_after_the_revised_due_date_is_late(today):
    action = ActionFactory(
        due_date=D(2015, 5, 1), revised_due_date=D(2015, 5, 20), status=S.COMPLETED, completed_at=at(2015, 5, 21, 9)
    )
    assert action.was_completed_late
    assert list(Action.objects.completed_late()) == [action]


def test_an_action_without_a_due_date_is_never_completed_late(today):
    action = ActionFactory(due_date=None, status=S.COMPLETED, completed_at=at(2015, 5, 21, 9))
    assert not action.was_completed_late
    assert not Action.objects.completed_late().exists()


@pytest.mark.parametrize("due,completed_at,late", LONDON_DAY_EDGES)
def test_days_completed_late_count_london_days(today, due, completed_at, late):
    action = ActionFactory(due_date=due, status=S.COMPLETED, completed_at=completed_at)
    assert action.days_completed_late == (1 if late else 0)


def test_days_completed_late_count_from_the_revised_due_date(today):
    action = ActionFactory(
        due_date=D(2015, 5, 1), revised_due_date=D(2015, 5, 20), status=S.COMPLETED, completed_at=at(2015, 5, 23, 9)
    )
    assert action.days_completed_late == 3


def test_an_action_completed_early_is_zero_days_late(today):
    action = ActionFactory(due_date=D(2015, 5, 20), status=S.COMPLETED, completed_at=at(2015, 5, 1, 9))
    assert action.days_completed_late == 0


def test_days_completed_late_are_none_without_a_due_date_or_a_completion(today):
    undated = ActionFactory(due_date=None, status=S.COMPLETED, completed_at=at(2015, 5, 21, 9))
    open_ = ActionFactory(due_date=D(2015, 5, 1), status=S.IN_PROGRESS)
    assert (undated.days_completed_late, open_.days_completed_late) == (None, None)


def test_an_action_not_yet_completed_is_neither_late_nor_on_time(today):
    ActionFactory(due_date=D(2015, 5, 1), status=S.IN_PROGRESS)
    assert not Action.objects.completed_late().exists()
    assert not Action.objects.completed_on_time().exists()


def test_completed_late_uses_the_local_day_where_it_is_behind_utc(today):
    # 02:00 UTC on 2 June is 22:00 on 1 June in New York: on time for 1 June; 05:00 UTC is 01:00 on 2 June: late.
    with override_settings(TIME_ZONE="America/New_York"):
        on_time = ActionFactory(due_date=D(2015, 6, 1), status=S.COMPLETED, completed_at=at(2015, 6, 2, 2))
        late = ActionFactory(due_date=D(2015, 6, 1), status=S.COMPLETED, completed_at=at(2015, 6, 2, 5))
        assert (on_time.was_completed_late, late.was_completed_late) == (False, True)
        assert list(Action.objects.completed_late()) == [late]
    # The summaries were counted by New York's days; a deployment that changes TIME_ZONE counts them again.
    ForceSummary.objects.rebuild()


# Attention order


def test_an_approved_extension_sorts_after_an_action_due_sooner(today):
    extended = ActionFactory(due_date=D(2015, 5, 1), revised_due_date=D(2015, 12, 31), status=S.IN_PROGRESS)
    due_sooner = ActionFactory(due_date=D(2015, 7, 1), status=S.IN_PROGRESS)
    assert list(Action.objects.by_attention()) == [due_sooner, extended]


def test_one_actions_attention_order_respects_an_approved_extension(today):
    extended = ActionFactory(due_date=D(2015, 5, 1), revised_due_date=D(2015, 12, 31), status=S.IN_PROGRESS)
    due_sooner = ActionFactory(due_date=D(2015, 7, 1), status=S.IN_PROGRESS)
    assert sorted([extended, due_sooner], key=lambda a: a.attention_order()) == [due_sooner, extended]


def test_a_priority_action_sorts_first_even_when_due_last(today):
    soon = ActionFactory(due_date=D(2015, 5, 20))
    priority = ActionFactory(due_date=D(2015, 12, 31), recommendation__is_priority=True)
    assert list(Action.objects.by_attention()) == [priority, soon]


def test_open_actions_sort_before_those_awaiting_review_then_closed_ones(today):
    verified = ActionFactory(due_date=D(2015, 5, 1), status=S.VERIFIED)
    awaiting = ActionFactory(due_date=D(2015, 5, 2), status=S.COMPLETED)
    undated = ActionFactory(due_date=None)
    dated = ActionFactory(due_date=D(2015, 9, 1))
    assert list(Action.objects.by_attention()) == [dated, undated, awaiting, verified]


# Precision of the due date


def test_a_revised_due_date_is_shown_to_the_day_whatever_the_original_precision(today):
    action = ActionFactory(
        recommendation=RecommendationFactory(due_precision=DatePrecision.MONTH),
        due_date=D(2015, 5, 1),
        revised_due_date=D(2015, 9, 30),
    )
    assert action.due_precision == DatePrecision.DAY


def test_an_original_due_date_keeps_the_reports_precision(today):
    action = ActionFactory(recommendation=RecommendationFactory(due_precision=DatePrecision.MONTH))
    assert action.due_precision == DatePrecision.MONTH


def test_a_due_date_of_unknown_precision_is_shown_to_the_day(today):
    action = ActionFactory(recommendation=RecommendationFactory(due_precision=""))
    assert action.due_precision == DatePrecision.DAY


# The admin's overdue filter


def test_the_admins_not_overdue_filter_keeps_closed_actions_past_their_due_date(client, today, admin_user):
    past = D(2015, 5, 1)
    not_overdue = {ActionFactory(due_date=past, status=status).pk for status in NOT_OPEN} | {
        ActionFactory(due_date=today).pk,
        ActionFactory(due_date=D(2015, 9, 1)).pk,
        ActionFactory(due_date=past, revised_due_date=D(2015, 9, 1)).pk,
        ActionFactory(due_date=None).pk,
    }
    ActionFactory(due_date=past, status=S.IN_PROGRESS)
    ActionFactory(due_date=past, status=S.NOT_STARTED)
    client.force_login(admin_user)

    response = client.get(reverse("admin:tracker_action_changelist"), {"overdue": "no"})

    assert {action.pk for action in response.context["cl"].result_list} == not_overdue


def test_the_admins_overdue_filter_lists_open_actions_past_their_effective_due_date(client, today, admin_user):
    past = D(2015, 5, 1)
    overdue = {ActionFactory(due_date=past, status=status).pk for status in [S.NOT_STARTED, S.IN_PROGRESS]}
    overdue.add(ActionFactory(due_date=D(2015, 1, 1), revised_due_date=past).pk)
    for status in NOT_OPEN:
        ActionFactory(due_date=past, status=status)
    ActionFactory(due_date=past, revised_due_date=D(2015, 9, 1))
    client.force_login(admin_user)

    response = client.get(reverse("admin:tracker_action_changelist"), {"overdue": "yes"})

    assert {action.pk for action in response.context["cl"].result_list} == overdue


# Who sees what


def test_an_inactive_psd_lead_sees_none_of_their_forces_actions(force_a, psd_lead_a):
    ActionFactory(force=force_a)
    psd_lead_a.is_active = False
    assert not Action.objects.visible_to(psd_lead_a).exists()


def test_an_inactive_psd_lead_sees_none_of_their_forces_reports(force_a, psd_lead_a):
    ActionFactory(force=force_a)
    psd_lead_a.is_active = False
    assert not Report.objects.visible_to(psd_lead_a).exists()
    assert not Report.objects.with_visible_actions(psd_lead_a).exists()


def test_an_active_psd_lead_sees_their_forces_actions(force_a, force_b, psd_lead_a):
    mine = ActionFactory(force=force_a)
    ActionFactory(force=force_b)
    assert list(Action.objects.visible_to(psd_lead_a)) == [mine]


def test_a_forces_address_follows_a_change_of_its_slug(db):
    force = ForceFactory(slug="west-midlands")
    assert force.get_absolute_url() == "/forces/west-midlands/"
    force.slug = "west-mercia"
    assert force.get_absolute_url() == "/forces/west-mercia/"


def test_a_forces_address_is_reversed_once_for_its_slug(db, monkeypatch):
    reversed_ = []
    monkeypatch.setattr(
        "tracker.links.reverse", lambda *args, **kwargs: reversed_.append(args) or reverse(*args, **kwargs)
    )
    force = ForceFactory(slug="reversed-once")  # a slug no other test reverses, so not yet cached
    force.get_absolute_url(), ForceFactory.build(slug="reversed-once").get_absolute_url()
    force.slug = "reversed-once-again"
    force.get_absolute_url(), force.get_absolute_url()
    assert len(reversed_) == 2
