"""The phone list: search, filters, sort and keyset pagination over the local cache.

Every page is a keyset page: ``WHERE (sort_key, id) < (last_key, last_id) ORDER BY sort_key,
id LIMIT n`` over the narrow listing rows, so page 2,000 costs what page 1 costs and no
request counts the whole table. Which index a page is read through (the sort order's, the
trigram index of the search text, or a link table) is chosen per request by
``phones.selectors.listing_plan``.
"""

import base64
import binascii
import json
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import F, Prefetch

from phones.models import Phone, PhoneListing
from phones.selectors.listing_plan import ListingQuery, listing_ids, listing_plan

DEFAULT_PAGE_SIZE = 25
PAGE_SIZES = (25, 50, 100)
MAX_TERMS = 5
COUNT_CACHE_SECONDS = 30
COUNT_CACHE_KEY = "phones:count"

# sort name -> (listing column, descending)
SORTS: dict[str, tuple[str, bool]] = {
    "-created": ("created_at", True),
    "created": ("created_at", False),
    "-updated": ("updated_at", True),
    "updated": ("updated_at", False),
    "number": ("e164_number", False),
    "-number": ("e164_number", True),
}
# listing column -> the phone attribute it copies (a cursor is made from a phone)
PHONE_ATTRIBUTE = {
    "created_at": "upstream_created_at",
    "updated_at": "upstream_updated_at",
    "e164_number": "e164_number",
}
DEFAULT_SORT = "-created"

# A table row's links as plain lists (phone.people_list, ...): no related manager is built
# per row and per relation while the page renders.
LINKS = (
    Prefetch("people", to_attr="people_list"),
    Prefetch("companies", to_attr="company_list"),
    Prefetch("workspaces", to_attr="workspace_list"),
)

NUMBER_LIKE = re.compile(r"^[\d\s\-.()+/]+$")


@dataclass(frozen=True)
class PhoneFilters:
    """What the list is narrowed to; every field optional."""

    q: str = ""
    workspaces: Sequence[str] = ()
    companies: Sequence[str] = ()
    people: Sequence[str] = ()
    label: str = ""
    country_code: int | None = None
    is_primary: bool | None = None
    is_verified: bool | None = None
    created_from: date | None = None
    created_to: date | None = None

    @property
    def active(self) -> bool:
        return self != PhoneFilters()


@dataclass(frozen=True)
class PhonePage:
    """One page of phones with opaque cursors to its neighbours."""

    phones: list[Phone]
    next_cursor: str | None
    previous_cursor: str | None
    sort: str = DEFAULT_SORT
    size: int = DEFAULT_PAGE_SIZE


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


def _listing_query(
    filters: PhoneFilters,
    *,
    sort: str,
    limit: int,
    beyond: tuple[Any, uuid.UUID] | None = None,
    backwards: bool = False,
) -> ListingQuery:
    """The listing query for these filters, walking the sort order (or, ``backwards``, its
    reverse) from just beyond ``beyond``."""
    column, descending = SORTS[sort]
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
    return ListingQuery(
        terms=tuple(search_terms(filters.q)),
        links=tuple(links),
        equals=tuple(equals),
        created_from=_day_start(filters.created_from) if filters.created_from else None,
        # The last day a date can name has no day after it: no upper bound then.
        created_before=(
            _day_start(created_to + timedelta(days=1))
            if created_to and created_to < date.max
            else None
        ),
        column=column,
        descending=descending != backwards,
        beyond=beyond,
        limit=limit,
    )


def _phones(ids: list[uuid.UUID]) -> list[Phone]:
    """The phones of these ids, in this order, with their links and their number as staff
    read it (``international``, ``region``, kept on the listing row) for the table."""
    found = (
        Phone.objects.filter(id__in=ids)
        .defer("raw")
        .annotate(international=F("listing__international"), region=F("listing__region"))
        .prefetch_related(*LINKS)
        .in_bulk()
    )
    return [found[i] for i in ids if i in found]


def _key(phone: Phone, sort: str) -> Any:
    return getattr(phone, PHONE_ATTRIBUTE[SORTS[sort][0]])


def _encode_cursor(direction: str, sort: str, phone: Phone) -> str:
    value = _key(phone, sort)
    value = value.isoformat() if isinstance(value, datetime) else str(value)
    raw = json.dumps([direction, sort, value, str(phone.id)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[str, Any, uuid.UUID] | None:
    """(direction, sort key, id) from a cursor made for ``sort``; None if malformed or made
    for another sort order."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        direction, cursor_sort, value, phone_id = json.loads(base64.urlsafe_b64decode(padded))
        if direction not in ("after", "before") or cursor_sort != sort:
            return None
        if not isinstance(value, str):
            return None
        key = datetime.fromisoformat(value) if SORTS[sort][0] != "e164_number" else value
        if isinstance(key, datetime) and key.tzinfo is None:
            return None
        return direction, key, uuid.UUID(phone_id)
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error):
        return None


def phone_page(
    *,
    filters: PhoneFilters = PhoneFilters(),
    sort: str = DEFAULT_SORT,
    size: int = DEFAULT_PAGE_SIZE,
    cursor: str | None = None,
) -> PhonePage:
    """One keyset page of the filtered list, with its links prefetched for the table."""
    sort = sort if sort in SORTS else DEFAULT_SORT
    size = size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE
    decoded = decode_cursor(cursor, sort) if cursor else None
    backwards = decoded is not None and decoded[0] == "before"
    beyond = (decoded[1], decoded[2]) if decoded else None
    query = _listing_query(filters, sort=sort, limit=size + 1, beyond=beyond, backwards=backwards)
    ids = listing_ids(query, total=phone_count())
    more = len(ids) > size
    rows = _phones(ids[:size])
    if backwards:
        rows.reverse()
        has_previous, has_next = more, True
    else:
        has_next, has_previous = more, decoded is not None
    return PhonePage(
        phones=rows,
        next_cursor=_encode_cursor("after", sort, rows[-1]) if rows and has_next else None,
        previous_cursor=_encode_cursor("before", sort, rows[0]) if rows and has_previous else None,
        sort=sort,
        size=size,
    )


def phone_count() -> int:
    """How many phones the list holds, recounted at most every 30 seconds."""
    return cache.get_or_set(COUNT_CACHE_KEY, PhoneListing.objects.count, COUNT_CACHE_SECONDS)


def phone_export_rows(
    *, filters: PhoneFilters, sort: str = DEFAULT_SORT, chunk: int = 500
) -> Iterator[Phone]:
    """Every phone of the filtered list in list order, a chunk at a time (keyset, so memory
    stays flat however many there are)."""
    sort = sort if sort in SORTS else DEFAULT_SORT
    beyond = None
    total = phone_count()
    planned = None
    while True:
        query = _listing_query(filters, sort=sort, limit=chunk, beyond=beyond)
        # Planned once: every chunk of the export is the same query from a later start.
        planned = planned or listing_plan(query, total=total)
        rows = _phones(listing_ids(query, total=total, planned=planned))
        yield from rows
        if len(rows) < chunk:
            return
        beyond = (_key(rows[-1], sort), rows[-1].id)
