"""The /_control routes (no auth; for demos and tests on loopback).

- POST /_control/faults {"mode": ..., params, "count", "method", "path"} -> 201 {"id"}
- GET /_control/faults -> [fault, ...]; DELETE /_control/faults -> {"cleared": n}
- DELETE /_control/faults/{id} -> {"deleted": id}
- POST /_control/latency {"seconds": x} -> a latency fault for every request (0 removes it)
- GET /_control/stats -> {"requests": [...], "counts": {...}, "phones": n, "in_flight": n};
  each request as {"method", "path", "query", "status", "fault", "trace_id", "request_id"}
  (status and trace_id are null when no answer was sent; request_id is the X-Request-ID the
  caller sent, null without one), in_flight the /v1 requests still being answered
- POST /_control/reset -> generated data back, faults and log cleared
- POST /_control/phones/{id} {"attributes": {...}} -> change a phone, bump updated_at
- DELETE /_control/phones/{id} -> remove a phone
- GET /_control/health -> {"ok": true, "phones": n}
"""

from __future__ import annotations

from typing import Any

from sandbox.documents import ApiError, Reply, phone_resource, validation_error
from sandbox.faults import FaultSpecError
from sandbox.state import SandboxState
from sandbox.validation import EDITABLE_ATTRIBUTES, parse_json, validate_attributes


def _json_object(body: bytes) -> dict[str, Any]:
    document = parse_json(body or b"{}")
    if not isinstance(document, dict):
        raise validation_error(None, "invalid_type", "Request body must be a JSON object")
    return document


def add_fault(state: SandboxState, spec: dict[str, Any]) -> str:
    try:
        return state.add_fault(spec).id
    except FaultSpecError as error:
        raise validation_error(error.path, "invalid_value", str(error)) from None


def set_latency(state: SandboxState, seconds: Any) -> str | None:
    """Replace the all-requests latency with `seconds` (0 or None removes it)."""
    with state.lock:
        previous = state.latency_fault_id
        if previous is not None:
            state.remove_fault(previous)
        fault_id = add_fault(state, {"mode": "latency", "seconds": seconds}) if seconds else None
        state.latency_fault_id = fault_id
        return fault_id


def touch_phone(state: SandboxState, phone_id: str, attributes: Any) -> dict[str, Any]:
    if attributes is None:
        raise validation_error("attributes", "required", "attributes is required")
    if not isinstance(attributes, dict):
        raise validation_error("attributes", "invalid_type", "attributes must be an object")
    unknown = sorted(set(attributes) - set(EDITABLE_ATTRIBUTES))
    if unknown:
        raise validation_error(
            f"attributes.{unknown[0]}",
            "invalid_value",
            f"only {', '.join(EDITABLE_ATTRIBUTES)} can be changed",
        )
    clean = validate_attributes(attributes, "attributes", partial=True)
    try:
        phone = state.update_phone(phone_id, clean)
    except KeyError:
        raise ApiError(
            404, "PHONE_NOT_FOUND", f"Phone {phone_id} was not found", issue="not_found"
        ) from None
    return phone_resource(phone)


def handle(state: SandboxState, method: str, path: str, body: bytes) -> Reply:
    """Answer one /_control request (raises ApiError for error answers)."""
    parts = path.split("/")[2:]
    route = (method, parts[0] if parts else "", len(parts))
    if route == ("POST", "faults", 1):
        return Reply(201, {"id": add_fault(state, _json_object(body))})
    if route == ("GET", "faults", 1):
        return Reply(200, state.list_faults())
    if route == ("DELETE", "faults", 1):
        return Reply(200, {"cleared": state.clear_faults()})
    if route == ("DELETE", "faults", 2):
        if not state.remove_fault(parts[1]):
            raise ApiError(404, "NOT_FOUND", f"No fault {parts[1]}", issue="not_found")
        return Reply(200, {"deleted": parts[1]})
    if route == ("POST", "latency", 1):
        seconds = _json_object(body).get("seconds", 0)
        fault_id = set_latency(state, seconds)
        return Reply(201 if fault_id else 200, {"id": fault_id})
    if route == ("GET", "stats", 1):
        return Reply(200, state.stats())
    if route == ("POST", "reset", 1):
        state.reset()
        return Reply(200, {"reset": True, "phones": state.phone_total()})
    if route == ("GET", "health", 1):
        return Reply(200, {"ok": True, "phones": state.phone_total()})
    if route == ("POST", "phones", 2):
        attributes = _json_object(body).get("attributes")
        return Reply(200, {"data": touch_phone(state, parts[1], attributes)})
    if route == ("DELETE", "phones", 2):
        if not state.delete_phone(parts[1]):
            raise ApiError(
                404, "PHONE_NOT_FOUND", f"Phone {parts[1]} was not found", issue="not_found"
            )
        return Reply(200, {"deleted": parts[1]})
    raise ApiError(404, "NOT_FOUND", f"No control route {method} {path}", issue="not_found")
