"""The HTTP layer of the WellApp client.

:class:`HttpTransport` owns one pooled ``requests.Session`` and the bearer credential, and
its :meth:`~HttpTransport._request` is the only place that performs HTTP: it sets the
headers and the ``(connect, read)`` timeout, retries idempotent reads on transient failures
as the client's :class:`~phones.upstream.policy.RetryPolicy` says, passes on the current
request's id (``X-Request-ID``), logs one line per exchange, and turns every failure into
an :mod:`phones.upstream.errors` class. A POST is sent exactly once per call.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Self
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase

from phones.metrics import (
    answer_outcome,
    failure_outcome,
    operation_name,
    wellapp_call_observed,
    wellapp_retry_counted,
)
from phones.request_ids import REQUEST_ID_HEADER, get_request_id
from phones.upstream.errors import BadResponse
from phones.upstream.failures import parse_retry_after, status_error, transport_error
from phones.upstream.policy import RetryPolicy
from phones.upstream.reader import decode_json

logger = logging.getLogger("phones.upstream")

RETRY_STATUSES = frozenset({429, 502, 503, 504})
DEFAULT_TIMEOUT = (3.05, 10.0)
_REDACTED = "[redacted]"


class BearerAuth(AuthBase):
    """Adds ``Authorization: Bearer`` to each request. The token is never shown: not by
    ``repr``, not in logs, and :meth:`redact` scrubs it from any text."""

    def __init__(self, token: str) -> None:
        if not isinstance(token, str) or not token:
            raise ValueError("The WellApp API token is missing.")
        if not token.isascii() or any(ch.isspace() or not ch.isprintable() for ch in token):
            raise ValueError("The WellApp API token contains characters a header cannot carry.")
        self.__token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.__token}"
        return request

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_REDACTED})"

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("the WellApp credential cannot be serialised")

    def redact(self, text: str) -> str:
        """``text`` with every occurrence of the token replaced."""
        return text.replace(self.__token, _REDACTED)


@dataclass(frozen=True, slots=True)
class Answer:
    """A successful (2xx) exchange: the decoded JSON body and where it came from."""

    body: Any
    status: int
    trace_id: str | None
    endpoint: str


def _user_agent() -> str:
    try:
        version = metadata.version("wellui")
    except metadata.PackageNotFoundError:
        version = "0.1.0"
    return f"wellui/{version}"


class HttpTransport:
    """Performs every HTTP exchange of a WellApp client.

    ``timeout`` is ``(connect, read)`` seconds (a single number sets both). Reads (GET) are
    retried on 429/502/503/504 and connection failures as ``policy`` says: at most
    ``policy.attempts`` tries, waiting :meth:`~phones.upstream.policy.RetryPolicy.delay`
    between them, within ``policy.deadline`` seconds unless the caller gives its own end.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: tuple[float, float] | float = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
        *,
        policy: RetryPolicy | None = None,
        pool_maxsize: int = 10,
    ) -> None:
        connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        if connect <= 0 or read <= 0:
            raise ValueError("timeouts must be positive")
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("base_url must be an absolute http(s) URL")
        self.base_url = base_url.rstrip("/")
        self.timeout = (float(connect), float(read))
        self.policy = policy or RetryPolicy()
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._auth = BearerAuth(token)
        self._headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": _user_agent(),
        }
        self._owns_session = session is None
        if session is None:
            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_maxsize, max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
        self.session = session

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, timeout={self.timeout!r}, "
            f"policy={self.policy!r})"
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release pooled connections (only when this client created the session)."""
        if self._owns_session:
            self.session.close()

    def _url(self, target: str) -> str:
        """The URL for an API path ("/phones"), or for a next-page link WellApp sent, which is
        followed only on WellApp's own host (the bearer token goes nowhere else)."""
        if "://" in target:
            parts = urlsplit(target)
            if f"{parts.scheme}://{parts.netloc}" != self._origin:
                raise BadResponse("WellApp pointed a next page at another host; not followed.")
            return target
        if target.startswith("?"):
            return f"{self.base_url}{target}"
        if target.startswith("/") and "?" in target:
            return f"{self._origin}{target}"
        return f"{self.base_url}{target}"

    def _request(
        self,
        method: str,
        target: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        retry: bool | None = None,
        give_up_at: float | None = None,
    ) -> Answer:
        """One API call. Reads are retried (unless ``retry=False``); anything else is sent
        once. It ends by ``give_up_at`` (a ``time.monotonic()`` instant) when given, else
        within the policy's deadline. Returns the 2xx answer or raises an
        :mod:`phones.upstream.errors` class."""
        url = self._url(target)
        endpoint = urlsplit(url).path
        operation = operation_name(method, endpoint)
        retryable = method in ("GET", "HEAD") if retry is None else retry
        payload = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        if give_up_at is None:
            give_up_at = self.policy.give_up_at()
        headers = self._headers
        request_id = get_request_id()
        if request_id:
            # WellApp's side of the exchange can be found by the portal request behind it.
            headers = {**headers, REQUEST_ID_HEADER: request_id}
        attempt = 0
        while True:
            attempt += 1
            remaining = max(give_up_at - time.monotonic(), 0.001)
            timeout = (min(self.timeout[0], remaining), min(self.timeout[1], remaining))
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    data=payload,
                    headers=headers,
                    auth=self._auth,
                    timeout=timeout,
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                error = transport_error(exc, method, endpoint)
                self._log(method, endpoint, type(exc).__name__, started, None, attempt)
                outcome = failure_outcome(error.code)
                wellapp_call_observed(
                    operation=operation, outcome=outcome, seconds=time.monotonic() - started
                )
                delay = self.policy.delay(attempt)
                if retryable and self.policy.may_retry(attempt, delay, give_up_at):
                    wellapp_retry_counted(operation=operation)
                    time.sleep(delay)
                    continue
                raise error from exc
            trace_id = response.headers.get("X-Trace-Id") or None
            status = response.status_code
            self._log(method, endpoint, status, started, trace_id, attempt)
            wellapp_call_observed(
                operation=operation,
                outcome=answer_outcome(status),
                seconds=time.monotonic() - started,
            )
            if status in RETRY_STATUSES:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                delay = self.policy.delay(attempt, retry_after)
                if retryable and self.policy.may_retry(attempt, delay, give_up_at):
                    wellapp_retry_counted(operation=operation)
                    response.close()
                    time.sleep(delay)
                    continue
            if not 200 <= status < 300:
                raise status_error(response, method, endpoint, attempt, self._auth.redact)
            try:
                decoded = decode_json(response.content)
            except BadResponse as exc:
                raise BadResponse(
                    exc.message,
                    status=status,
                    trace_id=trace_id,
                    sent=True,
                    method=method,
                    endpoint=endpoint,
                ) from exc
            return Answer(decoded, status, trace_id, endpoint)

    @staticmethod
    def _log(
        method: str,
        endpoint: str,
        outcome: int | str,
        started: float,
        trace_id: str | None,
        attempt: int,
    ) -> None:
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.info(
            "WellApp %s %s -> %s in %.0f ms (trace %s, attempt %d)",
            method,
            endpoint,
            outcome,
            elapsed_ms,
            trace_id or "-",
            attempt,
        )
