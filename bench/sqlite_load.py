"""The fast way into SQLite: several processes, one writer.

Worker processes make chunks of phones and write each into a scratch SQLite file (so the
Python-side cost of binding values is spread over the cores); the main process copies each
chunk into the benchmark database with ``INSERT ... SELECT`` and recreates the secondary
indexes at the end; one more process builds the FTS5 trigram index from the same chunks in
its own file, and its tables are copied in at the end. Indexes, triggers and the FTS5 table
are put back exactly as the database held them, which is as the migrations created them.

The writer is the critical path, so the helpers run below it: the chunk makers a little, the
search-index builder most (it catches up while the writer builds the indexes at the end).
Each listing row keeps the id the chunk gave it, which is its rowid in the FTS5 index.
"""

import functools
import multiprocessing
import os
import shutil
import sqlite3
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from django.db import connection

from bench.data import PhoneLinks, chunk_rng, make_phone_chunk
from bench.tables import CHUNK_TABLES, DIRECTORY, LOADED, extra_columns, lower_priority

CHUNK = 50_000
SELF_CHECK_MAX = 200_000  # phones; larger loads skip the slow self-check
FTS_TABLE = "phones_phonesearch_fts"
FTS_SHADOWS = ("data", "idx", "docsize", "config")
FTS_HASH_BYTES = 256 * 1024 * 1024  # pending index data held in memory between flushes
LOAD_PRAGMAS = (
    "journal_mode=OFF",
    "synchronous=OFF",
    "locking_mode=EXCLUSIVE",
    "temp_store=MEMORY",
    "cache_size=-4000000",
    "ignore_check_constraints=ON",
    "threads=2",
)

# What the worker processes need; set before they are forked.
_WORK: dict = {}


def _open(path: str | Path, pragmas=("journal_mode=OFF", "synchronous=OFF")) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in pragmas:
        db.execute(f"PRAGMA {pragma}")
    return db


def _write_chunk(chunk: int) -> str:
    """Make one chunk of phones and write it to a scratch file; returns the file's path."""
    total, first = _WORK["total"], chunk * CHUNK
    batch = make_phone_chunk(
        chunk_rng(_WORK["seed"], chunk),
        first,
        min(CHUNK, total - first),
        total,
        _WORK["links"],
        _WORK["stamp"],
    )
    path = Path(_WORK["scratch"]) / f"chunk-{chunk:05d}.sqlite3"
    db = _open(path)
    db.execute("BEGIN")
    for name, (_, columns) in CHUNK_TABLES.items():
        db.execute(f"CREATE TABLE {name} ({', '.join(columns)})")
        marks = ", ".join("?" * len(columns))
        db.executemany(f"INSERT INTO {name} VALUES ({marks})", getattr(batch, name))  # noqa: S608
    db.execute("COMMIT")
    db.close()
    return str(path)


def _build_search_index(create_sql: str, target: str, paths) -> None:
    """Feed every chunk's search text to an FTS5 table of the same definition, in one
    transaction so the index is written in few, large segments."""
    lower_priority(15)  # below the chunk makers: it catches up while the writer builds indexes
    db = _open(target, ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000"))
    db.execute(create_sql)
    db.execute(
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('hashsize', {FTS_HASH_BYTES})"  # noqa: S608
    )
    db.execute("BEGIN")
    while (path := paths.get()) is not None:
        source = sqlite3.connect(path)
        db.executemany(
            f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (?, ?)",  # noqa: S608
            source.execute("SELECT id, text FROM listing"),
        )
        source.close()
        Path(path).unlink()
    db.execute("COMMIT")
    # Leave the index's settings as a fresh migration makes them.
    db.execute(f"DELETE FROM {FTS_TABLE}_config WHERE k = 'hashsize'")  # noqa: S608
    db.close()


def _definition(path: str, name: str) -> str:
    db = sqlite3.connect(path)
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [name]).fetchone()
    db.close()
    return sql


