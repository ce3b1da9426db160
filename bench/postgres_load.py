"""The fast way into PostgreSQL: COPY into bare tables, then indexes and constraints.

The database is freshly created and migrated (``bench.generate``). One transaction reads the
definitions of its tables' indexes and constraints (primary keys, unique and foreign keys,
the pg_trgm index, and foreign keys of other tables that point at them) from the catalogue,
drops them, truncates the tables and COPYs the rows in with ``FREEZE``: frozen and marked
all-visible, as a vacuumed production table is. Worker processes make chunks of phones and
format them as COPY text while this process streams the previous chunk to the server.

Then the definitions are applied again on two connections at once: the trigram index (GIN,
built by one backend, the longest step) on one, keys, the other indexes and foreign keys on
the other. A load that stops half-way leaves no record of being complete (``bench_info``),
so the next ``bench.generate`` makes the database anew.
"""

import functools
import multiprocessing
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection, transaction

from bench.data import PhoneLinks, chunk_rng, make_phone_chunk
from bench.directory import Directory
from bench.tables import CHUNK_TABLES, DIRECTORY, LOADED, extra_columns, lower_priority
from phones.models import PhoneListing

CHUNK = 50_000
# Session settings for the load: index builds sort in memory, commits do not wait for disk.
SESSION = ("maintenance_work_mem = '1GB'", "synchronous_commit = off")
COPY_SPECIAL = ("\\", "\t", "\n", "\r")
NULL = "\\N"

# What the worker processes need; set before they are forked.
_WORK: dict = {}

Timed = Callable[[str, Callable[[], object]], None]


def copy_text(rows: Iterable[tuple]) -> bytes:
    """Rows in COPY's text format. Values are written with ``str`` (booleans as True/False,
    which PostgreSQL reads), None as NULL; no value may hold a backslash, tab or line break
    (``check_copy_safe`` makes sure of that for everything the rows are made from)."""
    nulls = {None: NULL}.get  # a value stays itself, None becomes NULL
    lines = ["\t".join(map(str, map(nulls, row, row))) for row in rows]
    lines.append("")
    return "\n".join(lines).encode()


def check_copy_safe(directory: Directory) -> None:
    """Every string a phone's rows are made of comes from the directory or from fixed
    formats; refuse one that COPY's text format would need escaped."""
    for records in directory.tables():
        for record in records:
            for value in record.values():
                if isinstance(value, str) and any(ch in value for ch in COPY_SPECIAL):
                    raise ValueError(f"directory value needs COPY escaping: {value!r}")


def _copy_sql(name: str, columns: list[str]) -> str:
    return f'COPY "{name}" ({", ".join(columns)}) FROM STDIN (FREEZE)'


def _make_chunk(chunk: int) -> list[tuple[str, bytes]]:
    """One chunk of phones as (COPY statement, data) per table."""
    total, first = _WORK["total"], chunk * CHUNK
    batch = make_phone_chunk(
        chunk_rng(_WORK["seed"], chunk),
        first,
        min(CHUNK, total - first),
        total,
        _WORK["links"],
        _WORK["stamp"],
    )
    out = []
    for name, (model, columns) in CHUNK_TABLES.items():
        extra_names, extra_values = extra_columns(model, columns)
        rows = getattr(batch, name)
        if extra_names:
            rows = [row + extra_values for row in rows]
        sql = _copy_sql(model._meta.db_table, [*columns, *extra_names])
        out.append((sql, copy_text(rows)))
    return out


@dataclass(frozen=True)
class Definition:
    kind: str  # "key" (primary or unique), "index" or "foreign"
    table: str
    name: str
    sql: str  # the constraint's definition, or the whole CREATE INDEX statement

    def create(self) -> str:
        if self.kind == "index":
            return self.sql
        return f'ALTER TABLE "{self.table}" ADD CONSTRAINT "{self.name}" {self.sql}'

    def drop(self) -> str:
        if self.kind == "index":
            return f'DROP INDEX "{self.name}"'
        return f'ALTER TABLE "{self.table}" DROP CONSTRAINT "{self.name}"'


def _catalogue(cursor, tables: list[str]) -> list[Definition]:
    cursor.execute(
        "SELECT c.contype, c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
        "FROM pg_constraint c WHERE c.contype IN ('p', 'u', 'f') "
        "AND (c.conrelid = ANY(%s::regclass[]) "
        "OR (c.contype = 'f' AND c.confrelid = ANY(%s::regclass[]))) ORDER BY c.conname",
        [tables, tables],
    )
    found = [
        Definition("foreign" if kind == "f" else "key", table, name, sql)
        for kind, table, name, sql in cursor.fetchall()
    ]
    cursor.execute(
        "SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text, "
        "pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "ORDER BY 2",
        [tables],
    )
    return found + [Definition("index", *row) for row in cursor.fetchall()]


def take_schema(cursor, tables: list[str]) -> list[Definition]:
    """The definitions to put back after the load, read and then dropped."""
    definitions = _catalogue(cursor, tables)
    for kind in ("foreign", "key", "index"):
        for definition in definitions:
            if definition.kind == kind:
                cursor.execute(definition.drop())
    return definitions


