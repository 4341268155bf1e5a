"""The workflow's edges: what it refuses, with a message keyed to the field at fault, and what it keeps."""

import datetime
import re

import pytest
import time_machine

from tests.conftest import LONDON
from tests.factories import ActionFactory, ExtensionRequestFactory, PsdLeadFactory, RecommendationFactory
from tracker import workflow
from tracker.models import Action, ExtensionRequest, Recommendation

pytestmark = pytest.mark.django_db

D = datetime.date
S = Action.Status
REASON = "The chief officer group signs the policy off in October."


def field_errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# Closing needs a reason


@pytest.mark.parametrize(
    "name,message",
    [
        ("supersede", "Enter a reason for closing it as superseded"),
        ("not_accept", "Enter a reason for closing it as not accepted"),
    ],
)
def test_closing_without_a_reason_is_refused_beside_the_text_field(today, force_a, reviewer, name, message):
    action = ActionFactory(force=force_a, status=S.IN_PROGRESS)

    with pytest.raises(workflow.WorkflowError, match=message) as excinfo:
        workflow.transition(action, name, by=reviewer, text="   ")

    assert field_errors(excinfo) == {"text": [message]}
    action.refresh_from_db()
    assert (action.status, action.version, action.closed_at) == (S.IN_PROGRESS, 1, None)
    assert action.history.count() == 1  # the row of its creation only


def test_closing_as_superseded_keeps_the_reason_in_history(today, force_a, reviewer):
    action = ActionFactory(force=force_a, status=S.IN_PROGRESS)
    workflow.transition(action, "supersede", by=reviewer, text="Superseded by recommendation 4 of the 2016 report.")
    action.refresh_from_db()
    assert action.status == S.SUPERSEDED
    assert action.closed_at is not None
    assert action.history.latest().history_change_reason == (
        "Close as superseded: Superseded by recommendation 4 of the 2016 report."
    )


# Reopening


