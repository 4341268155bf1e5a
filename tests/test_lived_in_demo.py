"""build_demo: what `make run` shows is a tracker in use as of today, built on the shipped reports."""

import datetime
import io
from collections import Counter

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

import demo
from demo import lived_in
from tests.factories import PsdLeadFactory
from tracker import two_factor, workflow
from tracker.models import Action, ExtensionRequest, Report, User

TODAY = datetime.date(2026, 12, 1)
SEED_FORCES = ("cambridgeshire", "leicestershire", "metropolitan", "west-midlands")
Status = Action.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    """The database `make run` has before the demo: the forces and the shipped reports, untouched."""
    call_command("loaddata", "fixtures/forces.json", verbosity=0)
    call_command("load_reports", stdout=io.StringIO())


def _build(today: datetime.date = TODAY, seed: int = lived_in.SEED) -> str:
    out = io.StringIO()
    call_command("build_demo", "--today", today.isoformat(), "--seed", str(seed), stdout=out)
    return out.getvalue()


def _seed_actions():
    return Action.objects.exclude(recommendation__report__slug__startswith=demo.DEMO_REPORT_PREFIX)


def test_the_shipped_reports_actions_live_from_their_publication_not_from_the_day_they_were_loaded(loaded):
    _build()
    for action in _seed_actions().select_related("recommendation__report"):
        published = action.recommendation.report.published_on
        first = action.history.earliest("history_date")
        assert published <= first.history_date.date() <= published + datetime.timedelta(days=7)
        assert action.created_at == first.history_date
        assert action.history.latest("history_date").history_date.date() < TODAY


def test_every_action_has_a_history_that_ends_in_its_current_state(loaded):
    _build()
    for action in Action.objects.all():
        rows = list(action.history.order_by("history_date", "history_id"))
        assert [r.version for r in rows] == list(range(1, action.version + 1))
        last = rows[-1]
        assert (last.status, last.owner_id, last.revised_due_date, last.rag, last.is_publishable) == (
            action.status,
            action.owner_id,
            action.revised_due_date,
            action.rag,
            action.is_publishable,
        )


def test_most_of_the_shipped_reports_actions_were_verified_years_ago_some_of_them_late(loaded):
    _build()
    seeds = _seed_actions()
    statuses = Counter(seeds.values_list("status", flat=True))
    assert statuses[Status.VERIFIED] >= 0.7 * seeds.count()
    assert seeds.filter(verified_at__date__lt=TODAY - datetime.timedelta(days=365 * 5)).exists()
    assert seeds.completed_late().exists()
    assert seeds.exclude(pk__in=seeds.completed_late().values("pk")).filter(completed_at__isnull=False).exists()


def test_one_of_the_shipped_reports_actions_is_superseded_and_one_was_reopened_before_it_was_verified(loaded):
    _build()
    seeds = _seed_actions()
    assert seeds.filter(status=Status.SUPERSEDED).exists()
    reopened = Action.history.filter(id__in=seeds.values("pk"), history_change_reason__startswith="Reopen: ")
    assert seeds.filter(pk__in=reopened.values("id"), status=Status.VERIFIED).exists()


@pytest.mark.parametrize("today", [TODAY, datetime.date(2027, 3, 15), datetime.date(2031, 7, 31)])
def test_a_round_under_way_falls_due_in_the_coming_weeks_whatever_the_day(loaded, today):
    _build(today)
    soon = Action.objects.filter(
        status__in=Action.OPEN_STATUSES, due_date__range=(today, today + datetime.timedelta(42))
    )
    assert soon.count() >= 5
    assert not Action.objects.filter(created_at__date__gte=today).exists()


@pytest.mark.parametrize(
    ("today", "seed"), [(TODAY, lived_in.SEED), (datetime.date(2027, 3, 15), 1), (datetime.date(2031, 7, 31), 99)]
)
def test_each_inspected_forces_lead_owns_work_overdue_and_has_an_extension_waiting_for_a_decision(loaded, today, seed):
    _build(today, seed)
    for slug in SEED_FORCES:
        lead = User.objects.get(username=f"demo.psd.{slug}")
        assert Action.objects.filter(owner=lead).overdue(today).exists(), slug
        assert ExtensionRequest.objects.filter(
            action__force__slug=slug, decision=ExtensionRequest.Decision.PENDING
        ).exists(), slug


