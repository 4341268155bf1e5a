"""
The police and crime commissioner's statutory response (Police Act 1996 s55(5A)-(5B)): the 56-day deadline,
the commissioner's office, the chief officer's comments, the explanation of each recommendation, publication.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ActionFactory,
    AreaForImprovementFactory,
    CommissionerOfficeFactory,
    ForceFactory,
    ProgressNoteFactory,
    RecommendationFactory,
    ReportFactory,
)
from tracker import responses, workflow
from tracker.models import (
    RESPONSE_DUTY_FROM,
    Action,
    CommissionerResponse,
    Report,
    ResponseCounts,
    ResponseDuty,
    response_duty_q,
)
from tracker.workflow import WorkflowError

LONDON = zoneinfo.ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 3, 10)
PUBLISHED = datetime.date(2026, 2, 2)  # the last day for the response: 29 March 2026
LAST_DAY = datetime.date(2026, 3, 29)


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, 0, tzinfo=LONDON), tick=False):
        yield TODAY


@pytest.fixture
def report(force_a, today):
    report = ReportFactory(slug="west-midlands-2026", subject_force=force_a, published_on=PUBLISHED)
    for number in (1, 2):
        ActionFactory(
            recommendation=RecommendationFactory(report=report, number=number, text=f"Recommendation {number} text."),
            force=force_a,
            due_date=datetime.date(2026, 8, 2),
        )
    AreaForImprovementFactory(report=report, number=1)
    return report


def recommendation_ids(report: Report) -> list[int]:
    return list(responses.statutory_recommendations(report).values_list("pk", flat=True))


def published_response(report: Report, by, *, texts=("Done.", "Under way.")) -> CommissionerResponse:
    explanations = dict(zip(recommendation_ids(report), texts, strict=True))
    return responses.save_response(
        report, by=by, comments="The commissioner welcomes the report.", explanations=explanations, publish=True
    )


# The deadline: 56 days beginning with the day of publication


def test_the_last_day_is_fifty_five_days_after_publication(force_a):
    report = ReportFactory.build(subject_force=force_a, published_on=PUBLISHED)

    assert report.response_due_on == LAST_DAY


def test_the_duty_applies_to_a_report_published_on_2_may_2017(force_a):
    report = ReportFactory.build(subject_force=force_a, published_on=datetime.date(2017, 5, 2))

    assert report.response_duty == ResponseDuty.APPLIES
    assert report.response_due_on == datetime.date(2017, 6, 26)


def test_a_report_published_the_day_before_the_duty_began_has_no_deadline(force_a):
    report = ReportFactory.build(subject_force=force_a, published_on=datetime.date(2017, 5, 1))

    assert report.response_duty == ResponseDuty.BEFORE_DUTY
    assert report.response_due_on is None


def test_a_national_report_has_no_commissioners_response():
    report = ReportFactory.build(subject_force=None, published_on=PUBLISHED)

    assert report.response_duty == ResponseDuty.NATIONAL
    assert not responses.has_response(report)


def test_a_report_whose_day_of_publication_is_unknown_has_no_deadline_worked_out(force_a):
    report = ReportFactory.build(subject_force=force_a, published_on=PUBLISHED, published_precision="month")

    assert report.response_duty == ResponseDuty.DAY_UNKNOWN
    assert report.response_due_on is None


def test_the_duty_in_sql_agrees_with_the_property(db):
    forces = [ForceFactory(), None]
    for day in (RESPONSE_DUTY_FROM - datetime.timedelta(days=1), RESPONSE_DUTY_FROM, PUBLISHED, None):
        for precision in ("day", "month", "year"):
            for force in forces:
                ReportFactory(subject_force=force, published_on=day, published_precision=precision)

    in_sql = set(Report.objects.filter(response_duty_q()).values_list("pk", flat=True))

    assert in_sql == {r.pk for r in Report.objects.all() if r.response_duty == ResponseDuty.APPLIES}
    assert len(in_sql) == 2


def test_a_response_is_counted_due_on_its_last_day_and_overdue_the_day_after(report, force_a):
    assert Report.objects.response_counts(LAST_DAY) == {force_a.pk: ResponseCounts(due=1, overdue=0)}
    assert Report.objects.response_counts(LAST_DAY + datetime.timedelta(days=1)) == {
        force_a.pk: ResponseCounts(due=0, overdue=1)
    }


def test_a_published_response_is_no_longer_awaited(report, commissioner_a, force_a):
    published_response(report, commissioner_a)

    assert Report.objects.response_counts(TODAY) == {}
    assert not Report.objects.awaiting_response().exists()


def test_a_draft_response_is_still_awaited(report, commissioner_a, force_a):
    responses.save_response(report, by=commissioner_a, comments="Draft", explanations={})

    assert Report.objects.response_counts(TODAY) == {force_a.pk: ResponseCounts(due=1, overdue=0)}


def test_response_counts_are_per_force(report, force_a, force_b, today):
    ReportFactory(subject_force=force_b, published_on=datetime.date(2025, 1, 6))
    ReportFactory(subject_force=force_b, published_on=datetime.date(2014, 1, 6))  # before the duty

    assert Report.objects.response_counts(TODAY) == {
        force_a.pk: ResponseCounts(due=1, overdue=0),
        force_b.pk: ResponseCounts(due=0, overdue=1),
    }


# The chief officer's comments


def test_the_commissioners_office_invites_the_chief_officers_comments_by_a_date(report, commissioner_a):
    due = datetime.date(2026, 3, 20)

    response = responses.invite_comments(report, by=commissioner_a, due_on=due, expected_version=1)

    assert (response.comments_due_on, response.comments_invited_by) == (due, commissioner_a)
    latest = response.history.first()
    assert latest.history_user == commissioner_a
    assert latest.history_change_reason == "Chief officer's comments invited by 20 March 2026"


def test_the_comments_cannot_be_wanted_after_the_response_is_due(report, commissioner_a):
    with pytest.raises(WorkflowError) as refused:
        responses.invite_comments(report, by=commissioner_a, due_on=LAST_DAY + datetime.timedelta(days=1))

    assert refused.value.message_dict == {
        "comments_due_on": [
            "The chief officer's comments must come before the response is due: choose 29 March 2026 or earlier."
        ]
    }
    assert not CommissionerResponse.objects.exists()


def test_the_comments_cannot_be_wanted_by_a_day_gone_by(report, commissioner_a):
    with pytest.raises(WorkflowError) as refused:
        responses.invite_comments(report, by=commissioner_a, due_on=TODAY - datetime.timedelta(days=1))

    assert refused.value.message_dict == {
        "comments_due_on": ["The date for the chief officer's comments must be today or later."]
    }


@pytest.mark.parametrize("who", ["psd_lead_a", "reviewer", "commissioner_b"])
def test_only_the_forces_commissioners_office_invites_the_comments(report, who, request, force_b):
    user = CommissionerOfficeFactory(forces=[force_b]) if who == "commissioner_b" else request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        responses.invite_comments(report, by=user, due_on=TODAY)


def test_the_forces_psd_lead_writes_the_chief_officers_comments(report, commissioner_a, psd_lead_a):
    responses.invite_comments(report, by=commissioner_a, due_on=TODAY)

    response = responses.write_chief_officer_comments(report, by=psd_lead_a, text="  We accept them all.  ")

    assert (response.chief_officer_comments, response.chief_officer_comments_by) == ("We accept them all.", psd_lead_a)
    assert response.history.first().history_change_reason == "Chief officer's comments written"
    assert not response.comments_awaited


def test_the_chief_officers_comments_wait_for_the_invitation(report, psd_lead_a):
    with pytest.raises(WorkflowError, match="has not invited the chief officer's comments"):
        responses.write_chief_officer_comments(report, by=psd_lead_a, text="Early")


def test_the_commissioners_office_does_not_write_the_chief_officers_comments(report, commissioner_a):
    responses.invite_comments(report, by=commissioner_a, due_on=TODAY)

    with pytest.raises(PermissionDenied):
        responses.write_chief_officer_comments(report, by=commissioner_a, text="On their behalf")


def test_empty_chief_officers_comments_are_refused(report, commissioner_a, psd_lead_a):
    responses.invite_comments(report, by=commissioner_a, due_on=TODAY)

    with pytest.raises(WorkflowError) as refused:
        responses.write_chief_officer_comments(report, by=psd_lead_a, text="   ")

    assert refused.value.message_dict == {"text": ["Enter the chief officer's comments"]}


# The explanation of each recommendation, and publication


def test_each_recommendation_is_suggested_an_explanation_from_the_forces_action(report, psd_lead_a):
    first = Action.objects.get(recommendation__report=report, recommendation__number=1)
    workflow.transition(first, "start", by=psd_lead_a)
    ProgressNoteFactory(action=first, text="Policy drafted.", created_at=datetime.datetime(2026, 3, 2, tzinfo=LONDON))

    rows = responses.explanation_rows(report, responses.response_of(report))

    assert [row.recommendation.number for row in rows] == [1, 2]  # the area for improvement is not asked for
    assert rows[0].suggested
    assert rows[0].text == (
        "Action in progress: the force expects to complete it by 2 August 2026. Latest progress (2 March 2026): "
        "Policy drafted."
    )
    assert rows[1].text == "Action proposed: the force is to do this by 2 August 2026; work has not yet started."


def test_a_saved_explanation_replaces_the_suggestion(report, commissioner_a):
    [first, second] = recommendation_ids(report)
    response = responses.save_response(report, by=commissioner_a, comments="", explanations={first: "Our words."})

    rows = responses.explanation_rows(report, response)

    assert [(row.text, row.suggested) for row in rows][0] == ("Our words.", False)
    assert rows[1].suggested


def test_a_draft_is_saved_with_history_and_not_published(report, commissioner_a):
    [first, second] = recommendation_ids(report)

    response = responses.save_response(
        report, by=commissioner_a, comments="Welcome.", explanations={first: "A", second: ""}
    )

    assert response.published_at is None
    assert dict(response.explanations.values_list("recommendation_id", "text")) == {first: "A", second: ""}
    assert response.history.first().history_change_reason == "Response draft saved"
    assert response.explanations.get(recommendation_id=first).history.first().history_user == commissioner_a
    assert responses.stage(response) == "Draft"


def test_publishing_needs_every_recommendation_explained(report, commissioner_a):
    [first, second] = recommendation_ids(report)

    with pytest.raises(WorkflowError) as refused:
        responses.save_response(
            report, by=commissioner_a, comments="Welcome.", explanations={first: "A", second: " "}, publish=True
        )

    assert refused.value.message_dict == {
        f"explanation_{second}": [
            "Explain the action taken or proposed on recommendation 2, or why none, before publishing"
        ]
    }
    assert not CommissionerResponse.objects.exists()  # nothing saved, not even the draft


def test_publishing_needs_the_commissioners_comments(report, commissioner_a):
    with pytest.raises(WorkflowError) as refused:
        responses.save_response(
            report,
            by=commissioner_a,
            comments="",
            explanations=dict.fromkeys(recommendation_ids(report), "x"),
            publish=True,
        )

    assert list(refused.value.message_dict) == ["commissioner_comments"]


def test_a_published_response_names_who_published_it_and_when(report, commissioner_a):
    response = published_response(report, commissioner_a)

    assert (response.published_by, response.is_published, response.published_in_time) == (commissioner_a, True, True)
    assert response.history.first().history_change_reason == "Response published"
    assert responses.stage(response) == "Published"


def test_a_published_response_is_fixed(report, commissioner_a, psd_lead_a):
    response = published_response(report, commissioner_a)

    with pytest.raises(WorkflowError, match="was published on 10 March 2026"):
        responses.save_response(report, by=commissioner_a, comments="Changed", explanations={})
    with pytest.raises(WorkflowError, match="was published"):
        responses.invite_comments(report, by=commissioner_a, due_on=TODAY)
    response.refresh_from_db()
    assert response.commissioner_comments == "The commissioner welcomes the report."


def test_a_response_changed_since_it_was_loaded_is_refused(report, commissioner_a):
    responses.save_response(report, by=commissioner_a, comments="First", explanations={}, expected_version=1)

    with pytest.raises(responses.StaleResponseError, match="changed by Cara Commissioner"):
        responses.save_response(report, by=commissioner_a, comments="Second", explanations={}, expected_version=1)

    assert CommissionerResponse.objects.get().commissioner_comments == "First"


def test_an_explanation_of_a_recommendation_the_report_does_not_make_is_refused(report, commissioner_a):
    other = RecommendationFactory()

    with pytest.raises(WorkflowError, match="does not make"):
        responses.save_response(report, by=commissioner_a, comments="", explanations={other.pk: "x"})


def test_only_the_forces_commissioners_office_writes_the_response(report, psd_lead_a, reviewer):
    for user in (psd_lead_a, reviewer):
        with pytest.raises(PermissionDenied):
            responses.save_response(report, by=user, comments="x", explanations={})


def test_a_response_published_after_the_last_day_says_how_late(report, commissioner_a):
    with time_machine.travel(datetime.datetime(2026, 4, 2, 12, 0, tzinfo=LONDON), tick=False):
        response = published_response(report, commissioner_a)

    document = responses.document(report, response)

    assert not response.published_in_time
    assert document.status == "Published on 2 April 2026, 4 days after the last day the law allows (29 March 2026)."


def test_the_document_as_text_holds_every_part(report, commissioner_a, psd_lead_a):
    responses.invite_comments(report, by=commissioner_a, due_on=TODAY)
    responses.write_chief_officer_comments(report, by=psd_lead_a, text="The chief constable accepts them.")
    response = published_response(report, commissioner_a)

    text = responses.document(report, response).as_text()

    for part in (
        "The commissioner welcomes the report.",
        "The chief constable accepts them.",
        "Recommendation 1 text.",
        "Done.",
        "Under way.",
        "within the 56 days the law allows (the last day was 29 March 2026)",
    ):
        assert part in text


# The commissioner's office and the actions: seen, never changed


def test_the_commissioners_office_sees_its_forces_actions_only(report, commissioner_a, force_b):
    ActionFactory(recommendation__report__subject_force=force_b)

    assert set(Action.objects.visible_to(commissioner_a)) == set(Action.objects.filter(force=report.subject_force))


def test_the_commissioners_office_changes_no_action(report, commissioner_a):
    action = Action.objects.filter(recommendation__report=report).first()

    assert workflow.allowed_operations(commissioner_a, action) == frozenset()
    with pytest.raises(PermissionDenied):
        workflow.transition(action, "start", by=commissioner_a)
    with pytest.raises(PermissionDenied):
        workflow.add_note(action, by=commissioner_a, text="A note")


def test_the_commissioners_office_cannot_own_an_action(report, commissioner_a, psd_lead_a):
    action = Action.objects.filter(recommendation__report=report).first()

    with pytest.raises(WorkflowError, match="is not one of West Midlands Police's PSD leads"):
        workflow.assign_owner(action, by=psd_lead_a, owner=commissioner_a)


# The pages


def page(client, user, name, report, **kwargs):
    client.force_login(user)
    return client.get(reverse(name, args=[report.slug]), **kwargs)


def test_the_commissioners_office_gets_the_forms_to_invite_and_to_write(client, report, commissioner_a):
    response = page(client, commissioner_a, "tracker:report_response", report)

    assert response.status_code == 200
    assert {"invite_form", "response_form"} <= set(response.context.keys())
    assert "chief_form" not in response.context
    assert b"The commissioner must publish a response by 29 March 2026 (in 19 days)" in response.content


def test_the_psd_lead_gets_the_chief_officers_form_once_invited(client, report, commissioner_a, psd_lead_a):
    assert "chief_form" not in page(client, psd_lead_a, "tracker:report_response", report).context
    responses.invite_comments(report, by=commissioner_a, due_on=TODAY)

    response = page(client, psd_lead_a, "tracker:report_response", report)

    assert "chief_form" in response.context
    assert "response_form" not in response.context


def test_a_reviewer_reads_the_response_without_forms(client, report, reviewer):
    response = page(client, reviewer, "tracker:report_response", report)

    assert response.status_code == 200
    assert not {"invite_form", "chief_form", "response_form"} & set(response.context.keys())


def test_another_forces_psd_lead_gets_404(client, report, psd_lead_b):
    assert page(client, psd_lead_b, "tracker:report_response", report).status_code == 404


def test_a_national_report_has_no_response_page(client, reviewer, today):
    national = ReportFactory(subject_force=None, published_on=PUBLISHED)
    ActionFactory(recommendation__report=national)

    assert page(client, reviewer, "tracker:report_response", national).status_code == 404


def test_inviting_with_a_date_gone_by_keeps_what_was_typed(client, report, commissioner_a):
    client.force_login(commissioner_a)

    response = client.post(
        reverse("tracker:response_invite", args=[report.slug]), {"version": "1", "comments_due_on": "01/03/2026"}
    )

    assert response.status_code == 400
    assert response.context["invite_form"]["comments_due_on"].value() == "01/03/2026"
    assert b"must be today or later" in response.content


def test_publishing_from_the_page(client, report, commissioner_a):
    [first, second] = recommendation_ids(report)
    client.force_login(commissioner_a)
    data = {
        "version": "1",
        "commissioner_comments": "Welcome.",
        f"explanation_{first}": "Done.",
        f"explanation_{second}": "Under way.",
        "publish": "1",
    }

    response = client.post(reverse("tracker:response_save", args=[report.slug]), data)

    assert response.status_code == 302
    assert CommissionerResponse.objects.get().is_published


def test_a_refused_publication_keeps_every_explanation_as_typed(client, report, commissioner_a):
    [first, second] = recommendation_ids(report)
    client.force_login(commissioner_a)
    data = {"version": "1", "commissioner_comments": "Welcome.", f"explanation_{first}": "Done.", "publish": "1"}

    response = client.post(reverse("tracker:response_save", args=[report.slug]), data)

    assert response.status_code == 400
    form = response.context["response_form"]
    assert (form["commissioner_comments"].value(), form[f"explanation_{first}"].value()) == ("Welcome.", "Done.")
    assert b"Explain the action taken or proposed on recommendation 2" in response.content
    assert not CommissionerResponse.objects.exists()


def test_a_stale_save_is_a_conflict_that_keeps_the_text(client, report, commissioner_a):
    responses.save_response(report, by=commissioner_a, comments="Someone else's", explanations={})
    client.force_login(commissioner_a)

    response = client.post(
        reverse("tracker:response_save", args=[report.slug]), {"version": "1", "commissioner_comments": "Mine"}
    )

    assert response.status_code == 409
    form = response.context["response_form"]
    assert (form["commissioner_comments"].value(), form["version"].value()) == ("Mine", "2")
    assert CommissionerResponse.objects.get().commissioner_comments == "Someone else's"


def test_the_printable_page_and_the_download_mark_a_draft(client, report, commissioner_a):
    responses.save_response(report, by=commissioner_a, comments="Draft words", explanations={})

    printed = page(client, commissioner_a, "tracker:response_print", report)
    download = page(client, commissioner_a, "tracker:response_download", report)

    assert b"Draft words" in printed.content and b"Draft" in printed.content
    assert download["Content-Disposition"] == (
        'attachment; filename="west-midlands-2026-commissioner-draft-response-2026-03-10.txt"'
    )
    assert download.content.decode().startswith("The police and crime commissioner's response to")
    assert "Draft: not published." in download.content.decode()


def test_the_report_page_links_to_the_response_with_its_stage(client, report, commissioner_a):
    response = page(client, commissioner_a, "tracker:report", report)

    assert b"The police and crime commissioner's response: not started" in response.content
    assert reverse("tracker:report_response", args=[report.slug]).encode() in response.content


def test_a_published_response_is_on_the_public_register(client, report, commissioner_a):
    report.is_publishable = True
    report.save()
    Action.objects.filter(recommendation__report=report).update(is_publishable=True)
    published_response(report, commissioner_a)
    client.logout()

    listed = client.get(reverse("tracker:register_report", args=[report.slug]))
    shown = client.get(reverse("tracker:register_response", args=[report.slug]))
    download = client.get(reverse("tracker:register_response_download", args=[report.slug]))

    assert b"Read the commissioner" in listed.content
    assert b"The commissioner welcomes the report." in shown.content
    assert download["Content-Disposition"] == 'attachment; filename="west-midlands-2026-commissioner-response.txt"'


def test_a_draft_response_is_not_on_the_public_register(client, report, commissioner_a):
    report.is_publishable = True
    report.save()
    Action.objects.filter(recommendation__report=report).update(is_publishable=True)
    responses.save_response(report, by=commissioner_a, comments="Draft", explanations={})

    assert client.get(reverse("tracker:register_response", args=[report.slug])).status_code == 404
    listed = client.get(reverse("tracker:register_report", args=[report.slug]))
    assert b"The law asks for it by 29 March 2026" in listed.content


# Where responses awaited show: the dashboard, the force's page, reminders, calendars, the API


def test_the_dashboard_counts_each_forces_responses_due_and_overdue(client, report, reviewer, force_a, force_b):
    ReportFactory(subject_force=force_b, published_on=datetime.date(2025, 1, 6))
    ActionFactory(recommendation__report__subject_force=force_b)

    client.force_login(reviewer)
    response = client.get(reverse("tracker:dashboard"))

    rows = {force.slug: force for force in response.context["forces"]}
    assert (rows["west-midlands"].response_due_count, rows["west-midlands"].response_overdue_count) == (1, 0)
    assert (rows["leicestershire"].response_due_count, rows["leicestershire"].response_overdue_count) == (0, 1)
    awaited = response.context["awaited_responses"]
    assert [(a.report.subject_force.slug, a.days_left) for a in awaited] == [
        ("leicestershire", -373),
        ("west-midlands", 19),
    ]
    assert b"Commissioners' responses awaited: 1 within the 56 days, <strong>1 overdue</strong>" in response.content


def test_the_dashboard_sorts_forces_by_responses_overdue(client, report, reviewer, force_b):
    ReportFactory(subject_force=force_b, published_on=datetime.date(2025, 1, 6))
    ActionFactory(recommendation__report__subject_force=force_b)
    client.force_login(reviewer)

    response = client.get(reverse("tracker:dashboard"), {"sort": "response"})

    assert [force.slug for force in response.context["forces"]][:1] == ["leicestershire"]


def test_the_forces_page_lists_its_responses_awaited(client, report, commissioner_a):
    responses.invite_comments(report, by=commissioner_a, due_on=datetime.date(2026, 3, 20))
    client.force_login(commissioner_a)

    response = client.get(reverse("tracker:force", args=["west-midlands"]))

    assert [a.report for a in response.context["awaited_responses"]] == [report]
    assert b"due by 29 March 2026 (19 days left). Chief officer&#x27;s comments invited by 20 March 2026." in (
        response.content
    )


def straightforward_office_reminders(today, digest):
    """The responses reminders, worked out office by office and lead by lead."""
    from tracker import reminders
    from tracker.models import User

    expected = []
    for user in User.objects.filter(is_active=True).exclude(email="").order_by("pk"):
        if user.is_commissioner:
            theirs = responses.awaited_responses(today, forces=user.forces.all())
            if theirs and (digest or any(a.days_left in reminders.RESPONSE_WARNINGS for a in theirs)):
                expected.append((user, "response-due"))
        elif user.is_psd_lead:
            invited = CommissionerResponse.awaiting_comments().filter(report__subject_force__in=user.forces.all())
            days = [(r.comments_due_on - today).days for r in invited]
            if days and (digest or any(d in reminders.COMMENTS_WARNINGS for d in days)):
                expected.append((user, "chief-officer-comments"))
    return expected


@pytest.mark.parametrize("day", [TODAY, LAST_DAY - datetime.timedelta(days=14), LAST_DAY, datetime.date(2026, 3, 13)])
@pytest.mark.parametrize("digest", [False, True])
def test_responses_reminders_go_to_whom_the_straightforward_computation_says(
    report, commissioner_a, psd_lead_a, psd_lead_b, force_b, day, digest
):
    from tracker import reminders

    CommissionerOfficeFactory(username="pcc-b", forces=[force_b])
    CommissionerOfficeFactory(username="pcc-silent", forces=[report.subject_force], email="")
    ReportFactory(subject_force=force_b, published_on=datetime.date(2025, 1, 6))
    responses.invite_comments(report, by=commissioner_a, due_on=datetime.date(2026, 3, 20))

    with time_machine.travel(datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON), tick=False):
        chosen = reminders.response_reminders(day, digest=digest)
        expected = straightforward_office_reminders(day, digest)

    chosen.sort(key=lambda reminder: reminder.user.pk)
    assert [(r.user, r.kind) for r in chosen] == [(user, "response") for user, _ in expected]
    subjects = {"response-due": "commissioner's response", "chief-officer-comments": "chief officer's comments"}
    assert all(subjects[name] in r.subject for r, (_, name) in zip(chosen, expected, strict=True))


def test_the_commissioners_office_is_reminded_fourteen_days_before_the_last_day(report, commissioner_a):
    from tracker import reminders

    [email] = reminders.response_reminders(LAST_DAY - datetime.timedelta(days=14), digest=False)

    assert email.subject == "Recommendation Tracker: 1 commissioner's response due"
    assert "By 29 March 2026 (14 days left). Not started.\n" in email.body
    assert (
        "http://testserver/reports/west-midlands-2026/response/" in email.body
        or "/reports/west-midlands-2026/response/" in email.body
    )


def test_no_reminder_on_an_ordinary_day(report, commissioner_a):
    from tracker import reminders

    assert reminders.response_reminders(TODAY, digest=False) == []


def unfolded(feed) -> str:
    """Return an iCalendar feed's text with its long lines unfolded (RFC 5545, 3.1)."""
    return feed.content.decode().replace("\r\n ", "")


