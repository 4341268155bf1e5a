"""
Forces' own spreadsheets: a PSD lead downloads their actions as a workbook, edits status, owner, RAG and notes in
Excel, uploads it; the preview lists each change and each refused row with its reason; applying is all or nothing,
each change a history row by the uploader.
"""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.conftest import LONDON
from tests.factories import ActionFactory, PsdLeadFactory, RecommendationFactory, ReportFactory
from tracker import workbooks, workflow
from tracker.models import Action, ProgressNote

Status = Action.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def actions(today, force_a, psd_lead_a):
    report = ReportFactory(slug="report-a", subject_force=force_a, title="Police Integrity and Corruption")
    return [
        ActionFactory(
            recommendation=RecommendationFactory(report=report, number=n, text=f"Recommendation {n}."),
            force=force_a,
            due_date=datetime.date(2015, 9, 1),
        )
        for n in (1, 2, 3)
    ]


def downloaded(client, user, query="") -> bytes:
    client.force_login(user)
    response = client.get(reverse("tracker:workbook_download") + query)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def edited(content: bytes, changes: dict[int, dict[str, str]]) -> SimpleUploadedFile:
    """Return the workbook with `changes` made to it: {action id: {column title: value}}, as Excel would save it."""
    book = load_workbook(io.BytesIO(content))
    sheet = book["Actions"]
    titles = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for title, value in changes.get(row[0].value, {}).items():
            row[titles.index(title)].value = value
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("actions.xlsx", out.getvalue())


def upload(client, file):
    return client.post(reverse("tracker:workbook_upload"), {"workbook": file})


def apply_preview(client, preview):
    return client.post(reverse("tracker:workbook_apply"), {"payload": preview.context["payload"]})


# The download


def test_the_workbook_lists_the_forces_open_actions_with_their_ids_and_versions(client, actions, psd_lead_a, force_b):
    ActionFactory(recommendation__report__subject_force=force_b)  # another force's
    workflow.transition(actions[2], "start", by=psd_lead_a)

    sheet = load_workbook(io.BytesIO(downloaded(client, psd_lead_a)))["Actions"]

    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(workbooks.TITLES)
    assert [(r[0], r[1], r[7]) for r in rows[1:]] == [
        (actions[0].pk, 1, "Not started"),
        (actions[1].pk, 1, "Not started"),
        (actions[2].pk, 2, "Being progressed"),
    ]


def test_the_workbook_locks_all_but_the_columns_to_edit(client, actions, psd_lead_a):
    sheet = load_workbook(io.BytesIO(downloaded(client, psd_lead_a)))["Actions"]

    assert sheet.protection.sheet
    row = sheet[2]
    assert [cell.protection.locked for cell in row[:7]] == [True] * 7
    assert [cell.protection.locked for cell in row[7:]] == [False] * 5


def test_the_workbook_offers_the_forces_psd_leads_as_owners(client, actions, psd_lead_a, colleague_a):
    book = load_workbook(io.BytesIO(downloaded(client, psd_lead_a)))

    assert [row[0] for row in book["Lists"].iter_rows(values_only=True)] == [
        "Alice Ashby (psd-a)",
        "Colin Cole (colleague-a)",
    ]


def test_the_workbook_keeps_the_lists_filters(client, actions, psd_lead_a):
    sheet = load_workbook(io.BytesIO(downloaded(client, psd_lead_a, "?q=Recommendation+2")))["Actions"]

    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [actions[1].pk]


@pytest.mark.parametrize("who", ["reviewer", "commissioner_a"])
def test_only_a_psd_lead_has_the_workbook(client, who, request):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("tracker:workbook")).status_code == 403
    assert client.get(reverse("tracker:workbook_download")).status_code == 403


# The preview


def test_the_preview_lists_each_change_and_applies_nothing(client, actions, psd_lead_a, colleague_a):
    content = downloaded(client, psd_lead_a)
    file = edited(
        content,
        {
            actions[0].pk: {"Status": "Being progressed", "Owner": "Colin Cole (colleague-a)"},
            actions[1].pk: {"RAG": "Amber", "RAG reason": "Waiting for sign-off", "Note": "Draft policy written."},
        },
    )

    response = upload(client, file)

    assert response.status_code == 200
    changes = {o.action.pk: [(c.column, c.old, c.new) for c in o.changes] for o in response.context["accepted"]}
    assert changes == {
        actions[0].pk: [("Status", "Not started", "Being progressed"), ("Owner", "Nobody", "Colin Cole (colleague-a)")],
        actions[1].pk: [
            ("RAG", "Not rated", "Amber"),
            ("RAG reason", "None", "Waiting for sign-off"),
            ("Note", "", "Draft policy written."),
        ],
    }
    assert response.context["unchanged"] == 1
    assert Action.objects.filter(version__gt=1).count() == 0  # nothing applied
    assert not ProgressNote.objects.exists()


