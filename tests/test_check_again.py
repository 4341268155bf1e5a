"""
Fixes that must last: a reviewer verifies with a check-again date; on that date the action comes back to the
review queue (and the reviewers' email) for a re-check, which confirms it, closing it for good, or reopens it.
"""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import LONDON
from tests.factories import ActionFactory, ForceFactory, PsdLeadFactory, ReviewerFactory
from tests.test_review_queue import QUEUE, QUEUE_QUERIES, _completed, _fill_queue, _text
from tracker import reminders, workflow
from tracker.models import Action, ReminderLog
from tracker.selectors import kept_force_summaries

pytestmark = pytest.mark.django_db
D = datetime.date
S = Action.Status
TODAY = D(2015, 6, 1)
IN_SIX_MONTHS = D(2015, 12, 1)


def on(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON), tick=False)


@pytest.fixture
def completed(today, force_a, psd_lead_a):
    return _completed(force_a, psd_lead_a)


@pytest.fixture
def verified(completed, reviewer):
    """Verified on 1 June 2015, to be checked again on 1 December 2015."""
    return workflow.transition(completed, "verify", by=reviewer, recheck_on=IN_SIX_MONTHS)


# The workflow


def test_verifying_with_a_check_again_date_keeps_it_and_says_so_in_the_history(verified, reviewer):
    verified.refresh_from_db()
    assert (verified.status, verified.recheck_on) == (S.VERIFIED, IN_SIX_MONTHS)
    last = verified.history.first()
    assert last.history_user == reviewer and last.recheck_on == IN_SIX_MONTHS


def test_verifying_without_a_date_closes_it_with_no_re_check(completed, reviewer):
    workflow.transition(completed, "verify", by=reviewer)
    completed.refresh_from_db()
    assert completed.recheck_on is None
    assert not Action.objects.recheck_due(D(2030, 1, 1)).exists()


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (TODAY, "The check-again date must be in the future."),
        (D(2015, 5, 1), "The check-again date must be in the future."),
        (D(2025, 6, 2), "The check-again date must be no later than 1 June 2025, ten years from today."),
    ],
)
def test_a_check_again_date_today_past_or_beyond_ten_years_is_refused(completed, reviewer, day, message):
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.transition(completed, "verify", by=reviewer, recheck_on=day)
    assert refused.value.message_dict == {"recheck_on": [message]}
    completed.refresh_from_db()
    assert (completed.status, completed.recheck_on) == (S.COMPLETED, None)


def test_a_check_again_date_ten_years_ahead_is_the_last_accepted(completed, reviewer):
    workflow.transition(completed, "verify", by=reviewer, recheck_on=D(2025, 6, 1))
    assert Action.objects.get().recheck_on == D(2025, 6, 1)


def test_only_verifying_sets_a_check_again_date(today, force_a, psd_lead_a):
    action = ActionFactory(force=force_a)
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.transition(action, "start", by=psd_lead_a, recheck_on=IN_SIX_MONTHS)
    assert refused.value.messages == ["Only verifying an action sets a check-again date."]
    assert Action.objects.get().status == S.NOT_STARTED


def test_the_re_check_falls_due_on_its_date_and_not_before(verified):
    assert not Action.objects.recheck_due(D(2015, 11, 30)).exists()
    assert list(Action.objects.recheck_due(IN_SIX_MONTHS)) == [verified]
    assert list(Action.objects.recheck_due(D(2016, 3, 1))) == [verified]
    with on(D(2015, 11, 30)):
        assert not Action.objects.get().is_recheck_due
    with on(IN_SIX_MONTHS):
        assert Action.objects.get().is_recheck_due


@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(list(S)),
            st.one_of(st.none(), st.dates(min_value=D(2015, 1, 1), max_value=D(2016, 12, 31))),
        ),
        min_size=1,
        max_size=10,
    ),
    day=st.dates(min_value=D(2015, 1, 1), max_value=D(2016, 12, 31)),
)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_re_checks_due_are_the_actions_whose_property_says_so(force_a, rows, day):
    Action.objects.all().delete()
    for status, recheck_on in rows:
        ActionFactory(force=ForceFactory(), status=status, recheck_on=recheck_on)
    with on(day):
        expected = {action.pk for action in Action.objects.all() if action.is_recheck_due}
        counted = Action.objects.recheck_due_counts(day)
    assert set(Action.objects.recheck_due(day).values_list("pk", flat=True)) == expected
    assert sum(counted.values()) == len(expected)


