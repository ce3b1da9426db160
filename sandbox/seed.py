"""WellApp's own example of creating a phone, as its documentation gives it: the request in
`seed_request.json` and the answer in `seed_response.json`, the one copy of both.

The sandbox's fixed records (John Doe, Acme Corporation and the two workspaces) are read from
them, so WellApp's example request is answered 201 and the same request again 409.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sandbox.records import Company, Person, Workspace, epoch

SEED_REQUEST_PATH = Path(__file__).with_name("seed_request.json")
SEED_RESPONSE_PATH = Path(__file__).with_name("seed_response.json")
# WellApp's example does not give John Doe a job title; the sandbox gives him one.
SEED_JOB_TITLE = "Account Executive"


def seed_request_bytes() -> bytes:
    """The example request exactly as stored, to send verbatim."""
    return SEED_REQUEST_PATH.read_bytes()


def seed_request() -> dict[str, Any]:
    """A fresh copy of the example request (the caller may change it)."""
    return json.loads(seed_request_bytes())


def seed_response() -> dict[str, Any]:
    """A fresh copy of the example answer."""
    return json.loads(SEED_RESPONSE_PATH.read_bytes())


def _ts(text: str) -> int:
    return epoch(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC))


def _included(request: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [record for record in request["included"] if record["type"] == kind]


def _answered(response: dict[str, Any], relationship: str, record_id: str) -> dict[str, Any]:
    """The attributes the example answer gives a linked record."""
    for phone in response["data"]:
        for record in phone["relationships"][relationship]["data"]:
            if record.get("id") == record_id:
                return record["attributes"]
    raise KeyError(record_id)


def _seed_records() -> tuple[Person, Company, tuple[Workspace, ...]]:
    request, response = seed_request(), seed_response()
    (person,) = _included(request, "people")
    (company,) = _included(request, "company")
    about, details = person["attributes"], company["attributes"]
    return (
        Person(
            id=person["id"],
            first_name=about["first_name"],
            last_name=about["last_name"],
            email=_answered(response, "persons", person["id"])["email"],
            job_title=SEED_JOB_TITLE,
            created_at=_ts(about["created_at"]),
            updated_at=_ts(about["updated_at"]),
        ),
        Company(
            id=company["id"],
            name=details["name"],
            description=details["description"],
            domain=details["domain_name_primary_link_url"],
            website=_answered(response, "companies", company["id"])["website"],
            locale=details["locale"],
            created_at=_ts(details["created_at"]),
            updated_at=_ts(details["updated_at"]),
        ),
        tuple(
            Workspace(
                id=workspace["id"],
                name=workspace["attributes"]["name"],
                description=workspace["attributes"]["description"],
                avatar_color=workspace["attributes"]["avatar_color"],
                external_workspace_id=workspace["attributes"]["external_workspace_id"],
                auto_extract_enabled=workspace["attributes"]["auto_extract_enabled"],
                created_at=_ts(workspace["attributes"]["created_at"]),
                updated_at=_ts(workspace["attributes"]["updated_at"]),
            )
            for workspace in _included(request, "workspace")
        ),
    )


SEED_PERSON, SEED_COMPANY, SEED_WORKSPACES = _seed_records()
# The example's two workspaces: Sales, which its answer names by external id only, and
# Marketing.
SEED_SALES, SEED_MARKETING = SEED_WORKSPACES
SEED_PHONE_ID: str = seed_request()["data"]["id"]
