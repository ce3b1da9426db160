"""A page of the list as its table shows it, read from the listing rows and the names of
their links: four small queries, whatever the page's size, and no model instances.

The list's page never reads the wide phone rows: the listing row holds the number as staff
read it, the label, the flags and the sort keys, and a query per kind reads the names of the
page's people, companies and workspaces, each in the order their own lists sort them.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

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


def _sql_names() -> dict[str, str]:
    """For each kind of link, the query for the names of the page's links of that kind:
    (phone id, name), in the kind's own order (``Meta.ordering``: by name, then id), a name
    falling back as the models' ``__str__`` does. Three small queries rather than one union:
    PostgreSQL would run a union of them with parallel workers, whose start costs more than
    the query."""
    person_name = (
        "COALESCE(NULLIF(r.full_name, ''), NULLIF(TRIM(r.first_name || ' ' || r.last_name), ''),"
        " r.id)"
    )
    kinds = {
        "people_list": (PhonePerson, Person, "person_id", person_name, "r.full_name"),
        "company_list": (
            PhoneCompany,
            Company,
            "company_id",
            "COALESCE(NULLIF(r.name, ''), r.id)",
            "r.name",
        ),
        "workspace_list": (
            PhoneWorkspace,
            Workspace,
            "workspace_id",
            "COALESCE(NULLIF(r.name, ''), NULLIF(r.external_workspace_id, ''), r.id)",
            "r.name",
        ),
    }
    return {
        attribute: (
            f"SELECT t.phone_id, {name} FROM {link._meta.db_table} t "  # noqa: S608 (names from the models)
            f"JOIN {record._meta.db_table} r ON r.id = t.{column} "
            f"WHERE t.phone_id IN ({{ids}}) ORDER BY {order}, r.id"
        )
        for attribute, (link, record, column, name, order) in kinds.items()
    }


def phone_rows(*, ids: Sequence[uuid.UUID]) -> list[PhoneRow]:
    """The table rows of these phones, in this order (a phone no longer listed is left
    out)."""
    if not ids:
        return []
    found = {
        values[0]: PhoneRow(
            *values[:7],
            upstream_created_at=None if values[7] == UNDATED else values[7],
            upstream_updated_at=None if values[8] == UNDATED else values[8],
        )
        for values in PhoneListing.objects.filter(phone_id__in=ids).values_list(
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
    }
    keys = [Phone._meta.pk.get_db_prep_value(i, connection, prepared=False) for i in ids]
    # A name's row by the phone id as the database gives it back (no UUID made per name).
    by_key = {key: found[i] for key, i in zip(keys, ids, strict=True) if i in found}
    marks = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        for attribute, sql in _sql_names().items():
            cursor.execute(sql.format(ids=marks), keys)
            for phone_id, name in cursor.fetchall():
                row = by_key.get(phone_id)
                if row is not None:
                    getattr(row, attribute).append(name)
    return [found[i] for i in ids if i in found]