def test_a_re_check_confirms_the_fix_has_lasted_and_closes_it_for_good(verified, reviewer):
    with on(D(2015, 12, 3)):
        workflow.confirm_recheck(verified, by=reviewer, text="Dip sample of twenty files: all in date.")
        assert not Action.objects.recheck_due().exists()
    verified.refresh_from_db()
    assert (verified.status, verified.recheck_on) == (S.VERIFIED, None)
    last = verified.history.first()
    assert last.history_user == reviewer
    assert last.history_change_reason == (
        "Re-checked on 3 December 2015: the fix has lasted. Dip sample of twenty files: all in date."
    )


def test_a_re_check_with_nothing_written_says_only_that_the_fix_has_lasted(verified, reviewer):
    with on(D(2015, 12, 3)):
        workflow.confirm_recheck(verified, by=reviewer)
    assert verified.history.first().history_change_reason == "Re-checked on 3 December 2015: the fix has lasted"
    assert workflow.recheck_reason(D(2015, 12, 3)) == "Re-checked on 3 December 2015: the fix has lasted"
    assert workflow.recheck_reason(D(2015, 12, 3), "  ") == "Re-checked on 3 December 2015: the fix has lasted"


def test_a_re_check_from_a_stale_page_is_refused(verified, reviewer):
    with pytest.raises(workflow.StaleActionError):
        workflow.confirm_recheck(verified, by=reviewer, expected_version=verified.version - 1)
    assert Action.objects.get().recheck_on == IN_SIX_MONTHS


def test_only_a_reviewer_re_checks(verified, psd_lead_a):
    with pytest.raises(PermissionDenied, match="Only an HMIC reviewer can re-check a verified action."):
        workflow.confirm_recheck(verified, by=psd_lead_a)


def test_an_action_without_a_check_again_date_has_nothing_to_re_check(completed, reviewer):
    workflow.transition(completed, "verify", by=reviewer)
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.confirm_recheck(completed, by=reviewer)
    assert refused.value.messages == ["Only a verified action with a check-again date can be re-checked."]


def test_reopening_on_the_re_check_clears_the_date(verified, reviewer):
    with on(IN_SIX_MONTHS):
        workflow.transition(verified, "reopen", by=reviewer, text="The register has not been kept since August.")
    verified.refresh_from_db()
    assert (verified.status, verified.recheck_on, verified.verified_at) == (S.IN_PROGRESS, None, None)


# The pages


def test_the_verify_form_asks_for_an_optional_check_again_date(client, completed, reviewer):
    client.force_login(reviewer)
    page = client.get(completed.get_absolute_url()).content.decode()
    assert 'name="recheck_on"' in page and "Check again on (optional)" in page


def test_verifying_on_the_action_page_with_a_date_sets_it(client, completed, reviewer):
    client.force_login(reviewer)
    url = reverse("tracker:action_transition", args=[completed.pk, "verify"])
    response = client.post(url, {"version": completed.version, "text": "", "recheck_on": "01/12/2015"})
    assert response.status_code == 302
    assert Action.objects.get().recheck_on == IN_SIX_MONTHS


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31/02/2016", "Enter the check-again date as day/month/year, for example 30/09/2027."),
        ("01/05/2015", "The check-again date must be in the future."),
    ],
)
def test_a_wrong_check_again_date_is_refused_beside_the_field_keeping_what_was_typed(
    client, completed, reviewer, typed, message
):
    client.force_login(reviewer)
    url = reverse("tracker:action_transition", args=[completed.pk, "verify"])
    response = client.post(url, {"version": completed.version, "text": "Evidence seen.", "recheck_on": typed})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and f'value="{typed}"' in page and "Evidence seen." in page
    assert Action.objects.get().status == S.COMPLETED


def test_the_action_page_shows_the_check_again_date_to_the_force(client, verified, psd_lead_a):
    client.force_login(psd_lead_a)
    page = _text(client.get(verified.get_absolute_url()).content.decode())
    assert "Check again on 1 December 2015" in page
    assert "HMIC verified it on 1 June 2015 and will check that the fix has lasted." in page
    assert "Confirm the fix has lasted" not in page  # the reviewer's to do


