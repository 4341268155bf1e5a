"""
Dates in a sane window: a due date, a revised due date or a publication date from 1 January 2000 to ten years
from today, wherever one comes in (the action page, the admin, report imports); and dates stored before the
window existed break no page, export or calendar feed.
"""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from icalendar import Calendar

from tests.factories import ActionFactory, ExtensionRequestFactory, ForceFactory
from tests.seeds import read_seed
from tests.test_hostile_input import clients, send, uses
from tests.test_permission_matrix import address, world  # noqa: F401 (a fixture)
from tracker import workflow
from tracker.dates import check_date_window, latest_date
from tracker.importer import ImportProblem, build_fixture, load_fixture_text
from tracker.models import Action, ExtensionRequest, ForceSummary, Report
from tracker.report_parser import parse_report

D = datetime.date
NO_END = D(9999, 12, 31)  # what people type for "no end date"

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(force_a):
    return ActionFactory(recommendation__report__subject_force=force_a, due_date=D(2015, 5, 27))


def _refused(day: D) -> str:
    with pytest.raises(ValidationError) as refusal:
        check_date_window(day)
    return refusal.value.messages[0]


def test_the_window_runs_from_2000_to_ten_years_from_today(today):
    check_date_window(D(2000, 1, 1))
    check_date_window(D(2025, 6, 1))
    message = "Enter a date between 1 January 2000 and 1 June 2025 (ten years from today)."
    assert _refused(D(1999, 12, 31)) == message
    assert _refused(D(2025, 6, 2)) == message


def test_no_end_date_and_year_one_are_outside_the_window(today):
    assert _refused(NO_END) and _refused(D(1, 1, 1))


def test_a_form_can_word_the_refusal_its_own_way_by_its_code(today):
    from django import forms

    field = forms.DateField(validators=[check_date_window], error_messages={"outside_window": "Not that date."})
    with pytest.raises(ValidationError) as refusal:
        field.clean("31/12/9999")
    assert refusal.value.messages == ["Not that date."]


def test_no_date_is_not_refused_by_the_window():
    check_date_window(None)


def test_ten_years_from_29_february_is_28_february():
    assert latest_date(D(2028, 2, 29)) == D(2038, 2, 28)


def test_an_extension_to_no_end_date_is_refused_beside_the_date_with_the_reason_kept(client, today, action, psd_lead_a):
    client.force_login(psd_lead_a)
    url = reverse("tracker:action_request_extension", args=[action.pk])
    response = client.post(url, {"requested_due_date": "31/12/9999", "reason": "No end in sight"})
    assert response.status_code == 400
    assert response.context["extension_form"].errors == {
        "requested_due_date": [
            "The revised due date must be no later than 1 June 2025, ten years from today. "
            "Ask for the date the work can be done by; it can be extended again."
        ]
    }
    assert "No end in sight" in response.content.decode() and "31/12/9999" in response.content.decode()
    assert not ExtensionRequest.objects.exists()


def test_an_extension_to_ten_years_from_today_is_accepted(today, action, psd_lead_a):
    request = workflow.request_extension(action, by=psd_lead_a, requested_due_date=D(2025, 6, 1), reason="Long work")
    assert request.is_pending


def test_a_request_for_the_last_day_of_the_window_can_be_approved(today, action, psd_lead_a, reviewer):
    request = ExtensionRequestFactory(action=action, requested_by=psd_lead_a, requested_due_date=latest_date(today))
    workflow.decide_extension(request, by=reviewer, approve=True)
    action.refresh_from_db()
    assert action.revised_due_date == D(2025, 6, 1)


def test_a_request_for_no_end_date_made_before_the_window_cannot_be_approved(today, action, psd_lead_a, reviewer):
    request = ExtensionRequestFactory(action=action, requested_by=psd_lead_a, requested_due_date=NO_END)
    with pytest.raises(workflow.WorkflowError) as refusal:
        workflow.decide_extension(request, by=reviewer, approve=True)
    assert refusal.value.messages == [
        "31 December 9999 cannot be a due date: it is more than ten years away. "
        "Refuse this request, saying which date you would accept."
    ]
    request.refresh_from_db()
    action.refresh_from_db()
    assert request.is_pending and action.revised_due_date is None


def test_a_request_for_no_end_date_made_before_the_window_can_be_refused(today, action, psd_lead_a, reviewer):
    request = ExtensionRequestFactory(action=action, requested_by=psd_lead_a, requested_due_date=NO_END)
    workflow.decide_extension(request, by=reviewer, approve=False, reason="Give a date you can meet.")
    request.refresh_from_db()
    assert request.decision == ExtensionRequest.Decision.REFUSED


def test_the_admin_refuses_a_due_date_outside_the_window(client, today, action, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:tracker_action_change", args=[action.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"due_date": "9999-12-31", "_save": "Save"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["due_date"] == [
        "Enter a date between 1 January 2000 and 1 June 2025 (ten years from today)."
    ]
    action.refresh_from_db()
    assert action.due_date == D(2015, 5, 27)


