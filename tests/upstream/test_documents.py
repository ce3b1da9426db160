"""The create request: a PhoneDraft of cached records, written in the shape of WellApp's
own example, and the draft's own checks."""

import copy
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import phonenumbers
import pytest

from phones.models import Company, Person, Workspace
from phones.upstream.documents import build_phone_document, format_timestamp
from phones.upstream.drafts import PhoneDraft
from phones.upstream.reader import parse_phones
from sandbox import records
from sandbox.seed import SEED_COMPANY, SEED_PERSON, SEED_PHONE_ID, SEED_WORKSPACES, seed_request

SEED_REQUEST = seed_request()
SEED_NOW = datetime.fromisoformat(SEED_REQUEST["data"]["attributes"]["created_at"])


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def cached_person(person: records.Person) -> Person:
    return Person(
        id=person.id,
        first_name=person.first_name,
        last_name=person.last_name,
        full_name=person.full_name,
        email=person.email,
        job_title=person.job_title,
        upstream_created_at=at(person.created_at),
        upstream_updated_at=at(person.updated_at),
    )


def cached_company(company: records.Company) -> Company:
    return Company(
        id=company.id,
        name=company.name,
        description=company.description,
        domain=company.domain,
        website=company.website,
        locale=company.locale,
        upstream_created_at=at(company.created_at),
        upstream_updated_at=at(company.updated_at),
    )


def cached_workspace(workspace: records.Workspace) -> Workspace:
    return Workspace(
        id=workspace.id,
        external_workspace_id=workspace.external_workspace_id,
        name=workspace.name,
        description=workspace.description,
        avatar_color=workspace.avatar_color,
        auto_extract_enabled=workspace.auto_extract_enabled,
        upstream_created_at=at(workspace.created_at),
        upstream_updated_at=at(workspace.updated_at),
    )


# WellApp's example records as the local directory caches them (unsaved: no database needed).
PERSON = cached_person(SEED_PERSON)
COMPANY = cached_company(SEED_COMPANY)
WORKSPACES = tuple(cached_workspace(workspace) for workspace in SEED_WORKSPACES)


def seed_draft(**overrides) -> PhoneDraft:
    fields = {
        "id": uuid.UUID(SEED_PHONE_ID),
        "country_code": 1,
        "national_number": "4155552671",
        "e164_number": "+14155552671",
        "label": "work",
        "is_primary": True,
        "is_verified": True,
        "people": (PERSON,),
        "companies": (COMPANY,),
        "workspaces": WORKSPACES,
    }
    return PhoneDraft(**(fields | overrides))


def seed_document(now: datetime = SEED_NOW, **overrides):
    return build_phone_document(seed_draft(**overrides), now=now)


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
    document = seed_document(people=(), companies=(), workspaces=())

    assert document["data"]["relationships"] == {
        "persons": {"data": []},
        "companies": {"data": []},
        "workspaces": {"data": []},
    }
    assert document["included"] == []


def test_build_phone_document_writes_the_draft_id_as_a_string():
    document = seed_document()

    assert document["data"]["id"] == SEED_PHONE_ID


def test_draft_refuses_an_id_that_is_not_a_uuid():
    with pytest.raises(TypeError, match="id must be a UUID"):
        seed_draft(id=SEED_PHONE_ID)


def test_draft_refuses_int_national_number():
    with pytest.raises(TypeError, match="national_number must be a string"):
        seed_draft(national_number=4155552671)


def test_draft_refuses_a_country_code_that_is_not_an_int():
    with pytest.raises(TypeError, match="country_code must be an int"):
        seed_draft(country_code="1", e164_number="+14155552671")
    with pytest.raises(TypeError, match="country_code must be an int"):
        seed_draft(country_code=True)


def test_draft_refuses_e164_that_disagrees_with_parts():
    with pytest.raises(ValueError, match="e164_number must equal"):
        seed_draft(e164_number="+14155550000")


def test_draft_refuses_workspace_without_wellapp_id():
    external_only = Workspace(id="", external_workspace_id="fygr_123")

    with pytest.raises(ValueError, match="needs its WellApp id"):
        seed_draft(workspaces=(external_only,))


def test_draft_refuses_links_that_are_not_tuples():
    with pytest.raises(TypeError, match="must be tuples"):
        seed_draft(people=[PERSON])


def test_draft_cannot_be_changed():
    draft = seed_draft()

    with pytest.raises(AttributeError):
        draft.label = "home"


def test_format_timestamp_refuses_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        format_timestamp(datetime(2024, 1, 1, 0, 0))