def test_reopening_keeps_when_work_first_started(force_a, psd_lead_a, reviewer, time_machine):
    started = datetime.datetime(2015, 3, 2, 9, 0, tzinfo=datetime.UTC)
    time_machine.move_to(started, tick=False)
    action = ActionFactory(force=force_a)
    workflow.transition(action, "start", by=psd_lead_a)
    time_machine.move_to(datetime.datetime(2015, 4, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
    workflow.transition(action, "complete", by=psd_lead_a, text="Policy published.")
    time_machine.move_to(datetime.datetime(2015, 5, 1, 9, 0, tzinfo=datetime.UTC), tick=False)

    workflow.transition(action, "reopen", by=reviewer, text="No evidence the policy was briefed.")

    action.refresh_from_db()
    assert action.status == S.IN_PROGRESS
    assert action.started_at == started


def test_reopening_an_action_never_started_records_when_work_resumed(force_a, psd_lead_a, reviewer, time_machine):
    time_machine.move_to(datetime.datetime(2015, 4, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
    action = ActionFactory(force=force_a)
    workflow.transition(action, "complete", by=psd_lead_a, text="Policy published.")
    reopened = datetime.datetime(2015, 5, 1, 9, 0, tzinfo=datetime.UTC)
    time_machine.move_to(reopened, tick=False)

    workflow.transition(action, "reopen", by=reviewer, text="No evidence the policy was briefed.")

    action.refresh_from_db()
    assert action.started_at == reopened


def test_reopening_a_verified_action_clears_its_verification(today, force_a, psd_lead_a, reviewer):
    action = ActionFactory(force=force_a)
    workflow.transition(action, "complete", by=psd_lead_a, text="Policy published.")
    workflow.transition(action, "verify", by=reviewer)
    action.refresh_from_db()
    assert action.verified_at is not None

    workflow.transition(action, "reopen", by=reviewer, text="The policy was withdrawn.")

    action.refresh_from_db()
    assert (action.completed_at, action.verified_at) == (None, None)


@pytest.mark.parametrize("closing", ["supersede", "not_accept"])
def test_reopening_a_closed_action_clears_when_it_was_closed(today, force_a, reviewer, closing):
    action = ActionFactory(force=force_a)
    workflow.transition(action, closing, by=reviewer, text="Overtaken by the national guidance.")
    action.refresh_from_db()
    assert action.closed_at is not None

    workflow.transition(action, "reopen", by=reviewer, text="The national guidance was withdrawn.")

    action.refresh_from_db()
    assert (action.status, action.closed_at) == (S.IN_PROGRESS, None)


# Extension requests


def test_an_extension_to_the_current_due_date_is_refused(today, force_a, psd_lead_a):
    action = ActionFactory(force=force_a, due_date=D(2015, 9, 30))

    with pytest.raises(workflow.WorkflowError, match="later than the current due date") as excinfo:
        workflow.request_extension(action, by=psd_lead_a, requested_due_date=D(2015, 9, 30), reason=REASON)

    assert field_errors(excinfo) == {
        "requested_due_date": ["The revised due date must be later than the current due date."]
    }
    assert not ExtensionRequest.objects.exists()


def test_an_extension_to_the_revised_due_date_already_granted_is_refused(today, force_a, psd_lead_a):
    action = ActionFactory(force=force_a, due_date=D(2015, 5, 27), revised_due_date=D(2015, 9, 30))

    with pytest.raises(workflow.WorkflowError, match="later than the current due date"):
        workflow.request_extension(action, by=psd_lead_a, requested_due_date=D(2015, 9, 30), reason=REASON)

    assert not ExtensionRequest.objects.exists()


def test_an_extension_earlier_than_the_revised_due_date_is_refused(today, force_a, psd_lead_a):
    # Later than the original due date, but it would shorten the deadline already granted.
    action = ActionFactory(force=force_a, due_date=D(2015, 5, 27), revised_due_date=D(2015, 9, 30))

    with pytest.raises(workflow.WorkflowError, match="later than the current due date"):
        workflow.request_extension(action, by=psd_lead_a, requested_due_date=D(2015, 8, 31), reason=REASON)

    assert not ExtensionRequest.objects.exists()


def test_an_extension_a_day_after_the_current_due_date_is_accepted(today, force_a, psd_lead_a):
    action = ActionFactory(force=force_a, due_date=D(2015, 9, 30))
    request = workflow.request_extension(action, by=psd_lead_a, requested_due_date=D(2015, 10, 1), reason=REASON)
    assert (request.requested_due_date, request.is_pending) == (D(2015, 10, 1), True)


def test_an_extension_of_an_action_without_a_due_date_needs_only_a_future_date(today, force_a, psd_lead_a):
    action = ActionFactory(force=force_a, due_date=None)
    request = workflow.request_extension(action, by=psd_lead_a, requested_due_date=D(2015, 6, 2), reason=REASON)
    assert request.requested_due_date == D(2015, 6, 2)


@pytest.mark.parametrize("status", [S.COMPLETED, S.VERIFIED, S.SUPERSEDED, S.NOT_ACCEPTED])
def test_an_extension_of_an_action_no_longer_open_is_refused(today, force_a, psd_lead_a, status):
    action = ActionFactory(force=force_a, status=status, due_date=D(2015, 5, 27))

    with pytest.raises(workflow.WorkflowError, match="Only an open action can have its deadline revised"):
        workflow.request_extension(action, by=psd_lead_a, requested_due_date=D(2015, 9, 30), reason=REASON)

    assert not ExtensionRequest.objects.exists()


def test_an_extension_request_needs_a_reason_beside_the_reason_field(today, force_a, psd_lead_a):
    action = ActionFactory(force=force_a, due_date=D(2015, 5, 27))

    with pytest.raises(workflow.WorkflowError, match="Say why the deadline cannot be met") as excinfo:
        workflow.request_extension(action, by=psd_lead_a, requested_due_date=D(2015, 9, 30), reason="  ")

    assert field_errors(excinfo) == {"reason": ["Say why the deadline cannot be met."]}


def test_refusing_an_extension_needs_a_reason_beside_the_reason_field(today, force_a, reviewer):
    request = ExtensionRequestFactory(action=ActionFactory(force=force_a))

    with pytest.raises(workflow.WorkflowError, match="Say why the extension is refused") as excinfo:
        workflow.decide_extension(request, by=reviewer, approve=False, reason=" ")

    assert field_errors(excinfo) == {"reason": ["Say why the extension is refused."]}
    request.refresh_from_db()
    assert request.is_pending


def test_a_refused_extension_request_cannot_then_be_approved(today, force_a, reviewer):
    action = ActionFactory(force=force_a, due_date=D(2015, 5, 27))
    request = ExtensionRequestFactory(action=action)
    workflow.decide_extension(request, by=reviewer, approve=False, reason="Six months was ample.")

    with pytest.raises(workflow.WorkflowError, match="This request was already refused"):
        workflow.decide_extension(request, by=reviewer, approve=True)

    action.refresh_from_db()
    assert action.revised_due_date is None


# Recurrence links


def _same_report():
    earlier = RecommendationFactory()
    return RecommendationFactory(report=earlier.report), earlier


def _itself():
    recommendation = RecommendationFactory()
    return recommendation, recommendation


def _different_reports():
    return RecommendationFactory(), RecommendationFactory()


# (how the two are made, kind, the message, the field it is shown beside)
REFUSED_LINKS = [
    pytest.param(_same_report, "repeats", "Link recommendations of different reports.", "earlier", id="one-report"),
    pytest.param(_itself, "repeats", "A recommendation cannot repeat itself.", "earlier", id="itself"),
    pytest.param(
        _different_reports,
        "",
        "Say whether the later recommendation repeats or supersedes the earlier one.",
        "kind",
        id="no-kind",
    ),
]


@pytest.mark.parametrize("pair,kind,message,field", REFUSED_LINKS)
def test_a_refused_recurrence_link_changes_nothing(reviewer, pair, kind, message, field):
    later, earlier = pair()

    with pytest.raises(workflow.WorkflowError, match=re.escape(message)) as excinfo:
        workflow.link_recurrence(later, by=reviewer, earlier=earlier, kind=kind)

    assert field_errors(excinfo) == {field: [message]}
    later.refresh_from_db()
    assert (later.follows, later.follow_kind) == (None, "")
    assert later.history.count() == 1  # the row of its creation only


def test_a_longer_loop_of_recurrence_links_is_refused(reviewer):
    first, second, third = RecommendationFactory(), RecommendationFactory(), RecommendationFactory()
    workflow.link_recurrence(second, by=reviewer, earlier=first, kind="repeats")
    workflow.link_recurrence(third, by=reviewer, earlier=second, kind="repeats")

    with pytest.raises(workflow.WorkflowError, match="loop") as excinfo:
        workflow.link_recurrence(first, by=reviewer, earlier=third, kind="supersedes")

    assert field_errors(excinfo) == {"earlier": ["That link would make a loop of recommendations."]}
    first.refresh_from_db()
    assert first.follows is None


def test_a_loop_already_in_the_data_is_refused_not_followed_forever(reviewer):
    first, second, later = RecommendationFactory(), RecommendationFactory(), RecommendationFactory()
    Recommendation.objects.filter(pk=first.pk).update(follows=second, follow_kind="repeats")
    Recommendation.objects.filter(pk=second.pk).update(follows=first, follow_kind="repeats")

    with pytest.raises(workflow.WorkflowError, match="loop"):
        workflow.link_recurrence(later, by=reviewer, earlier=Recommendation.objects.get(pk=first.pk), kind="repeats")


def test_a_recurrence_link_records_its_kind_and_who_made_it(reviewer):
    earlier, later = RecommendationFactory(), RecommendationFactory()

    workflow.link_recurrence(later, by=reviewer, earlier=earlier, kind="supersedes")

    later.refresh_from_db()
    assert (later.follows, later.follow_kind) == (earlier, "supersedes")
    last = later.history.latest()
    assert (last.history_user, last.history_change_reason) == (
        reviewer,
        f"Linked: supersedes recommendation {earlier.number} of {earlier.report}",
    )


def test_removing_a_recurrence_link_clears_its_kind(reviewer):
    earlier, later = RecommendationFactory(), RecommendationFactory()
    workflow.link_recurrence(later, by=reviewer, earlier=earlier, kind="supersedes")

    workflow.link_recurrence(later, by=reviewer, earlier=None, kind="supersedes")

    later.refresh_from_db()
    assert (later.follows, later.follow_kind) == (None, "")
    assert later.history.latest().history_change_reason == "Recurrence link removed"


# Owners, notes and ratings


def test_an_owner_from_another_force_is_refused_beside_the_owner_field(force_a, force_b, reviewer):
    action = ActionFactory(force=force_a)
    outsider = PsdLeadFactory(forces=[force_b])

    with pytest.raises(workflow.WorkflowError, match="is not a member of West Midlands Police") as excinfo:
        workflow.assign_owner(action, by=reviewer, owner=outsider)

    assert field_errors(excinfo) == {
        "owner": [f"{outsider} is not a member of West Midlands Police, so cannot own its action."]
    }
    action.refresh_from_db()
    assert (action.owner, action.version) == (None, 1)


@pytest.mark.parametrize("text", ["", " \n ", None])
def test_an_empty_progress_note_is_refused_beside_the_text_field(force_a, psd_lead_a, text):
    action = ActionFactory(force=force_a)

    with pytest.raises(workflow.WorkflowError, match="Write a progress note") as excinfo:
        workflow.add_note(action, by=psd_lead_a, text=text)

    assert field_errors(excinfo) == {"text": ["Write a progress note."]}
    assert not action.notes.exists()


def test_a_rating_other_than_red_amber_or_green_is_refused_beside_the_rag_field(force_a, psd_lead_a):
    action = ActionFactory(force=force_a)

    with pytest.raises(workflow.WorkflowError, match="Choose red, amber or green") as excinfo:
        workflow.set_rag(action, by=psd_lead_a, rag="blue", reason="On track")

    assert field_errors(excinfo) == {"rag": ["Choose red, amber or green."]}
    action.refresh_from_db()
    assert (action.rag, action.version) == ("", 1)


# Stale pages and repeated changes

STALE_CHANGES = [
    pytest.param(
        lambda action, by, seen: workflow.assign_owner(action, by=by, owner=None, expected_version=seen), id="owner"
    ),
    pytest.param(
        lambda action, by, seen: workflow.set_rag(action, by=by, rag="red", reason="Behind", expected_version=seen),
        id="rag",
    ),
]


@pytest.mark.parametrize("change", STALE_CHANGES)
def test_a_change_from_a_stale_page_is_refused_and_names_who_changed_it(
    today, force_a, psd_lead_a, colleague_a, change
):
    action = ActionFactory(force=force_a, owner=psd_lead_a)
    seen = action.version
    workflow.transition(Action.objects.get(pk=action.pk), "start", by=colleague_a)

    with pytest.raises(workflow.StaleActionError, match="changed by Colin Cole on 1 June 2015 at 12:00"):
        change(action, psd_lead_a, seen)

    action.refresh_from_db()
    assert (action.owner, action.rag, action.version) == (psd_lead_a, "", 2)


def test_a_stale_change_names_the_latest_change_in_full(today, force_a, psd_lead_a, colleague_a):
    action = ActionFactory(force=force_a)
    workflow.transition(Action.objects.get(pk=action.pk), "start", by=psd_lead_a)
    workflow.assign_owner(Action.objects.get(pk=action.pk), by=colleague_a, owner=colleague_a)

    with time_machine.travel(datetime.datetime(2015, 6, 1, 14, 30, tzinfo=LONDON), tick=False):  # tried later
        with pytest.raises(workflow.StaleActionError, match="This action was changed by") as excinfo:
            workflow.set_rag(action, by=psd_lead_a, rag="red", reason="Behind", expected_version=action.version)

    assert excinfo.value.messages == [
        "This action was changed by Colin Cole on 1 June 2015 at 12:00 after you opened it. "
        "Nothing was saved: review the current state below and try again."
    ]


def test_a_stale_change_by_a_command_says_someone_else(today, force_a, psd_lead_a):
    action = ActionFactory(force=force_a)
    workflow.transition(Action.objects.get(pk=action.pk), "start", by=psd_lead_a)
    action.history.update(history_user=None)  # as `manage.py` commands leave it

    with pytest.raises(workflow.StaleActionError, match="This action was changed by") as excinfo:
        workflow.set_rag(action, by=psd_lead_a, rag="red", reason="Behind", expected_version=1)

    assert excinfo.value.messages[0].startswith("This action was changed by someone else on 1 June 2015 at 12:00 ")


def test_a_stale_change_with_no_history_says_just_now(today, force_a, psd_lead_a):
    action = ActionFactory(force=force_a)
    Action.objects.filter(pk=action.pk).update(version=2)  # as a bulk load leaves it: no history row
    action.history.all().delete()

    with pytest.raises(workflow.StaleActionError, match="This action was changed by") as excinfo:
        workflow.set_rag(action, by=psd_lead_a, rag="red", reason="Behind", expected_version=1)

    assert excinfo.value.messages[0].startswith("This action was changed by someone else just now after you opened it.")


def test_naming_who_changed_a_stale_action_reads_the_history_once(force_a, colleague_a, django_assert_num_queries):
    action = ActionFactory(force=force_a)
    workflow.transition(action, "start", by=colleague_a)
    with django_assert_num_queries(1):
        assert "changed by Colin Cole" in workflow.StaleActionError(action).messages[0]


def test_assigning_the_owner_it_already_has_changes_nothing(force_a, psd_lead_a, colleague_a):
    action = ActionFactory(force=force_a, owner=colleague_a)

    workflow.assign_owner(action, by=psd_lead_a, owner=colleague_a)

    action.refresh_from_db()
    assert (action.version, action.history.count()) == (1, 1)


def test_giving_the_same_rating_and_reason_again_changes_nothing(force_a, psd_lead_a):
    action = ActionFactory(force=force_a)
    workflow.set_rag(action, by=psd_lead_a, rag="amber", reason="Training delayed")

    workflow.set_rag(action, by=psd_lead_a, rag="amber", reason="  Training   delayed ")

    action.refresh_from_db()
    assert (action.version, action.history.count()) == (2, 2)


def test_refusing_an_extension_leaves_the_action_as_it_was(today, force_a, reviewer):
    action = ActionFactory(force=force_a, due_date=D(2015, 5, 27))
    request = ExtensionRequestFactory(action=action)

    workflow.decide_extension(request, by=reviewer, approve=False, reason="Six months was ample.")

    action.refresh_from_db()
    assert (action.revised_due_date, action.version, action.history.count()) == (None, 1, 1)


# What each change records


def test_setting_and_removing_an_owner_is_recorded_by_name(force_a, psd_lead_a, colleague_a):
    action = ActionFactory(force=force_a)
    workflow.assign_owner(action, by=psd_lead_a, owner=colleague_a)
    workflow.assign_owner(action, by=psd_lead_a, owner=None)
    rows = action.history.order_by("history_id")[1:]
    assert [(row.owner_id, row.history_user, row.history_change_reason) for row in rows] == [
        (colleague_a.pk, psd_lead_a, "Owner set to Colin Cole"),
        (None, psd_lead_a, "Owner removed"),
    ]


def test_evidence_keeps_its_name_type_and_size_as_given(force_a, psd_lead_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    action = ActionFactory(force=force_a)
    long_name = "x" * 240 + ".pdf"
    note = workflow.add_note(
        action, by=psd_lead_a, text=" Policy ", attachment=SimpleUploadedFile(long_name, b"%PDF-1.4", "application/pdf")
    )
    note.refresh_from_db()
    assert (note.text, note.author, note.attachment_name, note.attachment_content_type, note.attachment_size) == (
        "Policy",
        psd_lead_a,
        long_name[:200],
        "application/pdf",
        8,
    )


def test_evidence_with_no_stated_type_is_kept_as_plain_bytes(force_a, psd_lead_a):
    from django.core.files.base import ContentFile

    action = ActionFactory(force=force_a)
    note = workflow.add_note(action, by=psd_lead_a, text="Minutes", attachment=ContentFile(b"minutes", name="minutes"))
    assert (note.attachment_content_type, note.attachment_size) == ("application/octet-stream", 7)


@pytest.mark.parametrize("reason", ["", " \n ", None])
def test_a_rating_needs_a_reason_beside_the_reason_field(force_a, psd_lead_a, reason):
    action = ActionFactory(force=force_a)

    with pytest.raises(workflow.WorkflowError, match="Give a one-line reason") as excinfo:
        workflow.set_rag(action, by=psd_lead_a, rag="red", reason=reason)

    assert field_errors(excinfo) == {"reason": ["Give a one-line reason for the rating."]}
    assert Action.objects.get().version == 1


def test_a_rating_reason_is_one_line_of_at_most_200_characters(force_a, psd_lead_a):
    action = ActionFactory(force=force_a)
    long_reason = "Training  delayed\nto March; " + "x" * 300
    kept = " ".join(long_reason.split())[:200]

    workflow.set_rag(action, by=psd_lead_a, rag="amber", reason=long_reason)
    workflow.set_rag(action, by=psd_lead_a, rag="amber", reason=long_reason)  # the same again: no change

    action.refresh_from_db()
    assert (action.rag_reason, action.version) == (kept, 2)


def test_a_changed_rating_names_the_old_and_new_ratings(force_a, psd_lead_a):
    action = ActionFactory(force=force_a)
    workflow.set_rag(action, by=psd_lead_a, rag="red", reason="Behind")
    workflow.set_rag(action, by=psd_lead_a, rag="amber", reason="Catching up")
    assert action.history.latest().history_change_reason == "RAG rating Red → Amber: Catching up"


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (S.COMPLETED, "Only an open action can have its deadline revised."),
        (S.VERIFIED, "Only an open action can have its deadline revised."),
        (S.IN_PROGRESS, "An extension request for this action is already awaiting a decision."),
    ],
)
def test_why_nobody_may_ask_for_an_extension_now_is_said_in_full(today, force_a, psd_lead_a, status, message):
    action = ActionFactory(force=force_a, status=status, due_date=D(2015, 5, 27))
    if status == S.IN_PROGRESS:
        ExtensionRequestFactory(action=action)

    with pytest.raises(workflow.WorkflowError, match=re.escape(message)) as excinfo:
        workflow.request_extension(action, by=psd_lead_a, requested_due_date=D(2015, 9, 30), reason=REASON)

    assert excinfo.value.messages == [message]


def test_a_transition_without_text_is_recorded_by_its_label_alone(force_a, psd_lead_a):
    action = ActionFactory(force=force_a)
    workflow.transition(action, "start", by=psd_lead_a)
    assert action.history.latest().history_change_reason == "Mark as being progressed"