def _report_fixture(due_date: str) -> str:
    force = ForceFactory(slug="west-midlands")
    return json.dumps(
        [
            {"model": "tracker.report", "fields": {"slug": "pic-2014", "title": "Integrity", "subject_force": None}},
            {
                "model": "tracker.recommendation",
                "fields": {"report": ["pic-2014"], "number": 1, "text": "Publish it.", "due_date": due_date},
            },
            {
                "model": "tracker.action",
                "fields": {"recommendation": ["pic-2014", 1], "force": [force.slug], "due_date": due_date},
            },
        ]
    )


def test_an_import_with_a_due_date_outside_the_window_loads_nothing_and_says_where(today):
    with pytest.raises(ImportProblem, match=r"“due_date” Enter a date between 1 January 2000 and 1 June 2025"):
        load_fixture_text(_report_fixture("9999-12-31"), label="The fixture")
    assert not Report.objects.exists()


def test_an_import_with_due_dates_inside_the_window_loads(today):
    load_fixture_text(_report_fixture("2015-11-27"), label="The fixture")
    assert Action.objects.get().due_date == D(2015, 11, 27)


@pytest.fixture
def stored_extremes(today, force_a, psd_lead_a):
    """Actions whose dates were stored before the window: no end date, and year one."""
    latest = ActionFactory(recommendation__report__subject_force=force_a, force=force_a, due_date=D(2015, 5, 27))
    earliest = ActionFactory(recommendation__report__subject_force=force_a, force=force_a, due_date=D(2015, 5, 27))
    Action.objects.filter(pk=latest.pk).update(revised_due_date=NO_END)
    Action.objects.filter(pk=earliest.pk).update(due_date=D(1, 1, 1))
    ForceSummary.objects.rebuild()
    return latest, earliest


def test_a_stored_due_date_of_31_december_9999_is_one_day_in_the_calendar(client, stored_extremes, psd_lead_a):
    latest, _ = stored_extremes
    response = client.get(reverse("tracker:calendar_feed", args=[psd_lead_a.calendar_token]))
    assert response.status_code == 200
    events = {event["UID"]: event for event in Calendar.from_ical(response.content).walk("VEVENT")}
    event = events[f"action-{latest.pk}@recommendation-tracker"]
    assert event.decoded("DTSTART") == NO_END and "DTEND" not in event  # one day, as RFC 5545 reads it


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_stored_extreme_dates_export(client, stored_extremes, psd_lead_a, fmt):
    client.force_login(psd_lead_a)
    response = client.get(reverse("tracker:action_export", args=[fmt]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])


def test_no_page_export_or_feed_fails_on_dates_stored_before_the_window(world):  # noqa: F811
    """Every address of the permission matrix, as every role it lets in, with force A's dates at both ends."""
    Action.objects.filter(pk=world.action.pk).update(revised_due_date=NO_END)
    Action.objects.filter(pk=world.other_action.pk).update(due_date=D(1, 1, 1))
    ForceSummary.objects.rebuild()
    signed_in = clients(world)
    failures = []
    for use in uses():
        if use.method == "GET":
            response = send(signed_in[use.role], use, world, address(use.url, world), {})
            if response.status_code >= 500:
                failures.append(f"{use}: {response.status_code}")
    assert not failures


@pytest.fixture
def report_by_no_end_date(today) -> bytes:
    """A seed report whose first recommendation is due "by 31 December 9999"."""
    call_command("loaddata", "fixtures/forces.json", verbosity=0)
    text = read_seed("000_53efe708a084475f.txt")
    first = "Within six months, the force should ensure that it has communicated"
    assert first in text
    return text.replace(first, "By 31 December 9999, the force should ensure that it has communicated").encode()


def test_a_report_due_by_31_december_9999_is_refused_at_conversion_saying_which(report_by_no_end_date):
    parsed = parse_report(report_by_no_end_date.decode())
    with pytest.raises(ImportProblem) as refusal:
        build_fixture(parsed, source_name="report.txt")
    assert str(refusal.value) == (
        "Recommendation 1's due date is 31 December 9999: the tracker takes dates between 1 January 2000 and "
        "1 June 2025 (ten years from today); correct its timeframe or due date."
    )


def test_the_admin_preview_of_a_report_due_by_31_december_9999_says_so_and_saves_nothing(
    client, admin_user, report_by_no_end_date
):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:tracker_report_import"), {"report": SimpleUploadedFile("report.txt", report_by_no_end_date)}
    )
    assert response.status_code == 200
    assert "Recommendation 1&#x27;s due date is 31 December 9999" in response.content.decode()
    assert not Report.objects.exists()


def test_the_admin_import_refuses_a_publication_date_outside_the_window(client, admin_user, report_by_no_end_date):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:tracker_report_import"),
        {"report": SimpleUploadedFile("report.txt", report_by_no_end_date), "published": "9999-12-31"},
    )
    assert response.context["form"].errors["published"] == [
        "Enter a date between 1 January 2000 and 1 June 2025 (ten years from today)."
    ]