def test_the_calendar_has_the_last_day_for_the_response_and_the_date_for_the_comments(client, report, commissioner_a):
    responses.invite_comments(report, by=commissioner_a, due_on=datetime.date(2026, 3, 20))

    feed = unfolded(client.get(reverse("tracker:calendar_feed", args=[commissioner_a.calendar_token])))

    assert "SUMMARY:Commissioner's response due: West Midlands Police – Police Integrity and Corruption" in feed
    assert "DTSTART;VALUE=DATE:20260329" in feed
    assert "SUMMARY:Chief officer's comments wanted: West Midlands Police – Police Integrity and Corruption" in feed
    assert "DTSTART;VALUE=DATE:20260320" in feed


def test_a_published_response_leaves_the_calendar(client, report, commissioner_a):
    published_response(report, commissioner_a)

    feed = client.get(reverse("tracker:calendar_feed", args=[commissioner_a.calendar_token])).content.decode()

    assert "Commissioner's response due" not in feed


def test_another_forces_calendar_has_none_of_its_responses(client, report, psd_lead_b):
    feed = client.get(reverse("tracker:calendar_feed", args=[psd_lead_b.calendar_token])).content.decode()

    assert "Commissioner's response due" not in feed


def test_the_api_shows_the_response_of_a_report(client, report, commissioner_a, psd_lead_a):
    responses.invite_comments(report, by=commissioner_a, due_on=datetime.date(2026, 3, 20))
    client.force_login(psd_lead_a)

    data = client.get(reverse("api:report-detail", args=[report.slug])).json()["commissioner_response"]

    assert data["duty"] == "applies"
    assert data["due_on"] == "2026-03-29"
    assert data["comments_due_on"] == "2026-03-20"
    assert data["stage"] == "Chief officer's comments invited by 20 March 2026"
    assert (data["commissioner_comments"], data["explanations"]) == (None, None)


