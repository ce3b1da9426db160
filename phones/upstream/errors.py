"""Errors raised by the WellApp client.

Every failure talking to WellApp surfaces as one of these classes. Callers branch on the
class and on ``code`` (WellApp's stable error code), never on ``message``. ``str(error)`` is a
sentence staff can read and quote to WellApp support: it always ends with the trace id when
one is known. No error ever carries the API token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from phones.upstream.coerce import identifier, integer, text


class UpstreamError(Exception):
    """Base class: WellApp could not be used for this call.

    Attributes:
        message: human-readable explanation (WellApp's own message when it sent one).
        code: WellApp's error code (``SCHEMA_VALIDATION_ERROR``, ``PHONE_ALREADY_EXISTS``...),
            or a client-side code such as ``CONNECTION_ERROR``; ``None`` when unknown.
        status: HTTP status of the answer, ``None`` when no answer arrived.
        trace_id: WellApp's trace id for support (``meta.trace_id``, ``meta.log_id`` or the
            ``X-Trace-Id`` header), ``None`` when no answer arrived.
        path: the offending field as WellApp names it (``details.path``), e.g.
            ``data.attributes.national_number``.
        issue: WellApp's ``details.issue`` (``required``, ``invalid_format``...).
        retry_after: seconds WellApp asked us to wait (``Retry-After``), uncapped.
        sent: True when the request may have reached WellApp (and so may have taken effect).
        method, endpoint: the HTTP method and URL path of the call that failed.
    """

    default_message = "The WellApp API call failed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        trace_id: str | None = None,
        path: str | None = None,
        issue: str | None = None,
        retry_after: float | None = None,
        sent: bool = False,
        method: str | None = None,
        endpoint: str | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.code = code
        self.status = status
        self.trace_id = trace_id
        self.path = path
        self.issue = issue
        self.retry_after = retry_after
        self.sent = sent
        self.method = method
        self.endpoint = endpoint
        super().__init__(self.message)

    def __str__(self) -> str:
        text = self.summary
        if self.trace_id:
            text += f" WellApp trace id: {self.trace_id}."
        return text

    @property
    def facts(self) -> str:
        """What the answer was, beside its message: "CODE, HTTP 502, field data.x" or ""."""
        facts = []
        if self.code:
            facts.append(self.code)
        if self.status is not None:
            facts.append(f"HTTP {self.status}")
        if self.path:
            facts.append(f"field {self.path}")
        return ", ".join(facts)

    @property
    def summary(self) -> str:
        """The message with its facts, without the trace id (pages show that on its own)."""
        text = self.message.rstrip()
        if not text.endswith((".", "!", "?")):
            text += "."
        return f"{text} ({self.facts})" if self.facts else text

    def __repr__(self) -> str:
        fields: dict[str, Any] = {
            "code": self.code,
            "status": self.status,
            "trace_id": self.trace_id,
            "path": self.path,
            "sent": self.sent,
        }
        shown = ", ".join(f"{key}={value!r}" for key, value in fields.items() if value)
        return f"{type(self).__name__}({self.message!r}{', ' if shown else ''}{shown})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.message, self._state()))

    def _state(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status,
            "trace_id": self.trace_id,
            "path": self.path,
            "issue": self.issue,
            "retry_after": self.retry_after,
            "sent": self.sent,
            "method": self.method,
            "endpoint": self.endpoint,
        }


def _rebuild(cls: type[UpstreamError], message: str, state: dict[str, Any]) -> UpstreamError:
    return cls(message, **state)


class Unavailable(UpstreamError):
    """WellApp could not be reached or is overloaded: connection refused or dropped, 5xx, or
    429 after the client's retries. Worth trying again later."""

    default_message = "WellApp is unavailable right now."


class Timeout(Unavailable):
    """WellApp did not answer in time. ``sent`` tells whether the request may have arrived."""

    default_message = "WellApp did not answer in time."


class AuthRejected(UpstreamError):
    """WellApp refused the credentials (401) or the workspace scope (403)."""

    default_message = "WellApp refused the API credentials."


class NotFound(UpstreamError):
    """The requested record does not exist (or is outside the workspace scope)."""

    default_message = "WellApp has no such record."


class Conflict(UpstreamError):
    """The record already exists (409, e.g. ``PHONE_ALREADY_EXISTS``)."""

    default_message = "The record already exists in WellApp."


class Rejected(UpstreamError):
    """WellApp refused the content of the request (400/422, or an unknown related id on a
    create). ``path`` names the offending field."""

    default_message = "WellApp rejected the request."


class BadResponse(UpstreamError):
    """WellApp answered with something the client cannot read."""

    default_message = "WellApp sent a response that could not be read."


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """What a WellApp error body says (every field optional: bodies vary)."""

    code: str | None = None
    status: int | None = None
    title: str = ""
    message: str = ""
    path: str | None = None
    issue: str | None = None
    trace_id: str | None = None


def parse_error(body: Any) -> ErrorInfo:
    """What an error body says. Never raises: an unreadable body gives an empty ErrorInfo."""
    if isinstance(body, bytes | bytearray | str):
        try:
            body = json.loads(body)
        except ValueError:
            return ErrorInfo()
    if not isinstance(body, dict):
        return ErrorInfo()
    error = body
    if isinstance(body.get("errors"), list) and body["errors"]:
        error = body["errors"][0] if isinstance(body["errors"][0], dict) else {}
    elif isinstance(body.get("error"), dict):
        error = body["error"]
    details = error.get("details")
    if isinstance(details, list):
        details = details[0] if details else None
    details = details if isinstance(details, dict) else {}
    path = identifier(details.get("path"))
    source = error.get("source")
    if path is None and isinstance(source, dict) and isinstance(source.get("pointer"), str):
        path = source["pointer"].strip("/").replace("/", ".") or None
    meta = error.get("meta") if isinstance(error.get("meta"), dict) else body.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    trace_id = (
        identifier(meta.get("trace_id"))
        or identifier(meta.get("log_id"))
        or identifier(error.get("trace_id"))
        or identifier(error.get("log_id"))
    )
    return ErrorInfo(
        code=identifier(error.get("code")),
        status=integer(error.get("status")),
        title=text(error.get("title")) or "",
        message=text(error.get("message")) or text(error.get("detail")) or "",
        path=path,
        issue=identifier(details.get("issue")),
        trace_id=trace_id,
    )
