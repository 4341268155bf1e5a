"""
Redis away: with CACHE_URL set and its server not answering, the cache misses and pages are served from the
database, a little slower, never failing; the process leaves Redis alone a while, then finds it again.
"""

import logging
import socket

import pytest
import redis
from django.urls import reverse

from tracker import cache as tracker_cache
from tracker.cache import RETRY_SECONDS, RedisCacheThatMayBeAway


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once it is closed


OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}


@pytest.fixture
def away():
    """A cache whose Redis server does not answer."""
    return RedisCacheThatMayBeAway(f"redis://127.0.0.1:{closed_port()}/0", {"KEY_PREFIX": "away", "OPTIONS": OPTIONS})


@pytest.fixture
def clock(monkeypatch):
    """The cache's clock, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(tracker_cache.time, "monotonic", lambda: now[0])
    return now


def test_reads_miss_while_redis_is_away(away):
    assert away.get("trends", "the default") == "the default"
    assert away.get_many(["a", "b"]) == {}
    assert away.has_key("a") is False


def test_writes_do_nothing_while_redis_is_away(away):
    assert away.set("trends", [1, 2, 3]) is None
    assert away.add("trends", [1, 2, 3]) is False
    assert away.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert away.delete("trends") is False
    assert away.touch("trends") is False


def test_after_a_failure_redis_is_left_alone_for_a_while(away, clock, monkeypatch):
    tries = []

    def refuse(*args, **kwargs):
        tries.append(args)
        raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr(away._cache, "get", refuse)
    away.get("a")
    away.get("b")
    clock[0] += RETRY_SECONDS - 0.1
    away.get("c")
    assert len(tries) == 1
    clock[0] += 0.2
    away.get("d")
    assert len(tries) == 2


def test_going_away_is_logged_once_while_it_lasts(away, clock, caplog):
    with caplog.at_level(logging.WARNING, logger="tracker.cache"):
        away.get("a")
        away.set("b", 1)
    [record] = caplog.records
    assert "The cache's Redis server does not answer" in record.getMessage()


def test_redis_answering_again_is_used_again(clock, monkeypatch):
    cache = RedisCacheThatMayBeAway("redis://127.0.0.1:6379/1", {"KEY_PREFIX": "back-again-test", "OPTIONS": OPTIONS})
    real_get = cache._cache.get
    monkeypatch.setattr(cache._cache, "get", lambda *a, **k: (_ for _ in ()).throw(redis.ConnectionError("down")))
    assert cache.get("k", "missed") == "missed"
    monkeypatch.setattr(cache._cache, "get", real_get)
    clock[0] += RETRY_SECONDS + 1
    cache.set("k", "cached", timeout=30)
    assert cache.get("k") == "cached"
    cache.delete("k")


@pytest.mark.django_db
def test_pages_that_cache_are_served_while_redis_is_away(client, reviewer, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "tracker.cache.RedisCacheThatMayBeAway",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": OPTIONS,
        }
    }
    client.force_login(reviewer)
    for page in ("tracker:trends", "tracker:dashboard", "tracker:action_list"):
        assert client.get(reverse(page)).status_code == 200, page
