"""What the two loaders share: the tables the benchmark fills, the columns each chunk of
phones writes to them, and the priority of their helper processes.

Used by the SQLite loader (``bench.sqlite_load``) and the PostgreSQL one
(``bench.postgres_load``); ``bench.loader`` picks between them.
"""

import os
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

from bench.data import LISTING_COLUMNS, LISTING_LINK_COLUMNS, PHONE_COLUMNS
from phones.models import (
    Company,
    Person,
    Phone,
    PhoneCompany,
    PhoneListing,
    PhoneListingLink,
    PhonePerson,
    PhoneWorkspace,
    Workspace,
)

# Every table the load writes, parents first.
LOADED: tuple[type[Model], ...] = (
    Workspace,
    Company,
    Person,
    Phone,
    PhoneListing,
    PhoneListingLink,
    PhonePerson,
    PhoneCompany,
    PhoneWorkspace,
)
DIRECTORY: tuple[type[Model], ...] = (Workspace, Company, Person)
# What one chunk of phones writes: its name in a PhoneBatch -> (model, columns).
CHUNK_TABLES: dict[str, tuple[type[Model], Sequence[str]]] = {
    "phones": (Phone, PHONE_COLUMNS),
    "listing": (PhoneListing, LISTING_COLUMNS),
    "listing_links": (PhoneListingLink, LISTING_LINK_COLUMNS),
    "people": (PhonePerson, ("phone_id", "person_id")),
    "companies": (PhoneCompany, ("phone_id", "company_id")),
    "workspaces": (PhoneWorkspace, ("phone_id", "workspace_id")),
}


def extra_columns(model: type[Model], given: Sequence[str]) -> tuple[list[str], tuple]:
    """Columns the model has beyond ``given`` (its auto id aside), with their defaults, so a
    column added by a later migration does not break the load."""
    names: list[str] = []
    values: list[Any] = []
    for field in model._meta.concrete_fields:
        auto = field.primary_key and field.get_internal_type().endswith("AutoField")
        if field.column in given or auto:
            continue
        assert field.column is not None
        names.append(field.column)
        values.append(field.get_db_prep_save(field.get_default(), connection))
    return names, tuple(values)


def check_listing_columns() -> None:
    """Every column of the listing row is one the generator makes: a default there would be
    wrong data (other tables' new columns get their defaults, see ``extra_columns``)."""
    missing, _ = extra_columns(PhoneListing, LISTING_COLUMNS)
    if missing:
        raise RuntimeError(
            f"PhoneListing has columns bench/data.py does not make: {', '.join(missing)}"
        )


def lower_priority(niceness: int = 10) -> None:
    """Run this helper process below the one that writes the database: the load goes no
    faster than that single writer, so it should never wait for a core while helpers, which
    only work ahead of it, have one."""
    os.nice(niceness)
