"""The list's query string parsed once into a ListQuery: well-formed values typed, malformed
ones dropped, and bookmarks with the singular link-filter names still filtering."""

import base64
import json
import uuid
from dataclasses import replace
from datetime import date, datetime

import pytest
from django.http import QueryDict
from django.urls import reverse

from phones.list_form import PhoneFilterForm
from phones.selectors.list_query import (
    CREATED,
    DEFAULT_SORT,
    NUMBER,
    PAGE_SIZES,
    SORT_NAMED,
    SORTS,
    Cursor,
    ListQuery,
    PhoneFilters,
    Sort,
    cursor_decode,
    cursor_encode,
)
from phones.services.listing import listing_refresh
from tests.factories import BASE_TIME, make_company, make_person, make_phone, make_workspace

pytestmark = pytest.mark.django_db


def parsed(query_string: str) -> ListQuery:
    return PhoneFilterForm(QueryDict(query_string)).list_query()


def _encoded(members: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(members).encode()).decode().rstrip("=")


@pytest.fixture
def filter_records():
    """The workspaces, company and person the queries below filter by, cached."""
    make_workspace("workspace_sales", "Sales Team Workspace")
    make_workspace("ws_support", "Support Desk")
    make_company("company_tenant", "Acme Corporation")
    make_person("people1", "John Doe")


def test_an_empty_query_string_is_the_first_page_of_everything_newest_first():
    assert parsed("") == ListQuery()
    assert ListQuery() == ListQuery(
        filters=PhoneFilters(), sort=SORT_NAMED["-created"], size=25, cursor=None
    )


def test_every_parameter_parses_into_its_typed_value(filter_records):
    phone = make_phone(3)
    cursor = cursor_encode(sort=SORT_NAMED["number"], phone=phone)
    query = parsed(
        "q=John%20Doe&workspaces=workspace_sales&workspaces=ws_support&companies=company_tenant"
        "&people=people1&label=mobile&country=44&primary=yes&verified=no"
        f"&created_from=2025-01-02&created_to=2025-03-04&sort=number&size=100&cursor={cursor}"
    )
    assert query == ListQuery(
        filters=PhoneFilters(
            q="John Doe",
            workspaces=("workspace_sales", "ws_support"),
            companies=("company_tenant",),
            people=("people1",),
            label="mobile",
            country_code=44,
            is_primary=True,
            is_verified=False,
            created_from=date(2025, 1, 2),
            created_to=date(2025, 3, 4),
        ),
        sort=Sort(NUMBER, descending=False, label="Number, ascending"),
        size=100,
        cursor=Cursor(key=phone.e164_number, phone_id=phone.id),
    )


@pytest.mark.parametrize("sort", SORTS, ids=lambda sort: sort.name)
def test_every_offered_sort_parses_by_its_name_and_its_cursors_come_back(sort: Sort):
    phone = make_phone(7)
    assert parsed(f"sort={sort.name}").sort == sort
    for backwards in (False, True):
        text = cursor_encode(sort=sort, phone=phone, backwards=backwards)
        query = parsed(f"sort={sort.name}&cursor={text}")
        assert query.cursor == Cursor(
            key=getattr(phone, sort.by.attribute), phone_id=phone.id, backwards=backwards
        )


@pytest.mark.parametrize(
    ("query_string", "expected"),
    [
        ("sort=sideways", ListQuery()),
        ("sort=number&sort=bogus", ListQuery()),
        ("size=7", ListQuery()),
        ("size=1e3&label=home", ListQuery(filters=PhoneFilters(label="home"))),
        ("size=50&sort=oops", ListQuery(size=50)),
        ("country=abc&label=nope&primary=maybe", ListQuery()),
        ("created_from=never&created_to=2025-02-30", ListQuery()),
        ("workspaces=no_such_workspace&label=work", ListQuery(filters=PhoneFilters(label="work"))),
        ("q=" + "x" * 101, ListQuery()),
        ("cursor=%3Cscript%3E", ListQuery()),
        ("cursor=x&sort=updated", ListQuery(sort=SORT_NAMED["updated"])),
    ],
)
def test_a_malformed_value_is_dropped_and_the_rest_kept(query_string: str, expected: ListQuery):
    assert parsed(query_string) == expected


def test_a_cursor_is_only_read_in_the_sort_order_it_was_made_for():
    phone = make_phone(2)
    by_number = cursor_encode(sort=SORT_NAMED["number"], phone=phone)
    assert parsed(f"sort=number&cursor={by_number}").cursor is not None
    assert parsed(f"sort=-number&cursor={by_number}").cursor is None
    assert parsed(f"cursor={by_number}") == ListQuery()
    newest = cursor_encode(sort=DEFAULT_SORT, phone=phone)
    assert parsed(f"cursor={newest}").cursor == Cursor(
        key=phone.upstream_created_at, phone_id=phone.id
    )


def test_a_cursor_with_a_time_of_no_time_zone_or_a_bad_id_is_not_read():
    sort = SORT_NAMED["-created"]
    naive = datetime(2025, 1, 1, 12, 0).isoformat()
    for members in (
        ["after", "-created", naive, str(uuid.uuid4())],
        ["after", "-created", BASE_TIME.isoformat(), "not-a-uuid"],
        ["sideways", "-created", BASE_TIME.isoformat(), str(uuid.uuid4())],
        ["after", "-created", 12, str(uuid.uuid4())],
    ):
        text = _encoded(members)
        assert cursor_decode(text, sort=sort) is None, members
        assert parsed(f"cursor={text}").cursor is None


@pytest.mark.parametrize(
    ("legacy", "current"),
    [
        ("workspace=workspace_sales", "workspaces=workspace_sales"),
        ("company=company_tenant", "companies=company_tenant"),
        ("person=people1", "people=people1"),
        (
            "workspace=workspace_sales&label=home&workspaces=ws_support",
            "workspaces=workspace_sales&workspaces=ws_support&label=home",
        ),
        ("person=people1&people=people1", "people=people1&people=people1"),
    ],
)
def test_the_singular_link_filter_names_of_old_links_read_as_the_plural_ones(
    filter_records, legacy: str, current: str
):
    assert parsed(legacy) == parsed(current)
    assert parsed(legacy).filters.active
    # The query string the list's links are made from has the plural names only.
    assert PhoneFilterForm(QueryDict(legacy)).params.urlencode() == current


def test_a_list_query_is_only_made_with_a_sort_and_size_the_list_offers():
    with pytest.raises(ValueError, match="page size"):
        ListQuery(size=30)
    with pytest.raises(ValueError, match="sort order"):
        ListQuery(sort=Sort(CREATED, descending=True, label="Latest"))
    assert replace(ListQuery(), size=PAGE_SIZES[-1]).size == PAGE_SIZES[-1]


@pytest.mark.parametrize("size", PAGE_SIZES)
def test_every_offered_page_size_parses(size: int):
    assert parsed(f"size={size}").size == size


def test_the_export_of_an_old_bookmark_holds_the_same_rows(viewer_client):
    linked = make_phone(1)
    linked.workspaces.add(make_workspace("ws_other", "Other"))
    make_phone(2)
    listing_refresh(phone_ids=[linked.id])
    old = viewer_client.get(reverse("phones:export") + "?workspace=ws_other")
    new = viewer_client.get(reverse("phones:export") + "?workspaces=ws_other")
    old_rows = b"".join(old.streaming_content).decode().splitlines()
    assert old_rows == b"".join(new.streaming_content).decode().splitlines()
    assert len(old_rows) == 2 and old_rows[1].startswith("'" + linked.e164_number)
