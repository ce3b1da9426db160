import copy
import json
from datetime import UTC, datetime

import pytest

from phones.upstream.coerce import parse_timestamp
from phones.upstream.errors import BadResponse, ErrorInfo, parse_error
from phones.upstream.reader import parse_companies, parse_people, parse_phones, parse_workspaces
from phones.upstream.records import (
    CompanyRecord,
    Page,
    PersonRecord,
    PhoneRecord,
    WorkspaceRecord,
    WorkspaceRef,
)
from sandbox.seed import SEED_MARKETING, SEED_PHONE_ID, seed_request, seed_response

SEED_REQUEST = seed_request()
SEED_RESPONSE = seed_response()
SEED_CREATED = datetime(2023, 11, 7, 5, 31, 56, tzinfo=UTC)

# What the seed's create response says: inline relationship attributes, and the sales
# workspace known only by its external id.
EXPECTED_FROM_RESPONSE = Page(
    items=[
        PhoneRecord(
            id=SEED_PHONE_ID,
            country_code=1,
            national_number="4155552671",
            e164_number="+14155552671",
            label="work",
            is_primary=True,
            is_verified=True,
            created_at=SEED_CREATED,
            updated_at=None,
            person_ids=["people1"],
            company_ids=["company_tenant"],
            workspaces=[
                WorkspaceRef(id=None, external_id="fygr_123"),
                WorkspaceRef(id=SEED_MARKETING.id, external_id=None),
            ],
        )
    ],
    people=[
        PersonRecord(
            id="people1",
            first_name="John",
            last_name="Doe",
            full_name="John Doe",
            email="john.doe@example.com",
        )
    ],
    companies=[
        CompanyRecord(
            id="company_tenant",
            name="Acme Corporation",
            description="Leading technology company",
            website="https://acme.com",
        )
    ],
    workspaces=[
        WorkspaceRecord(
            id=None,
            external_workspace_id="fygr_123",
            name="Sales Team Workspace",
            description="Workspace for sales activities",
        ),
        WorkspaceRecord(
            id=SEED_MARKETING.id,
            name="Marketing Team Workspace",
            description="Workspace for marketing campaigns",
        ),
    ],
)

# What the seed's request document says (relationships by id, records side-loaded).
EXPECTED_FROM_REQUEST = Page(
    items=[
        PhoneRecord(
            id=SEED_PHONE_ID,
            country_code=1,
            national_number="4155552671",
            e164_number="+14155552671",
            label="work",
            is_primary=True,
            is_verified=True,
            created_at=SEED_CREATED,
            updated_at=SEED_CREATED,
            person_ids=["people1"],
            company_ids=["company_tenant"],
            workspaces=[
                WorkspaceRef(id="workspace_sales", external_id="fygr_123"),
                WorkspaceRef(id=SEED_MARKETING.id, external_id="mkt_workspace_001"),
            ],
        )
    ],
    people=[
        PersonRecord(
            id="people1",
            first_name="John",
            last_name="Doe",
            full_name="John Doe",
            created_at=datetime(2024, 1, 15, 10, 30, tzinfo=UTC),
            updated_at=datetime(2024, 1, 15, 10, 30, tzinfo=UTC),
        )
    ],
    companies=[
        CompanyRecord(
            id="company_tenant",
            name="Acme Corporation",
            description="Leading technology company",
            domain="acme.com",
            locale="en",
            created_at=datetime(2023, 12, 1, 9, 0, tzinfo=UTC),
            updated_at=datetime(2023, 12, 1, 9, 0, tzinfo=UTC),
        )
    ],
    workspaces=[
        WorkspaceRecord(
            id="workspace_sales",
            external_workspace_id="fygr_123",
            name="Sales Team Workspace",
            description="Workspace for sales activities",
            avatar_color="#FF6B35",
            auto_extract_enabled=True,
            created_at=datetime(2024, 1, 10, 8, 15, tzinfo=UTC),
            updated_at=datetime(2024, 1, 10, 8, 15, tzinfo=UTC),
        ),
        WorkspaceRecord(
            id=SEED_MARKETING.id,
            external_workspace_id="mkt_workspace_001",
            name="Marketing Team Workspace",
            description="Workspace for marketing campaigns",
            avatar_color="#4A90E2",
            auto_extract_enabled=False,
            created_at=datetime(2024, 1, 12, 14, 45, tzinfo=UTC),
            updated_at=datetime(2024, 1, 12, 14, 45, tzinfo=UTC),
        ),
    ],
)

PLURAL = {"phone": "phones", "people": "persons", "company": "companies", "workspace": "workspaces"}