def test_applying_makes_every_change_a_history_row_by_the_uploader(client, actions, psd_lead_a, colleague_a):
    content = downloaded(client, psd_lead_a)
    file = edited(
        content,
        {
            actions[0].pk: {"Status": "Being progressed", "Owner": "colleague-a"},
            actions[1].pk: {"RAG": "Green", "RAG reason": "On track", "Note": "Audit booked."},
        },
    )
    preview = upload(client, file)

    response = apply_preview(client, preview)

    assert response.status_code == 302
    first, second = (Action.objects.get(pk=a.pk) for a in actions[:2])
    assert (first.status, first.owner, first.version) == (Status.IN_PROGRESS, colleague_a, 3)
    assert (second.rag, second.rag_reason) == ("green", "On track")
    assert ProgressNote.objects.get().text == "Audit booked."
    reasons = [h.history_change_reason for h in first.history.filter(history_user=psd_lead_a).order_by("history_id")]
    assert reasons == ["Owner set to Colin Cole", "Mark as being progressed"]


def test_marking_complete_takes_the_note_as_the_completion_note(client, actions, psd_lead_a):
    file = edited(
        downloaded(client, psd_lead_a),
        {actions[0].pk: {"Status": "Awaiting review", "Note": "Policy published on the intranet."}},
    )

    apply_preview(client, upload(client, file))

    action = Action.objects.get(pk=actions[0].pk)
    assert action.status == Status.COMPLETED
    assert action.history.first().history_change_reason == (
        "Mark as complete and send for review: Policy published on the intranet."
    )


def refusals(response) -> dict[int, str]:
    return {o.row.number: o.refusal for o in response.context["refused"]}


def test_a_row_whose_action_changed_since_the_download_is_refused(client, actions, psd_lead_a, colleague_a):
    content = downloaded(client, psd_lead_a)
    workflow.assign_owner(actions[0], by=colleague_a, owner=colleague_a)

    response = upload(client, edited(content, {actions[0].pk: {"Status": "Being progressed"}}))

    [(row, reason)] = refusals(response).items()
    assert row == 2
    assert reason.startswith("Changed by Colin Cole on 1 June 2015 at 12:00, after the workbook was downloaded")


def test_a_row_for_another_forces_action_is_refused_as_if_it_did_not_exist(client, actions, psd_lead_a, force_b):
    theirs = ActionFactory(recommendation__report__subject_force=force_b)
    content = downloaded(client, psd_lead_a)
    book = load_workbook(io.BytesIO(content))
    book["Actions"]["A2"].value = theirs.pk
    book["Actions"]["H2"].value = "Being progressed"
    out = io.BytesIO()
    book.save(out)

    response = upload(client, SimpleUploadedFile("a.xlsx", out.getvalue()))

    assert refusals(response) == {2: f"No action of your force has the ID “{theirs.pk}”."}
    assert Action.objects.get(pk=theirs.pk).status == Status.NOT_STARTED


def test_an_unknown_owner_is_refused_with_the_reason(client, actions, psd_lead_a, force_b):
    PsdLeadFactory(username="elsewhere", first_name="Ed", last_name="Else", forces=[force_b])
    content = downloaded(client, psd_lead_a)

    response = upload(client, edited(content, {actions[0].pk: {"Owner": "Ed Else (elsewhere)"}}))

    assert refusals(response) == {
        2: "No PSD lead of West Midlands Police is called “Ed Else (elsewhere)”: choose one from the list."
    }


def test_a_transition_the_workflow_forbids_is_refused_in_its_words(client, actions, psd_lead_a):
    workflow.transition(actions[0], "complete", by=psd_lead_a, text="Done")
    content = downloaded(client, psd_lead_a)

    response = upload(
        client,
        edited(
            content,
            {
                actions[0].pk: {"Status": "Complete – authorised for closure"},
                actions[1].pk: {"Status": "Awaiting review"},  # no completion note
                actions[2].pk: {"Status": "Sorted"},
            },
        ),
    )

    assert refusals(response) == {
        2: "Only an HMIC reviewer can verify and authorise closure.",
        3: "Enter a completion note: what was done, and where the evidence is",
        4: "“Sorted” is not a status: choose “Not started”, “Being progressed”, “Awaiting review”.",
    }


