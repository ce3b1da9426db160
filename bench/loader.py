"""Bulk-load generated records into the benchmark database.

SQLite takes ``bench.sqlite_load`` (worker processes, one writer, the FTS5 index built
beside it); PostgreSQL takes ``bench.postgres_load`` (COPY, with indexes and constraints
dropped for the load and recreated after). Both end with ANALYZE.
"""

import random
import time

from django.db import connection

from bench.common import bench_user
from bench.directory import Sizes, make_directory, postgres_stamp, sqlite_stamp
from bench.postgres_load import load_postgres
from bench.sqlite_load import load_sqlite
from bench.tables import check_listing_columns
from phones.models import SyncRun


def load(args, rng: random.Random) -> dict[str, float]:
    """Generate and insert everything; returns seconds per step."""
    check_listing_columns()
    sizes = Sizes(
        phones=args.phones, people=args.people, companies=args.companies, workspaces=args.workspaces
    )
    sqlite = connection.vendor == "sqlite"
    stamp = sqlite_stamp if sqlite else postgres_stamp
    started = time.perf_counter()
    directory = make_directory(rng, sizes, stamp)
    timings = {"making the directory (Python)": time.perf_counter() - started}
    loader = load_sqlite if sqlite else load_postgres
    timings |= loader(seed=args.seed, total=sizes.phones, directory=directory, stamp=stamp)
    started = time.perf_counter()
    bench_records(sizes)
    timings["bench user, sync run"] = time.perf_counter() - started
    return timings


def bench_records(sizes: Sizes) -> None:
    """The support agent the benchmark requests run as, and a finished full sync."""
    from django.utils import timezone

    user = bench_user()
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