def test_the_api_shows_a_published_responses_words(client, report, commissioner_a):
    published_response(report, commissioner_a)
    client.force_login(commissioner_a)

    [listed] = client.get(reverse("api:report-list")).json()["results"]

    data = listed["commissioner_response"]
    assert data["published_in_time"] is True
    assert data["commissioner_comments"] == "The commissioner welcomes the report."
    assert [(e["number"], e["text"]) for e in data["explanations"]] == [(1, "Done."), (2, "Under way.")]


def test_the_api_reports_list_takes_the_same_queries_however_many_responses(
    client, commissioner_a, reviewer, force_a, today, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def reports_with_responses(count):
        for _ in range(count):
            report = ReportFactory(subject_force=force_a, published_on=PUBLISHED)
            ActionFactory(recommendation__report=report, force=force_a)
            published_response(report, commissioner_a, texts=("Done.",))

    client.force_login(reviewer)
    reports_with_responses(1)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("api:report-list"))
    reports_with_responses(4)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("api:report-list"))

    assert len(many) == len(few)


def test_a_commissioners_office_has_no_my_actions_in_its_navigation(client, report, commissioner_a):
    client.force_login(commissioner_a)

    labels = [item.label for item in client.get(reverse("tracker:report_list")).context["navigation"]]

    assert "My actions" not in labels and "My force" in labels


