"""Bulk-load generated records into the benchmark database.

SQLite takes the fast path in ``bench.sqlite_load``. Any other database (PostgreSQL) gets
large ``executemany`` batches through Django's connection in one transaction, with its
secondary indexes (the pg_trgm one included) dropped for the load and recreated from the
definitions it held.
"""

import random
import time
from collections import defaultdict
from collections.abc import Sequence

from django.db import connection, transaction
from django.db.models import Model

from bench.common import BENCH_USERNAME
from bench.data import PHONE_COLUMNS, SEARCH_COLUMNS, PhoneLinks, chunk_rng, make_phone_chunk
from bench.directory import Sizes, make_directory, postgres_stamp, sqlite_stamp
from phones.models import (
    Company,
    Person,
    Phone,
    PhoneCompany,
    PhonePerson,
    PhoneSearch,
    PhoneWorkspace,
    SyncRun,
    Workspace,
)

LOADED = (
    Workspace,
    Company,
    Person,
    Phone,
    PhoneSearch,
    PhonePerson,
    PhoneCompany,
    PhoneWorkspace,
)
BATCH = 50_000


def extra_columns(model: type[Model], given: Sequence[str]) -> tuple[list[str], tuple]:
    """Columns the model has beyond ``given`` (its auto id aside), with their defaults, so a
    column added by a later migration does not break the load."""
    names, values = [], []
    for field in model._meta.concrete_fields:
        auto = field.primary_key and field.get_internal_type().endswith("AutoField")
        if field.column in given or auto:
            continue
        names.append(field.column)
        values.append(field.get_db_prep_save(field.get_default(), connection))
    return names, tuple(values)


def load(args, rng: random.Random) -> dict[str, float]:
    """Generate and insert everything; returns seconds per step."""
    sizes = Sizes(
        phones=args.phones, people=args.people, companies=args.companies, workspaces=args.workspaces
    )
    sqlite = connection.vendor == "sqlite"
    stamp = sqlite_stamp if sqlite else postgres_stamp
    started = time.perf_counter()
    directory = make_directory(rng, sizes, stamp)
    timings = {"making the directory (Python)": time.perf_counter() - started}
    if sqlite:
        from bench.sqlite_load import load_sqlite

        timings |= load_sqlite(seed=args.seed, total=sizes.phones, directory=directory, stamp=stamp)
    else:
        timings |= _load_generic(args.seed, sizes, directory, stamp)
    started = time.perf_counter()
    bench_records(sizes)
    timings["bench user, sync run"] = time.perf_counter() - started
    return timings


def _insert(cursor, model: type[Model], columns: Sequence[str], rows: list[tuple]) -> None:
    extra_names, extra_values = extra_columns(model, columns)
    names = [*columns, *extra_names]
    sql = (
        f'INSERT INTO "{model._meta.db_table}" ({", ".join(names)}) '  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    cursor.executemany(sql, [row + extra_values for row in rows] if extra_names else rows)


def _load_generic(seed: int, sizes: Sizes, directory, stamp) -> dict[str, float]:
    seconds: dict[str, float] = defaultdict(float)
    links = PhoneLinks.of(directory)
    tables = [model._meta.db_table for model in LOADED]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND indexdef NOT LIKE 'CREATE UNIQUE%%'",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for model, records in (
            (Workspace, directory.workspaces),
            (Company, directory.companies),
            (Person, directory.people),
        ):
            if records:
                columns = list(records[0])
                rows = [tuple(r[c] for c in columns) for r in records]
                _insert(cursor, model, columns, rows)
        for chunk in range((sizes.phones + BATCH - 1) // BATCH):
            first = chunk * BATCH
            started = time.perf_counter()
            batch = make_phone_chunk(
                chunk_rng(seed, chunk),
                first,
                min(BATCH, sizes.phones - first),
                sizes.phones,
                links,
                stamp,
            )
            seconds["making phones (Python)"] += time.perf_counter() - started
            started = time.perf_counter()
            _insert(cursor, Phone, PHONE_COLUMNS, batch.phones)
            _insert(cursor, PhoneSearch, SEARCH_COLUMNS, batch.search)
            _insert(cursor, PhonePerson, ("phone_id", "person_id"), batch.people)
            _insert(cursor, PhoneCompany, ("phone_id", "company_id"), batch.companies)
            _insert(cursor, PhoneWorkspace, ("phone_id", "workspace_id"), batch.workspaces)
            seconds["inserting phones"] += time.perf_counter() - started
    # Deferred foreign-key checks run at that commit; an index cannot be built before them.
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
    seconds["secondary indexes"] += time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seconds["ANALYZE"] += time.perf_counter() - started
    return dict(seconds)


def bench_records(sizes: Sizes) -> None:
    """The superuser the benchmark requests run as, and a finished full sync."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    user, _ = get_user_model().objects.update_or_create(
        username=BENCH_USERNAME,
        defaults={"is_staff": True, "is_superuser": True, "email": "bench@example.com"},
    )
    user.set_unusable_password()
    user.save()
    SyncRun.objects.create(
        finished_at=timezone.now(),
        full=True,
        status=SyncRun.Status.SUCCEEDED,
        pages=(sizes.phones + 199) // 200,
        records=sizes.phones,
        created=sizes.phones,
        phase="done",
    )
