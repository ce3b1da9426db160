"""Coercion helpers for reading WellApp's loosely specified JSON."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

_KINDS = {
    "phone": "phone",
    "phones": "phone",
    "person": "person",
    "persons": "person",
    "people": "person",
    "company": "company",
    "companies": "company",
    "workspace": "workspace",
    "workspaces": "workspace",
    "person_phone": "person_phone",
    "person_phones": "person_phone",
    "persons_phones": "person_phone",
    "people_phone": "person_phone",
    "people_phones": "person_phone",
    "company_phone": "company_phone",
    "company_phones": "company_phone",
    "companies_phones": "company_phone",
}
_NOT_ATTRIBUTES = frozenset({"type", "id", "relationships", "links", "meta"})


def kind_of(name: Any) -> str | None:
    """The canonical kind for a type or relation name (``persons`` -> ``person``)."""
    if not isinstance(name, str):
        return None
    return _KINDS.get(name.strip().lower().replace("-", "_"))


def identifier(value: Any) -> str | None:
    """A non-empty id string, or None (ints are accepted, booleans and objects are not)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def attributes_of(resource: dict[str, Any]) -> dict[str, Any]:
    """A resource's attributes; for a resource sent without an ``attributes`` object, its
    own keys other than the JSON:API members."""
    attributes = resource.get("attributes")
    if isinstance(attributes, dict):
        return attributes
    return {key: value for key, value in resource.items() if key not in _NOT_ATTRIBUTES}


def relationship_items(value: Any) -> list[dict[str, Any]]:
    """The items of a relationship: ``{"data": [...]}``, ``{"data": {...}}``, a bare list or
    a single object; bare ids become ``{"id": ...}``."""
    if isinstance(value, dict) and "data" in value:
        value = value["data"]
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [item if isinstance(item, dict) else {"id": item} for item in items]


def parse_timestamp(value: Any) -> datetime | None:
    """An aware UTC datetime from ISO-8601 (``Z`` or any offset; naive means UTC) or epoch
    seconds; ``None`` when missing or unreadable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    stamp = value.strip()
    if stamp[-1] in "zZ":
        stamp = stamp[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def text(value: Any) -> str | None:
    """A string attribute; None when missing or not a scalar."""
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)


def boolean(value: Any) -> bool | None:
    """A boolean attribute; accepts JSON booleans, 0/1 and "true"/"false"; None if missing."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def digits(value: Any) -> str:
    """Only the digits of a value (``"+39 06 1234"`` -> ``"39061234"``)."""
    if value is None or isinstance(value, bool):
        return ""
    return re.sub(r"\D", "", str(value))


def integer(value: Any) -> int | None:
    """An int from a JSON int or a string of digits; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
