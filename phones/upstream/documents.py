"""The create-phone request document, written exactly in the shape of WellApp's example.
Responses are read by :mod:`phones.upstream.reader`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from phones.upstream.drafts import LinkedCompany, LinkedPerson, LinkedWorkspace, PhoneDraft


def format_timestamp(value: datetime) -> str:
    """ISO-8601 UTC with a ``Z`` suffix and whole seconds, as WellApp writes timestamps."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamps sent to WellApp must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_phone_document(draft: PhoneDraft, *, now: datetime) -> dict[str, Any]:
    """The ``POST /v1/phones`` body for ``draft``, in the seed example's exact shape.

    ``now`` becomes the phone's ``created_at``/``updated_at``. The linked records go under
    ``relationships`` (people under WellApp's own name, ``persons``) and are side-loaded
    under ``included``.
    """
    timestamp = format_timestamp(now)
    return {
        "data": {
            "type": "phone",
            "id": str(draft.id),
            "attributes": {
                "country_code": draft.country_code,
                "national_number": draft.national_number,
                "e164_number": draft.e164_number,
                "label": draft.label,
                "is_primary": bool(draft.is_primary),
                "is_verified": bool(draft.is_verified),
                "created_at": timestamp,
                "updated_at": timestamp,
            },
            "relationships": {
                "persons": {"data": [{"type": "people", "id": p.id} for p in draft.people]},
                "companies": {"data": [{"type": "company", "id": c.id} for c in draft.companies]},
                "workspaces": {
                    "data": [{"type": "workspace", "id": w.id} for w in draft.workspaces]
                },
            },
        },
        "included": [
            *(_person_resource(person) for person in draft.people),
            *(_company_resource(company) for company in draft.companies),
            *(_workspace_resource(workspace) for workspace in draft.workspaces),
        ],
    }


def _person_resource(person: LinkedPerson) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "first_name": person.first_name or "",
        "last_name": person.last_name or "",
        "full_name": person.full_name
        or f"{person.first_name or ''} {person.last_name or ''}".strip(),
    }
    _add_timestamps(attributes, person.upstream_created_at, person.upstream_updated_at)
    return {"type": "people", "id": person.id, "attributes": attributes}


def _company_resource(company: LinkedCompany) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "name": company.name or "",
        "description": company.description or "",
        "locale": company.locale or "",
        "domain_name_primary_link_url": company.domain or "",
    }
    _add_timestamps(attributes, company.upstream_created_at, company.upstream_updated_at)
    return {"type": "company", "id": company.id, "attributes": attributes}


def _workspace_resource(workspace: LinkedWorkspace) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "name": workspace.name or "",
        "description": workspace.description or "",
        "avatar_color": workspace.avatar_color or "",
        "external_workspace_id": workspace.external_workspace_id,
        "auto_extract_enabled": bool(workspace.auto_extract_enabled),
    }
    _add_timestamps(attributes, workspace.upstream_created_at, workspace.upstream_updated_at)
    return {"type": "workspace", "id": workspace.id, "attributes": attributes}


def _add_timestamps(
    attributes: dict[str, Any], created_at: datetime | None, updated_at: datetime | None
) -> None:
    if created_at is not None:
        attributes["created_at"] = format_timestamp(created_at)
    if updated_at is not None:
        attributes["updated_at"] = format_timestamp(updated_at)