class SqliteLoad:
    """The one connection that writes the benchmark database during the load."""

    def __init__(self, path: str, check: bool) -> None:
        self.check = check
        self.seconds: dict[str, float] = defaultdict(float)
        self.db = _open(path, LOAD_PRAGMAS)
        tables = [model._meta.db_table for model in LOADED]
        marks = ", ".join("?" * len(tables))
        self.saved = self.db.execute(
            "SELECT type, name, sql FROM sqlite_master "  # noqa: S608
            f"WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN ({marks})",
            tables,
        ).fetchall()
        for kind, name, _ in self.saved:
            self.db.execute(f'DROP {kind.upper()} "{name}"')

    def timed(self, label: str, work: Callable[[], object]) -> None:
        started = time.perf_counter()
        work()
        self.seconds[label] += time.perf_counter() - started

    def insert_dicts(self, model, rows: list[dict]) -> None:
        if not rows:
            return
        columns = list(rows[0])
        extra_names, extra_values = extra_columns(model, columns)
        names = [*columns, *extra_names]
        sql = (
            f'INSERT INTO "{model._meta.db_table}" ({", ".join(names)}) '  # noqa: S608
            f"VALUES ({', '.join('?' * len(names))})"
        )
        values = [tuple(row[c] for c in columns) + extra_values for row in rows]
        self.timed(model._meta.db_table, lambda: self.db.executemany(sql, values))

    def copy_chunk(self, path: str) -> None:
        self.db.execute("ATTACH ? AS chunk", [path])
        self.db.execute("BEGIN")
        for name, (model, columns) in CHUNK_TABLES.items():
            extra_names, extra_values = extra_columns(model, columns)
            sql = (
                f'INSERT INTO "{model._meta.db_table}" '  # noqa: S608
                f"({', '.join([*columns, *extra_names])}) "
                f"SELECT {', '.join([*columns, *('?' * len(extra_names))])} FROM chunk.{name}"
                # Phones and listing rows keep their order (oldest first, as a sync writes
                # them); links go in by phone so their unique index is written in order.
                + (" ORDER BY phone_id" if columns[0] == "phone_id" else "")
            )
            self.timed(model._meta.db_table, functools.partial(self.db.execute, sql, extra_values))
        self.db.execute("COMMIT")
        self.db.execute("DETACH chunk")

    def self_check(self) -> None:
        """Checks worth their time on a small load: the database and the search index are
        consistent and every stored document is valid JSON."""
        (ok,) = self.db.execute("PRAGMA integrity_check").fetchone()
        self.db.execute(
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)"  # noqa: S608
        )
        (bad_json,) = self.db.execute(
            "SELECT COUNT(*) FROM phones_phone WHERE NOT json_valid(raw)"
        ).fetchone()
        if ok != "ok" or bad_json:
            raise RuntimeError(f"Self-check failed: integrity {ok!r}, {bad_json} invalid documents")

    def restore(self, fts_path: str, fts) -> None:
        indexes = [sql for kind, _, sql in self.saved if kind == "index"]
        triggers = [sql for kind, _, sql in self.saved if kind == "trigger"]
        self.timed("secondary indexes", lambda: [self.db.execute(sql) for sql in indexes])
        self.timed("waiting for the search index", fts.join)
        if fts.exitcode != 0:
            raise RuntimeError(f"Building the search index failed (exit code {fts.exitcode}).")
        self.timed("copying the search index in", lambda: self._copy_fts(fts_path))
        self.timed("search triggers", lambda: [self.db.execute(sql) for sql in triggers])
        self.db.execute("PRAGMA ignore_check_constraints=OFF")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.timed("ANALYZE", lambda: self.db.execute("ANALYZE"))
        if self.check:
            self.timed("self-check", self.self_check)
        self.db.close()

    def _copy_fts(self, fts_path: str) -> None:
        self.db.execute("ATTACH ? AS fts", [fts_path])
        self.db.execute("BEGIN")
        for shadow in FTS_SHADOWS:
            table = f"{FTS_TABLE}_{shadow}"
            self.db.execute(f"DELETE FROM main.{table}")  # noqa: S608
            self.db.execute(f"INSERT INTO main.{table} SELECT * FROM fts.{table}")  # noqa: S608
        self.db.execute("COMMIT")
        self.db.execute("DETACH fts")


def load_sqlite(*, seed: int, total: int, directory, stamp) -> dict[str, float]:
    """Load the directory and ``total`` phones; returns seconds per step."""
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - scratch in RAM
    scratch = tempfile.mkdtemp(prefix="wellui-bench-", dir=shm)
    _WORK.update(
        seed=seed, total=total, links=PhoneLinks.of(directory), stamp=stamp, scratch=scratch
    )
    chunks = range((total + CHUNK - 1) // CHUNK)
    workers = max(1, min(os.cpu_count() or 1, len(chunks)))
    context = multiprocessing.get_context("fork")
    path = connection.settings_dict["NAME"]
    connection.close()  # nothing open crosses a fork
    paths = context.Queue()
    fts_path = str(Path(scratch) / "search.sqlite3")
    fts = context.Process(
        target=_build_search_index, args=(_definition(path, FTS_TABLE), fts_path, paths)
    )
    try:
        with context.Pool(workers, initializer=lower_priority) as pool:
            fts.start()
            load = SqliteLoad(path, check=total <= SELF_CHECK_MAX)
            for model, records in zip(DIRECTORY, directory.tables(), strict=True):
                load.insert_dicts(model, records)
            waited = 0.0
            made = pool.imap(_write_chunk, chunks)
            while True:
                started = time.perf_counter()
                path = next(made, None)
                waited += time.perf_counter() - started
                if path is None:
                    break
                load.copy_chunk(path)
                paths.put(path)
            paths.put(None)
        load.seconds[f"waiting for phone chunks ({workers} processes)"] = waited
        load.restore(fts_path, fts)
    finally:
        if fts.is_alive():
            fts.terminate()
        shutil.rmtree(scratch, ignore_errors=True)
    return dict(load.seconds)
