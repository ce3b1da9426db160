"""The phone list: search, filters, sort and keyset pagination over the local cache.

Every page is a keyset page: ``WHERE (sort_key, id) < (last_key, last_id) ORDER BY sort_key,
id LIMIT n``, served by an index on (sort_key, id), so page 2,000 costs what page 1 costs and
no request counts the whole table. Search goes through the trigram index on each phone's
search text (see ``phones.services.search_index``).
"""

import base64
import binascii
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from phones.models import Phone, PhoneCompany, PhonePerson, PhoneWorkspace

DEFAULT_PAGE_SIZE = 25
PAGE_SIZES = (25, 50, 100)
MAX_TERMS = 5
COUNT_CACHE_SECONDS = 30
COUNT_CACHE_KEY = "phones:count"

# sort name -> (model field, descending)
SORTS: dict[str, tuple[str, bool]] = {
    "-created": ("upstream_created_at", True),
    "created": ("upstream_created_at", False),
    "-updated": ("upstream_updated_at", True),
    "updated": ("upstream_updated_at", False),
    "number": ("e164_number", False),
    "-number": ("e164_number", True),
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


def _fts_phrase(term: str) -> str:
    """An FTS5 phrase for a substring: with the trigram tokenizer, the phrase of a term's
    trigrams matches exactly the texts that contain it."""
    return '"' + term.replace('"', '""') + '"'


def _search_q(terms: list[str]) -> Q:
    """Phones whose search text contains every term, through the trigram index."""
    if connection.vendor == "sqlite":
        # MATCH reads the trigram index directly; a term shorter than a trigram needs LIKE.
        # Only placeholders are joined into the SQL; the terms travel as parameters.
        long_terms = [t for t in terms if len(t) >= 3]
        short_terms = [t for t in terms if len(t) < 3]
        where = []
        params: list[str] = []
        if long_terms:
            where.append("phones_phonesearch_fts MATCH %s")
            params.append(" AND ".join(_fts_phrase(t) for t in long_terms))
        for term in short_terms:
            where.append("text LIKE %s")
            params.append(f"%{term}%")
        matches = RawSQL(  # noqa: S611
            "SELECT rowid FROM phones_phonesearch_fts WHERE "  # noqa: S608
            + " AND ".join(where),
            params,
        )
        return Q(search__id__in=matches)
    match = Q()
    for term in terms:
        match &= Q(search__text__contains=term)
    return match


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def phone_filter(*, filters: PhoneFilters) -> QuerySet[Phone]:
    """Cached phones (not deleted) narrowed by ``filters``; unordered."""
    qs = Phone.objects.filter(deleted_at__isnull=True)
    terms = search_terms(filters.q)
    if terms:
        qs = qs.filter(_search_q(terms))
    for table, column, ids in (
        (PhoneWorkspace, "workspace_id", filters.workspaces),
        (PhoneCompany, "company_id", filters.companies),
        (PhonePerson, "person_id", filters.people),
    ):
        if ids:
            # EXISTS, not IN: SQLite then walks the list's order index and probes the link
            # table's (phone, record) index, instead of sorting every linked phone.
            linked = table.objects.filter(phone_id=OuterRef("id"), **{f"{column}__in": list(ids)})
            qs = qs.filter(Exists(linked))
    if filters.label:
        qs = qs.filter(label=filters.label)
    if filters.country_code is not None:
        qs = qs.filter(country_code=filters.country_code)
    if filters.is_primary is not None:
        qs = qs.filter(is_primary=filters.is_primary)
    if filters.is_verified is not None:
        qs = qs.filter(is_verified=filters.is_verified)
    if filters.created_from:
        qs = qs.filter(upstream_created_at__gte=_day_start(filters.created_from))
    if filters.created_to:
        qs = qs.filter(upstream_created_at__lt=_day_start(filters.created_to + timedelta(days=1)))
    return qs


def _key_value(phone: Phone, column: str) -> str:
    value = getattr(phone, column)
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _encode_cursor(direction: str, sort: str, phone: Phone) -> str:
    column = SORTS[sort][0]
    raw = json.dumps([direction, sort, _key_value(phone, column), str(phone.id)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[str, Any, uuid.UUID] | None:
    """(direction, sort key, id) from a cursor made for ``sort``; None if malformed or made
    for another sort order."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        direction, cursor_sort, value, phone_id = json.loads(base64.urlsafe_b64decode(padded))
        if direction not in ("after", "before") or cursor_sort != sort:
            return None
        column = SORTS[sort][0]
        key = datetime.fromisoformat(value) if column.startswith("upstream_") else str(value)
        return direction, key, uuid.UUID(phone_id)
    except (ValueError, TypeError, KeyError, binascii.Error, json.JSONDecodeError):
        return None


def _beyond(column: str, descending: bool, value: Any, phone_id: uuid.UUID) -> Q:
    """Rows that come after (value, id) in the order (column, id), both descending or not."""
    op = "lt" if descending else "gt"
    return Q(**{f"{column}__{op}": value}) | Q(**{column: value, f"id__{op}": phone_id})


def _ordering(column: str, descending: bool) -> list[str]:
    return [f"-{column}", "-id"] if descending else [column, "id"]


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
    column, descending = SORTS[sort]
    qs = phone_filter(filters=filters).prefetch_related(*LINKS)
    decoded = decode_cursor(cursor, sort) if cursor else None
    if decoded is None:
        rows = list(qs.order_by(*_ordering(column, descending))[: size + 1])
        has_next, has_previous = len(rows) > size, False
        rows = rows[:size]
    elif decoded[0] == "after":
        _, value, phone_id = decoded
        later = qs.filter(_beyond(column, descending, value, phone_id))
        rows = list(later.order_by(*_ordering(column, descending))[: size + 1])
        has_next, has_previous = len(rows) > size, True
        rows = rows[:size]
    else:
        _, value, phone_id = decoded
        earlier = qs.filter(_beyond(column, not descending, value, phone_id))
        rows = list(earlier.order_by(*_ordering(column, not descending))[: size + 1])
        has_previous, has_next = len(rows) > size, True
        rows = list(reversed(rows[:size]))
    return PhonePage(
        phones=rows,
        next_cursor=_encode_cursor("after", sort, rows[-1]) if rows and has_next else None,
        previous_cursor=_encode_cursor("before", sort, rows[0]) if rows and has_previous else None,
        sort=sort,
        size=size,
    )


def phone_count() -> int:
    """How many phones the cache holds, recounted at most every 30 seconds."""
    return cache.get_or_set(
        COUNT_CACHE_KEY,
        lambda: Phone.objects.filter(deleted_at__isnull=True).count(),
        COUNT_CACHE_SECONDS,
    )


def phone_export_rows(*, filters: PhoneFilters, sort: str = DEFAULT_SORT, chunk: int = 500):
    """Every phone of the filtered list in list order, a chunk at a time (keyset, so memory
    stays flat however many there are)."""
    sort = sort if sort in SORTS else DEFAULT_SORT
    column, descending = SORTS[sort]
    qs = phone_filter(filters=filters).prefetch_related(*LINKS)
    ordered = qs.order_by(*_ordering(column, descending))
    last: Phone | None = None
    while True:
        page = ordered
        if last is not None:
            page = page.filter(_beyond(column, descending, getattr(last, column), last.id))
        rows = list(page[:chunk])
        yield from rows
        if len(rows) < chunk:
            return
        last = rows[-1]
