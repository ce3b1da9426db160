"""Django's Redis cache, made optional: a Redis that does not answer reads as an empty cache.

Pages only use the cache to save work (the phone count, for one), so a Redis that is down or
hangs must cost them a miss, not an error. Every operation that cannot reach Redis returns
what an empty cache would; the process then leaves Redis alone for ``RETRY_AFTER_SECONDS``,
so a hung Redis costs a page at most one socket timeout every few seconds. The outage is
logged once when it starts and once when Redis answers again.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)

type Key = str | bytes | memoryview
type Expiry = int | timedelta

# When each Redis (named by its servers' addresses) may be tried again, for every thread of
# the process (Django gives each thread its own cache object and client).
_retry_at: dict[str, float] = {}
_retry_lock = threading.Lock()
_MISSING = object()


def redis_address(url: str) -> str:
    """``host:port/db`` of a Redis URL, without the user name or password it may carry."""
    parts = urlsplit(url)
    if parts.hostname:
        return f"{parts.hostname}:{parts.port or 6379}{parts.path}"
    return parts.path  # a unix socket


class FailSoftRedisCacheClient(RedisCacheClient):
    """Django's Redis client whose operations answer as an empty cache while Redis is away."""

    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        self._where = ", ".join(redis_address(server) for server in servers)

    def _call[T](self, fallback: T, operation: Callable[..., T], *args: Any) -> T:
        if _retry_at.get(self._where, 0.0) > time.monotonic():
            return fallback
        try:
            result = operation(*args)
        except UNAVAILABLE as error:
            with _retry_lock:
                was_up = self._where not in _retry_at
                _retry_at[self._where] = time.monotonic() + RETRY_AFTER_SECONDS
            if was_up:
                logger.warning(
                    "Redis cache at %s is not answering (%s: %s); serving pages without it, "
                    "trying again every %g s",
                    self._where,
                    type(error).__name__,
                    error,
                    RETRY_AFTER_SECONDS,
                )
            return fallback
        if self._where in _retry_at:
            with _retry_lock:
                came_back = _retry_at.pop(self._where, None) is not None
            if came_back:
                logger.warning("Redis cache at %s is answering again", self._where)
        return result

    def add(self, key: Key, value: Any, timeout: Expiry | None) -> bool:
        return self._call(False, super().add, key, value, timeout)

    def get(self, key: Key, default: Any) -> Any:
        return self._call(default, super().get, key, default)

    def set(self, key: Key, value: Any, timeout: Expiry | None) -> None:
        self._call(None, super().set, key, value, timeout)

    def touch(self, key: Key, timeout: Expiry) -> bool:
        return self._call(False, super().touch, key, timeout)

    def delete(self, key: Key) -> bool:
        return self._call(False, super().delete, key)

    def get_many(self, keys: Iterable[Key]) -> dict[Key, Any]:
        return self._call({}, super().get_many, keys)

    def has_key(self, key: Key) -> bool:
        return self._call(False, super().has_key, key)

    def incr(self, key: Key, delta: int) -> Any:
        result = self._call(_MISSING, super().incr, key, delta)
        if result is _MISSING:
            # What an empty cache answers: the key is not there.
            raise ValueError(f"Key '{key!r}' not found.")
        return result

    def set_many(self, data: Mapping[Key, Any], timeout: Expiry) -> None:
        self._call(None, super().set_many, data, timeout)

    def delete_many(self, keys: Iterable[Key]) -> None:
        self._call(None, super().delete_many, keys)

    def clear(self) -> bool:
        return self._call(False, super().clear)


class FailSoftRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that degrades to misses when Redis is
    unreachable or slower than its socket timeouts."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = FailSoftRedisCacheClient