def test_refused_rows_leave_the_rest_to_apply(client, actions, psd_lead_a):
    content = downloaded(client, psd_lead_a)
    file = edited(content, {actions[0].pk: {"Status": "Sorted"}, actions[1].pk: {"Status": "Being progressed"}})
    preview = upload(client, file)

    apply_preview(client, preview)

    statuses = list(Action.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [Status.NOT_STARTED, Status.IN_PROGRESS, Status.NOT_STARTED]


def test_nothing_is_applied_if_an_accepted_row_is_refused_by_the_time_it_is_confirmed(
    client, actions, psd_lead_a, colleague_a
):
    content = downloaded(client, psd_lead_a)
    file = edited(
        content, {actions[0].pk: {"Status": "Being progressed"}, actions[1].pk: {"Status": "Being progressed"}}
    )
    preview = upload(client, file)
    workflow.add_note(actions[1], by=colleague_a, text="Meanwhile")
    workflow.assign_owner(actions[1], by=colleague_a, owner=colleague_a)

    response = apply_preview(client, preview)

    assert response.status_code == 409
    assert b"Something changed since the preview: nothing was applied." in response.content
    assert Action.objects.get(pk=actions[0].pk).status == Status.NOT_STARTED  # its change was rolled back too


def test_a_tampered_preview_applies_nothing(client, actions, psd_lead_a):
    client.force_login(psd_lead_a)

    response = client.post(reverse("tracker:workbook_apply"), {"payload": "not-signed"}, follow=True)

    assert b"The preview could not be read" in response.content
    assert Action.objects.filter(version__gt=1).count() == 0


def test_an_action_in_two_rows_is_refused_the_second_time(client, actions, psd_lead_a):
    content = downloaded(client, psd_lead_a)
    book = load_workbook(io.BytesIO(content))
    book["Actions"]["A3"].value = actions[0].pk
    book["Actions"]["H3"].value = "Being progressed"
    out = io.BytesIO()
    book.save(out)

    response = upload(client, SimpleUploadedFile("a.xlsx", out.getvalue()))

    assert refusals(response) == {3: "The action is in an earlier row too: change it in one row only."}


# Files that are not the tracker's workbooks


def xlsx(rows: list[list]) -> SimpleUploadedFile:
    """Return an upload of a workbook whose "Actions" sheet holds `rows`."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Actions"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("x.xlsx", out.getvalue())


@pytest.mark.parametrize(
    "file, message",
    [
        (SimpleUploadedFile("x.xlsx", b"PK\x03\x04 not really"), "is not an Excel workbook"),
        (SimpleUploadedFile("x.csv", b"a,b"), "Upload the Excel workbook (.xlsx)"),
        (xlsx([["Action ID", "Status"]]), "has no column “Version”, “Owner”, “RAG”, “RAG reason”, “Note”"),
    ],
)
def test_a_file_that_is_not_the_workbook_is_refused_with_what_to_do(client, actions, psd_lead_a, file, message):
    client.force_login(psd_lead_a)

    response = upload(client, file)

    assert response.status_code == 400
    assert message in response.content.decode().replace("&ldquo;", "“").replace("&rdquo;", "”")


def test_a_workbook_that_unpacks_to_far_more_than_a_forces_actions_is_refused(client, psd_lead_a, monkeypatch):
    monkeypatch.setattr(workbooks, "MAX_UNPACKED_BYTES", 1000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "x" * 5000)
    client.force_login(psd_lead_a)

    response = upload(client, SimpleUploadedFile("x.xlsx", out.getvalue()))

    assert response.status_code == 400
    assert "far more than a force" in response.content.decode()


def test_too_many_rows_are_refused(client, actions, psd_lead_a, monkeypatch):
    monkeypatch.setattr(workbooks, "MAX_ROWS", 2)
    client.force_login(psd_lead_a)
    titles = list(workbooks.NEEDED)

    response = upload(client, xlsx([titles, *([[1, 1, "", "", "", "", ""]] * 3)]))

    assert response.status_code == 400
    assert "more than 2 rows" in response.content.decode()


def test_a_formula_looking_note_is_kept_as_text(client, actions, psd_lead_a):
    file = edited(downloaded(client, psd_lead_a), {actions[0].pk: {"Note": "'=1+1 is not run"}})

    apply_preview(client, upload(client, file))

    assert ProgressNote.objects.get().text == "=1+1 is not run"


# The workflow's move to a status (what a workbook's Status column asks for)


def test_a_move_no_transition_makes_is_refused_in_the_workflows_words(actions, psd_lead_a):
    workflow.transition(actions[0], "complete", by=psd_lead_a, text="Done")

    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.transition_to(actions[0], Status.NOT_STARTED, by=psd_lead_a)

    assert refused.value.messages == ["An action that is “Awaiting review” cannot be moved to “Not started”."]


def test_a_move_to_the_status_it_has_changes_nothing(actions, psd_lead_a):
    workflow.transition_to(actions[0], Status.NOT_STARTED, by=psd_lead_a)

    assert Action.objects.get(pk=actions[0].pk).version == 1


def test_a_move_takes_the_transition_that_is_the_users_to_make(actions, psd_lead_a, reviewer):
    workflow.transition(actions[0], "complete", by=psd_lead_a, text="Done")

    workflow.transition_to(actions[0], Status.IN_PROGRESS, by=reviewer, text="Evidence missing")

    assert Action.objects.get(pk=actions[0].pk).history.first().history_change_reason == "Reopen: Evidence missing"


def test_the_same_actions_give_the_same_workbook_all_day(client, actions, psd_lead_a):
    morning = downloaded(client, psd_lead_a)
    with time_machine.travel(datetime.datetime(2015, 6, 1, 17, 30, tzinfo=LONDON), tick=False):
        evening = downloaded(client, psd_lead_a)

    assert morning == evening
