"""The phone list: search, filters, sort and keyset pagination over the local cache.

Every page is a keyset page: ``WHERE (sort_key, id) < (last_key, last_id) ORDER BY sort_key,
id LIMIT n`` over the narrow listing rows, so page 2,000 costs what page 1 costs and no
request counts the whole table. Which index a page is read through (the sort order's, the
trigram index of the search text, or a link table) is chosen per request by
``phones.selectors.listing_plan``. What a page asks for comes as a ``ListQuery``
(``phones.selectors.list_query``), already validated.
"""

import re
import time as _time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import F, Prefetch

from phones.models import UNDATED, Phone, PhoneListing
from phones.selectors.list_query import Cursor, ListQuery, cursor_encode, cursor_key
from phones.selectors.listing_plan import listing_ids, listing_plan, listing_rows
from phones.selectors.listing_rows import PhoneRow, phone_row
from phones.selectors.listing_sql import ListingQuery

MAX_TERMS = 5
COUNT_CACHE_SECONDS = 30
COUNT_CACHE_KEY = "phones:count"

# A table row's links as plain lists (phone.people_list, ...): no related manager is built
# per row and per relation while the page renders.
LINKS = (
    Prefetch("people", to_attr="people_list"),
    Prefetch("companies", to_attr="company_list"),
    Prefetch("workspaces", to_attr="workspace_list"),
)

NUMBER_LIKE = re.compile(r"^[\d\s\-.()+/]+$")


@dataclass(frozen=True)
class PhonePage:
    """One page of phones with opaque cursors to its neighbours, and how many phones match
    when that is known without counting: when the first page holds every match."""

    phones: list[PhoneRow]
    next_cursor: str | None
    previous_cursor: str | None
    matching: int | None = None


def search_terms(query: str) -> list[str]:
    """What a search box value matches on: the digits of anything that looks like a phone
    number ("(415) 555-2671" -> "4155552671"), otherwise each word, lower-cased."""
    query = query.strip()
    if not query:
        return []
    if NUMBER_LIKE.match(query):
        digits = re.sub(r"\D", "", query)
        if len(digits) >= 3:
            return [digits]
    words = re.sub(r"[%_\\]", " ", query.lower()).split()
    return words[:MAX_TERMS]


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _listing_query(query: ListQuery, *, limit: int, start: Cursor | None) -> ListingQuery:
    """The listing query for this list query's filters, walking its sort order (or, from a
    backwards cursor, the reverse) from just beyond ``start``."""
    filters = query.filters
    equals: list[tuple[str, Any]] = []
    if filters.label:
        equals.append(("label", filters.label))
    if filters.country_code is not None:
        equals.append(("country_code", filters.country_code))
    if filters.is_primary is not None:
        equals.append(("is_primary", filters.is_primary))
    if filters.is_verified is not None:
        equals.append(("is_verified", filters.is_verified))
    links = [
        (kind, tuple(ids))
        for kind, ids in (
            ("workspaces", filters.workspaces),
            ("companies", filters.companies),
            ("people", filters.people),
        )
        if ids
    ]
    created_to = filters.created_to
    backwards = start is not None and start.backwards
    return ListingQuery(
        terms=tuple(search_terms(filters.q)),
        links=tuple(links),
        equals=tuple(equals),
        # A phone with no creation time is in no range of creation dates.
        created_from=(
            _day_start(filters.created_from)
            if filters.created_from
            else UNDATED + timedelta(microseconds=1)
            if created_to
            else None
        ),
        # The last day a date can name has no day after it: no upper bound then.
        created_before=(
            _day_start(created_to + timedelta(days=1))
            if created_to and created_to < date.max
            else None
        ),
        column=query.sort.by.column,
        descending=query.sort.descending != backwards,
        beyond=(start.key, start.phone_id) if start is not None else None,
        limit=limit,
    )


def _phones(ids: list[uuid.UUID]) -> list[Phone]:
    """The phones of these ids, in this order, with their links and their number as staff
    read it (``international``, ``region``, kept on the listing row) for the table."""
    # The prefetch fills the list attributes Phone declares (people_list, ...).
    found = (
        Phone.objects.filter(id__in=ids)  # type: ignore[no-redef]
        .defer("raw")
        .annotate(international=F("listing__international"), region=F("listing__region"))
        .prefetch_related(*LINKS)
        .in_bulk()
    )
    return [found[i] for i in ids if i in found]


def phone_page(*, query: ListQuery) -> PhonePage:
    """One keyset page of the list, as its table shows it."""
    cursor, sort, size = query.cursor, query.sort, query.size
    listing = _listing_query(query, limit=size + 1, start=cursor)
    found = listing_rows(listing, total=phone_count())
    more = len(found) > size
    rows = [phone_row(values) for values in found[:size]]
    if cursor is not None and cursor.backwards:
        rows.reverse()
        has_previous, has_next = more, True
    else:
        has_next, has_previous = more, cursor is not None
    return PhonePage(
        phones=rows,
        next_cursor=cursor_encode(sort=sort, phone=rows[-1]) if rows and has_next else None,
        previous_cursor=(
            cursor_encode(sort=sort, phone=rows[0], backwards=True)
            if rows and has_previous
            else None
        ),
        # A count of a filtered list is only known when its first page holds all of it.
        matching=len(rows) if cursor is None and not has_next else None,
    )


def phone_count() -> int:
    """How many phones the list holds: counted at most every 30 seconds (a count of a
    million rows costs PostgreSQL 50-100 ms), and between counts kept up to date by the
    writes that list or unlist phones (``phone_count_adjust``). The cache holds the count
    with the time it is due to be counted again."""
    cached = cache.get(COUNT_CACHE_KEY)
    if isinstance(cached, tuple):
        return int(cached[0])
    count = PhoneListing.objects.count()
    cache.set(COUNT_CACHE_KEY, (count, _time.time() + COUNT_CACHE_SECONDS), COUNT_CACHE_SECONDS)
    return count


def phone_count_adjust(delta: int) -> None:
    """Add ``delta`` phones (listed now; negative: unlisted) to the cached count, keeping
    the time it is counted again: a create does not make the next page count every phone.
    Two writers at once can lose one's change; the next count puts it right."""
    cached = cache.get(COUNT_CACHE_KEY) if delta else None
    if not isinstance(cached, tuple):
        return  # not counted yet: the next page counts
    count, due = cached
    left = due - _time.time()
    if left > 0:
        cache.set(COUNT_CACHE_KEY, (max(0, count + delta), due), left)


def phone_export_rows(*, query: ListQuery, chunk: int = 500) -> Iterator[Phone]:
    """Every phone of the list in its order, from the first (the query's page size and
    cursor do not apply), a chunk at a time (keyset, so memory stays flat however many
    there are)."""
    start = None
    total = phone_count()
    planned = None
    while True:
        listing = _listing_query(query, limit=chunk, start=start)
        # Planned once: every chunk of the export is the same query from a later start.
        planned = planned or listing_plan(listing, total=total)
        rows = _phones(listing_ids(listing, total=total, planned=planned))
        yield from rows
        if len(rows) < chunk:
            return
        start = Cursor(key=cursor_key(rows[-1], query.sort), phone_id=rows[-1].id)