def _retype(node, names):
    if isinstance(node, dict):
        return {
            key: names.get(value, value) if key == "type" else _retype(value, names)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_retype(item, names) for item in node]
    return node


# Variants of the seed response.


def response_as_is():
    return copy.deepcopy(SEED_RESPONSE)


def response_with_data_object():
    return {"data": copy.deepcopy(SEED_RESPONSE["data"][0])}


def response_without_data_wrapper():
    return copy.deepcopy(SEED_RESPONSE["data"][0])


def response_with_plural_types():
    return _retype(SEED_RESPONSE, PLURAL)


def response_with_singular_person_type():
    return _retype(SEED_RESPONSE, {"people": "person"})


def response_as_json_bytes():
    return json.dumps(SEED_RESPONSE).encode()


@pytest.mark.parametrize(
    "variant",
    [
        response_as_is,
        response_with_data_object,
        response_without_data_wrapper,
        response_with_plural_types,
        response_with_singular_person_type,
        response_as_json_bytes,
    ],
)
def test_seed_response_variants_parse_to_the_same_records(variant):
    assert parse_phones(variant()) == EXPECTED_FROM_RESPONSE


# Variants of the seed request document (the shape of a GET with side-loaded records).


def request_as_is():
    return copy.deepcopy(SEED_REQUEST)


def request_with_data_array():
    body = copy.deepcopy(SEED_REQUEST)
    body["data"] = [body["data"]]
    return body


def request_with_included_keyed_by_relation():
    body = copy.deepcopy(SEED_REQUEST)
    included = body.pop("included")
    body["included"] = {
        "persons": [item for item in included if item["type"] == "people"],
        "companies": next(item for item in included if item["type"] == "company"),
        "workspaces": [item for item in included if item["type"] == "workspace"],
    }
    return body


def request_with_included_keyed_and_untyped():
    body = request_with_included_keyed_by_relation()
    for group in body["included"].values():
        for item in group if isinstance(group, list) else [group]:
            del item["type"]
    return body


def request_with_plural_types():
    return _retype(SEED_REQUEST, PLURAL)


def request_with_inline_relationship_attributes():
    body = copy.deepcopy(SEED_REQUEST)
    by_id = {item["id"]: item["attributes"] for item in body.pop("included")}
    for relationship in body["data"]["relationships"].values():
        for item in relationship["data"]:
            item["attributes"] = by_id[item["id"]]
    return body


def request_with_workspace_known_only_by_external_id():
    body = copy.deepcopy(SEED_REQUEST)
    body["data"]["relationships"]["workspaces"]["data"][0] = {
        "type": "workspace",
        "external_workspace_id": "fygr_123",
    }
    return body


def request_with_phone_links_as_pivots():
    body = copy.deepcopy(SEED_REQUEST)
    attributes = body["data"]["attributes"]
    flags = {
        "label": attributes.pop("label"),
        "is_primary": attributes.pop("is_primary"),
        "is_verify": attributes.pop("is_verified"),
    }
    relationships = body["data"]["relationships"]
    del relationships["persons"], relationships["companies"]
    relationships["person_phones"] = {
        "data": [
            {
                "type": "person_phones",
                "id": "pp_1",
                "attributes": {"person_id": "people1", "phone_id": SEED_PHONE_ID, **flags},
            }
        ]
    }
    relationships["company_phones"] = {
        "data": [
            {
                "type": "company_phones",
                "id": "cp_1",
                "attributes": {"company_id": "company_tenant", "phone_id": SEED_PHONE_ID, **flags},
            }
        ]
    }
    return body


def request_with_pivots_side_loaded():
    body = request_with_phone_links_as_pivots()
    relationships = body["data"]["relationships"]
    for name in ("person_phones", "company_phones"):
        pivot = relationships.pop(name)["data"][0]
        body["included"].append(pivot)
    return body


def request_without_data_wrapper():
    body = copy.deepcopy(SEED_REQUEST)
    return {**body["data"], "included": body["included"]}


def request_wrapped_by_type_name():
    body = copy.deepcopy(SEED_REQUEST)
    return {"phones": [body["data"]], "included": body["included"]}


def request_with_flat_phone_attributes():
    body = copy.deepcopy(SEED_REQUEST)
    phone = body["data"]
    body["data"] = {"type": "phone", "id": phone["id"], **phone["attributes"]}
    body["data"]["relationships"] = phone["relationships"]
    return body


@pytest.mark.parametrize(
    "variant",
    [
        request_as_is,
        request_with_data_array,
        request_with_included_keyed_by_relation,
        request_with_included_keyed_and_untyped,
        request_with_plural_types,
        request_with_inline_relationship_attributes,
        request_with_workspace_known_only_by_external_id,
        request_with_phone_links_as_pivots,
        request_with_pivots_side_loaded,
        request_without_data_wrapper,
        request_wrapped_by_type_name,
        request_with_flat_phone_attributes,
    ],
)
def test_seed_request_shaped_variants_parse_to_the_same_records(variant):
    assert parse_phones(variant()) == EXPECTED_FROM_REQUEST


