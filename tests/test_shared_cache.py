"""REDIS_URL gives every node one cache; a Redis that is down or hangs costs misses, not pages."""

import logging
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import override_settings

from phones.cache_backend import RETRY_AFTER_SECONDS, FailSoftRedisCache
from tests.factories import make_phone

ROOT = Path(__file__).resolve().parent.parent
BACKEND = "phones.cache_backend.FailSoftRedisCache"
# Database 15 of the machine's Redis, with a prefix of its own per test: nothing else's keys.
REDIS_TEST_URL = "redis://127.0.0.1:6379/15"
TIMEOUTS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}


def redis_cache(location: str) -> FailSoftRedisCache:
    """A cache object as one node builds it from settings (each node has its own)."""
    return FailSoftRedisCache(
        location, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}", "OPTIONS": TIMEOUTS}
    )


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def hung_redis() -> Iterator[int]:
    """A loopback port that takes connections and never answers, like a Redis that hangs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


def test_two_nodes_share_one_redis_cache():
    node_a = redis_cache(REDIS_TEST_URL)
    node_b = FailSoftRedisCache(REDIS_TEST_URL, {"KEY_PREFIX": node_a.key_prefix})
    try:
        node_a.set("phones:count", 1234, 60)
        assert node_b.get("phones:count") == 1234
        assert node_b.get_or_set("phones:count", 1) == 1234
        node_b.delete("phones:count")
        assert node_a.get("phones:count", "missing") == "missing"
        node_a.set("hits", 1, 60)
        assert node_b.incr("hits", 2) == 3
    finally:
        node_a.delete_many(["phones:count", "hits"])


def test_phone_list_renders_with_redis_url_at_a_closed_port(closed_port, viewer_client, caplog):
    make_phone(1)
    location = f"redis://127.0.0.1:{closed_port}/15"
    cache_settings = {"default": {"BACKEND": BACKEND, "LOCATION": location, "OPTIONS": TIMEOUTS}}
    with override_settings(CACHES=cache_settings), caplog.at_level(logging.WARNING):
        assert caches["default"].__class__ is FailSoftRedisCache
        first = viewer_client.get("/phones/")
        second = viewer_client.get("/phones/")
    assert first.status_code == 200
    assert second.status_code == 200
    assert b'data-e164="+14155550001"' in first.content
    assert b'data-e164="+14155550001"' in second.content
    outages = [r.getMessage() for r in caplog.records if r.name == "phones.cache_backend"]
    assert len(outages) == 1
    assert outages[0].startswith(
        f"Redis cache at 127.0.0.1:{closed_port}/15 is not answering (ConnectionError: "
    )


def test_cache_at_a_closed_port_answers_as_an_empty_cache(closed_port):
    cache = redis_cache(f"redis://127.0.0.1:{closed_port}/15")
    assert cache.get("count", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.get_or_set("count", lambda: 7) == 7
    assert cache.set("count", 8) is None
    assert cache.add("count", 9) is False
    assert cache.delete("count") is False
    assert cache.has_key("count") is False
    with pytest.raises(ValueError, match="not found"):
        cache.incr("count")


def test_hung_redis_costs_one_timeout_then_misses_at_once(hung_redis):
    cache = redis_cache(f"redis://127.0.0.1:{hung_redis}/15")
    started = time.monotonic()
    assert cache.get("count", "miss") == "miss"
    first = time.monotonic() - started
    started = time.monotonic()
    for _ in range(50):
        assert cache.get("count", "miss") == "miss"
    rest = time.monotonic() - started
    assert 0.2 <= first < 2.0
    assert rest < 0.25  # not one more socket timeout: Redis is left alone for a while
    assert RETRY_AFTER_SECONDS == 5.0


def test_settings_use_redis_only_when_redis_url_is_set():
    code = "from django.conf import settings as s; c = s.CACHES['default']; " + (
        "print(c['BACKEND'], c.get('LOCATION', ''), c.get('OPTIONS', {}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "REDIS_TIMEOUT"}}

    def backend(env: dict[str, str]) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
            cwd=ROOT,
            env={**clean, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert backend({}) == "django.core.cache.backends.locmem.LocMemCache  {}"
    assert backend({"REDIS_URL": "redis://127.0.0.1:6379/1"}) == (
        f"{BACKEND} redis://127.0.0.1:6379/1 "
        "{'socket_connect_timeout': 0.25, 'socket_timeout': 0.25}"
    )
