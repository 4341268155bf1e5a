"""What the pages say: filter defaults, the Force column and filter, required-field errors, history, starting work."""

import datetime
import re

import pytest
from django.urls import reverse

from tests.factories import ActionFactory, ExtensionRequestFactory, ReportFactory, ThemeFactory
from tracker import workflow
from tracker.forms import (
    BulkActionForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    NoteForm,
    RagForm,
    ThemeMergeForm,
    ThemeRenameForm,
    ThemeSplitForm,
    TransitionForm,
)
from tracker.models import Action
from tracker.selectors import action_timeline

pytestmark = pytest.mark.django_db
LIST_PAGES = ["action_list", "overdue", "upcoming", "my_actions"]


def _options(body: str, name: str) -> list[tuple[str, str, bool]]:
    """Return (value, label, selected) for each option of the select called `name`."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, re.S)
    assert select, f"no select called {name}"
    return [
        (value, label, bool(selected))
        for value, selected, label in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select[1])
    ]


# Filter defaults


def test_the_overdue_filter_offers_any_yes_or_no_and_opens_on_any(client, today, reviewer):
    client.force_login(reviewer)
    body = client.get(reverse("tracker:action_list")).content.decode()
    assert _options(body, "overdue") == [("", "Any", True), ("true", "Yes", False), ("false", "No", False)]


def test_the_overdue_filter_shows_the_choice_made(client, today, force_a, reviewer):
    late = ActionFactory(force=force_a, due_date=datetime.date(2015, 5, 1))
    ActionFactory(force=force_a, due_date=datetime.date(2015, 9, 1))
    client.force_login(reviewer)
    response = client.get(reverse("tracker:action_list"), {"overdue": "true"})
    assert _options(response.content.decode(), "overdue")[1] == ("true", "Yes", True)
    assert list(response.context["page_obj"]) == [late]


def test_the_sort_opens_on_most_pressing_first_with_labels_that_say_which_way(client, today, reviewer):
    client.force_login(reviewer)
    body = client.get(reverse("tracker:action_list")).content.decode()
    assert _options(body, "sort") == [
        ("", "Most pressing first", True),
        ("due", "Due date, soonest first", False),
        ("-due", "Due date, latest first", False),
        ("force", "Force, A to Z", False),
        ("-force", "Force, Z to A", False),
        ("status", "Status", False),
        ("-status", "Status, reversed", False),
        ("updated", "Last update, oldest first", False),
        ("-updated", "Last update, newest first", False),
    ]


def test_the_themes_shared_filter_offers_any(client, today, reviewer):
    client.force_login(reviewer)
    body = client.get(reverse("tracker:theme_list")).content.decode()  # the page opens on shared themes
    assert _options(body, "shared") == [("", "Any", False), ("true", "Yes", True), ("false", "No", False)]
    body = client.get(reverse("tracker:theme_list"), {"shared": ""}).content.decode()
    assert _options(body, "shared")[0] == ("", "Any", True)


# The Force column and filter


@pytest.mark.parametrize("page", LIST_PAGES)
def test_a_psd_lead_of_one_force_sees_no_force_column_filter_or_sort(client, today, force_a, psd_lead_a, page):
    ActionFactory(force=force_a, owner=psd_lead_a, due_date=datetime.date(2015, 6, 10))
    client.force_login(psd_lead_a)
    body = client.get(reverse(f"tracker:{page}")).content.decode()
    assert '<select name="force"' not in body
    assert ">Force</th>" not in body
    assert [value for value, _, _ in _options(body, "sort") if "force" in value] == []


@pytest.mark.parametrize("page", LIST_PAGES)
def test_a_psd_lead_of_two_forces_keeps_the_force_column_and_filter(client, today, force_a, force_b, psd_lead_a, page):
    psd_lead_a.forces.add(force_b)
    ActionFactory(force=force_a, owner=psd_lead_a, due_date=datetime.date(2015, 6, 10))
    client.force_login(psd_lead_a)
    body = client.get(reverse(f"tracker:{page}")).content.decode()
    assert [label for _, label, _ in _options(body, "force")] == [
        "All forces",
        "Leicestershire Police",
        "West Midlands Police",
    ]
    if page != "overdue":  # the overdue list is grouped by force, a table each
        assert '<th scope="col" class="govuk-table__header">Force</th>' in body


def test_a_reviewer_keeps_the_force_column_and_filter(client, today, force_a, reviewer):
    ActionFactory(force=force_a)
    client.force_login(reviewer)
    body = client.get(reverse("tracker:action_list")).content.decode()
    assert '<select name="force"' in body and '<th scope="col" class="govuk-table__header">Force</th>' in body


def test_a_force_in_the_address_of_a_one_force_list_changes_nothing(client, today, force_a, psd_lead_a):
    mine = ActionFactory(force=force_a)
    client.force_login(psd_lead_a)
    response = client.get(reverse("tracker:action_list"), {"force": force_a.slug})
    assert response.status_code == 200 and list(response.context["page_obj"]) == [mine]


def test_the_reports_list_of_a_psd_lead_of_one_force_has_no_inspected_force_filter(client, today, force_a, psd_lead_a):
    ActionFactory(force=force_a, recommendation__report=ReportFactory(subject_force=force_a))
    client.force_login(psd_lead_a)
    body = client.get(reverse("tracker:report_list")).content.decode()
    assert 'name="subject_force"' not in body and 'name="series"' in body


def test_the_reports_list_of_a_reviewer_keeps_the_inspected_force_filter(client, today, reviewer):
    client.force_login(reviewer)
    assert 'name="subject_force"' in client.get(reverse("tracker:report_list")).content.decode()


def test_trends_of_a_psd_lead_of_one_force_has_no_force_choice(client, today, force_a, psd_lead_a):
    client.force_login(psd_lead_a)
    response = client.get(reverse("tracker:trends"))
    assert response.context["scope"] == "West Midlands Police"
    assert 'name="force"' not in response.content.decode()


def test_trends_of_a_psd_lead_of_two_forces_offers_each_and_both(client, today, force_a, force_b, psd_lead_a):
    psd_lead_a.forces.add(force_b)
    client.force_login(psd_lead_a)
    body = client.get(reverse("tracker:trends")).content.decode()
    assert "All your forces</option>" in body and "Leicestershire Police</option>" in body


# Required fields say what is needed


@pytest.mark.parametrize(
    "make_form,expected",
    [
        (
            lambda: TransitionForm({"version": "1"}, transition=workflow.TRANSITIONS["reopen"]),
            {"text": ["Enter a reason for reopening"]},
        ),
        (
            lambda: TransitionForm({"version": "1"}, transition=workflow.TRANSITIONS["complete"]),
            {"text": ["Enter a completion note: what was done, and where the evidence is"]},
        ),
        (
            lambda: TransitionForm({"version": "1"}, transition=workflow.TRANSITIONS["supersede"]),
            {"text": ["Enter a reason for closing it as superseded"]},
        ),
        (
            lambda: TransitionForm({"version": "1"}, transition=workflow.TRANSITIONS["not_accept"]),
            {"text": ["Enter a reason for closing it as not accepted"]},
        ),
        (
            lambda: TransitionForm({}, transition=workflow.TRANSITIONS["start"]),
            {"version": ["Reload the page and try again: it was sent without the action's version"]},
        ),
        (lambda: NoteForm({}), {"text": ["Enter the progress note"]}),
        (
            lambda: ExtensionRequestForm({}),
            {
                "requested_due_date": ["Enter the revised due date"],
                "reason": ["Enter why the current due date cannot be met"],
            },
        ),
        (
            lambda: ExtensionDecisionForm({}),
            {"decision": ["Select whether to approve or refuse the revised due date"]},
        ),
        (
            lambda: RagForm({"version": "1"}),
            {"rag": ["Select a RAG rating"], "reason": ["Enter the reason for the rating"]},
        ),
    ],
    ids=["reopen", "complete", "supersede", "not_accept", "version", "note", "extension", "decision", "rag"],
)
def test_an_empty_required_field_says_what_is_needed(make_form, expected):
    form = make_form()
    assert form.errors == expected


def test_the_theme_and_bulk_forms_say_what_is_needed():
    theme = ThemeFactory()
    assert ThemeRenameForm({}).errors == {"title": ["Enter the theme's title"]}
    assert ThemeMergeForm({}, theme=theme).errors == {"other": ["Select the theme to merge into this one"]}
    assert ThemeSplitForm({}, theme=theme).errors == {
        "recommendations": ["Select the recommendations to split into a new theme"]
    }
    assert BulkActionForm({}, actions=Action.objects.all()).errors == {
        "actions": ["Tick at least one action"],
        "operation": ["Select the change to make"],
    }


def test_the_action_page_shows_the_message_beside_the_field(client, force_a, reviewer):
    action = ActionFactory(force=force_a, status=Action.Status.COMPLETED)
    client.force_login(reviewer)
    response = client.post(
        reverse("tracker:action_transition", args=[action.pk, "reopen"]), {"version": action.version}
    )
    assert response.status_code == 400
    assert (
        '<p class="govuk-error-message" id="id_reopen_text_error"><span class="govuk-visually-hidden">Error:</span> '
        "Enter a reason for reopening</p>"
    ) in response.content.decode()


# History


def test_history_says_none_for_a_due_date_that_was_not_revised(today, force_a, reviewer):
    action = ActionFactory(force=force_a, due_date=datetime.date(2015, 9, 30))
    extension = ExtensionRequestFactory(action=action, requested_due_date=datetime.date(2016, 3, 31))
    workflow.decide_extension(extension, by=reviewer, approve=True)
    summaries = [entry.summary for entry in action_timeline(action)]
    assert "Revised due date: none → 31 March 2016" in summaries
    assert not any("None" in summary for summary in summaries)


# Starting work with a word


def test_marking_as_being_progressed_takes_an_optional_note(client, force_a, psd_lead_a):
    action = ActionFactory(force=force_a)
    client.force_login(psd_lead_a)
    body = client.get(action.get_absolute_url()).content.decode()
    assert '<label class="govuk-label govuk-label--s" for="id_start_text">Note (optional)</label>' in body
    response = client.post(
        reverse("tracker:action_transition", args=[action.pk, "start"]),
        {"version": 1, "text": "Kick-off meeting with the vetting unit held"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS
    assert action.history.latest().history_change_reason == (
        "Mark as being progressed: Kick-off meeting with the vetting unit held"
    )


def test_marking_as_being_progressed_without_a_note_still_works_in_one_post(client, force_a, psd_lead_a):
    action = ActionFactory(force=force_a)
    client.force_login(psd_lead_a)
    assert (
        client.post(reverse("tracker:action_transition", args=[action.pk, "start"]), {"version": 1}).status_code == 302
    )
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS
    assert action.history.latest().history_change_reason == "Mark as being progressed"