def test_the_action_page_offers_the_reviewer_the_re_check_when_due(client, verified, reviewer):
    with on(IN_SIX_MONTHS):
        client.force_login(reviewer)
        page = _text(client.get(verified.get_absolute_url()).content.decode())
    assert "Check again on 1 December 2015: the re-check is due" in page
    assert "Re-check: has the fix lasted?" in page and "Reopen" in page


def test_the_re_check_is_due_in_lists_as_a_tag(client, verified, psd_lead_a):
    with on(IN_SIX_MONTHS):
        client.force_login(psd_lead_a)
        page = client.get(reverse("tracker:action_list")).content.decode()
    assert "Re-check due</strong>" in page


def test_the_queue_lists_the_re_checks_due_and_not_those_to_come(client, verified, force_a, psd_lead_a, reviewer):
    later = _completed(force_a, psd_lead_a)
    workflow.transition(later, "verify", by=reviewer, recheck_on=D(2016, 6, 1))
    with on(IN_SIX_MONTHS):
        client.force_login(reviewer)
        response = client.get(QUEUE)
    assert [card.action for card in response.context["recheck_cards"]] == [verified]
    page = _text(response.content.decode())
    assert "Verified, re-check due (1)" in page
    assert "Verified 1 June 2015; check again on 1 December 2015" in page


def test_confirming_from_the_queue_returns_to_it_saying_so(client, verified, reviewer):
    with on(IN_SIX_MONTHS):
        client.force_login(reviewer)
        response = client.post(
            reverse("tracker:action_confirm_recheck", args=[verified.pk]),
            {"version": verified.version, "text": "Still in place.", "next": f"{QUEUE}#rechecks"},
        )
        assert response["Location"] == f"{QUEUE}#rechecks"
        page = _text(client.get(QUEUE).content.decode())
    assert f"Re-check recorded for {verified}: the fix has lasted, and it is closed for good." in page
    assert "Verified, re-check due (0)" in page and "No re-check is due." in page


def test_reopening_from_a_re_check_card_without_a_reason_keeps_the_card(client, verified, reviewer):
    with on(IN_SIX_MONTHS):
        client.force_login(reviewer)
        response = client.post(
            reverse("tracker:action_transition", args=[verified.pk, "reopen"]),
            {"version": verified.version, "text": "", "next": QUEUE},
        )
    assert response.status_code == 400
    assert "Enter a reason for reopening" in response.content.decode()
    assert [card.action for card in response.context["recheck_cards"]] == [verified]


def test_verifying_from_the_queue_with_a_check_again_date(client, completed, reviewer):
    client.force_login(reviewer)
    page = client.get(QUEUE).content.decode()
    assert f'id="id_verify_{completed.pk}_recheck_on"' in page
    response = client.post(
        reverse("tracker:action_transition", args=[completed.pk, "verify"]),
        {"version": completed.version, "recheck_on": "1/12/2015", "next": QUEUE},
    )
    assert response["Location"] == QUEUE
    assert Action.objects.get().recheck_on == IN_SIX_MONTHS


def test_a_wrong_date_on_the_queue_is_shown_on_its_card_as_typed(client, completed, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("tracker:action_transition", args=[completed.pk, "verify"]),
        {"version": completed.version, "recheck_on": "next spring", "next": QUEUE},
    )
    assert response.status_code == 400
    page = response.content.decode()
    card = page.split(f'id="action-{completed.pk}"')[1]
    assert "Enter the check-again date as day/month/year" in card and 'value="next spring"' in card


@pytest.mark.parametrize("rechecks", [1, 12])
def test_the_queue_runs_a_fixed_number_of_queries_whatever_the_re_checks(
    client, today, reviewer, rechecks, django_assert_num_queries
):
    _fill_queue(rechecks)
    for action in Action.objects.all():
        workflow.transition(action, "verify", by=reviewer, recheck_on=IN_SIX_MONTHS)
    _fill_queue(2)
    with on(IN_SIX_MONTHS):
        client.force_login(reviewer)
        with django_assert_num_queries(QUEUE_QUERIES + 3):  # their notes, evidence and completion notes
            response = client.get(QUEUE)
    assert len(response.context["recheck_cards"]) == rechecks


