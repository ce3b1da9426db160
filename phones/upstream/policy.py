"""How the WellApp client retries and how long it may take: one policy for every call.

Reads are retried on transient failures; a create is re-sent, with the same document, until
WellApp confirms it. Both wait between attempts by :meth:`RetryPolicy.delay` and stop after
``attempts`` tries or when the time they were given runs out, whichever comes first.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how often a WellApp call is tried again.

    ``attempts``: tries per call, the first included. ``backoff``: the first wait, in
    seconds, doubling after each failed try up to ``cap``. ``retry_after_cap``: the longest
    WellApp's ``Retry-After`` is honoured. ``deadline``: how long a call may take overall,
    waits included, when its caller gives no budget of its own.
    """

    attempts: int = 4
    backoff: float = 0.5
    cap: float = 8.0
    retry_after_cap: float = 3.0
    deadline: float = 15.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("a call needs at least one attempt")
        if self.backoff < 0 or self.cap < 0 or self.retry_after_cap < 0:
            raise ValueError("backoff, cap and retry_after_cap must not be negative")
        if self.deadline <= 0:
            raise ValueError("the deadline must be positive")

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed try ``attempt`` (1-based): WellApp's ``Retry-After``
        up to ``retry_after_cap`` when it sent one, else the exponential step, capped, with
        "equal jitter" (between half and all of the step)."""
        if retry_after is not None:
            return min(retry_after, self.retry_after_cap)
        step = min(self.backoff * 2.0 ** (attempt - 1), self.cap)
        return step / 2 + random.uniform(0, step / 2)

    def give_up_at(self, budget: float | None = None) -> float:
        """The ``time.monotonic()`` instant a call starting now must end by: after the
        caller's ``budget`` seconds, or after ``deadline`` when it gives none."""
        seconds = self.deadline if budget is None else budget
        if seconds <= 0:
            raise ValueError("a call needs a positive time budget")
        return time.monotonic() + seconds

    def may_retry(self, attempt: int, delay: float, give_up_at: float) -> bool:
        """Whether another try may follow failed try ``attempt`` after waiting ``delay``
        seconds: tries are left, and the wait ends before ``give_up_at``."""
        return attempt < self.attempts and time.monotonic() + delay < give_up_at