def _on_own_connection(work: Callable[[object], None], *settings: str) -> None:
    """Run ``work(cursor)`` on this thread's own database connection, then close it."""
    try:
        with connection.cursor() as cursor:
            for setting in (*SESSION, *settings):
                cursor.execute(f"SET {setting}")
            work(cursor)
    finally:
        connection.close()


def restore_schema(definitions: list[Definition], timed: Timed) -> None:
    """Build every saved index and constraint again, the trigram index beside the rest."""
    listing = PhoneListing._meta.db_table
    mine = [d for d in definitions if d.table == listing or listing in d.sql]
    gin = [d for d in mine if d.kind == "index" and "gin_trgm_ops" in d.sql]
    listing_keys = [d for d in mine if d.kind == "key"]
    listing_foreign = [d for d in mine if d.kind == "foreign"]
    rest = [d for d in definitions if d not in (*gin, *listing_keys, *listing_foreign)]
    # The listing table's keys lock it entirely: they go first. Its foreign key waits for the
    # phone table's primary key.
    keys_ready, others_ready = threading.Event(), threading.Event()

    def build(cursor, label: str, definition: Definition) -> None:
        timed(label, lambda: cursor.execute(definition.create()))

    def trigram(cursor) -> None:
        keys_ready.wait()
        for d in gin:
            build(cursor, "trigram index (GIN), beside the rest", d)
        others_ready.wait()
        for d in listing_foreign:
            build(cursor, "foreign keys (checked)", d)

    def others(cursor) -> None:
        try:
            for d in listing_keys:
                build(cursor, "primary keys, unique constraints", d)
            keys_ready.set()
            for kind, label in (
                ("key", "primary keys, unique constraints"),
                ("index", "other indexes"),
                ("foreign", "foreign keys (checked)"),
            ):
                for d in rest:
                    if d.kind == kind:
                        build(cursor, label, d)
                if kind == "key":
                    others_ready.set()
        finally:
            keys_ready.set()
            others_ready.set()

    with ThreadPoolExecutor(max_workers=1) as beside:
        started = beside.submit(_on_own_connection, trigram)
        # One core each: the GIN build cannot use parallel workers, and is the longest.
        _on_own_connection(others, "max_parallel_maintenance_workers = 0")
        started.result()


def load_postgres(*, seed: int, total: int, directory: Directory, stamp) -> dict[str, float]:
    """Load the directory and ``total`` phones; returns seconds per step."""
    check_copy_safe(directory)
    seconds: dict[str, float] = defaultdict(float)

    def timed(label: str, work: Callable[[], object]) -> None:
        started = time.perf_counter()
        work()
        seconds[label] += time.perf_counter() - started

    _WORK.update(seed=seed, total=total, links=PhoneLinks.of(directory), stamp=stamp)
    chunks = range((total + CHUNK - 1) // CHUNK)
    workers = max(1, min(os.cpu_count() or 1, len(chunks)))
    tables = [model._meta.db_table for model in LOADED]
    connection.close()  # nothing open crosses a fork
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=lower_priority) as pool:
        made = pool.imap(_make_chunk, chunks)
        with transaction.atomic(), connection.cursor() as django_cursor:
            cursor = django_cursor.cursor  # psycopg's own, for COPY
            for setting in SESSION:
                cursor.execute(f"SET LOCAL {setting}")
            definitions: list[Definition] = []
            timed(
                "dropping indexes, constraints",
                lambda: definitions.extend(take_schema(cursor, tables)),
            )
            quoted = ", ".join(f'"{table}"' for table in tables)
            timed("truncating", lambda: cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY"))
            for model, records in zip(DIRECTORY, directory.tables(), strict=True):
                columns = list(records[0]) if records else []
                extra_names, extra_values = extra_columns(model, columns)
                rows = [tuple(r[c] for c in columns) + extra_values for r in records]
                sql = _copy_sql(model._meta.db_table, [*columns, *extra_names])
                timed("COPY directory", functools.partial(_copy, cursor, sql, copy_text(rows)))
            while True:
                started = time.perf_counter()
                parts = next(made, None)
                seconds[f"waiting for phone chunks ({workers} processes)"] += (
                    time.perf_counter() - started
                )
                if parts is None:
                    break
                for sql, data in parts:
                    timed("COPY phones", functools.partial(_copy, cursor, sql, data))
    restore_schema(definitions, timed)
    with connection.cursor() as cursor:
        timed("identity sequences", lambda: _reset_identities(cursor, tables))
        timed("ANALYZE", lambda: cursor.execute("ANALYZE"))
    return dict(seconds)


def _copy(cursor, sql: str, data: bytes) -> None:
    with cursor.copy(sql) as copy:
        copy.write(data)


def _reset_identities(cursor, tables: list[str]) -> None:
    """Identity columns given explicit values by COPY continue after the largest."""
    for table in tables:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        if sequence:
            cursor.execute(
                f'SELECT setval(%s, COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)',  # noqa: S608
                [sequence],
            )
