"""The list's search, filters, sort and pages, on known data (SQLite and PostgreSQL)."""

import csv
import io
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from phones.selectors.list_query import (
    SORT_NAMED,
    SORTS,
    ListQuery,
    PhoneFilters,
    cursor_decode,
    cursor_encode,
)
from phones.selectors.listing import phone_export_rows, phone_page, search_terms
from phones.services.listing import listing_refresh
from tests.factories import BASE_TIME, make_company, make_person, make_phone, make_workspace

pytestmark = pytest.mark.django_db


def numbers_on(html: str) -> list[str]:
    return re.findall(r'data-e164="([^"]+)"', html)


@pytest.fixture
def known():
    """Six phones with people, companies and workspaces, and their search text indexed."""
    sales = make_workspace("workspace_sales", "Sales Team Workspace", "fygr_123")
    support = make_workspace("ws_support", "Support Desk", "sup_9")
    acme = make_company("company_tenant", "Acme Corporation", "acme.com")
    globex = make_company("globex", "Globex", "globex.example")
    john = make_person("people1", "John Doe", "john.doe@example.com")
    jane = make_person("p_jane", "Jane Roe", "jane@globex.example")
    phones = {
        "us": make_phone(1, e164_number="+14155552671", national_number="4155552671"),
        "us2": make_phone(2, e164_number="+12125550100", national_number="2125550100"),
        "gb": make_phone(
            3, e164_number="+442079460958", national_number="2079460958", country_code=44
        ),
        "it": make_phone(
            4,
            e164_number="+390612345678",
            national_number="0612345678",
            country_code=39,
            label="mobile",
            is_primary=True,
        ),
        "fr": make_phone(
            5,
            e164_number="+33142685300",
            national_number="142685300",
            country_code=33,
            is_verified=True,
        ),
        "us3": make_phone(6, e164_number="+16465550199", national_number="6465550199"),
    }
    phones["us"].people.add(john)
    phones["us"].companies.add(acme)
    phones["us"].workspaces.add(sales)
    phones["gb"].people.add(jane)
    phones["gb"].companies.add(globex)
    phones["gb"].workspaces.add(support)
    phones["it"].workspaces.add(sales)
    listing_refresh(phone_ids=[p.id for p in phones.values()])
    return phones


def found(**filters) -> set[str]:
    query = ListQuery(filters=PhoneFilters(**filters))
    return {p.e164_number for p in phone_export_rows(query=query)}


def walked(query: ListQuery) -> list:
    """The ids of every page of ``query``, following each page's next cursor."""
    seen = []
    while True:
        page = phone_page(query=query)
        seen.extend(p.id for p in page.phones)
        if not page.next_cursor:
            return seen
        query = replace(query, cursor=cursor_decode(page.next_cursor, sort=query.sort))


@pytest.mark.parametrize(
    "typed", ["(415) 555-2671", "415.555.2671", "+1 415 555 2671", "5552671", "14155552671"]
)
def test_a_number_typed_in_any_format_finds_the_same_phone(known, typed):
    assert found(q=typed) == {"+14155552671"}


def test_search_terms_keep_digits_of_numbers_and_words_of_text():
    assert search_terms("(415) 555-2671") == ["4155552671"]
    assert search_terms("  John   DOE ") == ["john", "doe"]
    assert search_terms("50% off_") == ["50", "off"]
    assert search_terms("") == []


def test_italian_leading_zero_is_searchable(known):
    assert found(q="06 1234 5678") == {"+390612345678"}


def test_name_fragment_email_company_domain_and_workspace_each_find_their_phone(known):
    assert found(q="john") == {"+14155552671"}
    assert found(q="DOE") == {"+14155552671"}
    assert found(q="jane@globex") == {"+442079460958"}
    assert found(q="acme corp") == {"+14155552671"}
    assert found(q="globex.example") == {"+442079460958"}
    assert found(q="sales team") == {"+14155552671", "+390612345678"}
    assert found(q="fygr_123") == {"+14155552671", "+390612345678"}


def test_search_has_no_false_positives(known):
    assert found(q="5559999") == set()
    assert found(q="john globex") == set()
    assert found(q="zebra") == set()


