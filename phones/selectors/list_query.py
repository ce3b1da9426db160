"""The list's query as the selectors take it: what the list is narrowed to, the order it is
read in, how many phones a page holds and where the page starts.

The sort orders and the page sizes are defined here, once: the filter form offers exactly
these (``phones.forms.PhoneFilterForm`` parses a query string into a ``ListQuery``), the
selectors order by them and the table's headers link to them. A ``ListQuery`` is valid by
construction; the selectors trust it.
"""

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from django.db import models

from phones.models import UNDATED, PhoneListing


@dataclass(frozen=True)
class SortColumn:
    """A column the list can be sorted by: its name in the query string and the table's
    header, the listing column it orders by, and the phone attribute that listing column
    copies (a cursor is made from a phone)."""

    key: str
    column: str
    attribute: str


CREATED = SortColumn("created", "created_at", "upstream_created_at")
UPDATED = SortColumn("updated", "updated_at", "upstream_updated_at")
NUMBER = SortColumn("number", "e164_number", "e164_number")


@dataclass(frozen=True)
class Sort:
    """One order the list can be read in, and what staff read for it."""

    by: SortColumn
    descending: bool
    label: str

    @property
    def name(self) -> str:
        """Its value of the ``sort`` query parameter: the column's key, with "-" first when
        descending ("-created")."""
        return f"-{self.by.key}" if self.descending else self.by.key


# Every order the list offers, in the order the Sort menu lists them. The first is the
# list's default; a column's first is what a click on its header asks for.
SORTS: tuple[Sort, ...] = (
    Sort(CREATED, True, "Newest first"),
    Sort(CREATED, False, "Oldest first"),
    Sort(UPDATED, True, "Recently updated"),
    Sort(UPDATED, False, "Least recently updated"),
    Sort(NUMBER, False, "Number, ascending"),
    Sort(NUMBER, True, "Number, descending"),
)
SORT_NAMED: dict[str, Sort] = {sort.name: sort for sort in SORTS}
DEFAULT_SORT = SORTS[0]

# The page sizes the list offers; the first is the default.
PAGE_SIZES: tuple[int, ...] = (25, 50, 100)
DEFAULT_PAGE_SIZE = PAGE_SIZES[0]


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
class Cursor:
    """Where a page starts: just beyond the phone with this sort key and id, in the sort
    order or, ``backwards`` (the page before), against it."""

    key: Any
    phone_id: uuid.UUID
    backwards: bool = False


@dataclass(frozen=True)
class ListQuery:
    """One page of the list as asked for: its filters, its order, its size and where it
    starts (None: the first page). The cursor belongs to this sort order."""

    filters: PhoneFilters = PhoneFilters()
    sort: Sort = DEFAULT_SORT
    size: int = DEFAULT_PAGE_SIZE
    cursor: Cursor | None = None

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ValueError(f"The list has no sort order {self.sort!r}.")
        if self.size not in PAGE_SIZES:
            raise ValueError(f"The list has no page size {self.size!r}.")


def _dated(sort: Sort) -> bool:
    return isinstance(PhoneListing._meta.get_field(sort.by.column), models.DateTimeField)


class Listed(Protocol):
    """A phone as a cursor is made from it: a cached ``Phone`` or a row of the table
    (``phones.selectors.listing_rows.PhoneRow``)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def e164_number(self) -> str: ...
    @property
    def upstream_created_at(self) -> datetime | None: ...
    @property
    def upstream_updated_at(self) -> datetime | None: ...


def cursor_key(phone: Listed, sort: Sort) -> Any:
    """The sort key of a phone in this order, as its listing row holds it (an undated phone
    sorts at ``UNDATED``)."""
    value = getattr(phone, sort.by.attribute)
    if value is None and _dated(sort):
        return UNDATED
    return value


def cursor_encode(*, sort: Sort, phone: Listed, backwards: bool = False) -> str:
    """An opaque cursor to the page just beyond ``phone`` (``backwards``: just before it),
    for a link."""
    value = cursor_key(phone, sort)
    value = value.isoformat() if isinstance(value, datetime) else str(value)
    raw = json.dumps(["before" if backwards else "after", sort.name, value, str(phone.id)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(text: str, *, sort: Sort) -> Cursor | None:
    """The cursor a link carries; None if it is malformed or was made for another order."""
    try:
        padded = text + "=" * (-len(text) % 4)
        direction, sort_name, value, phone_id = json.loads(base64.urlsafe_b64decode(padded))
        if direction not in ("after", "before") or sort_name != sort.name:
            return None
        if not isinstance(value, str):
            return None
        key = datetime.fromisoformat(value) if _dated(sort) else value
        if isinstance(key, datetime) and key.tzinfo is None:
            return None
        return Cursor(key=key, phone_id=uuid.UUID(phone_id), backwards=direction == "before")
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error):
        return None
