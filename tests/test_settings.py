"""Settings come from the environment, strictly parsed; production refuses to start unsafe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_cache, env_int

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


def test_without_a_cache_url_each_process_caches_in_its_own_memory(monkeypatch):
    monkeypatch.delenv("CACHE_URL", raising=False)
    assert env_cache("CACHE_URL", key_prefix="tracker") == {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_PREFIX": "tracker",
    }


def test_a_redis_cache_url_is_djangos_redis_cache_that_may_be_away(monkeypatch):
    monkeypatch.setenv("CACHE_URL", "redis://:s3cret@cache.internal:6380/2")
    assert env_cache("CACHE_URL", key_prefix="tracker") == {
        "BACKEND": "tracker.cache.RedisCacheThatMayBeAway",
        "LOCATION": "redis://:s3cret@cache.internal:6380/2",
        "KEY_PREFIX": "tracker",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


@pytest.mark.parametrize("url", ["rediss://cache.internal:6379/0", "redis://127.0.0.1", "redis://127.0.0.1:6379/"])
def test_tls_and_the_default_port_and_database_are_accepted(monkeypatch, url):
    monkeypatch.setenv("CACHE_URL", url)
    assert env_cache("CACHE_URL", key_prefix="tracker")["LOCATION"] == url


@pytest.mark.parametrize(
    "url,message",
    [
        (
            "memcached://:s3cret@127.0.0.1:11211",
            r"must be a redis:// or rediss:// address \(e\.g\. .*\), not memcached://…\.$",
        ),
        ("127.0.0.1:6379", "must be a redis:// or rediss:// address .*, and this one has no scheme"),
        ("redis://:s3cret@127.0.0.1:63790000/0", "must name one Redis server by host and port"),
        ("redis://127.0.0.1:port/0", "must name one Redis server by host and port"),
        ("redis:///0", "must name one Redis server by host and port"),
        ("redis://a:6379/0,redis://b:6379/0", "must name one Redis server by host and port"),
        ("redis://:s3cret@127.0.0.1:6379/cache", "ends in a Redis database number, or nothing"),
    ],
)
def test_a_cache_url_that_is_not_one_redis_server_is_refused_without_showing_it(monkeypatch, url, message):
    monkeypatch.setenv("CACHE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="^CACHE_URL " + message) as refused:
        env_cache("CACHE_URL", key_prefix="tracker")
    assert "s3cret" not in str(refused.value)


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


def _setting(name: str, **env: str) -> str:
    result = _manage("shell", "--no-imports", "-c", f"from django.conf import settings; print(settings.{name})", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_without_a_proxy_the_forwarded_for_header_is_not_trusted():
    assert _setting("TRACKER_TRUSTED_PROXIES", **PRODUCTION) == "0"


def test_behind_the_tls_proxy_one_proxy_is_trusted_by_default():
    assert _setting("TRACKER_TRUSTED_PROXIES", **PRODUCTION, DJANGO_BEHIND_TLS_PROXY="true") == "1"


def test_the_number_of_trusted_proxies_is_set_from_the_environment():
    env = {**PRODUCTION, "DJANGO_BEHIND_TLS_PROXY": "true", "TRACKER_TRUSTED_PROXIES": "2"}
    assert _setting("TRACKER_TRUSTED_PROXIES", **env) == "2"


def test_a_negative_number_of_proxies_is_refused():
    result = _manage("check", DJANGO_DEBUG="true", TRACKER_TRUSTED_PROXIES="-1")
    assert result.returncode == 1
    assert "TRACKER_TRUSTED_PROXIES must be 0 or more" in result.stderr


def _make_plan(*args: str, ignoring: tuple[str, ...]) -> list[str]:
    """Return the commands `make -n *args` would run, without the variables `ignoring` names in its environment."""
    # Under `make test` the environment carries the outer make's MAKEFLAGS and MAKELEVEL: leave them out too.
    outer = ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", *ignoring)
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", *args],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in outer},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_make_run_tells_the_app_the_address_it_serves():
    served = _make_plan("run", "HOST=127.0.0.1", "PORT=8101", ignoring=("SITE_URL",))[-1].strip()
    assert served.endswith("SITE_URL=http://127.0.0.1:8101 .venv/bin/python manage.py runserver 127.0.0.1:8101"), served


def test_make_run_offers_the_demo_identity_provider_calling_back_to_the_address_served():
    plan = "\n".join(_make_plan("run", "HOST=127.0.0.1", "PORT=8101", "IDP_PORT=8191", ignoring=("SITE_URL",)))
    assert "--redirect-uri http://127.0.0.1:8101/accounts/sso/demo/callback/" in plan
    assert "node scripts/oidc_provider.mjs var/demo-identity-provider.json" in plan
    assert "TRACKER_SSO_PROVIDERS=demo" in plan and "TRACKER_SSO_DEMO_ISSUER=http://127.0.0.1:8191" in plan


def test_make_test_runs_both_legs_against_the_redis_server():
    plan = _make_plan("test-sqlite", "test-postgres", ignoring=("TEST_CACHE_URL", "TEST_DATABASE_URL"))
    assert [line for line in plan if "-m pytest" in line] == [
        'CACHE_URL="redis://127.0.0.1:6379/1" .venv/bin/python -m pytest',
        'DATABASE_URL="postgres://postgres@127.0.0.1:5432/tracker" CACHE_URL="redis://127.0.0.1:6379/1" '
        ".venv/bin/python -m pytest",
    ]


def test_identity_providers_come_from_the_variables_the_readme_names():
    apps = _setting(
        "SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS'][0]['settings']",
        DJANGO_DEBUG="true",
        TRACKER_SSO_PROVIDERS="west-midlands",
        TRACKER_SSO_WEST_MIDLANDS_ISSUER="https://login.microsoftonline.com/tenant/v2.0",
        TRACKER_SSO_WEST_MIDLANDS_CLIENT_ID="client",
        TRACKER_SSO_WEST_MIDLANDS_CLIENT_SECRET="secret",
        TRACKER_SSO_WEST_MIDLANDS_EMAIL_DOMAINS="westmidlands.police.uk",
    )
    assert "'server_url': 'https://login.microsoftonline.com/tenant/v2.0'" in apps
    assert "'email_domains': ['westmidlands.police.uk']" in apps


def test_an_identity_provider_missing_a_variable_stops_the_app_naming_it():
    result = _manage("check", DJANGO_DEBUG="true", TRACKER_SSO_PROVIDERS="hmic")
    assert result.returncode != 0
    assert "TRACKER_SSO_HMIC_ISSUER" in result.stderr