def test_the_reviewer_has_actions_awaiting_review_and_the_register_has_entries(loaded):
    _build()
    assert Action.objects.filter(status=Status.COMPLETED).count() >= 4
    assert Action.objects.filter(status=Status.COMPLETED, force__slug__in=SEED_FORCES).count() >= 4
    assert Action.objects.public().count() >= 3


def test_open_actions_carry_red_amber_and_green_ratings_with_reasons(loaded):
    _build()
    rated = Action.objects.exclude(rag="")
    assert set(rated.values_list("rag", flat=True)) == {"red", "amber", "green"}
    assert not rated.filter(rag_reason="").exists()
    assert rated.filter(status__in=Action.OPEN_STATUSES).count() >= 0.5 * rated.count()


def test_overdue_actions_are_a_minority_spread_over_forces_and_due_in_the_last_two_years(loaded):
    _build()
    overdue = Action.objects.overdue(TODAY)
    assert 0 < overdue.count() <= 0.2 * Action.objects.count()
    assert overdue.values("force").distinct().count() >= 5
    assert not overdue.filter(due_date__lt=TODAY - datetime.timedelta(days=2 * 365)).exists()


def test_prints_the_log_ins_of_the_reviewer_the_admin_and_each_inspected_forces_lead(loaded):
    out = _build()
    assert "Demo log-ins (password for all: demo-tracker-2026):" in out
    assert "demo.reviewer " in out and "demo.admin " in out
    for slug in SEED_FORCES:
        assert f"demo.psd.{slug} " in out
    assert "demo.psd.<force-slug>" in out


def test_the_same_day_gives_the_same_demo(loaded):
    _build()
    first = list(
        Action.objects.order_by("recommendation__report__slug", "recommendation__number", "force__slug").values_list(
            "status", "owner__username", "rag", "due_date", "revised_due_date"
        )
    )
    demo.clear_tracker_data()
    call_command("load_reports", stdout=io.StringIO())
    _build()
    again = list(
        Action.objects.order_by("recommendation__report__slug", "recommendation__number", "force__slug").values_list(
            "status", "owner__username", "rag", "due_date", "revised_due_date"
        )
    )
    assert first == again


def test_a_second_run_keeps_the_demo_as_it_is(loaded):
    _build()
    before = (Action.objects.count(), Action.history.count(), User.objects.count())
    out = _build(TODAY + datetime.timedelta(days=30))
    assert "The database already holds the demonstration data: kept as it is." in out
    assert "demo.reviewer" in out
    assert (Action.objects.count(), Action.history.count(), User.objects.count()) == before


def test_leaves_a_database_with_anyones_changes_alone(loaded):
    action = Action.objects.filter(force__slug="kent").first()
    workflow.transition(action, "start", by=PsdLeadFactory(forces=[action.force]))
    out = _build()
    assert "holds actions people have changed, so no demonstration data was added" in out
    assert not User.objects.filter(username__startswith="demo.").exists()
    assert not Report.objects.filter(slug__startswith="demo-").exists()


def test_refuses_an_empty_database_with_what_to_do():
    with pytest.raises(CommandError, match=r"No reports are loaded: run `make load-fixtures`"):
        _build()


def test_build_itself_refuses_anything_but_the_loaded_reports_alone(loaded):
    _build()
    with pytest.raises(ValueError, match="the database holds the demo already"):
        lived_in.build(today=TODAY)


def test_pages_say_they_show_demonstration_data_to_demo_log_ins_only(loaded, client):
    _build()
    client.force_login(User.objects.get(username="demo.psd.west-midlands"))
    assert "Demonstration data." in client.get("/", follow=True).content.decode()
    client.force_login(PsdLeadFactory(username="jo.bloggs"))
    assert "Demonstration data." not in client.get("/", follow=True).content.decode()


def test_due_dates_have_moved_some_twice_each_move_an_approved_request_with_its_reason(loaded):
    _build()
    moved = Action.objects.slipped().with_due_date_revisions()
    assert moved.count() >= 10
    revisions = {action.pk: action.due_date_revisions for action in moved}
    assert all(revisions.values())  # every moved due date has the approval that moved it
    assert any(len(moves) >= 2 for moves in revisions.values())
    for action in moved:
        assert revisions[action.pk][-1].moved_to == action.revised_due_date
        assert all(move.request.reason and move.request.decided_by_id for move in revisions[action.pk])
    assert Action.objects.slipped_more_than(3).exists()
    assert Action.objects.public().slipped().exists()  # the register shows a moved due date