def test_filters_narrow_by_links_label_country_flags_and_dates(known):
    assert found(workspaces=["workspace_sales"]) == {"+14155552671", "+390612345678"}
    assert found(workspaces=["workspace_sales", "ws_support"]) == {
        "+14155552671",
        "+390612345678",
        "+442079460958",
    }
    assert found(companies=["globex"]) == {"+442079460958"}
    assert found(people=["people1"]) == {"+14155552671"}
    assert found(label="mobile") == {"+390612345678"}
    assert found(country_code=44) == {"+442079460958"}
    assert found(is_primary=True) == {"+390612345678"}
    assert found(is_verified=True) == {"+33142685300"}
    day = (BASE_TIME + timedelta(minutes=3)).date()
    assert len(found(created_from=day, created_to=day)) == 6
    assert found(created_from=day + timedelta(days=1)) == set()
    assert found(q="sales", label="mobile") == {"+390612345678"}


def test_deleted_phones_leave_the_list(known):
    known["us2"].deleted_at = BASE_TIME
    known["us2"].save()
    listing_refresh(phone_ids=[known["us2"].id])
    assert "+12125550100" not in found()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-created", ["us3", "fr", "it", "gb", "us2", "us"]),
        ("created", ["us", "us2", "gb", "it", "fr", "us3"]),
        ("number", ["us2", "us", "us3", "fr", "it", "gb"]),
        ("-number", ["gb", "it", "fr", "us3", "us", "us2"]),
    ],
)
def test_sort_orders_and_keyset_pages_cover_every_phone_once(known, sort, expected):
    assert walked(ListQuery(sort=SORT_NAMED[sort])) == [known[key].id for key in expected]


@pytest.mark.parametrize("sort", SORTS, ids=lambda sort: sort.name)
def test_walking_pages_in_every_sort_matches_one_big_page(sort):
    for n in range(60):
        make_phone(n)
    everything = list(phone_export_rows(query=ListQuery(sort=sort)))
    ids = [p.id for p in everything]
    assert walked(ListQuery(sort=sort)) == ids
    keys = [getattr(p, sort.by.attribute) for p in everything]
    assert keys == sorted(keys, reverse=sort.descending)


def walked_back(query: ListQuery) -> list:
    """The ids of every page of ``query`` from its last page back to its first, following
    each page's previous cursor."""
    last = walked(query)[-1]
    by_key = {p.id: p for p in phone_export_rows(query=query)}
    start = cursor_encode(sort=query.sort, phone=by_key[last], backwards=True)
    query = replace(query, cursor=cursor_decode(start, sort=query.sort))
    seen = [last]
    while True:
        page = phone_page(query=query)
        seen[:0] = [p.id for p in page.phones]
        if not page.previous_cursor:
            return seen
        query = replace(query, cursor=cursor_decode(page.previous_cursor, sort=query.sort))


@pytest.mark.parametrize("sort", SORTS, ids=lambda sort: sort.name)
def test_phones_without_creation_or_update_times_page_like_any_other(sort):
    """WellApp may leave a phone's times empty; a page that ends on such a phone still leads
    to the next one, forwards and backwards, and every phone is listed once."""
    for n in range(30):
        make_phone(n, upstream_created_at=None, upstream_updated_at=None) if n % 3 else make_phone(
            n
        )
    query = ListQuery(sort=sort)
    forwards = walked(query)
    assert len(forwards) == len(set(forwards)) == 30
    assert walked_back(query) == forwards
    undated = {p.id for p in phone_export_rows(query=query) if p.upstream_created_at is None}
    # Undated phones sort as the oldest (first oldest-first, last newest-first).
    if sort.by.key != "number":
        ends = forwards[:20] if not sort.descending else forwards[-20:]
        assert set(ends) == undated


def test_a_creation_date_filter_leaves_out_phones_without_a_creation_time():
    dated = make_phone(1)
    make_phone(2, upstream_created_at=None)
    day = BASE_TIME.date()
    assert found(created_to=day) == {dated.e164_number}
    assert found(created_from=day) == {dated.e164_number}


def test_a_cursor_starts_its_page_only_in_the_sort_it_was_made_for(known, viewer_client: Client):
    by_number = cursor_encode(sort=SORT_NAMED["number"], phone=known["us"])

    def shown(query: str) -> list[str]:
        html = viewer_client.get(reverse("phones:list") + query).content.decode()
        return numbers_on(html)

    # After +14155552671 by number come +16465550199, +33..., +39..., +44...
    assert shown(f"?sort=number&cursor={by_number}")[0] == "+16465550199"
    assert shown(f"?sort=-created&cursor={by_number}")[0] == known["us3"].e164_number
    assert shown("?sort=-created&cursor=junk")[0] == known["us3"].e164_number


