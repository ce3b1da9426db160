"""The listing query in SQL: what a page asks for (``ListingQuery``), every condition of it
on a listing row ``l``, and the indexes that can name a page's candidates (``Source``).
``phones.selectors.listing_plan`` chooses among them.

Search terms are matched as substrings with ``instr``/``strpos`` on the listing's text, a
plain column. On SQLite the FTS5 table is only ever queried with MATCH on its own: a LIKE
never reaches it (SQLite 3.40's FTS5 trigram code can crash on MATCH combined with LIKE
constraints on short non-ASCII patterns).
"""

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import connection
from django.db.models import DateTimeField, Field
from django.utils.dateparse import parse_datetime

from phones.models import Phone, PhoneListing

LISTING = PhoneListing._meta.db_table
FTS = f"{LISTING}_fts"
# What a candidate gathered from an index costs, in rows read by a walk (measured at 1M phones
# on SQLite: a walked row ~1 us, a trigram candidate 2-10 us (its terms' trigrams are read
# whole, however few phones hold all of them), a linked phone found through its UUID ~8 us;
# on PostgreSQL a walked row ~1 us, a pg_trgm candidate ~7 us: its heap row is read at random
# to recheck it and to sort by).
TERM_COST = 5
PG_TERM_COST = 8
LINK_COST = 10
# The shortest term a trigram index can find.
TRIGRAM = 3
# A term pg_trgm can narrow down: one with a run of three word characters.
PG_INDEXABLE = re.compile(r"\w{3}")

# The listing row's columns a page reads, the phone id first: every plan reads its page's
# rows in the query that finds them (``phones.selectors.listing_rows`` makes table rows of
# them), so a page costs one query after the plan's own.
ROW_COLUMNS = (
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
ROW = ", ".join(f"l.{column}" for column in ROW_COLUMNS)

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
class Where:
    sql: list[str]
    params: list[Any]

    def add(self, sql: str, *params: Any) -> None:
        self.sql.append(sql)
        self.params.extend(params)

    def joined(self) -> str:
        return " AND ".join(self.sql) if self.sql else "1 = 1"


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def db_value(column: str, value: Any) -> Any:
    field = PhoneListing._meta.get_field(column)
    assert isinstance(field, Field)
    return field.get_db_prep_value(value, connection, prepared=False)


def phone_id_value(value: Any) -> Any:
    return Phone._meta.pk.get_db_prep_value(value, connection, prepared=False)


def python_key(column: str, value: Any) -> Any:
    """A sort key as the database gave it back, as the query takes it (``beyond``): a time
    aware, in UTC (SQLite gives Django's times back without their offset)."""
    if isinstance(PhoneListing._meta.get_field(column), DateTimeField):
        parsed = parse_datetime(value) if isinstance(value, str) else value
        if parsed is not None and parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed
    return value


def python_id(value: Any) -> uuid.UUID:
    """A phone id as the database gave it back (a UUID, or SQLite's 32 hex digits)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fts_phrases(terms: Sequence[str]) -> str:
    """An FTS5 query for texts holding every term: with the trigram tokenizer, the phrase of
    a term's trigrams matches the texts that contain it (and, folding case, a few more)."""
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)


def indexed_terms(terms: Sequence[str]) -> list[str]:
    if is_sqlite():
        return [t for t in terms if len(t) >= TRIGRAM]
    return [t for t in terms if PG_INDEXABLE.search(t)]


def conditions(query: ListingQuery, *, skip_link: str = "") -> Where:
    """Every condition of the query on listing row ``l``, the keyset bound included."""
    where = Where([], [])
    contains = "instr(l.text, %s) > 0" if is_sqlite() else "strpos(l.text, %s) > 0"
    for term in query.terms:
        where.add(contains, term)
    linked = "instr(l.links, %s) > 0" if is_sqlite() else "strpos(l.links, %s) > 0"
    for kind, ids in query.links:
        if kind == skip_link:
            continue
        # The row's own copy of its links: no probe of a link table per row.
        where.add(
            "(" + " OR ".join([linked] * len(ids)) + ")",
            *(PhoneListing.link_mark(kind, record_id) for record_id in ids),
        )
    for column, value in query.equals:
        where.add(f"l.{column} = %s", db_value(column, value))
    if query.created_from is not None:
        where.add("l.created_at >= %s", db_value("created_at", query.created_from))
    if query.created_before is not None:
        where.add("l.created_at < %s", db_value("created_at", query.created_before))
    if query.beyond is not None:
        value, phone_id = query.beyond
        op = "<" if query.descending else ">"
        key, pid = db_value(query.column, value), phone_id_value(phone_id)
        # The first comparison bounds the index range (an OR alone can make SQLite read
        # the index from its start); the second orders the ties.
        where.add(
            f"l.{query.column} {op}= %s AND (l.{query.column} {op} %s OR l.phone_id {op} %s)",
            key,
            key,
            pid,
        )
    return where


def order_by(query: ListingQuery) -> str:
    direction = "DESC" if query.descending else "ASC"
    return f"{query.column} {direction}, phone_id {direction}"


def fetch(sql: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass(frozen=True)
class Source:
    """An index that yields every phone that can match: its candidates as SQL on ``l``."""

    name: str
    cost: int  # of one candidate, in walked rows
    counted: bool  # False where counting costs about what driving does
    count_sql: str
    count_params: list[Any]
    rows_sql: str  # FROM ... (selecting listing rows as l), its params follow
    rows_params: list[Any]


def listing_sources(query: ListingQuery) -> list[Source]:
    sources = []
    # SQLite takes the left table of a CROSS JOIN as the outer loop: the candidates.
    join = "CROSS JOIN" if is_sqlite() else "JOIN"
    indexed = indexed_terms(query.terms)
    if indexed and is_sqlite():
        phrases = fts_phrases(indexed)
        sources.append(
            Source(
                "terms",
                TERM_COST,
                # Counting a common name's matches costs the index about what reading them
                # does; the planner samples the walk instead (listing_plan._sampled).
                False,
                f"SELECT 1 FROM {FTS} WHERE {FTS} MATCH %s",  # noqa: S608
                [phrases],
                f"{FTS} CROSS JOIN {LISTING} l ON l.id = {FTS}.rowid WHERE {FTS} MATCH %s AND",
                [phrases],
            )
        )
    elif indexed:
        likes = [like_pattern(t) for t in indexed]
        match = " AND ".join(["text LIKE %s"] * len(likes))
        sources.append(
            Source(
                "terms",
                PG_TERM_COST,
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
            Source(
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
