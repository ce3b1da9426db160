"""People by page number, companies and workspaces by cursor, and workspace scoping."""

from typing import Any

import pytest

from sandbox.seed import SEED_SALES
from sandbox.server import Sandbox
from tests.sandbox.helpers import Api, phones_in


def _in_sales(phone: dict[str, Any]) -> bool:
    links = phone["relationships"]["workspaces"]["data"]
    return {"type": "workspace", "id": SEED_SALES.id} in links


def test_people_paged_by_number_end_with_a_short_page(sandbox_api):
    pages = []
    page_number = 1
    while True:
        body = sandbox_api.get("/people", page=page_number, limit=37).json()
        pages.append(body)
        if len(body["data"]) < 37:
            break
        page_number += 1

    people = [person for page in pages for person in page["data"]]
    assert len(pages) == 11
    assert len(pages[-1]["data"]) == 400 - 37 * 10
    assert pages[3]["meta"] == {"total": 400, "page": 4, "limit": 37}
    assert all("links" not in page for page in pages)
    assert len({person["id"] for person in people}) == 400
    assert people[0]["id"] == "people1"
    assert people[0]["attributes"]["full_name"] == "John Doe"
    assert set(people[1]["attributes"]) == {
        "first_name",
        "last_name",
        "full_name",
        "email",
        "job_title",
        "created_at",
        "updated_at",
    }


def test_people_page_past_the_end_is_empty(sandbox_api):
    body = sandbox_api.get("/people", page=50, limit=100).json()

    assert body == {"data": [], "meta": {"total": 400, "page": 50, "limit": 100}}


@pytest.mark.parametrize(
    ("params", "path"), [({"limit": 101}, "limit"), ({"page": 0}, "page"), ({"page": "x"}, "page")]
)
def test_bad_people_paging_is_400(sandbox_api, params, path):
    response = sandbox_api.get("/people", **params)

    assert response.status_code == 400
    assert response.json()["details"]["path"] == path


@pytest.mark.parametrize(("collection", "total"), [("companies", 60), ("workspaces", 8)])
def test_directory_cursor_walk_visits_every_record_once(sandbox_api, collection, total):
    pages = sandbox_api.walk(f"/{collection}", limit=7)

    records = [record for page in pages for record in page["data"]]
    assert len(pages) == -(-total // 7)
    assert len({record["id"] for record in records}) == total
    assert {page["meta"]["total"] for page in pages} == {total}
    assert pages[-1]["links"]["next"] is None


def test_directory_attributes_include_seed_records(sandbox_api):
    companies = sandbox_api.get("/companies", limit=2).json()["data"]
    workspaces = sandbox_api.get("/workspaces", limit=200).json()["data"]

    assert companies[0] == {
        "type": "company",
        "id": "company_tenant",
        "attributes": {
            "name": "Acme Corporation",
            "description": "Leading technology company",
            "domain": "acme.com",
            "website": "https://acme.com",
            "locale": "en",
            "created_at": "2023-12-01T09:00:00Z",
            "updated_at": "2023-12-01T09:00:00Z",
        },
    }
    assert companies[1]["id"] == "company_00001"
    assert workspaces[1]["attributes"] == {
        "name": "Marketing Team Workspace",
        "description": "Workspace for marketing campaigns",
        "avatar_color": "#4A90E2",
        "external_workspace_id": "mkt_workspace_001",
        "auto_extract_enabled": False,
        "created_at": "2024-01-12T14:45:00Z",
        "updated_at": "2024-01-12T14:45:00Z",
    }
    ids = [workspace["id"] for workspace in workspaces]
    assert any(len(i) == 36 for i in ids[2:]) and any(i.startswith("workspace_") for i in ids[2:])


def test_workspace_scope_lists_only_that_workspaces_phones(sandbox_api):
    everything = phones_in(sandbox_api.walk("/phones", limit=200))
    expected = [p["id"] for p in everything if _in_sales(p)]

    pages = sandbox_api.walk("/phones", limit=37, workspaceId=SEED_SALES.id)

    assert [phone["id"] for phone in phones_in(pages)] == expected
    assert pages[0]["meta"]["total"] == len(expected) > 0


def test_filtered_walk_is_the_same_when_candidates_are_filtered_while_walking(sandbox_api):
    scoped = {"limit": 37, "workspaceId": SEED_SALES.id, "orderBy": "national_number"}
    since = {"limit": 37, "updated_since": "2025-06-01T00:00:00Z", "sort": "desc"}
    with Sandbox() as walking:
        walking.state.orders.small_view_limit = 0
        walker = Api(walking)
        walked_scoped = walker.walk("/phones", **scoped)
        walked_since = walker.walk("/phones", **since)
        walker.session.close()

    assert walked_scoped == sandbox_api.walk("/phones", **scoped)
    assert walked_since == sandbox_api.walk("/phones", **since)
    assert walked_since[0]["meta"]["total"] > 0


def test_phone_outside_the_workspace_looks_missing(sandbox_api):
    everything = phones_in(sandbox_api.walk("/phones", limit=200))
    outside = next(p for p in everything if not _in_sales(p))

    response = sandbox_api.get(f"/phones/{outside['id']}", workspaceId=SEED_SALES.id)

    assert response.status_code == 404
    assert response.json()["code"] == "PHONE_NOT_FOUND"
    assert sandbox_api.get(f"/phones/{outside['id']}").status_code == 200


@pytest.mark.parametrize("path", ["/phones", "/people", "/phones/x", "/workspaces"])
def test_unknown_workspace_id_is_403_forbidden(sandbox_api, path):
    response = sandbox_api.get(path, workspaceId="someone-elses-workspace")

    assert response.status_code == 403
    body = response.json()
    assert (body["code"], body["status"], body["title"]) == ("FORBIDDEN", 403, "Forbidden")
    assert body["details"] == {"path": "workspaceId", "issue": "forbidden"}
