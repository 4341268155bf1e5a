"""What the app writes to its log: no banner on every command, refusals as one line, lock-outs and errors in full."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import Http404
from django.test import override_settings
from django.urls import path, reverse

import config.urls
from config.log_filters import RefusalsWithoutTraceback

ROOT = Path(__file__).resolve().parents[1]


def _fails(request):
    raise RuntimeError("the disk is full")


# This module is the URLconf of the server error test: the site's pages and one that fails.
urlpatterns = [path("fails/", _fails), *config.urls.urlpatterns]


def test_management_commands_print_no_axes_banner():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "true"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n"
    assert "AXES" not in result.stderr


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True)
def test_a_lock_out_is_still_logged(client, psd_lead_a, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        for _ in range(5):
            client.post(reverse("login"), {"username": "psd-a", "password": "wrong"}, REMOTE_ADDR="192.0.2.10")
    locking = [r.getMessage() for r in caplog.records if r.name.startswith("axes") and "Locking out" in r.getMessage()]
    masked = "*" * 20  # axes' AXES_SENSITIVE_PARAMETERS: the username and address are not written out
    assert locking == [
        f'AXES: Locking out {{username: "{masked}", ip_address: "{masked}", path_info: "/accounts/login/"}} '
        "after repeated login failures."
    ]


@pytest.mark.django_db
def test_a_refusal_is_logged_as_one_line_without_a_traceback(client, psd_lead_a, caplog):
    client.force_login(psd_lead_a)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("tracker:dashboard")).status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /dashboard/"
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "Traceback" not in caplog.text


@pytest.mark.urls("tests.test_logging")
@pytest.mark.django_db
def test_a_server_error_is_logged_with_its_traceback(client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        assert client.get("/fails/").status_code == 500
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Internal Server Error: /fails/"
    assert record.exc_info[0] is RuntimeError
    assert "Traceback" in caplog.text and "RuntimeError: the disk is full" in caplog.text


@pytest.mark.parametrize(("error", "keeps_traceback"), [(Http404("No action found."), False), (ValueError(), True)])
def test_the_filter_drops_the_traceback_of_a_not_found_only(error, keeps_traceback):
    try:
        raise error
    except Exception:
        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found", (), sys.exc_info())
    assert RefusalsWithoutTraceback().filter(record) is True  # the line itself is always kept
    assert (record.exc_info is not None) is keeps_traceback
