"""Validation of `POST /v1/phones` documents, reporting the first problem with `details.path`.

Checks run in document order: data, data.type, data.id, data.attributes and each attribute,
then data.relationships.persons / companies / workspaces. `included` is accepted and ignored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.documents import ApiError, validation_error

UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
NATIONAL_RE = re.compile(r"[0-9]{2,17}")
E164_RE = re.compile(r"\+[0-9]{3,20}")
LABELS = ("work", "mobile", "home", "other")
ATTRIBUTE_DEFAULTS: dict[str, Any] = {"label": "other", "is_primary": False, "is_verified": False}
RELATIONSHIP_TYPES = {
    "persons": ("people", "persons", "person"),
    "companies": ("company", "companies"),
    "workspaces": ("workspace", "workspaces"),
}
EDITABLE_ATTRIBUTES = (
    "country_code",
    "national_number",
    "e164_number",
    "label",
    "is_primary",
    "is_verified",
)


@dataclass(frozen=True)
class PhoneInput:
    """A validated create request (ids normalised; relationship ids de-duplicated)."""

    id: str
    attributes: dict[str, Any]
    persons: tuple[str, ...]
    companies: tuple[str, ...]
    workspaces: tuple[str, ...]


def parse_json(raw: bytes) -> Any:
    """The decoded body, or 400 INVALID_JSON."""
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(
            400, "INVALID_JSON", "Request body is not valid JSON", issue="invalid_json"
        ) from None


def _object(value: Any, path: str) -> dict[str, Any]:
    if value is None:
        raise validation_error(path, "required", f"{path} is required")
    if not isinstance(value, dict):
        raise validation_error(path, "invalid_type", f"{path} must be an object")
    return value


def _string(value: Any, path: str) -> str:
    if value is None:
        raise validation_error(path, "required", f"{path} is required")
    if not isinstance(value, str):
        raise validation_error(path, "invalid_type", f"{path} must be a string")
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_attributes(
    attributes: dict[str, Any], prefix: str, *, partial: bool = False
) -> dict[str, Any]:
    """Checked phone attributes. With `partial`, only the attributes present are checked
    (and e164_number is cross-checked only when all three number fields are given)."""
    clean: dict[str, Any] = {}

    def present(name: str) -> bool:
        return not partial or attributes.get(name) is not None

    path = f"{prefix}.country_code"
    if present("country_code"):
        value = attributes.get("country_code")
        if value is None:
            raise validation_error(path, "required", f"{path} is required")
        if not _is_int(value):
            raise validation_error(path, "invalid_type", f"{path} must be an integer")
        if not 1 <= value <= 999:
            raise validation_error(path, "invalid_value", f"{path} must be between 1 and 999")
        clean["country_code"] = value
    path = f"{prefix}.national_number"
    if present("national_number"):
        value = _string(attributes.get("national_number"), path)
        if not NATIONAL_RE.fullmatch(value):
            raise validation_error(path, "invalid_format", f"{path} must be 2 to 17 digits")
        clean["national_number"] = value
    path = f"{prefix}.e164_number"
    if present("e164_number"):
        value = _string(attributes.get("e164_number"), path)
        if not E164_RE.fullmatch(value):
            raise validation_error(path, "invalid_format", f"{path} must look like +14155552671")
        if "country_code" in clean and "national_number" in clean:
            expected = f"+{clean['country_code']}{clean['national_number']}"
            if value != expected:
                raise validation_error(
                    path, "mismatch", f"{path} must equal {expected} (country code + number)"
                )
        clean["e164_number"] = value
    path = f"{prefix}.label"
    if attributes.get("label") is not None:
        value = _string(attributes["label"], path)
        if value not in LABELS:
            raise validation_error(path, "invalid_value", f"{path} must be one of {LABELS}")
        clean["label"] = value
    for name in ("is_primary", "is_verified"):
        path = f"{prefix}.{name}"
        if attributes.get(name) is not None:
            if not isinstance(attributes[name], bool):
                raise validation_error(path, "invalid_type", f"{path} must be a boolean")
            clean[name] = attributes[name]
    for name in ("created_at", "updated_at"):
        path = f"{prefix}.{name}"
        if not partial and attributes.get(name) is not None:
            value = _string(attributes[name], path)
            try:
                datetime.fromisoformat(value)
            except ValueError:
                raise validation_error(
                    path, "invalid_format", f"{path} must be an ISO-8601 date-time"
                ) from None
    return clean


def _relationship(relationships: dict[str, Any], name: str) -> tuple[str, ...]:
    path = f"data.relationships.{name}"
    member = relationships.get(name)
    if member is None:
        return ()
    shape = f'{path} must be {{"data": [{{"type": ..., "id": "..."}}]}}'
    if not isinstance(member, dict) or not isinstance(member.get("data"), list):
        raise validation_error(path, "invalid_type", shape)
    ids: list[str] = []
    for item in member["data"]:
        if not isinstance(item, dict):
            raise validation_error(path, "invalid_type", shape)
        if item.get("id") is None:
            raise validation_error(path, "required", f"{path} items need an id")
        if not isinstance(item["id"], str) or not item["id"]:
            raise validation_error(path, "invalid_type", f"{path} ids must be strings")
        kind = item.get("type")
        if kind is not None and kind not in RELATIONSHIP_TYPES[name]:
            raise validation_error(
                path, "invalid_value", f"{path} items must have type {RELATIONSHIP_TYPES[name][0]}"
            )
        if item["id"] not in ids:
            ids.append(item["id"])
    return tuple(ids)


def validate_create(raw: bytes) -> PhoneInput:
    """A checked create request, or the ApiError describing the first problem."""
    document = parse_json(raw)
    if not isinstance(document, dict):
        raise validation_error(None, "invalid_type", "Request body must be a JSON object")
    data = _object(document.get("data"), "data")
    kind = _string(data.get("type"), "data.type")
    if kind != "phone":
        raise validation_error("data.type", "invalid_value", 'data.type must be "phone"')
    phone_id = _string(data.get("id"), "data.id")
    if not UUID_RE.fullmatch(phone_id):
        raise validation_error("data.id", "invalid_format", "data.id must be a UUID")
    attributes = validate_attributes(
        _object(data.get("attributes"), "data.attributes"), "data.attributes"
    )
    relationships = data.get("relationships")
    if relationships is None:
        relationships = {}
    if not isinstance(relationships, dict):
        raise validation_error(
            "data.relationships", "invalid_type", "data.relationships must be an object"
        )
    return PhoneInput(
        id=phone_id.lower(),
        attributes={**ATTRIBUTE_DEFAULTS, **attributes},
        persons=_relationship(relationships, "persons"),
        companies=_relationship(relationships, "companies"),
        workspaces=_relationship(relationships, "workspaces"),
    )
