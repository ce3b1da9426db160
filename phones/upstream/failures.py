"""How a failed WellApp exchange maps onto :mod:`phones.upstream.errors`: transport
failures (no answer) and error answers (non-2xx)."""

from __future__ import annotations

import email.utils
import math
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError

from phones.upstream.errors import (
    AuthRejected,
    BadResponse,
    Conflict,
    NotFound,
    Rejected,
    Timeout,
    Unavailable,
    UpstreamError,
    parse_error,
)

# Failures that can only happen before the request was written to the connection.
_NOT_SENT = (NewConnectionError, ConnectTimeoutError, socket.gaierror)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: delay-seconds or an HTTP-date (past dates give
    0); None when absent or unreadable."""
    if not value or not value.strip():
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def transport_error(exc: requests.RequestException, method: str, endpoint: str) -> UpstreamError:
    """The error for a request that got no HTTP answer. ``sent`` is False only when the
    connection was never established (so the request cannot have reached WellApp)."""
    chain = list(_chain(exc))
    sent = not any(isinstance(link, _NOT_SENT) for link in chain)
    reason = type(chain[-1]).__name__
    kind: type[UpstreamError]
    if isinstance(exc, requests.ConnectTimeout) or (not sent and _timed_out(chain)):
        kind, code = Timeout, "CONNECT_TIMEOUT"
        message = f"WellApp did not accept a connection in time ({reason})"
    elif isinstance(exc, requests.Timeout) or _timed_out(chain):
        kind, code = Timeout, "READ_TIMEOUT"
        message = f"WellApp did not answer {method} {endpoint} in time ({reason})"
    elif isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
        kind, code = Unavailable, "CONNECTION_ERROR"
        if sent:
            message = f"The connection to WellApp dropped during {method} {endpoint} ({reason})"
        else:
            message = f"Could not connect to WellApp ({reason})"
    elif isinstance(exc, requests.exceptions.ContentDecodingError):
        kind, code = BadResponse, "UNDECODABLE_BODY"
        message = f"WellApp sent a body that could not be decoded ({reason})"
    else:
        kind, code = UpstreamError, "REQUEST_FAILED"
        message = f"The WellApp request could not be made ({reason})"
    return kind(message, code=code, sent=sent, method=method, endpoint=endpoint)


def status_error(
    response: requests.Response,
    method: str,
    endpoint: str,
    attempts: int,
    redact: Callable[[str], str],
) -> UpstreamError:
    """The error for a non-2xx answer, from WellApp's error body and headers."""
    status = response.status_code
    info = parse_error(response.content)
    said = redact(info.message or info.title)
    kind: type[UpstreamError]
    if status in (401, 403):
        kind, message = AuthRejected, said or f"WellApp refused access to {endpoint}"
    elif status == 404 and method != "GET" and (info.path or info.code not in (None, "NOT_FOUND")):
        kind, message = Rejected, said or "WellApp does not know a linked record"
    elif status == 404:
        kind, message = NotFound, said or f"WellApp has nothing at {endpoint}"
    elif status == 409:
        kind, message = Conflict, said or "The record already exists in WellApp"
    elif status == 429 or status >= 500:
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        busy = "is rate limiting requests" if status == 429 else "is failing"
        detail = f": {said}" if said else ""
        kind, message = Unavailable, f"WellApp {busy}{tries}{detail}"
    elif 400 <= status < 500:
        kind, message = Rejected, said or f"WellApp rejected {method} {endpoint}"
    else:
        kind, message = BadResponse, f"WellApp answered with unexpected HTTP status {status}"
    return kind(
        message,
        code=info.code,
        status=status,
        trace_id=info.trace_id or response.headers.get("X-Trace-Id") or None,
        path=info.path,
        issue=info.issue,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
        sent=True,
        method=method,
        endpoint=endpoint,
    )


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and everything it wraps (causes, contexts, urllib3 reasons, wrapped args)."""
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending and len(seen) < 32:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        wrapped.extend(arg for arg in current.args if isinstance(arg, BaseException))
        pending.extend(item for item in wrapped if isinstance(item, BaseException))


def _timed_out(chain: list[BaseException]) -> bool:
    return any(isinstance(link, ReadTimeoutError | TimeoutError) for link in chain)
