"""Admins import a report on the web: upload, check the preview, confirm (atomic) or cancel."""

import datetime
import io
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from tests.html_forms import form_fields
from tests.seeds import SEEDS
from tracker.models import Action, Force, Report

pytestmark = pytest.mark.django_db
SEED = SEEDS / "004_b223533a9aa4004e.txt"


@pytest.fixture
def forces(db):
    call_command("loaddata", "fixtures/forces.json", verbosity=0)


def _preview(client, content: bytes, name="report.txt", **extra):
    return client.post(reverse("admin:tracker_report_import"), {"report": SimpleUploadedFile(name, content), **extra})


def _payload(response) -> str:
    return re.search(r'name="payload" value="([^"]+)"', response.content.decode()).group(1)


def test_upload_shows_a_preview_and_saves_nothing(client, admin_user, forces):
    client.force_login(admin_user)
    response = _preview(client, SEED.read_bytes(), published="2014-11-27")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Metropolitan Police Service" in body and "4 recommendations, 4 actions" in body
    assert "27 November 2014" in body
    assert not Report.objects.exists()


def test_confirm_loads_everything(client, admin_user, forces):
    client.force_login(admin_user)
    payload = _payload(_preview(client, SEED.read_bytes(), published="2014-11-27"))
    response = client.post(reverse("admin:tracker_report_import_confirm"), {"payload": payload})
    report = Report.objects.get()
    assert response["Location"] == reverse("admin:tracker_report_imported", args=[report.pk])
    assert Action.objects.filter(force__slug="metropolitan").count() == 4


def _words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _confirmed(client, content: bytes = b"", **extra):
    """Upload a report (the Metropolitan seed unless given), confirm the preview as read; return the page shown."""
    payload = _payload(_preview(client, content or SEED.read_bytes(), **{"published": "2014-11-27", **extra}))
    return client.post(reverse("admin:tracker_report_import_confirm"), {"payload": payload}, follow=True)


def test_after_confirming_the_admin_sees_what_was_loaded(client, admin_user, forces):
    client.force_login(admin_user)
    response = _confirmed(client)
    words = _words(response.content.decode())
    assert "Imported “Police Integrity and Corruption – Metropolitan Police Service”." in words
    assert "In the tracker: 4 recommendations, 4 actions for 1 force or body." in words
    assert "Actions per force Force Actions Metropolitan Police Service 4 Themes" in words
    assert "Recommendation 1 27 November 2014 1 With immediate effect, the force should publish" in words
    assert "objects loaded" not in words and "Delete" not in words


def test_the_summary_says_which_themes_were_joined_and_which_started(client, admin_user, forces):
    west_midlands = "fixtures/reports/police-integrity-and-corruption-2014-west-midlands.json"
    call_command("load_reports", west_midlands, stdout=io.StringIO())
    client.force_login(admin_user)
    words = _words(_confirmed(client).content.decode())
    assert "1 joined a theme other reports' recommendations are in; 3 started a theme of their own." in words
    assert "Recommendation 4 joined “ Ensure it has an effective process" in words
    assert "”, with 1 recommendation of other reports Recommendation 1 started “ Publish to all staff" in words


def test_confirming_a_report_already_loaded_says_so(client, admin_user, forces):
    client.force_login(admin_user)
    _confirmed(client)
    words = _words(_confirmed(client).content.decode())
    assert (
        "“Police Integrity and Corruption – Metropolitan Police Service” was already loaded: anything missing was "
        "added; every action keeps its status, owner and history."
    ) in words
    assert "In the tracker: 4 recommendations, 4 actions" in words


def test_the_summary_counts_in_two_queries_whatever_the_report(admin_user, forces, django_assert_num_queries):
    from tracker.selectors import report_contents

    call_command("load_reports", "fixtures/reports/without-fear-or-favour-2011-national.json", stdout=io.StringIO())
    report = Report.objects.get()
    with django_assert_num_queries(2):
        contents = report_contents(report)
    assert contents.action_count == Action.objects.count()
    assert len(contents.forces) == Action.objects.values("force").distinct().count()


def test_the_preview_names_the_forces_that_get_actions(client, admin_user, forces):
    client.force_login(admin_user)
    body = _preview(client, GAPPED, force="cambridgeshire").content.decode()
    assert '<p id="item-0-actions">Actions for: Cambridgeshire Constabulary</p>' in body
    assert "cambridgeshire<" not in body and "cambridgeshire " not in body


def test_the_preview_names_the_first_forces_of_a_national_recommendation_and_counts_the_rest(
    client, admin_user, forces
):
    client.force_login(admin_user)
    body = _review(client, _metropolitan(client), "update", item__0__addressees=["all-forces"]).content.decode()
    shown = re.search(r'<p id="item-0-actions">Actions for: ([^<]+)</p>', body).group(1)
    territorial = Force.objects.filter(kind=Force.Kind.TERRITORIAL).order_by("name")
    names = list(territorial.values_list("name", flat=True))
    assert shown == f"{', '.join(names[:5])} and {len(names) - 5} more"


