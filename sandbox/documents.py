"""JSON shapes of the WellApp API: resources, the create response, and error bodies."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sandbox.data import iso
from sandbox.records import Company, Person, Phone, Workspace

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
CODE_TITLES = {"SCHEMA_VALIDATION_ERROR": "Validation Error", "INVALID_JSON": "Invalid JSON"}


class ApiError(Exception):
    """An error answer: one WellApp error object with `code`, `status` and `details.path`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        path: str | None = None,
        issue: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.path = path
        self.issue = issue
        self.headers = headers or {}

    def body(self, trace_id: str) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status,
            "title": CODE_TITLES.get(self.code, TITLES.get(self.status, "Error")),
            "message": self.message,
            "details": {"path": self.path, "issue": self.issue},
            "meta": {"trace_id": trace_id, "log_id": trace_id},
        }


def validation_error(path: str | None, issue: str, message: str) -> ApiError:
    return ApiError(400, "SCHEMA_VALIDATION_ERROR", message, path=path, issue=issue)


def new_trace_id() -> str:
    return secrets.token_hex(6)


@dataclass
class Reply:
    """What the HTTP layer sends: a JSON payload, raw bytes, or a dropped connection."""

    status: int = 200
    payload: Any = None
    raw: bytes | None = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    action: str = "send"  # "send", "drop" (close quietly) or "reset" (abort with RST)


def person_resource(person: Person) -> dict[str, Any]:
    return {
        "type": "people",
        "id": person.id,
        "attributes": {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "full_name": person.full_name,
            "email": person.email,
            "job_title": person.job_title,
            "created_at": iso(person.created_at),
            "updated_at": iso(person.updated_at),
        },
    }


def company_resource(company: Company) -> dict[str, Any]:
    return {
        "type": "company",
        "id": company.id,
        "attributes": {
            "name": company.name,
            "description": company.description,
            "domain": company.domain,
            "website": company.website,
            "locale": company.locale,
            "created_at": iso(company.created_at),
            "updated_at": iso(company.updated_at),
        },
    }


def workspace_resource(workspace: Workspace) -> dict[str, Any]:
    return {
        "type": "workspace",
        "id": workspace.id,
        "attributes": {
            "name": workspace.name,
            "description": workspace.description,
            "avatar_color": workspace.avatar_color,
            "external_workspace_id": workspace.external_workspace_id,
            "auto_extract_enabled": workspace.auto_extract_enabled,
            "created_at": iso(workspace.created_at),
            "updated_at": iso(workspace.updated_at),
        },
    }


def _phone_attributes(phone: Phone) -> dict[str, Any]:
    return {
        "country_code": phone.country_code,
        "national_number": phone.national_number,
        "e164_number": phone.e164_number,
        "label": phone.label,
        "is_primary": phone.is_primary,
        "is_verified": phone.is_verified,
        "created_at": iso(phone.created_at),
    }


def phone_resource(phone: Phone) -> dict[str, Any]:
    """A phone as listings and single reads return it: linkage-only relationships."""
    attributes = _phone_attributes(phone)
    attributes["updated_at"] = iso(phone.updated_at)
    return {
        "type": "phone",
        "id": phone.id,
        "attributes": attributes,
        "relationships": {
            "persons": {"data": [{"type": "people", "id": pid} for pid in phone.persons]},
            "companies": {"data": [{"type": "company", "id": cid} for cid in phone.companies]},
            "workspaces": {"data": [{"type": "workspace", "id": wid} for wid in phone.workspaces]},
        },
    }


@dataclass
class Directory:
    """Lookups from related ids to records, used to render relationships and `included`."""

    person: Callable[[str], Person]
    company: Callable[[str], Company]
    workspace: Callable[[str], Workspace]


def created_phone_document(phone: Phone, directory: Directory) -> dict[str, Any]:
    """The create response, in the seed's shape: `data` is an array of one phone whose
    relationship items carry inline attributes; the first workspace item has no `id`,
    only `external_workspace_id`."""
    persons = []
    for pid in phone.persons:
        person = directory.person(pid)
        persons.append(
            {
                "type": "people",
                "id": person.id,
                "attributes": {
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "email": person.email,
                },
            }
        )
    companies = []
    for cid in phone.companies:
        company = directory.company(cid)
        companies.append(
            {
                "type": "company",
                "id": company.id,
                "attributes": {
                    "name": company.name,
                    "description": company.description,
                    "website": company.website,
                },
            }
        )
    workspaces: list[dict[str, Any]] = []
    for position, wid in enumerate(phone.workspaces):
        workspace = directory.workspace(wid)
        item: dict[str, Any] = {"type": "workspace"}
        if position == 0:
            item["external_workspace_id"] = workspace.external_workspace_id
        else:
            item["id"] = workspace.id
        item["attributes"] = {"name": workspace.name, "description": workspace.description}
        workspaces.append(item)
    return {
        "data": [
            {
                "type": "phone",
                "id": phone.id,
                "attributes": _phone_attributes(phone),
                "relationships": {
                    "persons": {"data": persons},
                    "companies": {"data": companies},
                    "workspaces": {"data": workspaces},
                },
            }
        ]
    }


def included_for(phones: Iterable[Phone], directory: Directory) -> list[dict[str, Any]]:
    """Full records of everything the phones link to, each once, in first-seen order."""
    seen: set[tuple[str, str]] = set()
    included: list[dict[str, Any]] = []
    for phone in phones:
        for kind, ids, render in (
            ("people", phone.persons, lambda i: person_resource(directory.person(i))),
            ("company", phone.companies, lambda i: company_resource(directory.company(i))),
            ("workspace", phone.workspaces, lambda i: workspace_resource(directory.workspace(i))),
        ):
            for related_id in ids:
                if (kind, related_id) not in seen:
                    seen.add((kind, related_id))
                    included.append(render(related_id))
    return included
