"""POST /v1/phones validation: one rule per case, with code and details.path."""

from typing import Any

import pytest

from tests.sandbox.helpers import error_of, phone_document

Doc = dict[str, Any]
DELETE = object()
ATTR = "data.attributes"
REL = "data.relationships"

# (id, member to change, new value or DELETE, expected details.path if not that member, issue)
RULES: list[tuple[str, str, Any, str | None, str]] = [
    ("data_missing", "data", DELETE, None, "required"),
    ("data_not_object", "data", [1], None, "invalid_type"),
    ("type_missing", "data.type", DELETE, None, "required"),
    ("type_not_string", "data.type", 7, None, "invalid_type"),
    ("type_not_phone", "data.type", "phones_v2", None, "invalid_value"),
    ("id_missing", "data.id", DELETE, None, "required"),
    ("id_not_string", "data.id", 12345, None, "invalid_type"),
    ("id_not_uuid", "data.id", "phone-1", None, "invalid_format"),
    ("attributes_missing", ATTR, DELETE, None, "required"),
    ("attributes_not_object", ATTR, ["x"], None, "invalid_type"),
    ("cc_missing", f"{ATTR}.country_code", DELETE, None, "required"),
    ("cc_string", f"{ATTR}.country_code", "1", None, "invalid_type"),
    ("cc_bool", f"{ATTR}.country_code", True, None, "invalid_type"),
    ("cc_float", f"{ATTR}.country_code", 1.0, None, "invalid_type"),
    ("cc_zero", f"{ATTR}.country_code", 0, None, "invalid_value"),
    ("cc_1000", f"{ATTR}.country_code", 1000, None, "invalid_value"),
    ("nn_missing", f"{ATTR}.national_number", DELETE, None, "required"),
    ("nn_integer", f"{ATTR}.national_number", 4155552671, None, "invalid_type"),
    ("nn_punctuated", f"{ATTR}.national_number", "415-555-2671", None, "invalid_format"),
    ("nn_one_digit", f"{ATTR}.national_number", "4", None, "invalid_format"),
    ("nn_18_digits", f"{ATTR}.national_number", "1" * 18, None, "invalid_format"),
    ("nn_arabic_digits", f"{ATTR}.national_number", "٤١٥٥٥٥٢٦٧١", None, "invalid_format"),
    ("e164_missing", f"{ATTR}.e164_number", DELETE, None, "required"),
    ("e164_integer", f"{ATTR}.e164_number", 14155552671, None, "invalid_type"),
    ("e164_no_plus", f"{ATTR}.e164_number", "14155552671", None, "invalid_format"),
    ("e164_mismatch", f"{ATTR}.e164_number", "+14155552672", None, "mismatch"),
    ("label_unknown", f"{ATTR}.label", "fax", None, "invalid_value"),
    ("label_not_string", f"{ATTR}.label", 3, None, "invalid_type"),
    ("primary_string", f"{ATTR}.is_primary", "true", None, "invalid_type"),
    ("verified_integer", f"{ATTR}.is_verified", 1, None, "invalid_type"),
    ("created_not_iso", f"{ATTR}.created_at", "yesterday", None, "invalid_format"),
    ("relationships_list", REL, [], None, "invalid_type"),
    ("persons_not_object", f"{REL}.persons", [], None, "invalid_type"),
    ("persons_data_object", f"{REL}.persons.data", {}, f"{REL}.persons", "invalid_type"),
    ("persons_item_string", f"{REL}.persons.data", ["people1"], f"{REL}.persons", "invalid_type"),
    (
        "persons_item_no_id",
        f"{REL}.persons.data",
        [{"type": "people"}],
        f"{REL}.persons",
        "required",
    ),
    (
        "persons_id_integer",
        f"{REL}.persons.data",
        [{"type": "people", "id": 1}],
        f"{REL}.persons",
        "invalid_type",
    ),
    (
        "persons_wrong_type",
        f"{REL}.persons.data",
        [{"type": "company", "id": "people1"}],
        f"{REL}.persons",
        "invalid_value",
    ),
    ("companies_data_missing", f"{REL}.companies", {}, None, "invalid_type"),
    (
        "companies_wrong_type",
        f"{REL}.companies.data",
        [{"type": "people", "id": "company_tenant"}],
        f"{REL}.companies",
        "invalid_value",
    ),
    ("workspaces_data_string", f"{REL}.workspaces.data", "x", f"{REL}.workspaces", "invalid_type"),
    (
        "workspaces_id_empty",
        f"{REL}.workspaces.data",
        [{"type": "workspace", "id": ""}],
        f"{REL}.workspaces",
        "invalid_type",
    ),
]


def _change(document: Doc, member: str, value: Any) -> None:
    *parents, leaf = member.split(".")
    node = document
    for name in parents:
        node = node[name]
    if value is DELETE:
        del node[leaf]
    else:
        node[leaf] = value


@pytest.mark.parametrize(
    ("member", "value", "path", "issue"), [rule[1:] for rule in RULES], ids=[r[0] for r in RULES]
)
def test_create_rejects_invalid_document_with_code_and_details_path(
    sandbox_api, member, value, path, issue
):
    document = phone_document()
    phone_id = document["data"]["id"]
    _change(document, member, value)

    response = sandbox_api.post("/phones", document)

    assert response.status_code == 400
    assert error_of(response) == (400, "SCHEMA_VALIDATION_ERROR", path or member, issue)
    assert response.json()["title"] == "Validation Error"
    assert sandbox_api.get(f"/phones/{phone_id}").status_code == 404


def test_create_rejects_json_that_is_not_an_object(sandbox_api):
    response = sandbox_api.post("/phones", [phone_document()])

    assert error_of(response) == (400, "SCHEMA_VALIDATION_ERROR", None, "invalid_type")


@pytest.mark.parametrize(
    "body", [b"{not json", b"", b'{"data": ', b"\xff\xfe{}", b"NaN-ish"], ids=repr
)
def test_create_rejects_unparseable_body_as_invalid_json(sandbox_api, body):
    response = sandbox_api.post("/phones", data=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert error_of(response) == (400, "INVALID_JSON", None, "invalid_json")
    assert response.json()["title"] == "Invalid JSON"


@pytest.mark.parametrize(
    ("relationship", "item", "code"),
    [
        ("persons", {"type": "people", "id": "person_999999"}, "PERSON_NOT_FOUND"),
        ("companies", {"type": "company", "id": "company_nope"}, "COMPANY_NOT_FOUND"),
        ("workspaces", {"type": "workspace", "id": "workspace_nope"}, "WORKSPACE_NOT_FOUND"),
    ],
)
def test_create_with_unknown_related_id_is_404_with_relationship_path(
    sandbox_api, relationship, item, code
):
    document = phone_document()
    document["data"]["relationships"][relationship]["data"].append(item)

    response = sandbox_api.post("/phones", document)

    assert response.status_code == 404
    assert error_of(response) == (404, code, f"data.relationships.{relationship}", "not_found")
    assert sandbox_api.get(f"/phones/{document['data']['id']}").status_code == 404
