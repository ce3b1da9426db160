"""A page of the list as its table shows it, read from the listing rows alone: one query,
whatever the page's size, and no model instances.

The list's page never reads the wide phone rows nor the link tables: the listing row holds
the number as staff read it, the label, the flags, the sort keys and the names of its
people, companies and workspaces (kept in step by ``phones.services.listing``).
"""

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection

from phones.models import UNDATED, Phone, PhoneListing
from phones.selectors.listing_sql import python_key


@dataclass(slots=True)
class PhoneRow:
    """One phone as the list's table shows it. Named as ``Phone`` names the same values,
    so a cursor is made from either (``phones.selectors.list_query.cursor_encode``); the
    times are None where WellApp sent none."""

    id: uuid.UUID
    e164_number: str
    international: str
    region: str
    label: str
    is_primary: bool
    is_verified: bool
    upstream_created_at: datetime | None
    upstream_updated_at: datetime | None
    people_list: list[str] = field(default_factory=list)
    company_list: list[str] = field(default_factory=list)
    workspace_list: list[str] = field(default_factory=list)


# The listing row's columns a table row shows, in ``PhoneRow``'s order, then its names.
_COLUMNS = (
    "phone_id",
    "e164_number",
    "international",
    "region",
    "label",
    "is_primary",
    "is_verified",
    "created_at",
    "updated_at",
    "names",
)


def _rows_query(keys: list) -> tuple[str, list]:
    """The query for the listing rows of these phones (their ids as the database takes
    them), and its parameters: on PostgreSQL the ids as one array parameter, not one
    parameter per id."""
    columns = ", ".join(f"l.{column}" for column in _COLUMNS)
    listing = PhoneListing._meta.db_table
    if connection.vendor == "postgresql":
        return f"SELECT {columns} FROM {listing} l WHERE l.phone_id = ANY(%s)", [keys]  # noqa: S608
    marks = ", ".join(["%s"] * len(keys))
    return f"SELECT {columns} FROM {listing} l WHERE l.phone_id IN ({marks})", keys  # noqa: S608


def phone_rows(*, ids: Sequence[uuid.UUID]) -> list[PhoneRow]:
    """The table rows of these phones, in this order (a phone no longer listed is left
    out): one query, whatever the page's size."""
    if not ids:
        return []
    keys = [Phone._meta.pk.get_db_prep_value(i, connection, prepared=False) for i in ids]
    with connection.cursor() as cursor:
        cursor.execute(*_rows_query(keys))
        fetched = cursor.fetchall()
    # Each phone id as given, by the value the database gives back for it.
    given = dict(zip(keys, ids, strict=True))
    found = {}
    for values in fetched:
        created, updated = (python_key("created_at", v) for v in values[7:9])
        people, companies, workspaces = json.loads(values[9])
        key, e164, international, region, label, primary, verified = values[:7]
        found[key] = PhoneRow(
            given[key],
            e164,
            international,
            region,
            label,
            bool(primary),
            bool(verified),
            upstream_created_at=None if created == UNDATED else created,
            upstream_updated_at=None if updated == UNDATED else updated,
            people_list=people,
            company_list=companies,
            workspace_list=workspaces,
        )
    # The rows by the phone id as the database gives it back.
    return [found[key] for key in keys if key in found]