def test_tampered_preview_is_refused_and_loads_nothing(client, admin_user, forces):
    client.force_login(admin_user)
    payload = _payload(_preview(client, SEED.read_bytes()))
    response = client.post(
        reverse("admin:tracker_report_import_confirm"), {"payload": payload[:-3] + "abc"}, follow=True
    )
    assert "upload the report again" in response.content.decode()
    assert not Report.objects.exists()


def test_download_gives_the_fixture_for_review(client, admin_user, forces):
    client.force_login(admin_user)
    payload = _payload(_preview(client, SEED.read_bytes(), published="2014-11-27"))
    response = client.post(reverse("admin:tracker_report_import_download"), {"payload": payload})
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="police-integrity-and-corruption-2014-metropolitan.json"'
    )
    committed = Path("fixtures/reports/police-integrity-and-corruption-2014-metropolitan.json").read_text()
    assert response.content.decode().replace("004_b223533a9aa4004e.txt", "report.txt") == committed.replace(
        "004_b223533a9aa4004e.txt", "report.txt"
    )


def test_bad_file_gets_a_clear_error_and_keeps_the_form(client, admin_user, forces):
    client.force_login(admin_user)
    response = _preview(client, b"\x00\x01\x02" * 100, name="junk.txt", published="2014-11-27")
    body = response.content.decode()
    assert response.status_code == 200 and "errornote" in body
    assert 'value="2014-11-27"' in body
    assert not Report.objects.exists()