def test_seed_request_and_response_describe_the_same_phone():
    from_request = parse_phones(SEED_REQUEST).items[0]
    from_response = parse_phones(SEED_RESPONSE).items[0]

    for field in (
        "id",
        "country_code",
        "national_number",
        "e164_number",
        "label",
        "is_primary",
        "is_verified",
        "created_at",
        "person_ids",
        "company_ids",
    ):
        assert getattr(from_request, field) == getattr(from_response, field)


def test_parsed_phone_keeps_the_raw_resource():
    phone = parse_phones(SEED_RESPONSE).items[0]

    assert phone.raw == SEED_RESPONSE["data"][0]


def test_listing_page_reads_total_and_next_cursor():
    body = copy.deepcopy(SEED_REQUEST)
    body["data"] = [body["data"]]
    body["meta"] = {"total": 1000, "count": 1}
    body["links"] = {"next": "eyJ2IjoxfQ=="}

    page = parse_phones(body)

    assert page.total == 1000
    assert page.next_cursor == "eyJ2IjoxfQ=="
    assert page.items == EXPECTED_FROM_REQUEST.items


def test_last_listing_page_has_no_next_cursor():
    page = parse_phones({"data": [], "included": [], "meta": {"total": 0}, "links": {"next": None}})

    assert page == Page(items=[], total=0, next_cursor=None)


def test_unknown_attributes_are_ignored_and_missing_optional_ones_default():
    body = {
        "data": {
            "type": "phone",
            "id": "p-1",
            "attributes": {"e164_number": "+442079460123", "colour": "blue", "score": 7},
        }
    }

    assert parse_phones(body).items == [
        PhoneRecord(
            id="p-1",
            country_code=44,
            national_number="2079460123",
            e164_number="+442079460123",
            label="other",
            is_primary=False,
            is_verified=False,
            created_at=None,
            updated_at=None,
        )
    ]


def test_national_number_sent_as_int_recovers_leading_zero_from_e164():
    body = {
        "data": {
            "type": "phone",
            "id": "p-it",
            "attributes": {
                "country_code": "+39",
                "national_number": 669821234,
                "e164_number": "+390669821234",
            },
        }
    }

    phone = parse_phones(body).items[0]

    assert (phone.country_code, phone.national_number) == (39, "0669821234")


def test_e164_is_derived_when_missing():
    body = {"data": {"id": "p-2", "attributes": {"country_code": 33, "national_number": "142"}}}

    assert parse_phones(body).items[0].e164_number == "+33142"


@pytest.mark.parametrize(
    "value",
    [
        "2024-01-15T10:30:00Z",
        "2024-01-15T10:30:00.000Z",
        "2024-01-15T12:30:00+02:00",
        "2024-01-15T05:30:00-05:00",
        "2024-01-15T10:30:00",
        1705314600,
    ],
)
def test_timestamps_parse_to_aware_utc(value):
    parsed = parse_timestamp(value)

    assert parsed == datetime(2024, 1, 15, 10, 30, tzinfo=UTC)
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize("value", [None, "", "yesterday", True, {}])
def test_missing_or_unreadable_timestamps_are_none(value):
    assert parse_timestamp(value) is None


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b"<html>Bad gateway</html>",
        b'{"data": [',
        {"result": "ok"},
        42,
        "null",
        {"data": "phone"},
        {"data": [1, 2]},
        {"data": [{"type": "phone", "attributes": {"e164_number": "+14155552671"}}]},
        {"data": [{"type": "phone", "id": "p", "attributes": {"label": "work"}}]},
        {"data": [{"type": "people", "id": "people1", "attributes": {}}]},
    ],
    ids=[
        "empty",
        "blank",
        "html",
        "truncated-json",
        "unexpected-shape",
        "number",
        "json-null",
        "data-is-a-string",
        "data-items-not-objects",
        "phone-without-id",
        "phone-without-number",
        "person-in-phone-listing",
    ],
)
def test_garbage_raises_bad_response(body):
    with pytest.raises(BadResponse):
        parse_phones(body)


