"""How the list finds one page of phone ids: a planned query over the narrow listing rows.

Every condition is tested on the listing row itself (``PhoneListing``: sort keys, filter
columns, the ids of its links, search text), so a page never reads the wide phone rows nor
probes a link table per row. What differs is where the
rows come from:

- **walk**: follow the sort order's index and test each row, stopping once the page is full.
  Cheap when matches are common, since few rows are read before the page fills.
- **drive**: take the few phones that can match from an index (the trigram index for the
  search terms, or a link table for a workspace, company or person filter), test and sort
  just those. Cheap when matches are rare.

The planner counts each index's candidates (up to ``DRIVE_LIMIT``) and takes the plan that
reads fewer rows. Both plans test the same conditions on the same rows, so they give the
same page; the trigram index only ever narrows the candidates.

Search terms are matched as substrings with ``instr``/``strpos`` on the listing's text, a
plain column. On SQLite the FTS5 table is only ever queried with MATCH on its own: a LIKE
never reaches it (SQLite 3.40's FTS5 trigram code can crash on MATCH combined with LIKE
constraints on short non-ASCII patterns).
"""

import math
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import connection
from django.db.models import Field

from phones.models import Phone, PhoneListing

LISTING = PhoneListing._meta.db_table
FTS = f"{LISTING}_fts"
# How many candidates the planner counts at most; an index with more is not driven from.
DRIVE_LIMIT = 10_000
# What a candidate gathered from an index costs, in rows read by a walk (measured at 1M phones
# on SQLite: a walked row ~0.8 us, a trigram candidate ~2.5 us, a linked phone found through
# its UUID ~8 us).
TERM_COST = 3
LINK_COST = 10
# Where the candidates of the terms are not counted (PostgreSQL), a walk reads at most this
# many rows per row of the page before the page is driven from an index instead.
PROBE_ROWS = 300
# The shortest term a trigram index can find.
TRIGRAM = 3
# A term pg_trgm can narrow down: one with a run of three word characters.
PG_INDEXABLE = re.compile(r"\w{3}")

LINK_TABLES = {
    "workspaces": ("phones_phoneworkspace", "workspace_id"),
    "companies": ("phones_phonecompany", "company_id"),
    "people": ("phones_phoneperson", "person_id"),
}


@dataclass(frozen=True)
class ListingQuery:
    """What one page asks for, in database terms: conditions on the listing row, the order
    to walk, where to start, and how many rows."""

    terms: Sequence[str] = ()
    links: Sequence[tuple[str, Sequence[str]]] = ()  # ("workspaces", ids), ...
    equals: Sequence[tuple[str, Any]] = ()  # (listing column, value)
    created_from: Any = None
    created_before: Any = None
    column: str = "created_at"
    descending: bool = True
    beyond: tuple[Any, uuid.UUID] | None = None  # (sort key, phone id) of the last row seen
    limit: int = 26


@dataclass
class _Where:
    sql: list[str]
    params: list[Any]

    def add(self, sql: str, *params: Any) -> None:
        self.sql.append(sql)
        self.params.extend(params)

    def joined(self) -> str:
        return " AND ".join(self.sql) if self.sql else "1 = 1"


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def _db_value(column: str, value: Any) -> Any:
    field = PhoneListing._meta.get_field(column)
    assert isinstance(field, Field)
    return field.get_db_prep_value(value, connection, prepared=False)


def _phone_id(value: Any) -> Any:
    return Phone._meta.pk.get_db_prep_value(value, connection, prepared=False)


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_phrases(terms: Sequence[str]) -> str:
    """An FTS5 query for texts holding every term: with the trigram tokenizer, the phrase of
    a term's trigrams matches the texts that contain it (and, folding case, a few more)."""
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _indexed_terms(terms: Sequence[str]) -> list[str]:
    if _sqlite():
        return [t for t in terms if len(t) >= TRIGRAM]
    return [t for t in terms if PG_INDEXABLE.search(t)]


