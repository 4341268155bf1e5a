"""The fixed cast of test users, a frozen today, and hypothesis' profiles."""

import datetime
import functools
import os
import re
import zoneinfo
from pathlib import Path

import pytest
import redis
import time_machine
from django.conf import settings as django_settings
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

from tests.factories import AdminFactory, CommissionerOfficeFactory, ForceFactory, PsdLeadFactory, ReviewerFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
TODAY = datetime.date(2015, 6, 1)

# Hypothesis (tests/test_fuzz.py, tests/test_api_schemathesis.py) runs under one of three profiles, chosen by
# HYPOTHESIS_PROFILE (README, "Running the tests"). Every profile prints a failure's blob for @reproduce_failure,
# and has no deadline (the first request of a test is slower than the rest).
# - ci (the default, so `make test` is reproducible): derandomised, the same 50 examples a test on every run, so a
#   failure comes back on the next run by itself. Hypothesis keeps no example database when derandomised.
# - dev: hypothesis' defaults (100 examples a test), new random ones each run; failing examples are kept in
#   .hypothesis/examples/ at the top of the checkout (ignored by git) and tried first on the next dev or deep run.
# - deep: 5,000 random examples a test, for a run by hand; the same example database as dev.
EXAMPLES = DirectoryBasedExampleDatabase(Path(__file__).resolve().parents[1] / ".hypothesis" / "examples")
settings.register_profile("ci", derandomize=True, max_examples=50, deadline=None, print_blob=True, database=None)
settings.register_profile("dev", deadline=None, print_blob=True, database=EXAMPLES)
settings.register_profile("deep", max_examples=5000, deadline=None, print_blob=True, database=EXAMPLES)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_sessionstart(session):
    """Stop before the first test, saying why, when CACHE_URL names a Redis server that does not answer."""
    from django.core.cache import cache
    from django.core.cache.backends.redis import RedisCache

    if not isinstance(cache, RedisCache):
        return
    try:
        _redis_server().ping()  # not through the cache, which takes a Redis away for a miss (tracker/cache.py)
    except redis.RedisError as exc:
        location = django_settings.CACHES["default"]["LOCATION"].rsplit("@", 1)[-1]  # never a password
        pytest.exit(
            f"error: the Redis server CACHE_URL names does not answer ({location}: {exc}).\n"
            "  `make services` installs and starts it on 127.0.0.1:6379; unset CACHE_URL to cache in memory.",
            returncode=1,
        )


@functools.cache
def _redis_server() -> redis.Redis:
    return redis.Redis.from_url(django_settings.CACHES["default"]["LOCATION"])


def empty_this_runs_cache() -> None:
    """Delete this run's cache keys: Django's clear() would empty the whole Redis database others share too."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    ours = re.sub(r"[*?\[\]\\]", lambda m: "\\" + m[0], cache.make_key("")) + "*"  # the prefix, glob-escaped
    keys = list(_redis_server().scan_iter(match=ours, count=1000))
    if keys:
        _redis_server().delete(*keys)


@pytest.fixture(autouse=True)
def empty_cache():
    """Start every test with an empty cache: ids are reused after a test's rollback, so keys could be too."""
    empty_this_runs_cache()
    yield
    empty_this_runs_cache()


@pytest.fixture(autouse=True)
def force_summaries_match_the_recount(request):
    """
    After every test that used the database, every force's kept summary equals the recount of its actions:
    whatever a test changed, through whichever path, the dashboard's counts would still be right.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    if marker and marker.kwargs.get("transaction"):
        transactional = True
    if not (marker or transactional or "db" in request.fixturenames):
        yield
        return
    # Asked for here, so that the database is still there when this fixture's check runs after the test.
    request.getfixturevalue("transactional_db" if transactional else "db")
    yield
    from tracker.models import ForceSummary

    assert ForceSummary.objects.drift() == []


@pytest.fixture
def today():
    """Freeze the clock at noon on 1 June 2015 (after the 2014 reports' six-month deadlines)."""
    with time_machine.travel(datetime.datetime(2015, 6, 1, 12, 0, tzinfo=LONDON), tick=False):
        yield TODAY


@pytest.fixture
def force_a(db):
    return ForceFactory(name="West Midlands Police", slug="west-midlands")


@pytest.fixture
def force_b(db):
    return ForceFactory(name="Leicestershire Police", slug="leicestershire")


@pytest.fixture
def psd_lead_a(force_a):
    return PsdLeadFactory(username="psd-a", first_name="Alice", last_name="Ashby", forces=[force_a])


@pytest.fixture
def colleague_a(force_a):
    return PsdLeadFactory(username="colleague-a", first_name="Colin", last_name="Cole", forces=[force_a])


@pytest.fixture
def commissioner_a(force_a):
    """The police and crime commissioner's office for force A: sees its actions, changes none."""
    return CommissionerOfficeFactory(username="pcc-a", first_name="Cara", last_name="Commissioner", forces=[force_a])


@pytest.fixture
def psd_lead_b(force_b):
    return PsdLeadFactory(username="psd-b", first_name="Bea", last_name="Bell", forces=[force_b])


@pytest.fixture
def reviewer(db):
    return ReviewerFactory(username="reviewer", first_name="Rita", last_name="Reviewer")


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="admin")