def test_query_string_round_trips_into_the_page_and_its_links(known, viewer_client: Client):
    added = []
    for n in range(30):
        phone = make_phone(100 + n, label="home")
        phone.workspaces.add(known["us"].workspaces.first())
        added.append(phone.id)
    listing_refresh(phone_ids=added)
    url = reverse("phones:list") + "?label=home&workspaces=workspace_sales&sort=created&size=25"
    html = viewer_client.get(url).content.decode()
    assert len(numbers_on(html)) == 25
    assert '<option value="home" selected>Home</option>' in html
    assert '<input type="hidden" name="workspaces" value="workspace_sales">' in html
    next_link = re.search(r'<a href="([^"]+)"[^>]*rel="next"', html).group(1).replace("&amp;", "&")
    assert "label=home" in next_link and "workspaces=workspace_sales" in next_link
    assert "sort=created" in next_link and "cursor=" in next_link
    second = viewer_client.get(reverse("phones:list") + next_link).content.decode()
    assert len(numbers_on(second)) == 5
    assert set(numbers_on(second)).isdisjoint(numbers_on(html))


def test_the_filter_form_shows_the_dates_and_country_asked_for(known, viewer_client: Client):
    url = reverse("phones:list") + "?created_from=2025-01-02&created_to=never&country=44"
    html = viewer_client.get(url).content.decode()
    assert '<input type="date" name="created_from" id="id_created_from" value="2025-01-02">' in html
    # A date that does not parse is not applied; it stays in its box, escaped and marked
    # invalid, to be mended.
    assert (
        '<input type="date" name="created_to" id="id_created_to" value="never" aria-invalid="true">'
        in html
    )
    assert '<option value="44" selected>+44 United Kingdom' in html
    assert html.count(" selected>") == 1 + 3  # the country; Any for label, primary, verified
    plain = viewer_client.get(reverse("phones:list") + "?created_to=%3Cb%3E").content.decode()
    assert 'id="id_created_to" value="&lt;b&gt;" aria-invalid="true">' in plain
    assert 'id="id_created_from">' in plain


def test_no_match_offers_to_clear_the_filters(known, viewer_client: Client):
    html = viewer_client.get(reverse("phones:list") + "?q=zebra").content.decode()
    assert "No phone in the local copy matches." in html
    assert f'<a href="{reverse("phones:list")}">Clear the filters</a>' in html


def test_bad_query_values_are_ignored_not_an_error(known, viewer_client: Client):
    url = reverse("phones:list") + "?size=7&sort=sideways&country=abc&created_from=never&cursor=x"
    response = viewer_client.get(url)
    assert response.status_code == 200
    assert len(numbers_on(response.content.decode())) == 6


def test_history_restore_gets_the_whole_page(known, viewer_client: Client):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    html = viewer_client.get(reverse("phones:list") + "?q=john", headers=headers).content.decode()
    assert html.startswith("<!doctype html>")
    assert numbers_on(html) == ["+14155552671"]


def export(client: Client, query: str = "") -> list[list[str]]:
    response = client.get(reverse("phones:export") + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="wellui-phones-')
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_export_streams_the_filtered_view_with_a_header(known, viewer_client: Client):
    rows = export(viewer_client, "?workspaces=workspace_sales&sort=created")
    assert rows[0][:4] == ["E.164", "Number", "Country code", "National number"]
    assert [r[0] for r in rows[1:]] == ["'+14155552671", "'+390612345678"]
    us = rows[1]
    assert us[1] == "'+1 415-555-2671"
    assert us[3] == "4155552671"
    assert us[7:10] == ["John Doe", "Acme Corporation", "Sales Team Workspace"]
    assert rows[2][3] == "0612345678"


def test_export_neutralises_cells_that_start_like_a_formula(known, viewer_client: Client):
    known["us"].people.add(make_person("evil", '=HYPERLINK("http://x","y")', "a@b.c"))
    known["us"].companies.add(make_company("evil_c", "@SUM(1+1)", "-x.com"))
    listing_refresh(phone_ids=[known["us"].id])
    rows = export(viewer_client, "?q=5552671")
    people, companies = rows[1][7], rows[1][8]
    assert people == '\'=HYPERLINK("http://x","y"); John Doe'
    assert companies == "'@SUM(1+1); Acme Corporation"
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@"))


def test_export_walks_past_its_chunk_size(viewer_client: Client):
    for n in range(1203):
        make_phone(n)
    rows = export(viewer_client)
    assert len(rows) == 1 + 1203
    assert len({r[-1] for r in rows[1:]}) == 1203