def _conditions(query: ListingQuery, *, skip_link: str = "") -> _Where:
    """Every condition of the query on listing row ``l``, the keyset bound included."""
    where = _Where([], [])
    contains = "instr(l.text, %s) > 0" if _sqlite() else "strpos(l.text, %s) > 0"
    for term in query.terms:
        where.add(contains, term)
    linked = "instr(l.links, %s) > 0" if _sqlite() else "strpos(l.links, %s) > 0"
    for kind, ids in query.links:
        if kind == skip_link:
            continue
        # The row's own copy of its links: no probe of a link table per row.
        where.add(
            "(" + " OR ".join([linked] * len(ids)) + ")",
            *(PhoneListing.link_mark(kind, record_id) for record_id in ids),
        )
    for column, value in query.equals:
        where.add(f"l.{column} = %s", _db_value(column, value))
    if query.created_from is not None:
        where.add("l.created_at >= %s", _db_value("created_at", query.created_from))
    if query.created_before is not None:
        where.add("l.created_at < %s", _db_value("created_at", query.created_before))
    if query.beyond is not None:
        value, phone_id = query.beyond
        op = "<" if query.descending else ">"
        key, pid = _db_value(query.column, value), _phone_id(phone_id)
        where.add(
            f"(l.{query.column} {op} %s OR (l.{query.column} = %s AND l.phone_id {op} %s))",
            key,
            key,
            pid,
        )
    return where


def _order(query: ListingQuery) -> str:
    direction = "DESC" if query.descending else "ASC"
    return f"{query.column} {direction}, phone_id {direction}"


def _fetch(sql: str, params: list[Any]) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _count(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT %s) c", [*params, DRIVE_LIMIT])  # noqa: S608
        return cursor.fetchone()[0]


@dataclass(frozen=True)
class _Source:
    """An index that yields every phone that can match: its candidates as SQL on ``l``."""

    name: str
    cost: int  # of one candidate, in walked rows
    counted: bool  # False where counting costs about what driving does
    count_sql: str
    count_params: list[Any]
    rows_sql: str  # FROM ... (selecting listing rows as l), its params follow
    rows_params: list[Any]


def _sources(query: ListingQuery) -> list[_Source]:
    sources = []
    # SQLite takes the left table of a CROSS JOIN as the outer loop: the candidates.
    join = "CROSS JOIN" if _sqlite() else "JOIN"
    indexed = _indexed_terms(query.terms)
    if indexed and _sqlite():
        phrases = _fts_phrases(indexed)
        sources.append(
            _Source(
                "terms",
                TERM_COST,
                True,
                f"SELECT 1 FROM {FTS} WHERE {FTS} MATCH %s",  # noqa: S608
                [phrases],
                f"{FTS} CROSS JOIN {LISTING} l ON l.id = {FTS}.rowid WHERE {FTS} MATCH %s AND",
                [phrases],
            )
        )
    elif indexed:
        likes = [_like(t) for t in indexed]
        match = " AND ".join(["text LIKE %s"] * len(likes))
        sources.append(
            _Source(
                "terms",
                TERM_COST,
                # pg_trgm's candidates must be rechecked on the table, so a count reads as
                # many rows as driving from them would.
                False,
                f"SELECT 1 FROM {LISTING} WHERE {match}",  # noqa: S608
                likes,
                f"{LISTING} l WHERE " + " AND ".join(["l.text LIKE %s"] * len(likes)) + " AND",
                likes,
            )
        )
    for kind, ids in query.links:
        table, column = LINK_TABLES[kind]
        marks = ", ".join(["%s"] * len(ids))
        in_ids = f"{column} IN ({marks})"
        if len(ids) == 1:
            # One record's links name each phone once.
            linked = f"{table} x {join} {LISTING} l ON l.phone_id = x.phone_id WHERE x.{in_ids} AND"
        else:
            linked = (
                f"(SELECT DISTINCT phone_id FROM {table} WHERE {in_ids}) x "  # noqa: S608
                f"{join} {LISTING} l ON l.phone_id = x.phone_id WHERE"
            )
        sources.append(
            _Source(
                kind,
                LINK_COST,
                True,
                f"SELECT 1 FROM {table} WHERE {in_ids}",  # noqa: S608
                list(ids),
                linked,
                list(ids),
            )
        )
    return sources


@dataclass(frozen=True)
class Plan:
    """The plan chosen for a query, and why: candidates per index, rows a walk would read."""

    kind: str  # "walk", "drive:<index>" or "empty"
    counts: dict[str, int]
    walk_rows: float