def test_people_listing_parses_people():
    body = {
        "data": [
            {
                "type": "people",
                "id": "people1",
                "attributes": {
                    "first_name": "John",
                    "last_name": "Doe",
                    "full_name": "John Doe",
                    "email": "john.doe@example.com",
                    "job_title": "CTO",
                    "created_at": "2024-01-15T10:30:00Z",
                    "updated_at": "2024-01-16T10:30:00Z",
                },
            },
            {"type": "persons", "id": "person_000002", "attributes": {"first_name": "Ada"}},
        ],
        "meta": {"total": 2, "page": 1, "limit": 50},
    }

    page = parse_people(body)

    expected = [
        PersonRecord(
            id="people1",
            first_name="John",
            last_name="Doe",
            full_name="John Doe",
            email="john.doe@example.com",
            job_title="CTO",
            created_at=datetime(2024, 1, 15, 10, 30, tzinfo=UTC),
            updated_at=datetime(2024, 1, 16, 10, 30, tzinfo=UTC),
        ),
        PersonRecord(id="person_000002", first_name="Ada", full_name="Ada"),
    ]
    assert page == Page(items=expected, people=expected, total=2)


def test_company_listing_reads_domain_from_either_attribute():
    body = {
        "data": [
            {"type": "company", "id": "c1", "attributes": {"name": "A", "domain": "a.com"}},
            {
                "type": "companies",
                "id": "c2",
                "attributes": {"name": "B", "domain_name_primary_link_url": "b.com"},
            },
        ],
        "links": {"next": "Yz0y"},
    }

    page = parse_companies(body)

    assert [(c.id, c.domain) for c in page.items] == [("c1", "a.com"), ("c2", "b.com")]
    assert page.companies == page.items
    assert page.next_cursor == "Yz0y"


def test_workspace_listing_accepts_workspace_known_only_by_external_id():
    body = {
        "data": [
            {"type": "workspace", "id": "workspace_sales", "attributes": {"name": "Sales"}},
            {"type": "workspace", "external_workspace_id": "ext_9", "attributes": {"name": "X"}},
        ]
    }

    assert parse_workspaces(body).items == [
        WorkspaceRecord(id="workspace_sales", name="Sales"),
        WorkspaceRecord(id=None, external_workspace_id="ext_9", name="X"),
    ]


def test_directory_record_without_id_raises_bad_response():
    with pytest.raises(BadResponse):
        parse_people({"data": [{"type": "people", "attributes": {"first_name": "Nobody"}}]})


def test_error_body_with_trace_id_and_log_id_reads_trace_id():
    body = {
        "code": "SCHEMA_VALIDATION_ERROR",
        "status": 400,
        "title": "Validation Error",
        "message": "data.attributes.national_number is required",
        "details": {"path": "data.attributes.national_number", "issue": "required"},
        "meta": {"trace_id": "a1b2c3", "log_id": "ffff00"},
    }

    assert parse_error(body) == ErrorInfo(
        code="SCHEMA_VALIDATION_ERROR",
        status=400,
        title="Validation Error",
        message="data.attributes.national_number is required",
        path="data.attributes.national_number",
        issue="required",
        trace_id="a1b2c3",
    )


def test_error_body_with_log_id_only_reads_log_id_as_trace_id():
    body = {"code": "UNAUTHORIZED", "status": 401, "message": "nope", "meta": {"log_id": "9f9f"}}

    assert parse_error(json.dumps(body).encode()).trace_id == "9f9f"


def test_error_body_in_json_api_errors_array_is_read():
    body = {
        "errors": [
            {
                "code": "PHONE_ALREADY_EXISTS",
                "status": "409",
                "detail": "Phone exists",
                "source": {"pointer": "/data/id"},
                "meta": {"trace_id": "abc"},
            }
        ]
    }

    assert parse_error(body) == ErrorInfo(
        code="PHONE_ALREADY_EXISTS",
        status=409,
        message="Phone exists",
        path="data.id",
        trace_id="abc",
    )


@pytest.mark.parametrize("body", [b"", b"<html>Bad gateway</html>", b"[]", b'{"data": ['])
def test_unreadable_error_body_gives_empty_error_info(body):
    assert parse_error(body) == ErrorInfo()


def test_attributes_a_partial_record_did_not_send_are_none_not_empty():
    page = parse_phones(SEED_RESPONSE)

    assert (page.people[0].job_title, page.people[0].created_at) == (None, None)
    assert (page.companies[0].domain, page.companies[0].locale) == (None, None)
    assert (page.workspaces[0].avatar_color, page.workspaces[0].auto_extract_enabled) == (
        None,
        None,
    )


def test_explicit_empty_strings_and_false_are_kept():
    body = {
        "data": [
            {
                "type": "workspaces",
                "id": "w1",
                "attributes": {"name": "W", "description": "", "auto_extract_enabled": False},
            }
        ]
    }

    assert parse_workspaces(body).items == [
        WorkspaceRecord(id="w1", name="W", description="", auto_extract_enabled=False)
    ]
