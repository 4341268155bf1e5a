"""The review queue: each completed action with what the reviewer checks, verified or reopened in place."""

import datetime
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from tests.conftest import LONDON
from tests.factories import ActionFactory, ForceFactory, PsdLeadFactory
from tracker import workflow
from tracker.models import Action

pytestmark = pytest.mark.django_db
D = datetime.date
QUEUE = "/review/"
LAST_WEEK = D(2015, 5, 29)
COMPLETION_NOTE = "Every supervisor trained in May; the register is on the PSD share, folder 2015/gifts."


def _completed(force, lead, *, due=LAST_WEEK, note=COMPLETION_NOTE) -> Action:
    action = ActionFactory(recommendation__report__subject_force=force, due_date=due)
    workflow.transition(action, "complete", by=lead, text=note)
    return action


def _add_note(action, author, text, *, when, evidence=None):
    with time_machine.travel(datetime.datetime.combine(when, datetime.time(10), tzinfo=LONDON), tick=False):
        upload = SimpleUploadedFile(evidence, b"%PDF-1.4 test", content_type="application/pdf") if evidence else None
        return workflow.add_note(action, by=author, text=text, attachment=upload)


def _card(response, action) -> str:
    body = response.content.decode()
    return body.split(f'id="action-{action.pk}"')[1].split('<div class="govuk-summary-card"')[0]