def listing_plan(
    query: ListingQuery, *, total: int, force: str = ""
) -> tuple[Plan, _Source | None]:
    """Which plan reads fewer rows for this query over ``total`` listing rows (``force``,
    "walk" or "drive", overrides the choice where that plan is possible)."""
    sources = _sources(query)
    counts = {s.name: _count(s.count_sql, s.count_params) for s in sources if s.counted}
    if not sources:
        return Plan("walk", counts, float(total)), None
    if counts and min(counts.values()) == 0:
        return Plan("empty", counts, 0.0), None
    counted = sorted((s for s in sources if s.counted), key=lambda s: counts[s.name] * s.cost)
    uncounted = [s for s in sources if not s.counted]
    density = math.prod(min(c, total) / max(total, 1) for c in counts.values())
    walk_rows = min(query.limit / density, float(total)) if density else float(total)
    if uncounted:
        # How common the terms are is not known: walk a bounded stretch first; a page not
        # filled by then is driven from the smaller index.
        probe = PROBE_ROWS * query.limit
        best = (
            counted[0] if counted and counts[counted[0].name] * counted[0].cost <= probe else None
        )
        if force == "walk":
            return Plan("walk", counts, walk_rows), None
        if best is not None or force == "drive":
            chosen = best or uncounted[0]
            return Plan(f"drive:{chosen.name}", counts, walk_rows), chosen
        return Plan("probe", counts, float(probe)), uncounted[0]
    # An index with more candidates than were counted cannot be driven from.
    drivable = [s for s in counted if counts[s.name] < DRIVE_LIMIT] or counted
    best = drivable[0]
    drive = counts[best.name] < DRIVE_LIMIT and counts[best.name] * best.cost <= walk_rows
    if force:
        drive = force == "drive"
    if drive:
        return Plan(f"drive:{best.name}", counts, walk_rows), best
    return Plan("walk", counts, walk_rows), None


def _walk(query: ListingQuery, *, rows: int = 0) -> list[Any]:
    """Follow the sort order's index, testing each row; ``rows`` bounds how far."""
    if not rows:
        where = _conditions(query)
        sql = (
            f"SELECT l.phone_id FROM {LISTING} l WHERE {where.joined()} "  # noqa: S608
            f"ORDER BY l.{_order(query)} LIMIT %s"
        )
        return _fetch(sql, [*where.params, query.limit])
    where = _conditions(replace(query, terms=()))
    # The terms are tested on the first ``rows`` rows the other conditions let through.
    test = _conditions(ListingQuery(terms=query.terms))
    sql = (
        f"SELECT phone_id FROM (SELECT l.phone_id, l.text, l.{query.column} "  # noqa: S608
        f"FROM {LISTING} l WHERE {where.joined()} ORDER BY l.{_order(query)} LIMIT %s) l "
        f"WHERE {test.joined()} ORDER BY {_order(query)} LIMIT %s"
    )
    return _fetch(sql, [*where.params, rows, *test.params, query.limit])


def _drive(query: ListingQuery, source: _Source) -> list[Any]:
    """Gather the candidates an index names, test them, then sort just those."""
    where = _conditions(query, skip_link=source.name)
    sql = (
        f"WITH c AS MATERIALIZED (SELECT l.phone_id, l.{query.column} "  # noqa: S608
        f"FROM {source.rows_sql} {where.joined()}) "
        f"SELECT phone_id FROM c ORDER BY {_order(query)} LIMIT %s"
    )
    return _fetch(sql, [*source.rows_params, *where.params, query.limit])


def listing_ids(
    query: ListingQuery,
    *,
    total: int,
    force: str = "",
    planned: tuple[Plan, _Source | None] | None = None,
) -> list[uuid.UUID]:
    """The phone ids of one page, in the query's order. ``planned``: the plan of an earlier
    page of the same query (its counts do not depend on where the page starts)."""
    plan, source = planned or listing_plan(query, total=total, force=force)
    if plan.kind == "empty":
        return []
    if plan.kind == "probe":
        found = _walk(query, rows=int(plan.walk_rows))
        if len(found) < query.limit:
            assert source is not None  # a probe names the index it falls back to
            found = _drive(query, source)
    elif source is None:
        found = _walk(query)
    else:
        found = _drive(query, source)
    return [v if isinstance(v, uuid.UUID) else uuid.UUID(v) for v in found]