def test_get_on_confirm_is_not_allowed(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:tracker_report_import_confirm")).status_code == 405


def test_reviewer_without_admin_access_cannot_import(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("admin:tracker_report_import"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_confirm_records_in_history_which_admin_imported(client, admin_user, forces):
    client.force_login(admin_user)
    payload = _payload(_preview(client, SEED.read_bytes(), published="2014-11-27"))
    client.post(reverse("admin:tracker_report_import_confirm"), {"payload": payload})
    row = Action.objects.filter(force__slug="metropolitan").first().history.get()
    assert row.history_user == admin_user
    assert row.history_change_reason == "Imported from report.txt with the web import by admin"


def test_confirming_the_same_report_twice_changes_nothing(client, admin_user, forces):
    client.force_login(admin_user)
    payload = _payload(_preview(client, SEED.read_bytes(), published="2014-11-27"))
    client.post(reverse("admin:tracker_report_import_confirm"), {"payload": payload})
    history = Action.history.count()
    client.post(reverse("admin:tracker_report_import_confirm"), {"payload": payload})
    assert Action.objects.count() == 4 and Action.history.count() == history


GAPPED = b"""Police Integrity and Corruption

Northshire Constabulary

November 2014

Recommendations

1. Within six months, the force should review its vetting.

2. Within six months, the force should publish its policy.

4. Within six months, the force should train its supervisors.
"""


def test_a_report_whose_checks_fail_is_shown_as_blocked_with_what_to_do(client, admin_user, forces):
    client.force_login(admin_user)
    body = _preview(client, GAPPED, force="cambridgeshire").content.decode()
    assert "This report cannot be loaded as read" in body
    assert "The recommendations are numbered 1, 2, 4: Recommendation 3 is missing." in body
    assert "Load it as it is because" in body


def test_confirming_a_blocked_report_anyway_loads_nothing(client, admin_user, forces):
    client.force_login(admin_user)
    payload = _payload(_preview(client, GAPPED, force="cambridgeshire"))
    response = client.post(reverse("admin:tracker_report_import_confirm"), {"payload": payload}, follow=True)
    assert "Not loaded: The recommendations are numbered 1, 2, 4" in response.content.decode()
    assert not Report.objects.exists()


# --- correcting the preview before confirming -------------------------------------------------

REVIEW = "/admin/tracker/report/import/review/"


def _review(client, response, op: str, **changes) -> object:
    """Submit the preview's form as shown, with some fields changed, pressing the button `op`."""
    assert reverse("admin:tracker_report_import_review") == REVIEW
    fields = form_fields(response.content.decode(), REVIEW)
    for name, value in changes.items():
        fields[name.replace("__", "-")] = value if isinstance(value, list) else [value]
    return client.post(REVIEW, {**fields, "op": op})


def _metropolitan(client):
    return _preview(client, SEED.read_bytes(), published="2014-11-27")


def test_a_corrected_due_date_is_what_is_loaded_with_the_admin_in_history(client, admin_user, forces):
    client.force_login(admin_user)
    response = _review(client, _metropolitan(client), "confirm", item__0__due_date="2015-01-31")
    assert response.status_code == 302
    action = Action.objects.get(recommendation__number=1, force__slug="metropolitan")
    assert (action.due_date, action.recommendation.due_precision) == (datetime.date(2015, 1, 31), "day")
    assert action.history.get().history_user == admin_user


def test_split_at_a_blank_line_makes_two_items_the_second_with_its_own_timeframe(client, admin_user, forces):
    client.force_login(admin_user)
    text = (
        "Within six months, the force should publish its gifts register.\n\n"
        "With immediate effect, the force should stop accepting gifts from suppliers."
    )
    response = _review(client, _metropolitan(client), "split:0", item__0__text=text)
    body = response.content.decode()
    assert "5 recommendations, 5 actions" in body
    response = _review(client, response, "confirm")
    second = Report.objects.get().recommendations.get(number=2)
    assert second.text == "With immediate effect, the force should stop accepting gifts from suppliers."
    assert (second.timeframe, second.due_date) == ("With immediate effect", datetime.date(2014, 11, 27))


def test_split_without_a_blank_line_says_how_and_keeps_what_was_typed(client, admin_user, forces):
    client.force_login(admin_user)
    response = _review(client, _metropolitan(client), "split:1", item__1__text="A corrected text with no break.")
    body = response.content.decode()
    assert response.status_code == 400
    assert "put a blank line in its text where the split goes" in body
    assert "A corrected text with no break." in body


def test_merge_joins_an_item_with_the_next(client, admin_user, forces):
    client.force_login(admin_user)
    response = _review(client, _metropolitan(client), "merge:2")
    assert "3 recommendations, 3 actions" in response.content.decode()


def test_remove_drops_an_item_and_the_rest_are_numbered_again(client, admin_user, forces):
    client.force_login(admin_user)
    response = _review(client, _review(client, _metropolitan(client), "remove:0"), "confirm")
    assert response.status_code == 302
    assert list(Report.objects.get().recommendations.values_list("number", flat=True)) == [1, 2, 3]


def test_adding_the_missing_recommendation_clears_the_problem_and_loads(client, admin_user, forces):
    client.force_login(admin_user)
    response = _review(client, _preview(client, GAPPED, force="cambridgeshire"), "add")
    assert "The recommendations are numbered 1, 2, 4" in response.content.decode()
    response = _review(
        client,
        response,
        "update",
        item__3__text="Within six months, the force should audit its gifts register.",
        item__3__timeframe="Within six months",
    )
    assert "This report cannot be loaded as read" not in response.content.decode()
    response = _review(client, response, "confirm")
    assert response.status_code == 302
    assert Report.objects.get().recommendations.count() == 4


def test_an_added_item_left_empty_is_refused_with_the_others_kept(client, admin_user, forces):
    client.force_login(admin_user)
    response = _review(client, _review(client, _metropolitan(client), "add"), "confirm")
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Report.objects.exists()


def test_loading_despite_a_problem_needs_a_reason_which_history_keeps(client, admin_user, forces):
    client.force_login(admin_user)
    preview = _preview(client, GAPPED, force="cambridgeshire")
    refused = _review(client, preview, "confirm")
    assert refused.status_code == 400 and "say below why the report is right as it is" in refused.content.decode()
    assert not Report.objects.exists()
    response = _review(client, preview, "confirm", reason="The report itself skips number 3.")
    assert response.status_code == 302
    row = Action.objects.filter(force__slug="cambridgeshire").first().history.get()
    assert "Reason: The report itself skips number 3." in row.history_change_reason


def test_download_gives_the_corrected_fixture(client, admin_user, forces):
    client.force_login(admin_user)
    response = _review(client, _metropolitan(client), "download", item__0__text="A corrected recommendation.")
    rows = [r for r in json.loads(response.content) if r["model"] == "tracker.recommendation"]
    assert rows[0]["fields"]["text"] == "A corrected recommendation."
    assert not Report.objects.exists()


def test_a_bad_date_is_refused_and_keeps_what_was_typed(client, admin_user, forces):
    client.force_login(admin_user)
    response = _review(
        client, _metropolitan(client), "confirm", item__0__due_date="31/02/2015", item__0__text="Typed by hand."
    )
    body = response.content.decode()
    assert response.status_code == 400 and "Enter a valid date." in body
    assert "31/02/2015" in body and "Typed by hand." in body
    assert not Report.objects.exists()


def test_the_kind_can_be_corrected_to_an_area_for_improvement(client, admin_user, forces):
    client.force_login(admin_user)
    _review(client, _metropolitan(client), "confirm", item__3__kind="area-for-improvement")
    kinds = list(Report.objects.get().recommendations.order_by("kind", "number").values_list("kind", "number"))
    assert kinds == [("area-for-improvement", 1), ("recommendation", 1), ("recommendation", 2), ("recommendation", 3)]


def test_addressees_can_be_corrected(client, admin_user, forces):
    client.force_login(admin_user)
    _review(client, _metropolitan(client), "confirm", item__0__addressees=["subject", "college-of-policing"])
    first = Report.objects.get().recommendations.get(number=1)
    assert sorted(first.actions.values_list("force__slug", flat=True)) == ["college-of-policing", "metropolitan"]
