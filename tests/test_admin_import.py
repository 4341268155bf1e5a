"""Admins import a report on the web: upload, check the preview, confirm (atomic) or cancel."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from tests.seeds import SEEDS
from tracker.models import Action, Report

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
    assert response["Location"] == reverse("admin:tracker_report_change", args=[report.pk])
    assert Action.objects.filter(force__slug="metropolitan").count() == 4


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


def test_a_report_whose_checks_fail_is_shown_as_blocked_without_a_confirm_button(client, admin_user, forces):
    client.force_login(admin_user)
    body = _preview(client, GAPPED, force="cambridgeshire").content.decode()
    assert "This report cannot be loaded as read" in body
    assert "The recommendations are numbered 1, 2, 4: Recommendation 3 is missing." in body
    assert "Confirm and load" not in body


def test_confirming_a_blocked_report_anyway_loads_nothing(client, admin_user, forces):
    client.force_login(admin_user)
    payload = _payload(_preview(client, GAPPED, force="cambridgeshire"))
    response = client.post(reverse("admin:tracker_report_import_confirm"), {"payload": payload}, follow=True)
    assert "Not loaded: The recommendations are numbered 1, 2, 4" in response.content.decode()
    assert not Report.objects.exists()
