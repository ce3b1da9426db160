"""The list's planner: walking the sort index and driving from an index give the same pages,
and both give what a plain reading of the filters says (SQLite and PostgreSQL)."""

import random
import uuid
import warnings
from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from phones.models import PhoneListing, PhoneListingLink
from phones.selectors.list_query import SORTS, ListQuery, PhoneFilters
from phones.selectors.listing import phone_export_rows, search_terms
from phones.selectors.listing_plan import listing_ids, listing_plan
from phones.selectors.listing_sql import ListingQuery
from phones.services.listing import listing_refresh
from tests.factories import BASE_TIME, make_company, make_person, make_phone, make_workspace

pytestmark = pytest.mark.django_db

SURNAMES = ["garcia"] * 8 + ["smith"] * 4 + ["müller", "øberg", "nakamura", "o'neil"]
FIRST = ["maria", "john", "ana", "li", "jo"]
# Every (listing column, descending) the list sorts by.
ORDERS = [(sort.by.column, sort.descending) for sort in SORTS]


@pytest.fixture
def indexed_phones():
    """240 phones with skewed surnames, shared timestamps and a few deleted, indexed."""
    rng = random.Random(7)
    workspaces = [make_workspace(f"ws{k}", f"Team {k}", f"ext_{k}") for k in range(6)]
    companies = [make_company(f"co{k}", f"Company {k}", f"c{k}.example") for k in range(5)]
    people = [
        make_person(f"p{k}", f"{rng.choice(FIRST).title()} {rng.choice(SURNAMES).title()}")
        for k in range(40)
    ]
    phones = []
    for n in range(240):
        # Every third phone shares its creation time with another: ties go by id.
        created = BASE_TIME + timedelta(minutes=n - n % 3)
        phone = make_phone(
            n,
            created_at=created,
            label=rng.choice(["work", "mobile", "home", ""]),
            is_primary=rng.random() < 0.3,
            is_verified=rng.random() < 0.5,
            country_code=rng.choice([1, 1, 44]),
            upstream_updated_at=created + timedelta(minutes=rng.randrange(0, 50)),
            deleted_at=BASE_TIME if n % 41 == 0 else None,
        )
        phone.people.add(*rng.sample(people, rng.choice([0, 1, 1, 2])))
        phone.companies.add(*rng.sample(companies, rng.choice([0, 1])))
        phone.workspaces.add(*rng.sample(workspaces, rng.choice([1, 1, 2])))
        phones.append(phone)
    listing_refresh(phone_ids=[p.id for p in phones])
    return phones


def expected(query: ListingQuery) -> list[uuid.UUID]:
    """The query read plainly: every listing row tested in Python, then sorted."""
    rows = []
    for row in PhoneListing.objects.select_related("phone").prefetch_related(
        "phone__workspaces", "phone__companies", "phone__people"
    ):
        if any(term not in row.text for term in query.terms):
            continue
        linked = {
            "workspaces": {w.pk for w in row.phone.workspaces.all()},
            "companies": {c.pk for c in row.phone.companies.all()},
            "people": {p.pk for p in row.phone.people.all()},
        }
        if any(not linked[kind] & set(ids) for kind, ids in query.links):
            continue
        if any(getattr(row, column) != value for column, value in query.equals):
            continue
        if query.created_from is not None and row.created_at < query.created_from:
            continue
        if query.created_before is not None and row.created_at >= query.created_before:
            continue
        rows.append(((getattr(row, query.column), row.phone_id.int), row.phone_id))
    rows.sort(reverse=query.descending)
    return [phone_id for _, phone_id in rows]


def all_pages(query: ListingQuery, force: str) -> list[uuid.UUID]:
    """Every page of 7, each started just beyond the last row of the one before."""
    values = {row.phone_id: row for row in PhoneListing.objects.all()}
    seen: list[uuid.UUID] = []
    beyond = None
    while True:
        page_query = replace(query, beyond=beyond, limit=7)
        page = listing_ids(page_query, total=len(values), force=force)
        seen.extend(page)
        if len(page) < 7:
            return seen
        last = values[page[-1]]
        beyond = (getattr(last, query.column), last.phone_id)


