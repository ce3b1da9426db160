"""Creating and reading phones: the seed round trip, 409 on a repeated id, single reads."""

import time
from datetime import UTC, datetime

import pytest

from sandbox.seed import SEED_PHONE_ID, seed_response
from tests.sandbox.helpers import error_of, phone_document


def test_seed_request_sent_verbatim_is_created_in_the_seed_response_shape(sandbox_api, seed_bytes):
    expected = seed_response()
    before = int(time.time())

    response = sandbox_api.post(
        "/phones", data=seed_bytes, headers={"Content-Type": "application/json"}
    )

    body = response.json()
    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    created_at = body["data"][0]["attributes"].pop("created_at")
    del expected["data"][0]["attributes"]["created_at"]
    assert body == expected
    created = datetime.strptime(created_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert before <= created.timestamp() <= time.time()
    first_workspace = body["data"][0]["relationships"]["workspaces"]["data"][0]
    assert "id" not in first_workspace
    assert first_workspace["external_workspace_id"] == "fygr_123"


def test_seed_request_sent_twice_is_409_phone_already_exists(sandbox_api, seed_bytes):
    headers = {"Content-Type": "application/json"}
    assert sandbox_api.post("/phones", data=seed_bytes, headers=headers).status_code == 201

    response = sandbox_api.post("/phones", data=seed_bytes, headers=headers)

    assert response.status_code == 409
    assert error_of(response) == (409, "PHONE_ALREADY_EXISTS", "data.id", "already_exists")
    assert response.json()["title"] == "Conflict"


def test_seed_phone_is_not_preloaded(sandbox_api):
    response = sandbox_api.get(f"/phones/{SEED_PHONE_ID}")

    assert response.status_code == 404
    assert error_of(response)[:2] == (404, "PHONE_NOT_FOUND")


def test_created_phone_is_readable_with_updated_at_and_included_records(sandbox_api, seed_bytes):
    sandbox_api.post("/phones", data=seed_bytes, headers={"Content-Type": "application/json"})

    body = sandbox_api.get(f"/phones/{SEED_PHONE_ID}").json()

    phone = body["data"]
    assert phone["attributes"]["updated_at"] == phone["attributes"]["created_at"]
    assert phone["relationships"]["workspaces"]["data"] == [
        {"type": "workspace", "id": "workspace_sales"},
        {"type": "workspace", "id": "550e8400-e29b-41d4-a716-446655440000"},
    ]
    assert [(r["type"], r["id"]) for r in body["included"]] == [
        ("people", "people1"),
        ("company", "company_tenant"),
        ("workspace", "workspace_sales"),
        ("workspace", "550e8400-e29b-41d4-a716-446655440000"),
    ]
    assert body["included"][0]["attributes"]["full_name"] == "John Doe"
    assert body["included"][1]["attributes"]["domain"] == "acme.com"


def test_create_without_relationships_defaults_label_and_flags(sandbox_api):
    document = phone_document()
    del document["data"]["relationships"]
    del document["included"]
    for name in ("label", "is_primary", "is_verified", "created_at", "updated_at"):
        del document["data"]["attributes"][name]

    response = sandbox_api.post("/phones", document)

    phone = response.json()["data"][0]
    assert response.status_code == 201
    assert phone["relationships"] == {
        "persons": {"data": []},
        "companies": {"data": []},
        "workspaces": {"data": []},
    }
    assert (phone["attributes"]["label"], phone["attributes"]["is_primary"]) == ("other", False)
    assert phone["attributes"]["is_verified"] is False


def test_create_keeps_italian_leading_zero_in_national_number(sandbox_api):
    document = phone_document(
        country_code=39, national_number="0612345678", e164_number="+390612345678"
    )

    response = sandbox_api.post("/phones", document)

    assert response.status_code == 201
    attributes = sandbox_api.get(f"/phones/{document['data']['id']}").json()["data"]["attributes"]
    assert attributes["national_number"] == "0612345678"
    assert attributes["e164_number"] == "+390612345678"


def test_create_ignores_included_and_uses_sandbox_records(sandbox_api):
    document = phone_document()
    document["included"][0]["attributes"]["first_name"] = "Mallory"
    document["included"] = [*document["included"][:1], {"junk": True}]

    response = sandbox_api.post("/phones", document)

    person = response.json()["data"][0]["relationships"]["persons"]["data"][0]
    assert person["attributes"] == {
        "first_name": "John",
        "last_name": "Doe",
        "email": "john.doe@example.com",
    }


def test_create_normalises_uppercase_uuid_and_conflicts_case_insensitively(sandbox_api):
    document = phone_document()
    document["data"]["id"] = document["data"]["id"].upper()

    created = sandbox_api.post("/phones", document)
    repeated = sandbox_api.post("/phones", document)

    assert created.json()["data"][0]["id"] == document["data"]["id"].lower()
    assert repeated.status_code == 409


def test_create_accepts_plural_relationship_types_and_drops_duplicate_ids(sandbox_api):
    document = phone_document()
    document["data"]["relationships"]["persons"]["data"] = [
        {"type": "persons", "id": "people1"},
        {"type": "people", "id": "people1"},
        {"type": "people", "id": "person_000002"},
    ]

    response = sandbox_api.post("/phones", document)

    persons = response.json()["data"][0]["relationships"]["persons"]["data"]
    assert [person["id"] for person in persons] == ["people1", "person_000002"]


def test_deleted_phone_id_can_be_created_again(sandbox_api, sandbox, seed_bytes):
    headers = {"Content-Type": "application/json"}
    sandbox_api.post("/phones", data=seed_bytes, headers=headers)
    assert sandbox.delete_phone(SEED_PHONE_ID) is True

    response = sandbox_api.post("/phones", data=seed_bytes, headers=headers)

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("collection", "item_id", "code"),
    [
        ("phones", "00000000-0000-4000-8000-000000000000", "PHONE_NOT_FOUND"),
        ("phones", "not-a-uuid", "PHONE_NOT_FOUND"),
        ("people", "person_999999", "PERSON_NOT_FOUND"),
        ("companies", "company_99999", "COMPANY_NOT_FOUND"),
        ("workspaces", "workspace_nope", "WORKSPACE_NOT_FOUND"),
    ],
)
def test_get_unknown_record_is_404_resource_not_found(sandbox_api, collection, item_id, code):
    response = sandbox_api.get(f"/{collection}/{item_id}")

    assert response.status_code == 404
    assert error_of(response) == (404, code, None, "not_found")


def test_get_generated_phone_matches_its_listing_entry(sandbox_api):
    listed = sandbox_api.get("/phones", limit=5).json()
    phone = listed["data"][3]

    response = sandbox_api.get(f"/phones/{phone['id']}")

    body = response.json()
    assert response.status_code == 200
    assert body["data"] == phone
    linked = {
        (item["type"], item["id"])
        for relationship in phone["relationships"].values()
        for item in relationship["data"]
    }
    assert {(record["type"], record["id"]) for record in body["included"]} == linked


@pytest.mark.parametrize(
    ("collection", "item_id", "attribute", "value"),
    [
        ("people", "people1", "email", "john.doe@example.com"),
        ("companies", "company_tenant", "website", "https://acme.com"),
        ("workspaces", "workspace_sales", "external_workspace_id", "fygr_123"),
        (
            "workspaces",
            "550e8400-e29b-41d4-a716-446655440000",
            "external_workspace_id",
            "mkt_workspace_001",
        ),
    ],
)
def test_seed_directory_records_are_readable(sandbox_api, collection, item_id, attribute, value):
    body = sandbox_api.get(f"/{collection}/{item_id}").json()

    assert body["data"]["id"] == item_id
    assert body["data"]["attributes"][attribute] == value