def test_an_action_with_no_due_date_is_suggested_a_date_to_set(report):
    action = Action.objects.filter(recommendation__report=report).first()
    action.due_date = None

    assert responses.suggested_explanation(action) == (
        "Action proposed: the force is to do this by a date to set; work has not yet started."
    )


def test_the_commissioners_office_reads_an_action_page_with_no_form_to_change_it(client, report, commissioner_a):
    action = Action.objects.filter(recommendation__report=report).first()
    client.force_login(commissioner_a)

    response = client.get(action.get_absolute_url())

    assert response.status_code == 200
    forms = [f for f in re.findall(r'<form[^>]*action="([^"]*)"', response.content.decode())]
    every_pages = (reverse("logout"), reverse("tracker:session_status"))  # sign out; the idle warning's "stay"
    assert [f for f in forms if f not in every_pages] == []


def test_a_save_after_someone_else_published_says_why_nothing_was_saved(client, report, commissioner_a):
    other = CommissionerOfficeFactory(forces=[report.subject_force])
    published_response(report, other)
    client.force_login(commissioner_a)

    response = client.post(
        reverse("tracker:response_save", args=[report.slug]), {"version": "2", "commissioner_comments": "Mine"}
    )

    assert response.status_code == 400
    assert "response_form" not in response.context
    assert response.context["error"] == "The response was published on 10 March 2026."