QUERIES = [
    {},
    {"terms": search_terms("garcia")},
    {"terms": search_terms("müller")},
    {"terms": search_terms("maria garcia")},
    {"terms": search_terms("ga")},
    {"terms": search_terms("o'n")},
    {"terms": search_terms("415 555")},
    {"terms": search_terms("team 3")},
    {"terms": search_terms("nobody-has-this")},
    {"links": [("workspaces", ("ws1",))]},
    {"links": [("workspaces", ("ws1", "ws2"))], "terms": search_terms("smith")},
    {"links": [("companies", ("co2",)), ("people", ("p3", "p4", "p5"))]},
    {"equals": [("label", "mobile"), ("is_verified", True)], "terms": search_terms("garcia")},
    {"equals": [("country_code", 44), ("is_primary", False)]},
    {"links": [("workspaces", ("ws1",))], "terms": search_terms("garcia")},
    {"links": [("companies", ("co1",)), ("workspaces", ("ws2",))]},
    {
        "links": [("workspaces", ("ws4",))],
        "created_from": BASE_TIME + timedelta(minutes=60),
        "created_before": BASE_TIME + timedelta(minutes=180),
    },
]


@pytest.mark.parametrize("shape", QUERIES, ids=[str(q) for q in QUERIES])
def test_walk_and_drive_page_through_exactly_the_matching_phones(indexed_phones, shape):
    for column, descending in ORDERS:
        query = ListingQuery(column=column, descending=descending, **shape)
        want = expected(query)
        assert want or shape.get("terms") == ["nobody-has-this"]
        assert all_pages(query, force="walk") == want, (column, descending)
        assert all_pages(query, force="drive") == want, (column, descending)
        assert all_pages(query, force="") == want, (column, descending)
        assert all_pages(query, force="links") == want, (column, descending)


def _reads_trigram_index(query: ListingQuery, total: int) -> bool:
    """Whether reading this page asks the trigram index (FTS5 MATCH, pg_trgm LIKE)."""
    with CaptureQueriesContext(connection) as queries:
        found = listing_ids(query, total=total)
    assert found == expected(query)[: query.limit]
    return any(" MATCH " in q["sql"] or " LIKE " in q["sql"] for q in queries.captured_queries)


def test_a_rare_term_drives_from_the_trigram_index_and_a_common_one_walks(
    indexed_phones, monkeypatch
):
    """How common a term is, is read from a sample of the walk, never counted in the index:
    a term the sample shows common enough is walked on; a rare one is read from the index."""
    total = PhoneListing.objects.count()
    plan, _ = listing_plan(ListingQuery(terms=["garcia"]), total=total)
    assert (plan.kind, plan.counts) == ("probe", {})
    # With so small a table the whole list is one sample; make the sample smaller.
    monkeypatch.setattr("phones.selectors.listing_plan.SAMPLE_ROWS", 40)
    assert not _reads_trigram_index(ListingQuery(terms=["garcia"], limit=7), total)
    assert _reads_trigram_index(ListingQuery(terms=["müller"], limit=7), total)


def test_one_workspace_newest_first_walks_its_links_in_creation_order(indexed_phones):
    total = PhoneListing.objects.count()
    query = ListingQuery(links=[("workspaces", ("ws1",))])
    plan, _ = listing_plan(query, total=total)
    assert plan.kind == "links:workspaces"
    assert listing_ids(query, total=total) == expected(query)[: query.limit]
    # Sorted by number, the workspace's links are in the wrong order to walk.
    by_number, _ = listing_plan(replace(query, column="e164_number"), total=total)
    assert not by_number.kind.startswith("links:")


