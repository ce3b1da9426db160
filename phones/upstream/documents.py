"""The create-phone request document, written exactly in the shape of WellApp's example.
Responses are read by :mod:`phones.upstream.reader`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from phones.upstream.records import CompanyRecord, PersonRecord, WorkspaceRecord


def format_timestamp(value: datetime) -> str:
    """ISO-8601 UTC with a ``Z`` suffix and whole seconds, as WellApp writes timestamps."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamps sent to WellApp must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_phone_document(
    *,
    phone_id: str | uuid.UUID,
    country_code: int,
    national_number: str,
    e164_number: str,
    label: str,
    is_primary: bool,
    is_verified: bool,
    people: Sequence[PersonRecord],
    companies: Sequence[CompanyRecord],
    workspaces: Sequence[WorkspaceRecord],
    now: datetime,
) -> dict[str, Any]:
    """The ``POST /v1/phones`` body for one phone, in the seed example's exact shape.

    ``national_number`` is the national significant number as a string, leading zeros kept
    (Italy's ``06...``); ``e164_number`` must equal ``+{country_code}{national_number}``.
    ``now`` becomes the phone's ``created_at``/``updated_at``. The related records are
    linked under ``relationships`` and side-loaded under ``included``.
    """
    if isinstance(country_code, bool) or not isinstance(country_code, int):
        raise TypeError("country_code must be an int")
    if not isinstance(national_number, str):
        raise TypeError("national_number must be a string (an int would drop leading zeros)")
    if e164_number != f"+{country_code}{national_number}":
        raise ValueError("e164_number must equal '+' + country_code + national_number")
    for workspace in workspaces:
        if not workspace.id:
            raise ValueError("every workspace linked to a new phone needs its WellApp id")
    timestamp = format_timestamp(now)
    return {
        "data": {
            "type": "phone",
            "id": str(phone_id),
            "attributes": {
                "country_code": country_code,
                "national_number": national_number,
                "e164_number": e164_number,
                "label": label,
                "is_primary": bool(is_primary),
                "is_verified": bool(is_verified),
                "created_at": timestamp,
                "updated_at": timestamp,
            },
            "relationships": {
                "persons": {"data": [{"type": "people", "id": p.id} for p in people]},
                "companies": {"data": [{"type": "company", "id": c.id} for c in companies]},
                "workspaces": {"data": [{"type": "workspace", "id": w.id} for w in workspaces]},
            },
        },
        "included": [
            *(_person_resource(person) for person in people),
            *(_company_resource(company) for company in companies),
            *(_workspace_resource(workspace) for workspace in workspaces),
        ],
    }


def _person_resource(person: PersonRecord) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "first_name": person.first_name or "",
        "last_name": person.last_name or "",
        "full_name": person.full_name
        or f"{person.first_name or ''} {person.last_name or ''}".strip(),
    }
    _add_timestamps(attributes, person.created_at, person.updated_at)
    return {"type": "people", "id": person.id, "attributes": attributes}


def _company_resource(company: CompanyRecord) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "name": company.name or "",
        "description": company.description or "",
        "locale": company.locale or "",
        "domain_name_primary_link_url": company.domain or "",
    }
    _add_timestamps(attributes, company.created_at, company.updated_at)
    return {"type": "company", "id": company.id, "attributes": attributes}


def _workspace_resource(workspace: WorkspaceRecord) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "name": workspace.name or "",
        "description": workspace.description or "",
        "avatar_color": workspace.avatar_color or "",
        "external_workspace_id": workspace.external_workspace_id,
        "auto_extract_enabled": bool(workspace.auto_extract_enabled),
    }
    _add_timestamps(attributes, workspace.created_at, workspace.updated_at)
    return {"type": "workspace", "id": workspace.id, "attributes": attributes}


def _add_timestamps(
    attributes: dict[str, Any], created_at: datetime | None, updated_at: datetime | None
) -> None:
    if created_at is not None:
        attributes["created_at"] = format_timestamp(created_at)
    if updated_at is not None:
        attributes["updated_at"] = format_timestamp(updated_at)
