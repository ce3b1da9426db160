"""Cache upserts: write only what differs, resolve links, keep pages whole."""

from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from phones.models import Person, Phone, PhoneWorkspace
from phones.selectors.list_query import ListQuery, PhoneFilters
from phones.selectors.listing import phone_count, phone_count_adjust, phone_export_rows, phone_page
from phones.services.cache import directory_upsert, phones_upsert
from phones.upstream.records import PersonRecord, PhoneRecord, WorkspaceRecord, WorkspaceRef
from sandbox.seed import SEED_PHONE_ID

pytestmark = pytest.mark.django_db

STAMP = datetime(2023, 11, 7, 5, 31, 56, tzinfo=UTC)


def seed_phone(**overrides) -> PhoneRecord:
    values = {
        "id": SEED_PHONE_ID,
        "country_code": 1,
        "national_number": "4155552671",
        "e164_number": "+14155552671",
        "label": "work",
        "is_primary": True,
        "is_verified": True,
        "created_at": STAMP,
        "updated_at": STAMP,
        "person_ids": ["people1"],
        "company_ids": [],
        "workspaces": [WorkspaceRef(id=None, external_id="fygr_123")],
    }
    values.update(overrides)
    return PhoneRecord(**values)


@pytest.fixture
def upserted_directory():
    """John Doe and the two example workspaces, written by directory_upsert."""
    directory_upsert(
        people=[PersonRecord(id="people1", first_name="John", last_name="Doe", full_name="")],
        workspaces=[
            WorkspaceRecord(id="workspace_sales", external_workspace_id="fygr_123", name="Sales"),
            WorkspaceRecord(id="550e8400-e29b-41d4-a716-446655440000", name="Marketing"),
        ],
    )


def test_directory_upsert_writes_new_rows_then_nothing_on_the_same_input(upserted_directory):
    again = directory_upsert(
        people=[PersonRecord(id="people1", first_name="John", last_name="Doe", full_name="")]
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_person_without_a_full_name_gets_one_from_first_and_last(upserted_directory):
    assert Person.objects.get(id="people1").full_name == "John Doe"


def test_directory_upsert_changes_only_what_differs(upserted_directory):
    counts = directory_upsert(
        people=[
            PersonRecord(id="people1", first_name="Johnny", last_name="Doe", full_name=""),
            PersonRecord(id="people2", first_name="Ann", last_name="Lee", full_name="Ann Lee"),
        ]
    )
    assert (counts.created, counts.updated, counts.unchanged) == (1, 1, 0)
    assert Person.objects.get(id="people1").full_name == "Johnny Doe"


def test_phone_links_a_workspace_known_only_by_its_external_id(upserted_directory):
    phones_upsert(phones=[seed_phone()], fetched_at=timezone.now())
    phone = Phone.objects.get()
    assert list(phone.workspaces.values_list("id", flat=True)) == ["workspace_sales"]
    assert list(phone.people.values_list("id", flat=True)) == ["people1"]


def test_phone_upsert_is_a_no_op_on_the_same_record(upserted_directory):
    first_fetch = timezone.now()
    phones_upsert(phones=[seed_phone()], fetched_at=first_fetch)
    counts = phones_upsert(phones=[seed_phone()], fetched_at=timezone.now())
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 1)
    assert Phone.objects.get().fetched_at == first_fetch


def test_a_changed_link_alone_counts_as_an_update(upserted_directory):
    phones_upsert(phones=[seed_phone()], fetched_at=timezone.now())
    moved = seed_phone(workspaces=[WorkspaceRef(id="550e8400-e29b-41d4-a716-446655440000")])
    counts = phones_upsert(phones=[moved], fetched_at=timezone.now())
    assert (counts.created, counts.updated) == (0, 1)
    assert list(PhoneWorkspace.objects.values_list("workspace_id", flat=True)) == [
        "550e8400-e29b-41d4-a716-446655440000"
    ]


def test_links_to_records_missing_from_the_cache_are_left_out(upserted_directory, caplog):
    phones_upsert(phones=[seed_phone(person_ids=["people1", "ghost"])], fetched_at=timezone.now())
    assert list(Phone.objects.get().people.values_list("id", flat=True)) == ["people1"]
    assert "1 phone links name records that are not in the local copy" in caplog.text


def test_phone_with_a_non_uuid_id_is_skipped_not_fatal(upserted_directory):
    counts = phones_upsert(phones=[seed_phone(id="not-a-uuid")], fetched_at=timezone.now())
    assert counts.written == 0
    assert Phone.objects.count() == 0


def test_the_list_follows_a_moved_link_and_a_renamed_record(upserted_directory):
    marketing = "550e8400-e29b-41d4-a716-446655440000"
    phones_upsert(phones=[seed_phone()], fetched_at=timezone.now())
    moved = seed_phone(workspaces=[WorkspaceRef(id=marketing)])
    phones_upsert(phones=[moved], fetched_at=timezone.now())
    assert listed(workspaces=("workspace_sales",)) == []
    assert listed(workspaces=(marketing,)) == ["+14155552671"]
    directory_upsert(
        people=[PersonRecord(id="people1", first_name="Jon", last_name="Dough", full_name="")]
    )
    assert listed(q="dough") == ["+14155552671"]
    assert listed(q="john doe") == []


def test_the_tables_names_follow_a_renamed_record_and_a_moved_link(upserted_directory):
    marketing = "550e8400-e29b-41d4-a716-446655440000"
    phones_upsert(phones=[seed_phone()], fetched_at=timezone.now())
    assert shown() == (["John Doe"], [], ["Sales"])
    directory_upsert(
        people=[
            PersonRecord(id="people1", first_name="Jon", last_name="Dough", full_name=""),
            PersonRecord(id="people0", first_name="", last_name="", full_name="Ann Lee"),
        ]
    )
    moved = seed_phone(
        person_ids=["people1", "people0"],
        workspaces=[WorkspaceRef(id=marketing), WorkspaceRef(id="workspace_sales")],
    )
    phones_upsert(phones=[moved], fetched_at=timezone.now())
    # Each kind in its own list's order: people by full name, workspaces by name.
    assert shown() == (["Ann Lee", "Jon Dough"], [], ["Marketing", "Sales"])


def test_a_new_phone_is_counted_without_counting_every_phone_again(upserted_directory):
    cache.clear()
    assert phone_count() == 0
    phones_upsert(phones=[seed_phone()], fetched_at=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        assert phone_count() == 1
    assert queries.captured_queries == []
    phone_count_adjust(-1)
    assert phone_count() == 0
    # Not counted yet: nothing to adjust, and the next read counts.
    cache.clear()
    phone_count_adjust(5)
    assert phone_count() == 1


def shown() -> tuple[list[str], list[str], list[str]]:
    """The names the list's table shows for its only phone."""
    (row,) = phone_page(query=ListQuery()).phones
    return row.people_list, row.company_list, row.workspace_list


def listed(**filters) -> list[str]:
    query = ListQuery(filters=PhoneFilters(**filters))
    return [p.e164_number for p in phone_export_rows(query=query)]