def test_a_phones_link_rows_follow_its_links_and_its_removal(indexed_phones):
    phone = next(p for p in indexed_phones if p.deleted_at is None)

    def link_rows() -> set[tuple[str, str]]:
        return set(
            PhoneListingLink.objects.filter(phone_id=phone.id).values_list("kind", "record_id")
        )

    phone.workspaces.set([make_workspace("ws_new", "New team", "ext_new")])
    phone.people.clear()
    phone.companies.set([make_company("co_new", "New company", "new.example")])
    listing_refresh(phone_ids=[phone.id])
    assert link_rows() == {("w", "ws_new"), ("c", "co_new")}
    listing = PhoneListing.objects.get(phone=phone)
    assert set(
        PhoneListingLink.objects.filter(phone_id=phone.id).values_list("listing_id", "created_at")
    ) == {(listing.pk, listing.created_at)}
    phone.deleted_at = BASE_TIME
    phone.save()
    listing_refresh(phone_ids=[phone.id])
    assert link_rows() == set()


def test_a_person_with_few_phones_is_read_through_their_links(indexed_phones):
    total = PhoneListing.objects.count()
    query = ListingQuery(terms=["ga"], links=[("people", ("p3",))])
    plan, _ = listing_plan(query, total=total)
    assert 0 < plan.counts["people"] < 20
    assert plan.kind == "links:people"
    # In an order their links are not kept in, their few phones are gathered and sorted.
    by_number, _ = listing_plan(replace(query, column="e164_number"), total=total)
    assert by_number.kind == "drive:people"


def test_a_term_nothing_holds_answers_with_no_phones(indexed_phones):
    query = ListingQuery(terms=["zzzqqq"])
    assert listing_ids(query, total=PhoneListing.objects.count()) == []
    # A person nobody links to: counted, so known empty without reading a row.
    plan, _ = listing_plan(
        ListingQuery(terms=["garcia"], links=[("people", ("nobody",))]),
        total=PhoneListing.objects.count(),
    )
    assert plan.kind == "empty"


def test_a_common_term_with_a_person_of_few_phones_drives_from_their_links(
    indexed_phones, monkeypatch
):
    monkeypatch.setattr("phones.selectors.listing_plan.DRIVE_LIMIT", 20)
    total = PhoneListing.objects.count()
    query = ListingQuery(terms=["garcia"], links=[("people", ("p3",))], column="updated_at")
    plan, _ = listing_plan(query, total=total)
    assert plan.kind == "drive:people"
    assert listing_ids(query, total=total) == expected(query)[: query.limit]


def test_an_export_plans_once_however_many_chunks_it_reads(indexed_phones):
    """The planner's candidate counts run for the first chunk only: every later chunk is the
    same query from a later start, so it reuses the plan, and the rows are still all there."""
    query = ListQuery(filters=PhoneFilters(workspaces=("ws1", "ws2")))
    with CaptureQueriesContext(connection) as queries:
        exported = [p.id for p in phone_export_rows(query=query, chunk=7)]
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT count(*)")]
    linked = {
        p.id
        for p in indexed_phones
        if p.deleted_at is None and {w.pk for w in p.workspaces.all()} & {"ws1", "ws2"}
    }
    assert len(exported) > 3 * 7
    assert set(exported) == linked and len(exported) == len(linked)
    assert len(counts) == 1, counts


@pytest.mark.parametrize("sample", [5, 17])
def test_a_walk_that_goes_on_past_its_sample_pages_through_exactly_the_matching_phones(
    indexed_phones, monkeypatch, sample
):
    """A sample too small to fill a page is followed by further segments of the walk, each
    starting just beyond the last row of the one before: the same phones, in every order."""
    monkeypatch.setattr("phones.selectors.listing_plan.SAMPLE_ROWS", sample)
    total = PhoneListing.objects.count()
    with CaptureQueriesContext(connection) as queries:
        assert (
            listing_ids(ListingQuery(terms=["garcia"], limit=7), total=total)
            == expected(ListingQuery(terms=["garcia"]))[:7]
        )
    # The sample's bound and at least one more segment's.
    assert sum(" OFFSET " in q["sql"] for q in queries.captured_queries) >= 2
    with warnings.catch_warnings():
        # A segment's start is the database's own row, taken back as the query's values.
        warnings.simplefilter("error", RuntimeWarning)
        for shape in QUERIES:
            if not shape.get("terms"):
                continue
            for column, descending in ORDERS:
                query = ListingQuery(column=column, descending=descending, **shape)
                assert all_pages(query, force="") == expected(query), (shape, column)
