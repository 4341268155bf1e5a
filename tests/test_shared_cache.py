"""
Two hosts, one cache: with CACHE_URL set, every cache the app uses is the Redis server it names, shared by
every process; without it each process caches in its own memory.

`make test` sets CACHE_URL for both legs, so the tests needing Redis run there; a bare pytest without it skips
them, saying so. A Redis server that does not answer stops the run before its first test (tests/conftest.py).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from tests.conftest import empty_this_runs_cache

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


WRITE_THEN_READ = """
import sys
import django
django.setup()
from django.core.cache import cache, caches
if sys.argv[1] == "write":
    cache.set("written-by-another-process", {"by": "host A"}, timeout=60)
else:
    print(cache.get("written-by-another-process"))
"""


def _in_another_process(step: str) -> str:
    """Run `step` of WRITE_THEN_READ in a new Python process, configured from the same settings as this one."""
    done = subprocess.run(
        [sys.executable, "-c", WRITE_THEN_READ, step],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"},
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


@needs_redis
def test_emptying_the_cache_between_tests_leaves_other_runs_keys_alone():
    with redis.Redis.from_url(CACHE_URL) as server:
        server.set("another-run:1:trends", "theirs", ex=60)
        cache.set("trends", "ours")
        empty_this_runs_cache()
        assert cache.get("trends") is None
        assert server.get("another-run:1:trends") == b"theirs"
        server.delete("another-run:1:trends")
