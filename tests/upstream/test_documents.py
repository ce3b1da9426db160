import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import phonenumbers
import pytest

from phones.upstream.documents import build_phone_document, format_timestamp
from phones.upstream.reader import parse_phones
from phones.upstream.records import CompanyRecord, PersonRecord, WorkspaceRecord

SEED_REQUEST = json.loads((Path(__file__).parent / "seed_request.json").read_text())
SEED_PHONE_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
SEED_NOW = datetime(2023, 11, 7, 5, 31, 56, tzinfo=UTC)

SEED_PERSON = PersonRecord(
    id="people1",
    first_name="John",
    last_name="Doe",
    full_name="John Doe",
    email="john.doe@example.com",
    created_at=datetime(2024, 1, 15, 10, 30, tzinfo=UTC),
    updated_at=datetime(2024, 1, 15, 10, 30, tzinfo=UTC),
)
SEED_COMPANY = CompanyRecord(
    id="company_tenant",
    name="Acme Corporation",
    description="Leading technology company",
    domain="acme.com",
    website="https://acme.com",
    locale="en",
    created_at=datetime(2023, 12, 1, 9, 0, tzinfo=UTC),
    updated_at=datetime(2023, 12, 1, 9, 0, tzinfo=UTC),
)
SEED_WORKSPACES = [
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
        id="550e8400-e29b-41d4-a716-446655440000",
        external_workspace_id="mkt_workspace_001",
        name="Marketing Team Workspace",
        description="Workspace for marketing campaigns",
        avatar_color="#4A90E2",
        auto_extract_enabled=False,
        created_at=datetime(2024, 1, 12, 14, 45, tzinfo=UTC),
        updated_at=datetime(2024, 1, 12, 14, 45, tzinfo=UTC),
    ),
]


def seed_document(**overrides):
    arguments = {
        "phone_id": SEED_PHONE_ID,
        "country_code": 1,
        "national_number": "4155552671",
        "e164_number": "+14155552671",
        "label": "work",
        "is_primary": True,
        "is_verified": True,
        "people": [SEED_PERSON],
        "companies": [SEED_COMPANY],
        "workspaces": SEED_WORKSPACES,
        "now": SEED_NOW,
    }
    return build_phone_document(**(arguments | overrides))


def test_build_phone_document_from_seed_input_equals_seed_request_except_phone_timestamps():
    now = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)

    document = seed_document(now=now)

    expected = copy.deepcopy(SEED_REQUEST)
    expected["data"]["attributes"]["created_at"] = "2026-03-04T05:06:07Z"
    expected["data"]["attributes"]["updated_at"] = "2026-03-04T05:06:07Z"
    assert document == expected


def test_build_phone_document_with_seed_time_reproduces_seed_request_exactly():
    assert seed_document() == SEED_REQUEST


def test_build_phone_document_serialises_like_the_seed_json():
    document = seed_document()

    assert json.loads(json.dumps(document)) == SEED_REQUEST
    assert list(document) == ["data", "included"]
    assert list(document["data"]) == ["type", "id", "attributes", "relationships"]
    assert list(document["data"]["relationships"]) == ["persons", "companies", "workspaces"]
    assert [item["type"] for item in document["included"]] == [
        "people",
        "company",
        "workspace",
        "workspace",
    ]


def test_build_phone_document_keeps_italian_leading_zero():
    number = phonenumbers.parse("+39 06 6982 1234")
    national = phonenumbers.national_significant_number(number)

    document = seed_document(
        country_code=number.country_code,
        national_number=national,
        e164_number=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
    )

    attributes = document["data"]["attributes"]
    assert attributes["country_code"] == 39
    assert attributes["national_number"] == "0669821234"
    assert attributes["e164_number"] == "+390669821234"
    assert '"national_number": "0669821234"' in json.dumps(document)
    assert parse_phones(document).items[0].national_number == "0669821234"


def test_build_phone_document_converts_now_to_utc_z():
    paris = timezone(timedelta(hours=2))

    document = seed_document(now=datetime(2026, 6, 1, 14, 0, 0, 999_999, tzinfo=paris))

    assert document["data"]["attributes"]["created_at"] == "2026-06-01T12:00:00Z"
    assert document["data"]["attributes"]["updated_at"] == "2026-06-01T12:00:00Z"


def test_build_phone_document_without_links_sends_empty_relationships_and_included():
    document = seed_document(people=[], companies=[], workspaces=[])

    assert document["data"]["relationships"] == {
        "persons": {"data": []},
        "companies": {"data": []},
        "workspaces": {"data": []},
    }
    assert document["included"] == []


def test_build_phone_document_accepts_uuid_phone_id():
    import uuid

    document = seed_document(phone_id=uuid.UUID(SEED_PHONE_ID))

    assert document["data"]["id"] == SEED_PHONE_ID


def test_build_phone_document_refuses_int_national_number():
    with pytest.raises(TypeError, match="national_number must be a string"):
        seed_document(national_number=4155552671)


def test_build_phone_document_refuses_e164_that_disagrees_with_parts():
    with pytest.raises(ValueError, match="e164_number must equal"):
        seed_document(e164_number="+14155550000")


def test_build_phone_document_refuses_workspace_without_wellapp_id():
    external_only = WorkspaceRecord(id=None, external_workspace_id="fygr_123")

    with pytest.raises(ValueError, match="needs its WellApp id"):
        seed_document(workspaces=[external_only])


def test_format_timestamp_refuses_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        format_timestamp(datetime(2024, 1, 1, 0, 0))
