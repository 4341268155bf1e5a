"""Settings come from the environment, strictly parsed; production refuses to start unsafe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "raw,expected", [("true", True), ("1", True), ("Yes", True), ("false", False), ("0", False), ("off", False)]
)
def test_env_bool_reads_plain_words(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", default=not expected) is expected


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG must be true or false"):
        env_bool("X_FLAG", default=False)


def test_env_int_refuses_words(monkeypatch):
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("X_NUM", 1)


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "SITE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


# manage.py with static/ (the assets `make assets` builds) swapped for an empty folder: the deployment check is
# about the settings, and a checkout that has not built its assets yet has no static/ at all (W004).
WITHOUT_BUILT_ASSETS = """
import sys
import config.settings
config.settings.STATICFILES_DIRS = [sys.argv.pop(1)]
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", *sys.argv[1:]])
"""


PRODUCTION = {
    "DJANGO_SECRET_KEY": "a-long-random-production-key-" + "x7Gq2pLm9ZrT4vBn8KcW1sYdE5hJ3fUo",
    "DJANGO_ALLOWED_HOSTS": "tracker.example.org",
}


def _check_deploy(tmp_path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "SITE_URL"))}
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_BUILT_ASSETS, str(tmp_path), "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = _check_deploy(tmp_path, **PRODUCTION, SITE_URL="https://tracker.example.org")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


SITE_URL_HINT = (
    "HINT: Set SITE_URL to the address the site is served at, e.g. SITE_URL=https://tracker.example.org: "
    "links in emails, calendar feeds and the API are built from it."
)


def test_check_deploy_fails_without_a_site_url(tmp_path):
    result = _check_deploy(tmp_path, **PRODUCTION)
    assert result.returncode == 1
    assert "?: (tracker.E001) SITE_URL is not set.\n\t" + SITE_URL_HINT in result.stderr


def test_production_refuses_to_start_without_a_site_url():
    result = _manage("migrate", "--plan", **PRODUCTION)  # any command that runs the system checks
    assert result.returncode == 1
    assert "SystemCheckError" in result.stderr and "(tracker.E001) SITE_URL is not set." in result.stderr


def test_a_site_url_that_is_not_an_address_is_refused():
    result = _manage("check", **PRODUCTION, SITE_URL="tracker.example.org")
    assert result.returncode == 1
    assert "(tracker.E002) SITE_URL 'tracker.example.org' is not an http:// or https:// address." in result.stderr


def test_development_needs_no_site_url():
    result = _manage("check", DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_make_run_tells_the_app_the_address_it_serves():
    # Under `make test` the environment carries the outer make's MAKEFLAGS and MAKELEVEL: leave them out too.
    clean = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", "run", "HOST=127.0.0.1", "PORT=8101"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "DJANGO_DEBUG=true SITE_URL=http://127.0.0.1:8101 .venv/bin/python manage.py runserver 127.0.0.1:8101"
    )
