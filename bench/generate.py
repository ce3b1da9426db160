"""Fill the benchmark database with a production-sized, deterministic copy of the cache.

    python -m bench.generate                     # 1M phones, 100k people, 20k companies, 200 ws
    python -m bench.generate --phones 20000 --people 5000 --companies 1000 --workspaces 50

The database is ``BENCH_DATABASE_URL`` (default: ``bench/bench.sqlite3``, recreated on each
run; a PostgreSQL database whose name mentions "bench" is dropped and created anew). SQLite is
written by one process with the journal off while worker processes make the rows
(``bench.sqlite_load``); PostgreSQL is loaded with COPY (``bench.postgres_load``). Either way
the indexes, triggers and constraints are dropped for the load and rebuilt afterwards exactly
as the migrations define them, and the database is ANALYZEd.
"""

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import INFO_TABLE, database_url, ensure_database, setup_django

FULL = {"phones": 1_000_000, "people": 100_000, "companies": 20_000, "workspaces": 200}
PHONE_TABLES = (
    "phones_phonesearch",
    "phones_phoneperson",
    "phones_phonecompany",
    "phones_phoneworkspace",
    "phones_phone",
    "phones_person",
    "phones_company",
    "phones_workspace",
)
GENERATOR_VERSION = "4"  # 2: listing rows (PhoneListing); 3: their links, number as shown;
# 4: the links' names on the listing row


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name, default in FULL.items():
        parser.add_argument(f"--{name}", type=int, default=default, help=f"default {default:,}")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument(
        "--keep", action="store_true", help="keep the database file; only replace its rows"
    )
    parser.add_argument(
        "--if-needed",
        action="store_true",
        help="do nothing when the database already holds exactly this data",
    )
    return parser.parse_args(argv)


def wanted_info(args: argparse.Namespace) -> dict[str, str]:
    return {
        "seed": str(args.seed),
        "version": GENERATOR_VERSION,
        **{name: str(getattr(args, name)) for name in FULL},
    }


def current_info() -> dict[str, str] | None:
    """What the existing benchmark database says it holds, if it is complete and migrated."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if INFO_TABLE not in connection.introspection.table_names():
        return None
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if any(migration.app_label == "phones" for migration, _ in pending):
        return None  # the phone tables changed: generate them anew
    if not tables_match_models():
        return None  # changed without a new migration (one edited, or a column added by hand)
    if pending:  # other apps (auth, sessions, ...) only: bring them up to date in place
        from django.core.management import call_command

        print(f"Applying {len(pending)} pending migrations of other apps to the benchmark database")
        call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, value FROM {INFO_TABLE}")  # noqa: S608
        info = dict(cursor.fetchall())
        for table in ("phones_phone", "phones_person", "phones_company", "phones_workspace"):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            info[f"rows:{table}"] = str(cursor.fetchone()[0])
    return info


def tables_match_models() -> bool:
    """Every loaded table has exactly the columns its model says."""
    from django.db import connection

    from bench.tables import LOADED

    with connection.cursor() as cursor:
        for model in LOADED:
            table = model._meta.db_table
            found = {c.name for c in connection.introspection.get_table_description(cursor, table)}
            if found != {field.column for field in model._meta.concrete_fields}:
                return False
    return True


def is_current(args: argparse.Namespace) -> bool:
    info = current_info()
    if info is None:
        return False
    want = wanted_info(args)
    counts_match = all(
        info.get(f"rows:phones_{table}") == str(getattr(args, name))
        for name, table in (
            ("phones", "phone"),
            ("people", "person"),
            ("companies", "company"),
            ("workspaces", "workspace"),
        )
    )
    return counts_match and all(info.get(key) == value for key, value in want.items())


def fresh_database(keep: bool) -> None:
    """Start from an empty, fully migrated benchmark database."""
    from django.core.management import call_command
    from django.db import connection

    settings = connection.settings_dict
    sqlite = connection.vendor == "sqlite"
    connection.close()
    if sqlite and not keep:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{settings['NAME']}{suffix}").unlink(missing_ok=True)
    elif not sqlite:  # as the SQLite file is deleted: every table made anew by the migrations
        ensure_database(anew=True)
    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {INFO_TABLE}")
        cursor.execute(f"SELECT COUNT(*) FROM {PHONE_TABLES[-1]}")  # noqa: S608
        empty = cursor.fetchone()[0] == 0
    if empty:
        return
    with connection.cursor() as cursor:
        for table in PHONE_TABLES:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608


def cpu_summary() -> str:
    """CPU time spent, so a run on a busy machine can be told from a slow generator."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"CPU: this process {own.ru_utime + own.ru_stime:.1f} s, worker processes "
        f"{children.ru_utime + children.ru_stime:.1f} s; load average now {load}"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ensure_database()
    setup_django()
    if args.if_needed and is_current(args):
        print(f"Benchmark database is up to date ({database_url()}); not regenerating.")
        return 0
    from bench.loader import load

    started = time.perf_counter()
    fresh_database(args.keep)
    print(f"Migrated a fresh benchmark database in {time.perf_counter() - started:.1f} s")
    timings = load(args, random.Random(args.seed))
    for name, seconds in timings.items():
        print(f"  {name:<28} {seconds:7.1f} s")
    total = time.perf_counter() - started
    record_info(wanted_info(args), total)
    print(f"Generated {args.phones:,} phones in {total:.1f} s total ({database_url()})")
    print(f"  {cpu_summary()}")
    return 0


def record_info(info: dict[str, str], seconds: float) -> None:
    from django.db import connection

    info = {**info, "seconds": f"{seconds:.1f}", "generated_at": time.strftime("%Y-%m-%d %H:%M")}
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {INFO_TABLE} (key varchar(50) PRIMARY KEY, value text)")
        cursor.executemany(
            f"INSERT INTO {INFO_TABLE} (key, value) VALUES (%s, %s)",  # noqa: S608
            sorted(info.items()),
        )


if __name__ == "__main__":
    sys.exit(main())
