"""The three ways a page's listing rows are read, each one query (``phones.selectors.
listing_plan`` chooses among them): walk the sort order's index, walk one record's links in
creation order, or drive from the candidates an index names. Each selects the rows'
``ROW_COLUMNS`` in the page's order."""

from dataclasses import replace
from typing import Any

from django.db import connection

from phones.models import PhoneListingLink
from phones.selectors.listing_sql import (
    LISTING,
    ROW,
    ListingQuery,
    Source,
    conditions,
    db_value,
    fetch,
    is_sqlite,
    order_by,
    phone_id_value,
    python_id,
    python_key,
)

LINKS = PhoneListingLink._meta.db_table


def links_walk(query: ListingQuery, kind: str) -> list[tuple]:
    """Follow one record's links in creation order, testing each phone's listing row."""
    record_id = next(ids[0] for name, ids in query.links if name == kind)
    where = conditions(replace(query, beyond=None), skip_link=kind)
    bound, params = "", []
    if query.beyond is not None:
        value, phone_id = query.beyond
        op = "<" if query.descending else ">"
        key = db_value("created_at", value)
        # The first comparison bounds the index range; the second orders the ties.
        bound = f"k.created_at {op}= %s AND (k.created_at {op} %s OR k.phone_id {op} %s) AND "
        params = [key, key, phone_id_value(phone_id)]
    join = "CROSS JOIN" if is_sqlite() else "JOIN"
    direction = "DESC" if query.descending else "ASC"
    sql = (
        f"SELECT {ROW} FROM {LINKS} k {join} {LISTING} l ON l.id = k.listing_id "  # noqa: S608
        f"WHERE k.kind = %s AND k.record_id = %s AND {bound}{where.joined()} "
        f"ORDER BY k.created_at {direction}, k.phone_id {direction} LIMIT %s"
    )
    return fetch(sql, [kind[0], record_id, *params, *where.params, query.limit])


def walk(query: ListingQuery, *, rows: int = 0) -> tuple[list[tuple], tuple[Any, Any] | None]:
    """Follow the sort order's index, testing each row, until the page is full; ``rows``
    bounds how far: the walk stops at the row that many rows in (terms aside), found first
    through the index alone, so a page that fills sooner stops sooner. Returns the page's
    rows and that last row's (sort key, phone id), or None when the walk could reach the end
    of the list (the rows are then every match there is)."""
    where = conditions(query)
    last = None
    if rows:
        rest = conditions(replace(query, terms=()))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT l.{query.column}, l.phone_id FROM {LISTING} l "  # noqa: S608
                f"WHERE {rest.joined()} ORDER BY l.{order_by(query)} LIMIT 1 OFFSET %s",
                [*rest.params, rows - 1],
            )
            last = cursor.fetchone()
        if last is not None:
            key, phone_id = last
            # The rows up to that one in the walk's order.
            op = ">" if query.descending else "<"
            # The first comparison bounds the index range; the second orders the ties.
            where.add(
                f"l.{query.column} {op}= %s AND (l.{query.column} {op} %s OR l.phone_id {op}= %s)",
                key,
                key,
                phone_id,
            )
    sql = (
        f"SELECT {ROW} FROM {LISTING} l WHERE {where.joined()} "  # noqa: S608
        f"ORDER BY l.{order_by(query)} LIMIT %s"
    )
    end = None if last is None else (python_key(query.column, last[0]), python_id(last[1]))
    return fetch(sql, [*where.params, query.limit]), end


def drive(query: ListingQuery, source: Source) -> list[tuple]:
    """Gather the candidates an index names, test them, sort just those, then read the
    page's rows (by their integer ids, the listing's own key)."""
    where = conditions(query, skip_link=source.name)
    column, direction = query.column, "DESC" if query.descending else "ASC"
    join = "CROSS JOIN" if is_sqlite() else "JOIN"
    sql = (
        f"WITH c AS MATERIALIZED (SELECT l.id, l.phone_id, l.{column} "  # noqa: S608
        f"FROM {source.rows_sql} {where.joined()}), "
        f"p AS MATERIALIZED (SELECT id, phone_id, {column} FROM c "
        f"ORDER BY {order_by(query)} LIMIT %s) "
        f"SELECT {ROW} FROM p {join} {LISTING} l ON l.id = p.id "
        f"ORDER BY p.{column} {direction}, p.phone_id {direction}"
    )
    return fetch(sql, [*source.rows_params, *where.params, query.limit])
