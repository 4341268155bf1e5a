"""
The shared cache: Django's Redis cache, for which a Redis server that does not answer is a cache miss, not a failed
page. Every cached value in the tracker is checked against the database or expires on its own (trends' ended
months, the recently-due counts), never deleted to invalidate it, so a miss costs time and never correctness.

After a failure the process leaves Redis alone for RETRY_SECONDS, so that while it is away a page pays its
timeout once in a while rather than on every read; then it tries again, and is back as soon as Redis is.
"""

from __future__ import annotations

import functools
import logging
import threading
import time

import redis
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

RETRY_SECONDS = 10.0


class RedisCacheThatMayBeAway(RedisCache):
    """RedisCache whose reads miss and writes do nothing while Redis does not answer (logged once a time)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._away_until = 0.0
        self._lock = threading.Lock()

    def _is_away(self) -> bool:
        return time.monotonic() < self._away_until

    def _went_away(self, error: redis.RedisError) -> None:
        with self._lock:
            if not self._is_away():
                log.warning(
                    "The cache's Redis server does not answer (%s): working without it for %s s", error, RETRY_SECONDS
                )
            self._away_until = time.monotonic() + RETRY_SECONDS


def _or_when_away(fallback):
    """Wrap a RedisCache method: while Redis is away (or fails now), return `fallback(*args, **kwargs)` instead."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if self._is_away():
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except redis.RedisError as error:
                self._went_away(error)
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, version=None):
    return default


for _name, _fallback in {
    "get": _default,
    "get_many": lambda *args, **kwargs: {},
    "has_key": lambda *args, **kwargs: False,
    "add": lambda *args, **kwargs: False,
    "set": lambda *args, **kwargs: None,
    "set_many": lambda data, *args, **kwargs: list(data),  # the keys not stored: all of them
    "touch": lambda *args, **kwargs: False,
    "delete": lambda *args, **kwargs: False,
    "delete_many": lambda *args, **kwargs: None,
    "clear": lambda *args, **kwargs: False,
}.items():
    setattr(RedisCacheThatMayBeAway, _name, _or_when_away(_fallback)(getattr(RedisCache, _name)))
