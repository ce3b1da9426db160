"""Switchable faults for /v1 requests.

Faults stack in the order they were added; a request uses the first active fault whose
`method` and `path` match (None matches anything; `path` may use shell wildcards, e.g.
"/v1/phones/*"), and each use decrements `count` (None = until cleared). A fault with
`after: n` lets the first n matching requests through untouched before it becomes active.

Modes:
- latency (seconds, default 1): wait, then answer normally.
- slow (seconds, default 30): the same, meant to outlast client timeouts.
- status (status 500|502|503|504, default 503; retry_after optional): a WellApp error body.
- rate_limit (retry_after, default 1): 429 RATE_LIMITED with a Retry-After header.
- drop: close the connection without answering, before doing anything.
- reset: abort the connection (TCP RST) without answering, before doing anything.
- create_then_drop: handle the request (a POST /v1/phones stores the phone), then close the
  connection without answering.
- malformed: status 200 (201 for POST /v1/phones) with the truncated JSON body `{"data": [`.
- wrong_content_type: status 200, text/html body "<html>Bad gateway</html>".
- empty_body: status 200 with an empty body.
- unexpected_shape: status 200 with {"result": "ok"}.
Apart from create_then_drop, latency and slow, a faulted request is not handled at all.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from sandbox.documents import ApiError, Reply

STATUS_CODES = {
    500: "INTERNAL_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}
MODE_PARAMS: dict[str, dict[str, Any]] = {
    "latency": {"seconds": 1.0},
    "slow": {"seconds": 30.0},
    "status": {"status": 503, "retry_after": None},
    "rate_limit": {"retry_after": 1},
    "drop": {},
    "reset": {},
    "create_then_drop": {},
    "malformed": {},
    "wrong_content_type": {},
    "empty_body": {},
    "unexpected_shape": {},
}
FAULT_MODES = tuple(MODE_PARAMS)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class FaultSpecError(ValueError):
    """A fault description that cannot be used; `path` names the offending field."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path


@dataclass
class Fault:
    id: str
    mode: str
    params: dict[str, Any] = field(default_factory=dict)
    count: int | None = None
    method: str | None = None
    path: str | None = None
    after: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.path is None or fnmatchcase(path, self.path)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "mode": self.mode,
            **self.params,
            "count": self.count,
            "method": self.method,
            "path": self.path,
            "after": self.after,
        }


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise FaultSpecError(name, f"{name} must be a number >= 0")
    return value


def make_fault(fault_id: str, spec: dict[str, Any]) -> Fault:
    """A Fault from its JSON description; FaultSpecError when a field is unusable."""
    spec = dict(spec)
    mode = spec.pop("mode", None)
    if mode not in MODE_PARAMS:
        raise FaultSpecError("mode", f"mode must be one of: {', '.join(FAULT_MODES)}")
    count = spec.pop("count", None)
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise FaultSpecError("count", "count must be a positive integer or null")
    method = spec.pop("method", None)
    if method is not None:
        if not isinstance(method, str) or method.upper() not in METHODS:
            raise FaultSpecError("method", f"method must be one of {', '.join(METHODS)} or null")
        method = method.upper()
    path = spec.pop("path", None)
    if path is not None and (not isinstance(path, str) or not path.startswith("/")):
        raise FaultSpecError("path", 'path must start with "/" or be null')
    after = spec.pop("after", 0)
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise FaultSpecError("after", "after must be an integer >= 0")
    params = dict(MODE_PARAMS[mode])
    for name, value in spec.items():
        if name not in params:
            allowed = ", ".join(params) or "none"
            raise FaultSpecError(name, f"{mode} does not take {name!r} (parameters: {allowed})")
        params[name] = value
    for name in ("seconds", "retry_after"):
        if params.get(name) is not None:
            params[name] = _number(params[name], name)
    if mode == "status" and params["status"] not in STATUS_CODES:
        raise FaultSpecError("status", "status must be one of 500, 502, 503, 504")
    return Fault(fault_id, mode, params, count, method, path, after)


class FaultTable:
    """The active faults. Not locked itself: the sandbox state calls it under its lock."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, spec: dict[str, Any]) -> Fault:
        fault = make_fault(f"fault_{next(self._ids)}", spec)
        self._faults.append(fault)
        return fault

    def remove(self, fault_id: str) -> bool:
        before = len(self._faults)
        self._faults = [fault for fault in self._faults if fault.id != fault_id]
        return len(self._faults) < before

    def clear(self) -> int:
        cleared = len(self._faults)
        self._faults = []
        return cleared

    def listing(self) -> list[dict[str, Any]]:
        return [fault.as_dict() for fault in self._faults]

    def take(self, method: str, path: str) -> Fault | None:
        """The first active fault matching the request, used once."""
        for fault in self._faults:
            if fault.matches(method, path):
                if fault.after > 0:
                    fault.after -= 1
                    continue
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                return fault
        return None


def _retry_after(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def replacement_reply(fault: Fault, method: str, path: str) -> Reply:
    """The answer a fault gives instead of handling the request (raises ApiError for the
    status and rate_limit modes)."""
    mode = fault.mode
    if mode == "status":
        status = fault.params["status"]
        headers = {}
        if fault.params["retry_after"] is not None:
            headers["Retry-After"] = _retry_after(fault.params["retry_after"])
        raise ApiError(
            status,
            STATUS_CODES[status],
            "The service is temporarily unable to handle the request",
            issue="upstream_failure",
            headers=headers,
        )
    if mode == "rate_limit":
        retry_after = _retry_after(fault.params["retry_after"])
        raise ApiError(
            429,
            "RATE_LIMITED",
            f"Too many requests; retry after {retry_after} seconds",
            issue="rate_limited",
            headers={"Retry-After": retry_after},
        )
    if mode == "malformed":
        status = 201 if (method, path) == ("POST", "/v1/phones") else 200
        return Reply(status, raw=b'{"data": [')
    if mode == "wrong_content_type":
        return Reply(200, raw=b"<html>Bad gateway</html>", content_type="text/html")
    if mode == "empty_body":
        return Reply(200, raw=b"")
    if mode == "unexpected_shape":
        return Reply(200, payload={"result": "ok"})
    raise ValueError(f"fault mode {mode} does not replace the answer")