def _text(html: str) -> str:
    """Return the words of `html` as read, one space apart."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" :", ":")


def _transition(client, action, name, text="", version=None, next_url=QUEUE):
    return client.post(
        reverse("tracker:action_transition", args=[action.pk, name]),
        {"version": action.version if version is None else version, "text": text, "next": next_url},
    )


def test_a_card_shows_the_completion_note(client, today, force_a, psd_lead_a, reviewer):
    action = _completed(force_a, psd_lead_a)
    client.force_login(reviewer)
    card = _text(_card(client.get(QUEUE), action))
    assert f"Completion note {COMPLETION_NOTE}" in card


def test_a_card_shows_the_latest_completion_note_after_a_reopening(client, today, force_a, psd_lead_a, reviewer):
    action = _completed(force_a, psd_lead_a, note="First attempt.")
    workflow.transition(action, "reopen", by=reviewer, text="No evidence of the training.")
    workflow.transition(action, "complete", by=psd_lead_a, text="Attendance sheets now attached.")
    client.force_login(reviewer)
    card = _text(_card(client.get(QUEUE), action))
    assert "Completion note Attendance sheets now attached." in card
    assert "First attempt." not in card


def test_a_card_shows_the_evidence_files_through_the_checked_download(client, today, force_a, psd_lead_a, reviewer):
    action = _completed(force_a, psd_lead_a)
    older = _add_note(action, psd_lead_a, "Policy.", when=D(2015, 5, 2), evidence="policy.pdf")
    newer = _add_note(action, psd_lead_a, "Register.", when=D(2015, 5, 20), evidence="register.pdf")
    _add_note(action, psd_lead_a, "No file with this one.", when=D(2015, 5, 21))
    client.force_login(reviewer)
    card = _card(client.get(QUEUE), action)
    links = re.findall(r'<a class="govuk-link" href="(/evidence/\d+/)">Download ([^<]+)</a>', card)
    assert links == [
        (reverse("tracker:evidence", args=[newer.pk]), "register.pdf"),
        (reverse("tracker:evidence", args=[older.pk]), "policy.pdf"),
    ]
    assert client.get(links[0][0]).status_code == 200


def test_a_card_shows_the_three_newest_progress_notes_with_author_and_date(
    client, today, force_a, psd_lead_a, colleague_a, reviewer
):
    action = _completed(force_a, psd_lead_a)
    _add_note(action, psd_lead_a, "Oldest note.", when=D(2015, 5, 1))
    _add_note(action, colleague_a, "Second note.", when=D(2015, 5, 2))
    _add_note(action, psd_lead_a, "Third note.", when=D(2015, 5, 3))
    _add_note(action, colleague_a, "Newest note.", when=D(2015, 5, 4))
    client.force_login(reviewer)
    card = _text(_card(client.get(QUEUE), action))
    assert (
        "Latest progress notes Colin Cole, 4 May 2015: Newest note. Alice Ashby, 3 May 2015: Third note. "
        "Colin Cole, 2 May 2015: Second note."
    ) in card
    assert "Oldest note." not in card


def test_a_card_says_how_many_days_late_the_action_was_completed(client, today, force_a, psd_lead_a, reviewer):
    late = _completed(force_a, psd_lead_a, due=D(2015, 5, 29))
    on_time = _completed(force_a, psd_lead_a, due=D(2015, 6, 30))
    client.force_login(reviewer)
    response = client.get(QUEUE)
    assert "Marked complete 1 June 2015: 3 days late (due 29 May 2015)" in _text(_card(response, late))
    assert "Marked complete 1 June 2015: on time (due 30 June 2015)" in _text(_card(response, on_time))


def test_a_card_without_notes_or_evidence_says_so(client, today, force_a, psd_lead_a, reviewer):
    action = _completed(force_a, psd_lead_a)
    client.force_login(reviewer)
    card = _text(_card(client.get(QUEUE), action))
    assert "Evidence No evidence files Latest progress notes None" in card


def _fill_queue(count: int) -> None:
    """Add `count` completed actions, each of another force, with four notes (two with evidence)."""
    for n in range(count):
        force = ForceFactory()
        lead = PsdLeadFactory(forces=[force])
        action = _completed(force, lead)
        for day in range(1, 5):
            evidence = f"evidence-{n}-{day}.pdf" if day % 2 else None
            _add_note(action, lead, f"Note {day}.", when=D(2015, 5, day), evidence=evidence)


# One query each: the session, the user, the count and page of actions, the completion notes, the latest
# notes, the evidence, the re-checks due and their count, the pending extension requests and their count.
QUEUE_QUERIES = 11


@pytest.mark.parametrize("cards", [1, 12])
def test_the_queue_runs_a_fixed_number_of_queries_whatever_the_cards(
    client, today, reviewer, cards, django_assert_num_queries
):
    _fill_queue(cards)
    client.force_login(reviewer)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(QUEUE)
    assert len(response.context["cards"]) == cards
    shown = [(len(card.action.recent_notes), len(card.action.evidence)) for card in response.context["cards"]]
    assert shown == [(3, 2)] * cards


def test_verify_from_the_queue_returns_to_it_with_a_message_naming_the_action(
    client, today, force_a, psd_lead_a, reviewer
):
    action = _completed(force_a, psd_lead_a)
    client.force_login(reviewer)
    response = _transition(client, action, "verify")
    assert response["Location"] == QUEUE
    action.refresh_from_db()
    assert action.status == Action.Status.VERIFIED
    shown = _text(client.get(QUEUE).content.decode())
    assert (
        f"Verify and authorise closure: done for {action}. The action is now “Complete – authorised for closure”."
    ) in shown


def test_reopen_from_the_queue_with_a_reason_returns_to_it(client, today, force_a, psd_lead_a, reviewer):
    action = _completed(force_a, psd_lead_a)
    client.force_login(reviewer)
    response = _transition(client, action, "reopen", text="No evidence of the training.")
    assert response["Location"] == QUEUE
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS
    assert action.history.first().history_change_reason == "Reopen: No evidence of the training."
    assert f"Reopen: done for {action}. The action is now “Being progressed”." in _text(
        client.get(QUEUE).content.decode()
    )


def test_reopen_from_the_queue_without_a_reason_shows_the_queue_with_what_to_do(
    client, today, force_a, psd_lead_a, reviewer
):
    action = _completed(force_a, psd_lead_a)
    client.force_login(reviewer)
    response = _transition(client, action, "reopen", text="  ")
    assert response.status_code == 400
    body = response.content.decode()
    message = "Enter a reason for reopening"
    assertInHTML(f'<a href="#id_reopen_{action.pk}_text">{message}</a>', body)  # the error summary
    assert f"Error: {message}" in _text(_card(response, action))
    assert "<title>Error: Review queue" in body
    assert re.search(r'<details class="govuk-details" open>', _card(response, action))
    action.refresh_from_db()
    assert action.status == Action.Status.COMPLETED


STALE = (
    "This action was changed by Alice Ashby on 1 June 2015 at 12:00 after you opened it. "
    "Nothing was saved: review the current state below and try again."
)


def _changed_meanwhile(force, lead) -> tuple[Action, int]:
    """Return an action awaiting review that its PSD lead changed after the reviewer saw it, and the version seen."""
    action = _completed(force, lead)
    seen = action.version
    workflow.assign_owner(action, by=lead, owner=lead)  # on the action page, meanwhile
    return action, seen


def test_reopen_from_a_stale_queue_says_who_changed_it_and_keeps_the_reason(
    client, today, force_a, psd_lead_a, reviewer
):
    action, seen = _changed_meanwhile(force_a, psd_lead_a)
    client.force_login(reviewer)
    response = _transition(client, action, "reopen", text="No evidence of the training.", version=seen)
    assert response.status_code == 409
    assert STALE in _text(response.content.decode())
    card = _card(response, action)
    assert "No evidence of the training.</textarea>" in card
    action.refresh_from_db()
    assert f'name="version" value="{action.version}"' in card  # a second press reopens it
    assert action.status == Action.Status.COMPLETED


def test_verify_from_a_stale_queue_shows_the_conflict_on_the_queue(client, today, force_a, psd_lead_a, reviewer):
    action, seen = _changed_meanwhile(force_a, psd_lead_a)
    client.force_login(reviewer)
    response = _transition(client, action, "verify", version=seen)
    assert response.status_code == 409
    assert STALE in _text(response.content.decode())
    assert response.context["cards"][0].action == action  # the queue, with the action still on it
    action.refresh_from_db()
    assert action.status == Action.Status.COMPLETED


def test_a_stale_reopen_of_an_action_gone_from_the_queue_keeps_the_reason_on_the_action_page(
    client, today, force_a, psd_lead_a, reviewer
):
    action = _completed(force_a, psd_lead_a)
    seen = action.version
    workflow.transition(action, "verify", by=reviewer)  # another reviewer was quicker
    client.force_login(reviewer)
    response = _transition(client, action, "reopen", text="No evidence of the training.", version=seen)
    assert response.status_code == 409
    assert response.context["action"] == action  # the action page: the card has left the queue
    assert "No evidence of the training.</textarea>" in response.content.decode()


def test_the_queue_page_is_kept_after_a_change(client, today, force_a, psd_lead_a, reviewer):
    action = _completed(force_a, psd_lead_a)
    client.force_login(reviewer)
    response = _transition(client, action, "verify", next_url=f"{QUEUE}?page=2")
    assert response["Location"] == f"{QUEUE}?page=2"


def test_a_psd_lead_who_names_the_queue_as_next_is_shown_the_action_page_not_the_queue(
    client, today, force_a, force_b, psd_lead_a, reviewer
):
    own = _completed(force_a, psd_lead_a)
    other = _completed(force_b, PsdLeadFactory(forces=[force_b]))
    client.force_login(psd_lead_a)
    response = _transition(client, own, "reopen", text="")
    assert response.status_code == 400
    assert response.context["action"] == own
    assert other.get_absolute_url() not in response.content.decode()
