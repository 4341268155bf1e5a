"""Deployment hardening: security headers, escaped input, safe uploads, login throttling, append-only history."""

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from tests.factories import ActionFactory, ExtensionRequestFactory, RecommendationFactory
from tracker import workflow
from tracker.models import Action, ProgressNote

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]
SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


@pytest.fixture
def action(force_a):
    return ActionFactory(recommendation__report__subject_force=force_a)


def _note_url(action):
    return reverse("tracker:action_add_note", args=[action.pk])


# Headers


def test_pages_carry_a_content_security_policy_with_a_fresh_nonce_for_the_inline_scripts(client, psd_lead_a):
    client.force_login(psd_lead_a)
    first, second = client.get(reverse("tracker:action_list")), client.get(reverse("tracker:action_list"))
    policy = first["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-inline'" not in directives["style-src"]
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"]).group(1)
    body = first.content.decode()
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", body)
    assert inline_scripts and all(f'nonce="{nonce}"' in attrs for attrs in inline_scripts)
    assert nonce not in second["Content-Security-Policy"]


def test_sign_in_page_has_the_policy_and_refuses_framing(client):
    response = client.get(reverse("login"))
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def _production_settings(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_AGE",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE",
        "SESSION_COOKIE_HTTPONLY",
        "X_FRAME_OPTIONS",
        "AXES_FAILURE_LIMIT",
        "SIMPLE_HISTORY_REVERT_DISABLED",
    ]
    code = (
        "import json; from django.conf import settings as s; import django; django.setup();"
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_secure_cookies_hsts_and_sessions_that_expire():
    values = _production_settings(DJANGO_SECRET_KEY="k" * 20 + "-production-key-0123456789abcdefghij")
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["SESSION_EXPIRE_AT_BROWSER_CLOSE"]
    assert values["SESSION_COOKIE_AGE"] <= 12 * 60 * 60
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["AXES_FAILURE_LIMIT"] == 5 and values["SIMPLE_HISTORY_REVERT_DISABLED"] is True


@pytest.mark.parametrize(
    "password,why",
    [
        ("short1!", "This password is too short"),
        ("password1234", "This password is too common"),
        ("123456789012", "This password is entirely numeric"),
        ("psd-a@example.org", "The password is too similar to the"),
    ],
)
def test_weak_passwords_are_refused(psd_lead_a, password, why):
    with pytest.raises(ValidationError, match=why):
        validate_password(password, user=psd_lead_a)


def test_a_long_unusual_password_is_accepted(psd_lead_a):
    validate_password("correct horse battery staple 1917", user=psd_lead_a)


# Hostile input is escaped on output


def test_script_in_notes_reasons_and_names_is_escaped(client, action, psd_lead_a, reviewer):
    psd_lead_a.first_name = SCRIPT
    psd_lead_a.save()
    client.force_login(psd_lead_a)
    assert client.post(_note_url(action), {"text": SCRIPT}).status_code == 302
    workflow.transition(action, "complete", by=psd_lead_a, text=f"Done {SCRIPT}")
    ExtensionRequestFactory(
        action=ActionFactory(
            recommendation=RecommendationFactory(report=action.recommendation.report, number=9), force=action.force
        ),
        requested_by=psd_lead_a,
        reason=SCRIPT,
    )
    for url in (action.get_absolute_url(), reverse("tracker:review_queue"), reverse("tracker:action_list")):
        client.force_login(reviewer)
        body = client.get(url).content.decode()
        assert SCRIPT not in body, url
    body = client.get(action.get_absolute_url()).content.decode()
    assert ESCAPED in body


def test_script_in_a_recommendation_is_escaped(client, force_a, psd_lead_a):
    action = ActionFactory(recommendation__report__subject_force=force_a, recommendation__text=SCRIPT + "\nline 2")
    client.force_login(psd_lead_a)
    body = client.get(action.get_absolute_url()).content.decode()
    assert SCRIPT not in body and ESCAPED in body


def test_csv_export_neutralises_formulas(client, force_a, psd_lead_a):
    for number, text in enumerate(['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"], start=1):
        ActionFactory(
            recommendation=RecommendationFactory(report__subject_force=force_a, number=number, text=text), force=force_a
        )
    client.force_login(psd_lead_a)
    response = client.get(reverse("tracker:action_export", args=["csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    texts = {row["Recommendation text"] for row in rows}
    assert texts == {'\'=HYPERLINK("http://x")', "'+1+1", "'-2+3", "'@SUM(A1)"}


# Uploads


@override_settings(EVIDENCE_MAX_BYTES=1024)
def test_an_oversized_evidence_file_is_refused_and_nothing_is_saved(client, action, psd_lead_a):
    client.force_login(psd_lead_a)
    upload = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 2048, content_type="application/pdf")
    response = client.post(_note_url(action), {"text": "With a big file", "attachment": upload})
    assert response.status_code == 400
    assert "must be smaller than" in response.content.decode()
    assert not ProgressNote.objects.exists()


@pytest.mark.parametrize("name", ["run.exe", "page.html", "image.svg", "script.js", "archive.pdf.exe", "noextension"])
def test_wrong_evidence_file_types_are_refused(client, action, psd_lead_a, name):
    client.force_login(psd_lead_a)
    upload = SimpleUploadedFile(name, b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    response = client.post(_note_url(action), {"text": "Evidence", "attachment": upload})
    assert response.status_code == 400
    assert not ProgressNote.objects.exists()


def test_evidence_is_served_as_a_download_with_the_checked_type_and_a_safe_name(client, action, psd_lead_a):
    client.force_login(psd_lead_a)
    upload = SimpleUploadedFile("../../etc/évil; X-Header: 1.pdf", b"<html>not a pdf</html>", content_type="text/html")
    assert client.post(_note_url(action), {"text": "Evidence", "attachment": upload}).status_code == 302
    note = ProgressNote.objects.get()
    assert ".." not in note.attachment.name and "evil" not in note.attachment.name  # stored under a random name
    response = client.get(reverse("tracker:evidence", args=[note.pk]))
    assert response["Content-Type"] == "application/pdf"  # from the checked extension, not the browser's claim
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition == "attachment; filename*=utf-8''%C3%A9vil%3B%20X-Header%3A%201.pdf"
    assert "X-Header" not in response


def test_evidence_files_have_no_public_address(client, action, psd_lead_a):
    note = workflow.add_note(action, by=psd_lead_a, text="x", attachment=SimpleUploadedFile("a.pdf", b"%PDF"))
    client.force_login(psd_lead_a)
    assert client.get(note.attachment.url).status_code == 404


def test_anonymous_users_cannot_download_evidence(client, action, psd_lead_a):
    note = workflow.add_note(action, by=psd_lead_a, text="x", attachment=SimpleUploadedFile("a.pdf", b"%PDF"))
    response = client.get(reverse("tracker:evidence", args=[note.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


# Login throttling


def _sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="192.0.2.10")


@override_settings(AXES_ENABLED=True)
def test_five_failed_sign_ins_lock_the_username_from_that_address(client, psd_lead_a, psd_lead_b):
    for _ in range(4):
        assert _sign_in(client, psd_lead_a.username, "wrong-password").status_code == 200
    assert _sign_in(client, psd_lead_a.username, "wrong-password").status_code == 429  # the fifth failure
    locked = _sign_in(client, psd_lead_a.username, "password")  # now even the right password
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Sign-in locked" in body and "Wait 15 minutes" in body
    assert "_auth_user_id" not in client.session
    # Another user at the same address, or the same user elsewhere, is not locked out.
    assert _sign_in(client, psd_lead_b.username, "password").status_code == 302
    other = client.__class__()
    response = other.post(
        reverse("login"), {"username": psd_lead_a.username, "password": "password"}, REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 302


@override_settings(AXES_ENABLED=True)
def test_a_successful_sign_in_clears_the_failures(client, psd_lead_a):
    for _ in range(4):
        _sign_in(client, psd_lead_a.username, "wrong-password")
    assert _sign_in(client, psd_lead_a.username, "password").status_code == 302
    client.logout()
    for _ in range(4):
        assert _sign_in(client, psd_lead_a.username, "wrong-password").status_code == 200
    assert _sign_in(client, psd_lead_a.username, "password").status_code == 302


@override_settings(AXES_ENABLED=True)
def test_the_admins_sign_in_page_takes_no_password(client, admin_user):
    """Only the tracker's sign-in page checks passwords (throttled, and with the second factor after)."""
    data = {"username": admin_user.username, "password": "password"}
    response = client.post(reverse("admin:login"), data, REMOTE_ADDR="192.0.2.11")
    assert response.url == f"{reverse('login')}?next=/admin/"
    assert SESSION_KEY not in client.session


# History is append-only


def test_admin_cannot_revert_an_action_to_a_past_version(client, action, psd_lead_a, admin_user):
    first = action.history.earliest()
    workflow.transition(action, "start", by=psd_lead_a)
    client.force_login(admin_user)
    url = reverse("admin:tracker_action_simple_history", args=[action.pk, first.history_id])
    page = client.get(url)
    assert page.status_code == 200 and "Revert" not in page.content.decode()
    response = client.post(url, {"status": Action.Status.NOT_STARTED, "due_date": "2015-05-27"})
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS and action.history.count() == 2


def test_admin_cannot_change_or_delete_notes_and_extension_requests(client, action, psd_lead_a, admin_user):
    note = workflow.add_note(action, by=psd_lead_a, text="Original")
    extension = ExtensionRequestFactory(action=action, requested_by=psd_lead_a)
    client.force_login(admin_user)
    for model, obj in (("progressnote", note), ("extensionrequest", extension)):
        assert client.post(reverse(f"admin:tracker_{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
        client.post(reverse(f"admin:tracker_{model}_change", args=[obj.pk]), {"text": "Rewritten", "reason": "x"})
    note.refresh_from_db()
    assert note.text == "Original" and ProgressNote.objects.count() == 1
    assert action.extension_requests.count() == 1


def test_admin_cannot_delete_an_action_that_has_history(client, action, psd_lead_a, admin_user):
    workflow.transition(action, "start", by=psd_lead_a)
    client.force_login(admin_user)
    client.post(reverse("admin:tracker_action_delete", args=[action.pk]), {"post": "yes"})
    assert Action.objects.filter(pk=action.pk).exists()


def test_admin_cannot_change_the_status_but_a_due_date_correction_raises_the_version(
    client, action, psd_lead_a, admin_user
):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:tracker_action_change", args=[action.pk]),
        {"status": Action.Status.VERIFIED, "due_date": "2015-07-31"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Action.Status.NOT_STARTED  # status is the workflow's, not the admin form's
    assert str(action.due_date) == "2015-07-31" and action.version == 2
    assert action.history.latest().history_user == admin_user
    # A PSD lead's page from before the correction is now stale.
    client.force_login(psd_lead_a)
    stale = client.post(reverse("tracker:action_transition", args=[action.pk, "start"]), {"version": 1})
    assert stale.status_code == 409


# No lost updates


def test_a_stale_change_that_is_no_longer_on_offer_keeps_its_text_in_the_note_box(
    client, action, psd_lead_a, colleague_a
):
    workflow.transition(action, "complete", by=colleague_a, text="Colin finished it")
    client.force_login(psd_lead_a)
    response = client.post(
        reverse("tracker:action_transition", args=[action.pk, "complete"]),
        {"version": 1, "text": "My careful completion note"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "changed by Colin Cole" in body and "My careful completion note" in body
    assert not ProgressNote.objects.filter(text__contains="My careful").exists()


def test_a_next_address_that_is_not_a_path_is_ignored(client, force_a, psd_lead_a, reviewer):
    extension = ExtensionRequestFactory(action=ActionFactory(recommendation__report__subject_force=force_a))
    client.force_login(reviewer)
    response = client.post(
        reverse("tracker:extension_decide", args=[extension.pk]), {"decision": "approve", "next": "0"}
    )
    assert response.status_code == 302 and response["Location"] == extension.action.get_absolute_url()
