"""
The production settings, pointed at a benchmark database.

BENCH_DATABASE_URL names the database (default: SQLite var/bench.sqlite3). DATABASE_URL is ignored on
purpose, so a benchmark never writes to the development or production database. DEBUG stays off: with
DEBUG on, Django keeps every query in memory and templates are slower, which is not what users get.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'bench.sqlite3'}"
os.environ["DATABASE_URL"] = BENCH_DATABASE_URL
os.environ["DJANGO_DEBUG"] = "false"
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-never-used-anywhere-else-0123456789")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")  # plain HTTP on loopback
os.environ.setdefault("DJANGO_SECURE_COOKIES", "false")
os.environ.setdefault("DJANGO_SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
# With CACHE_URL set (a Redis server), the benchmark's keys stay apart from a site's, a test run's and the load test's.
os.environ.setdefault("CACHE_KEY_PREFIX", "bench")

from config.settings import *  # noqa: E402,F403

# The manifest storage needs collectstatic; page timings do not depend on how asset URLs are spelt.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "bench-media"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
