"""Facts about the machine and the data, and the results table, for ``bench/results.md``."""

import math
import os
import platform
import shlex
import sqlite3
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import INFO_TABLE, database_url
from bench.machine import cpu_model, memory

TARGET_MS = 50.0
SLOW_MS = 2000.0  # an operation slower than this gets fewer timed runs
DEEP_ROWS = 2000
DEEP_PAGE_SIZE = 100


@dataclass
class Timing:
    """Whole-request times of one operation, in milliseconds."""

    samples: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # CPU time of this process per request
    rows: int | None = None
    status: int = 0
    note: str = ""

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def cpu_p50(self) -> float:
        return statistics.median(self.cpu) if self.cpu else 0.0

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)  # nearest rank
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def ms(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:,.2f} s"
    return f"{value:,.1f} ms" if value < 100 else f"{value:,.0f} ms"


def results_table(rows: list[tuple[str, Timing, Timing]]) -> str:
    lines = [
        "| Operation | wellui p50 | wellui p95 | p95 ≤ 50 ms | Django admin p50 "
        "| Django admin p95 | Speed-up (admin p50 / wellui p50) |",
        "| --- | ---: | ---: | :---: | ---: | ---: | ---: |",
    ]
    for label, ours, admin in rows:
        runs = f" ({len(admin.samples)} runs)" if len(admin.samples) != len(ours.samples) else ""
        lines.append(
            f"| {label} | {ms(ours.p50)} | {ms(ours.p95)} "
            f"| {'yes' if ours.p95 <= TARGET_MS else '**no**'} | {ms(admin.p50)}{runs} "
            f"| {ms(admin.p95)} | {admin.p50 / ours.p50:,.0f}x |"
        )
    return "\n".join(lines)


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3]) + " (1, 5, 15 min)"
    except OSError:
        return "unknown"


def machine_facts() -> list[tuple[str, str]]:
    import django

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        ("CPU", f"{cpu_model()}, {cpus} cores available (`nproc`)"),
        ("Memory", memory()),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("Load average when the run started", load_average()),
    ]


def database_facts() -> list[tuple[str, str]]:
    """The database in use and how many rows each benchmark table holds."""
    from django.db import connection

    settings = connection.settings_dict
    facts = [("Database", f"{connection.vendor} `{settings['NAME']}`")]
    if connection.vendor == "sqlite":
        size = Path(settings["NAME"]).stat().st_size
        facts.append(("Database file", f"{size / 1024**3:.2f} GiB"))
    counts = []
    with connection.cursor() as cursor:
        for table in (
            "phones_phone",
            "phones_person",
            "phones_company",
            "phones_workspace",
            "phones_phoneperson",
            "phones_phonecompany",
            "phones_phoneworkspace",
            "phones_phonesearch",
        ):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            counts.append(f"{table.removeprefix('phones_')} {cursor.fetchone()[0]:,}")
    facts.append(("Rows", ", ".join(counts)))
    return facts


def facts_list(facts: list[tuple[str, str]]) -> str:
    return "\n".join(f"- {name}: {value}" for name, value in facts)


def command_line() -> str:
    if os.environ.get("BENCH_COMMAND"):
        return os.environ["BENCH_COMMAND"]
    prefix = (
        [] if "BENCH_DATABASE_URL" not in os.environ else [f"BENCH_DATABASE_URL={database_url()}"]
    )
    return shlex.join([*prefix, ".venv/bin/python", "-m", "bench.run", *sys.argv[1:]])


def generated_with() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, value FROM {INFO_TABLE}")  # noqa: S608
        info = dict(cursor.fetchall())
    return (
        f"`python -m bench.generate --phones {info['phones']} --people {info['people']} "
        f"--companies {info['companies']} --workspaces {info['workspaces']} "
        f"--seed {info['seed']}` ({info['seconds']} s, {info['generated_at']})"
    )


LOAD_START = "<!-- load:start -->"
LOAD_END = "<!-- load:end -->"


def write_results(args, table, details, where, machine, hops) -> None:
    from bench.explain import render_breakdowns

    mode = (
        "one database connection kept open between requests"
        if args.reuse
        else "a new database connection per request"
    )
    if args.connection == "settings":
        mode += " (as CONN_MAX_AGE makes it in production)"
    lines = [
        "# Benchmark: phones list vs Django admin",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `{command_line()}`.",
        "",
        table,
        "",
        "Times are whole requests through Django's test client (middleware, view, queries, "
        f"template rendering), DEBUG off, {mode}; p95 is nearest-rank. wellui runs "
        f"{args.warmup} warm-up and {args.runs} timed requests per operation; an admin "
        f"operation whose first request took over {SLOW_MS / 1000:g} s gets 1 warm-up and "
        f"{args.slow_runs} timed requests (its run count is shown). Baseline: the Django admin "
        "over the same models (`search_fields`, `list_filter`, `autocomplete_fields`, 50 per "
        "page, see `phones/admin.py`).",
        "",
        "## Machine and data",
        "",
        facts_list(machine),
        f"- Load average when the run ended: {load_average()}",
        facts_list(database_facts()),
        f"- Generated with {generated_with()}",
        "",
        "## Requests",
        "",
        "| Operation | wellui URL | rows | wellui CPU p50 | Django admin URL | rows "
        "| admin CPU p50 |",
        "| --- | --- | ---: | ---: | --- | ---: | ---: |",
    ]
    for op, ours, admin in details:
        note = f" ({ours.note})" if ours.note else ""
        lines.append(
            f"| {op.label} | `{op.wellui}`{note} | {ours.rows} | {ms(ours.cpu_p50)} "
            f"| `{op.admin}` | {admin.rows} | {ms(admin.cpu_p50)} |"
        )
    lines += [
        "",
        f"The deep wellui page is reached by following the list's next-page link {hops} times from "
        f"`/phones/?size={DEEP_PAGE_SIZE}` (untimed); only the request for the page after row "
        f"{DEEP_ROWS:,} is timed. The admin's page {DEEP_ROWS // 50 + 1} starts at the same row. "
        "CPU is the benchmark process's own CPU time per request: where the wall time is much "
        "higher, the request waited for the CPU (other work on the machine) or for I/O.",
    ]
    if where:
        lines += ["", render_breakdowns(where)]
    text = "\n".join(lines) + "\n"
    # Keep the load test's section (make load) that shares the file.
    existing = args.output.read_text() if args.output.exists() else ""
    start, end = existing.find(LOAD_START), existing.find(LOAD_END)
    if start != -1 and end > start:
        text += "\n" + existing[start : end + len(LOAD_END)] + "\n"
    args.output.write_text(text)