@pytest.mark.parametrize("who", ["psd_lead_a", "reviewer"])
def test_a_draft_is_the_offices_own_until_it_is_published(client, report, commissioner_a, who, request):
    responses.save_response(report, by=commissioner_a, comments="DRAFT WORDS", explanations={})
    user = request.getfixturevalue(who)

    page_seen = page(client, user, "tracker:report_response", report)

    assert page_seen.context["document"] is None and b"DRAFT WORDS" not in page_seen.content
    assert page(client, user, "tracker:response_print", report).status_code == 404
    assert page(client, user, "tracker:response_download", report).status_code == 404


def test_a_published_response_is_read_by_the_force_and_hmic(client, report, commissioner_a, psd_lead_a, reviewer):
    published_response(report, commissioner_a)

    for user in (psd_lead_a, reviewer):
        assert b"The commissioner welcomes the report." in page(client, user, "tracker:response_print", report).content


# The chief officer's comments awaited (what reminders and calendars list)


def _response(force, **fields) -> CommissionerResponse:
    return CommissionerResponse.objects.create(
        report=ReportFactory(subject_force=force, published_on=PUBLISHED), **fields
    )


def test_comments_are_awaited_once_invited_until_written_or_the_response_is_published(force_a, today):
    awaited = _response(force_a, comments_due_on=TODAY)
    not_invited = _response(force_a)
    written = _response(force_a, comments_due_on=TODAY, chief_officer_comments="We accept them.")
    published = _response(force_a, comments_due_on=TODAY, published_at=timezone.now())

    assert [r.comments_awaited for r in (awaited, not_invited, written, published)] == [True, False, False, False]
    assert list(CommissionerResponse.awaiting_comments()) == [awaited]


