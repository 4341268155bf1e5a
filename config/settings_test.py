"""Settings for the test suite: the real settings, a fixed key, a fast hasher, cache keys of its own."""

import os
import secrets
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
# This run's own cache keys, whatever CACHE_KEY_PREFIX the shell has: runs at the same time, the load test and a site
# can share one Redis database (CACHE_URL), and a test empties only its own keys (tests/conftest.py). A process the
# tests start inherits the run's prefix, so it shares their keys.
os.environ["CACHE_KEY_PREFIX"] = os.environ.setdefault("TEST_RUN_CACHE_KEY_PREFIX", f"test-{secrets.token_hex(6)}")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "tracker.storage.EvidenceStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A process a test starts may be given its own evidence store (tests/test_backup_restore.py).
MEDIA_ROOT = os.environ.get("TEST_MEDIA_ROOT") or tempfile.mkdtemp(prefix="tracker-test-media-")
STATIC_ROOT = tempfile.mkdtemp(prefix="tracker-test-static-")
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Login throttling stays out of the way of the suite's sign-ins; tests/test_hardening.py turns it on.
AXES_ENABLED = False
# A second database, created only for the tests that ask for it: a change made through .using("other") must
# keep to that database, its forces' summaries included (tests/test_force_summary.py).
_default = DATABASES["default"]  # noqa: F405
_other_test_name = f"{_default['NAME']}_other" if "postgresql" in _default["ENGINE"] else None  # SQLite: in memory
DATABASES["other"] = {**_default, "TEST": {"NAME": _other_test_name}}  # noqa: F405
