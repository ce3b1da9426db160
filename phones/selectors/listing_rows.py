"""A page of the list as its table shows it, read from the listing rows and the names of
their links: one query, whatever the page's size, and no model instances.

The list's page never reads the wide phone rows: the listing row holds the number as staff
read it, the label, the flags and the sort keys; the same query gathers the names of each
row's people, companies and workspaces, in the order their own lists sort them.
"""

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection

from phones.models import (
    UNDATED,
    Company,
    Person,
    Phone,
    PhoneCompany,
    PhoneListing,
    PhonePerson,
    PhoneWorkspace,
    Workspace,
)
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


# The listing row's columns a table row shows, in ``PhoneRow``'s order.
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
)
_PERSON_NAME = (
    "COALESCE(NULLIF(r.full_name, ''), NULLIF(TRIM(r.first_name || ' ' || r.last_name), ''), r.id)"
)
# For each kind of link: its table, the record's table, the record's column, the name (falling
# back as the models' ``__str__`` does) and the kind's own order (``Meta.ordering``).
_KINDS = (
    (PhonePerson, Person, "person_id", _PERSON_NAME, "r.full_name"),
    (PhoneCompany, Company, "company_id", "COALESCE(NULLIF(r.name, ''), r.id)", "r.name"),
    (
        PhoneWorkspace,
        Workspace,
        "workspace_id",
        "COALESCE(NULLIF(r.name, ''), NULLIF(r.external_workspace_id, ''), r.id)",
        "r.name",
    ),
)


def _rows_query(keys: list[Any]) -> tuple[str, list[Any]]:
    """One query for the rows of these phones (their ids as the database takes them) and
    their links' names, and its parameters. On PostgreSQL each kind's names are gathered for the
    whole page at once (``array_agg`` per phone, joined to the rows): a subquery per row and
    kind would look each small record table through again for every row. SQLite 3.40's
    aggregates take no ORDER BY, so there a subquery per row and kind gathers a JSON array.
    """
    columns = ", ".join(f"l.{column}" for column in _COLUMNS)
    listing = PhoneListing._meta.db_table
    kinds = [
        (link._meta.db_table, record._meta.db_table, column, name, order)
        for link, record, column, name, order in _KINDS
    ]
    if connection.vendor == "postgresql":
        joins = "".join(
            f" LEFT JOIN (SELECT t.phone_id, array_agg({name} ORDER BY {order}, r.id) AS names "  # noqa: S608
            f"FROM {link} t JOIN {record} r ON r.id = t.{column} WHERE t.phone_id = ANY(%s) "
            f"GROUP BY t.phone_id) k{n} ON k{n}.phone_id = l.phone_id"
            for n, (link, record, column, name, order) in enumerate(kinds)
        )
        names = ", ".join(f"COALESCE(k{n}.names, '{{}}')" for n in range(len(kinds)))
        sql = f"SELECT {columns}, {names} FROM {listing} l{joins} WHERE l.phone_id = ANY(%s)"  # noqa: S608
        # The ids as one array parameter per use, not one parameter per id.
        return sql, [keys] * (len(kinds) + 1)
    names = ", ".join(
        f"(SELECT json_group_array(n) FROM (SELECT {name} AS n FROM {link} t "  # noqa: S608
        f"JOIN {record} r ON r.id = t.{column} WHERE t.phone_id = l.phone_id "
        f"ORDER BY {order}, r.id))"
        for link, record, column, name, order in kinds
    )
    marks = ", ".join(["%s"] * len(keys))
    return f"SELECT {columns}, {names} FROM {listing} l WHERE l.phone_id IN ({marks})", keys  # noqa: S608


def phone_rows(*, ids: Sequence[uuid.UUID]) -> list[PhoneRow]:
    """The table rows of these phones, in this order (a phone no longer listed is left
    out): one query, whatever the page's size."""
    if not ids:
        return []
    keys = [Phone._meta.pk.get_db_prep_value(i, connection, prepared=False) for i in ids]
    with connection.cursor() as cursor:
        cursor.execute(*_rows_query(keys))
        fetched = cursor.fetchall()
    sqlite = connection.vendor == "sqlite"
    # Each phone id as given, by the value the database gives back for it.
    given = dict(zip(keys, ids, strict=True))
    found = {}
    for values in fetched:
        created, updated = (python_key("created_at", v) for v in values[7:9])
        people, companies, workspaces = (json.loads(v) if sqlite else v for v in values[9:12])
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