def test_comments_awaited_are_listed_soonest_due_first_then_in_the_order_invited(force_a, today):
    later = _response(force_a, comments_due_on=TODAY + datetime.timedelta(days=9))
    first = _response(force_a, comments_due_on=TODAY)
    second = _response(force_a, comments_due_on=TODAY)

    assert list(CommissionerResponse.awaiting_comments()) == [first, second, later]


def test_a_response_published_on_the_last_day_is_in_time_and_the_day_after_is_late(force_a):
    on_time = _response(force_a, published_at=datetime.datetime(2026, 3, 29, 23, 30, tzinfo=LONDON))
    late = _response(force_a, published_at=datetime.datetime(2026, 3, 30, 0, 30, tzinfo=LONDON))
    assert (on_time.report.response_due_on, on_time.published_in_time, late.published_in_time) == (
        LAST_DAY,
        True,
        False,
    )


def test_in_time_says_nothing_of_a_response_not_published_or_to_a_report_before_the_duty(force_a):
    unpublished = _response(force_a)
    before_the_duty = CommissionerResponse.objects.create(
        report=ReportFactory(subject_force=force_a, published_on=datetime.date(2016, 6, 1)), published_at=timezone.now()
    )
    assert (unpublished.published_in_time, before_the_duty.published_in_time) == (None, None)
