"""Waiting for something to happen: poll a condition until it holds or a deadline passes."""

import time
from collections.abc import Callable
from typing import Any

from sandbox.server import Sandbox

POLL_SECONDS = 0.02
# The longest a request sent to the sandbox in a test may still take (its slowest fault).
ANSWERED_SECONDS = 15.0


def wait_until[T](condition: Callable[[], T], *, timeout: float, what: str) -> T:
    """The first truthy value of ``condition()``, polled until ``timeout`` seconds have
    passed; then an AssertionError saying what was waited for."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"waited {timeout} s for {what}; it did not happen")
        time.sleep(POLL_SECONDS)


def wait_answered(sandbox: Sandbox, *, timeout: float = ANSWERED_SECONDS) -> dict[str, Any]:
    """The sandbox's stats once it has answered every request on its way to it (one a slow
    fault holds back included): its phones and request log then change no more by
    themselves."""

    def answered() -> dict[str, Any] | None:
        stats = sandbox.stats()
        return stats if stats["in_flight"] == 0 else None

    return wait_until(answered, timeout=timeout, what="the sandbox to answer every request")
