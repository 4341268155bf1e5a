"""
Two hosts, one cache: with CACHE_URL set, every cache the app uses is the Redis server it names, shared by
every process; without it each process caches in its own memory.

`make test` sets CACHE_URL for both legs, so the tests needing Redis run there; a bare pytest without it skips
them, saying so. A Redis server that does not answer stops the run before its first test (tests/conftest.py).
Two gunicorn hosts serving one page need a database both can open: that test runs on the PostgreSQL leg.
"""

import http.client
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.conftest import empty_this_runs_cache
from tests.factories import ActionFactory
from tracker.trends import MonthCounts, month_ends

ROOT = Path(__file__).resolve().parents[1]
CACHE_URL = os.environ.get("CACHE_URL", "")
needs_redis = pytest.mark.skipif(not CACHE_URL, reason="CACHE_URL is not set (make test sets it for both legs)")


def test_the_cache_is_the_only_one_there_is():
    assert list(settings.CACHES) == ["default"]


@needs_redis
def test_the_cache_in_use_is_the_redis_server_cache_url_names():
    assert isinstance(caches["default"], RedisCache)
    cache.set("probe", "written through Django's cache", timeout=60)
    with redis.Redis.from_url(CACHE_URL) as server:
        assert server.exists(cache.make_key("probe")) == 1
        assert 0 < server.ttl(cache.make_key("probe")) <= 60


IN_ANOTHER_PROCESS = """
import sys
import django
django.setup()
from django.core.cache import cache
if sys.argv[1] == "write":
    cache.set("written-by-another-process", {"by": "host A"}, timeout=60)
elif sys.argv[1] == "read":
    print(cache.get("written-by-another-process"))
else:
    print(cache.make_key("key"))
"""


def _in_another_process(step: str, without: tuple[str, ...] = (), **env: str) -> str:
    """Run `step` of IN_ANOTHER_PROCESS in a new Python process, set up as this one is but for `without` and `env`."""
    done = subprocess.run(
        [sys.executable, "-c", IN_ANOTHER_PROCESS, step],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in without},
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@needs_redis
def test_a_value_one_process_caches_is_read_by_another():
    _in_another_process("write")
    assert _in_another_process("read") == "{'by': 'host A'}"
    assert cache.get("written-by-another-process") == {"by": "host A"}


def test_a_test_run_keeps_to_keys_of_its_own_whatever_the_shells_prefix():
    key = _in_another_process("make_key", without=("TEST_RUN_CACHE_KEY_PREFIX",), CACHE_KEY_PREFIX="tracker")
    assert re.fullmatch(r"test-[0-9a-f]{12}:1:key", key)
    assert key != cache.make_key("key")  # another run's


@needs_redis
def test_emptying_the_cache_between_tests_leaves_other_runs_keys_alone():
    with redis.Redis.from_url(CACHE_URL) as server:
        server.set("another-run:1:trends", "theirs", ex=60)
        cache.set("trends", "ours")
        empty_this_runs_cache()
        assert cache.get("trends") is None
        assert server.get("another-run:1:trends") == b"theirs"
        server.delete("another-run:1:trends")


POSTGRES_LEG = urlsplit(os.environ.get("DATABASE_URL", "")).scheme in ("postgres", "postgresql", "pgsql")
MARK = 7_654_321  # no month end of the test data could have this many open actions


@pytest.fixture
def two_hosts(transactional_db):
    """Start two gunicorn hosts (one worker each) on this run's database and cache; return their ports."""
    from bench.local import free_port, start_gunicorn, stop_gunicorn

    # The test database, which other processes see (the test's data is committed: transactional_db).
    database = urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + connection.settings_dict["NAME"]).geturl()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": database,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    hosts = []
    try:
        for _ in range(2):
            hosts.append(start_gunicorn(free_port(), workers=1, env=env))
        yield [int(host.args[host.args.index("--bind") + 1].rsplit(":", 1)[1]) for host in hosts]
    finally:
        for host in hosts:
            stop_gunicorn(host)


def _get(port: int, path: str, session: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", "Cookie": f"sessionid={session}"})
        response = conn.getresponse()
        assert response.status == 200, (port, path, response.status)
        return response.read().decode()
    finally:
        conn.close()


@needs_redis
@pytest.mark.skipif(not POSTGRES_LEG, reason="SQLite leg: two hosts need a database both can open (PostgreSQL leg)")
def test_trends_one_host_works_out_are_served_by_the_other(two_hosts, reviewer, force_a):
    host_a, host_b = two_hosts
    ActionFactory(recommendation__report__subject_force=force_a)
    browser = Client()
    browser.force_login(reviewer)
    session = browser.cookies["sessionid"].value

    assert f">{MARK}<" not in _get(host_a, "/trends/", session)
    with redis.Redis.from_url(CACHE_URL) as server:
        written = [key.decode() for key in server.scan_iter(match=cache.make_key("trends:") + "*")]
    assert len(written) == 1  # host A worked out the ended months and cached them
    key = written[0].removeprefix(cache.make_key(""))
    # Mark host A's figures: a host that worked them out again itself could not show the mark.
    last_history_id, last_kind_id, months = cache.get(key)
    ended = month_ends(timezone.localdate())[:-1]
    marked = {**months, force_a.pk: [MonthCounts(day, MARK, 0, 0) for day in ended]}
    cache.set(key, (last_history_id, last_kind_id, marked))

    page = _get(host_b, "/trends/", session)
    assert page.count(f">{MARK}<") == len(ended)  # every ended month, as host A cached it
    assert cache.get(key) == (last_history_id, last_kind_id, marked)