def test_some_verified_actions_wait_for_a_re_check_some_due_and_some_were_re_checked(loaded):
    _build()
    verified = Action.objects.filter(status=Status.VERIFIED)
    assert Action.objects.recheck_due(TODAY).exists()  # on the review queue today
    assert verified.filter(recheck_on__gt=TODAY).exists()  # still to come
    confirmed = Action.history.filter(history_change_reason__startswith="Re-checked on ")
    assert confirmed.exists()
    assert not verified.filter(pk__in=confirmed.values("id"), recheck_on__isnull=False).exists()


def test_commissioners_responses_are_in_every_stage_some_due_some_overdue(loaded):
    from tracker import responses
    from tracker.models import CommissionerResponse

    _build()
    fresh = {
        r.subject_force.slug: r
        for r in Report.objects.filter(title="Inspection of police custody").select_related("subject_force")
    }
    with time_machine.travel(datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC), tick=False):
        stages = {slug: responses.stage(responses.response_of(report)) for slug, report in fresh.items()}
        awaited = responses.awaited_responses(TODAY)
    assert stages == {
        "cambridgeshire": "Chief officer's comments invited by 8 December 2026",
        "leicestershire": "Draft",
        "metropolitan": "Not started",
        "west-midlands": "Published",
    }
    assert {a.is_overdue for a in awaited} == {True, False}  # due within the 56 days, and overdue
    published = CommissionerResponse.objects.filter(published_at__isnull=False)
    assert published.count() >= 20
    assert {r.published_in_time for r in published.select_related("report")} == {True, False}  # some late
    assert all(r.explanations.count() == r.report.recommendations.count() for r in published)


def test_prints_the_log_in_of_a_commissioners_office(loaded):
    out = _build()
    assert "demo.pcc.cambridgeshire " in out and "demo.pcc.<force-slug>" in out


def test_the_named_log_ins_have_weeks_of_sign_ins_on_working_days_and_a_last_sign_in(loaded):
    _build()
    reviewer = User.objects.get(username="demo.reviewer")
    days = {event.at.date() for event in reviewer.sign_in_events.all()}
    assert len(days) >= 10 and all(day.weekday() < 5 and day < TODAY for day in days)
    assert reviewer.last_login is not None and reviewer.last_login.date() == max(days)
    assert not User.objects.get(username="demo.psd.west-midlands.2").sign_in_events.exists()


def test_the_reviewers_and_the_admin_have_an_authenticator_and_the_psd_leads_none(loaded):
    out = _build()
    assert "the code page shows their code" in out
    with_app = set(
        TOTPDevice.objects.filter(confirmed=True, user__username__startswith="demo.").values_list(
            "user__username", flat=True
        )
    )
    assert {"demo.reviewer", "demo.admin"} <= with_app
    assert with_app == {u.username for u in User.objects.filter(username__startswith="demo.") if u.needs_two_factor}
    assert two_factor.status(User.objects.get(username="demo.reviewer")).codes_left == 10


def test_a_newcomer_signs_in_as_the_demo_reviewer_with_the_code_the_page_shows(loaded, client, settings):
    _build()
    settings.DEBUG = True
    data = {"username": "demo.reviewer", "password": demo.DEMO_PASSWORD}
    assert client.post(reverse("login"), data).url == reverse("two_factor_code")
    code = client.get(reverse("two_factor_code")).context["demo_code"]
    assert client.post(reverse("two_factor_code"), {"code": code}).url == "/"


@time_machine.travel(datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_the_people_pages_show_a_leaver_deactivated_and_their_successor_invited(loaded, client):
    _build()
    leaver = User.objects.get(username="demo.psd.cambridgeshire.3")
    successor = User.objects.get(username="demo.psd.cambridgeshire.4")
    assert not leaver.is_active
    assert leaver.history.latest().history_change_reason == "Deactivated: Left the force: retired at the end of October"
    assert leaver.history.latest().history_date.date() == TODAY - datetime.timedelta(days=21)
    assert leaver.date_joined.date() == Report.objects.order_by("published_on").first().published_on
    invitation = successor.invitations.get()
    assert invitation.sent_at.date() == TODAY - datetime.timedelta(days=2)
    assert invitation.is_open and invitation.invited_by.username == "demo.admin"
    assert list(successor.forces.values_list("slug", flat=True)) == ["cambridgeshire"]
    client.force_login(User.objects.get(username="demo.admin"))
    waiting = client.get(reverse("tracker:people") + "?force=cambridgeshire").context["page"].object_list
    assert {user.username: user.invitation_waiting for user in waiting}["demo.psd.cambridgeshire.4"]