def test_the_dashboard_counts_each_forces_re_checks_due(client, verified, force_b, reviewer):
    ActionFactory(force=force_b)
    with on(IN_SIX_MONTHS):
        client.force_login(reviewer)
        response = client.get(reverse("tracker:dashboard") + "?sort=recheck")
        counts = [(f.slug, f.recheck_due_count) for f in kept_force_summaries()]
    assert [(f.slug, f.recheck_due_count) for f in response.context["forces"]] == [
        ("west-midlands", 1),
        ("leicestershire", 0),
    ]
    assert sorted(counts) == [("leicestershire", 0), ("west-midlands", 1)]
    page = response.content.decode()
    assert "1 verified action due a re-check." in page
    assert f'href="{QUEUE}#rechecks">1<span class="govuk-visually-hidden"> verified actions due a re-check' in page


# Reminders


def test_reviewers_are_emailed_on_the_day_a_re_check_falls_due(verified, reviewer, psd_lead_a):
    ReviewerFactory(username="other-reviewer", email="")  # no address: no email
    due = reminders.recheck_reminders(IN_SIX_MONTHS, digest=False)
    assert [r.user for r in due] == [reviewer]
    [email] = due
    assert email.kind == ReminderLog.Kind.RECHECK
    assert email.subject == "Recommendation Tracker: 1 re-check due today"
    assert "Due today (1)" in email.body
    assert "Verified 1 June 2015; check again on 1 December 2015" in email.body
    assert f"http://testserver{verified.get_absolute_url()}" in email.body or verified.get_absolute_url() in email.body
    assert "/review/#rechecks" in email.body


def test_a_re_check_still_waiting_is_in_the_weekly_email_only(verified, reviewer):
    later = D(2015, 12, 8)
    assert reminders.recheck_reminders(later, digest=False) == []
    [weekly] = reminders.recheck_reminders(later, digest=True)
    assert weekly.subject == "Recommendation Tracker: 1 re-check waiting"
    assert "Still waiting (1)" in weekly.body and "Due today" not in weekly.body


def test_no_re_check_email_before_the_date_or_after_the_re_check(verified, reviewer):
    assert reminders.recheck_reminders(D(2015, 11, 30), digest=True) == []
    with on(IN_SIX_MONTHS):
        workflow.confirm_recheck(verified, by=reviewer)
    assert reminders.recheck_reminders(IN_SIX_MONTHS, digest=True) == []


def test_send_reminders_sends_the_re_check_email_once_a_day(verified, reviewer, psd_lead_a):
    from django.core.management import call_command

    PsdLeadFactory(forces=[verified.force])
    with on(IN_SIX_MONTHS):
        call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    sent = [m for m in mail.outbox if "re-check" in m.subject]
    assert [m.to for m in sent] == [[reviewer.email]]


# The API


def test_the_api_verifies_with_a_check_again_date_and_records_the_re_check(client, completed, reviewer):
    client.force_login(reviewer)
    url = reverse("api:action-transition", args=[completed.pk])
    body = client.post(
        url,
        {"transition": "verify", "version": completed.version, "recheck_on": "2015-12-01"},
        content_type="application/json",
    ).json()
    assert (body["status"], body["recheck_on"], body["is_recheck_due"]) == ("verified", "2015-12-01", False)
    with on(IN_SIX_MONTHS):
        client.force_login(reviewer)
        assert client.get(reverse("api:action-detail", args=[completed.pk])).json()["is_recheck_due"] is True
        response = client.post(
            reverse("api:action-recheck", args=[completed.pk]),
            {"version": body["version"], "text": "Still in place."},
            content_type="application/json",
        )
    assert response.status_code == 200 and response.json()["recheck_on"] is None


def test_the_api_refuses_a_past_check_again_date_with_the_reason(client, completed, reviewer):
    client.force_login(reviewer)
    response = client.post(
        reverse("api:action-transition", args=[completed.pk]),
        {"transition": "verify", "version": completed.version, "recheck_on": "2015-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "The check-again date must be in the future."


def test_a_psd_lead_cannot_re_check_through_the_api(client, verified, psd_lead_a):
    client.force_login(psd_lead_a)
    response = client.post(
        reverse("api:action-recheck", args=[verified.pk]),
        {"version": verified.version},
        content_type="application/json",
    )
    assert response.status_code == 403
