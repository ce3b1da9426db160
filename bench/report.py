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
from bench.shapes import ADMIN_PAGE_SIZE, DEEP_PAGE_SIZE, DEEP_ROWS, Operation

TARGET_MS = 25.0  # p95 of every portal operation
SEARCH_SPEED_UP = 100  # a search is at least this many times faster than the admin's
SLOW_MS = 2000.0  # an operation slower than this gets fewer timed runs
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}  # sections of results.md, in order


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


def results_table(rows: list[tuple[Operation, Timing, Timing]]) -> str:
    lines = [
        f"| Operation | wellui p50 | wellui p95 | p95 ≤ {TARGET_MS:g} ms | Django admin p50 "
        f"| Django admin p95 | Speed-up (admin p50 / wellui p50) "
        f"| Search ≥ {SEARCH_SPEED_UP}x |",
        "| --- | ---: | ---: | :---: | ---: | ---: | ---: | :---: |",
    ]
    for op, ours, admin in rows:
        count = len(admin.samples)
        runs = f" ({count} run{'s' if count != 1 else ''})" if count != len(ours.samples) else ""
        speed_up = admin.p50 / ours.p50
        fast_enough = ("yes" if speed_up >= SEARCH_SPEED_UP else "**no**") if op.search else ""
        lines.append(
            f"| {op.label} | {ms(ours.p50)} | {ms(ours.p95)} "
            f"| {'yes' if ours.p95 <= TARGET_MS else '**no**'} | {ms(admin.p50)}{runs} "
            f"| {ms(admin.p95)} | {speed_up:,.0f}x | {fast_enough} |"
        )
    return "\n".join(lines)


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3]) + " (1, 5, 15 min)"
    except OSError:
        return "unknown"


def machine_facts() -> list[tuple[str, str]]:
    import django
    from django.db import connection

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        ("CPU", f"{cpu_model()}, {cpus} cores available (`nproc`)"),
        ("Memory", memory()),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        *([("SQLite", sqlite3.sqlite_version)] if connection.vendor == "sqlite" else []),
        ("Load average when the run started", load_average()),
    ]


def database_facts() -> list[tuple[str, str]]:
    """The database in use and how many rows each benchmark table holds."""
    from django.db import connection

    settings = connection.settings_dict
    facts = [("Database", f"{DATABASES[connection.vendor]} `{settings['NAME']}`")]
    if connection.vendor == "sqlite":
        size = Path(settings["NAME"]).stat().st_size
        facts.append(("Database file", f"{size / 1024**3:.2f} GiB"))
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
        facts += [
            (
                "Server",
                f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 100}",  # type: ignore[attr-defined]
            ),
            ("Database size", f"{size / 1024**3:.2f} GiB"),
        ]
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
TITLE = "# Benchmark: phones list vs Django admin"


def _markers(vendor: str) -> tuple[str, str]:
    return f"<!-- bench:{vendor}:start -->", f"<!-- bench:{vendor}:end -->"


def _block(document: str, start: str, end: str) -> str | None:
    """The text from ``start`` to ``end`` (markers included), if the document has it."""
    first, last = document.find(start), document.find(end)
    return document[first : last + len(end)] if first != -1 and last > first else None


def merge_results(document: str, vendor: str, section: str) -> str:
    """``document`` (results.md) with this database's section replaced: the sections of the
    other database and of the load test (``make load``) are kept, in a fixed order."""
    blocks = []
    for name in DATABASES:
        start, end = _markers(name)
        if name == vendor:
            blocks.append(f"{start}\n{section.strip()}\n{end}")
        elif (kept := _block(document, start, end)) is not None:
            blocks.append(kept)
    if (load := _block(document, LOAD_START, LOAD_END)) is not None:
        blocks.append(load)
    return "\n\n".join([TITLE, *blocks]) + "\n"


def render_section(args, table, details, where, machine, hops, terms) -> str:
    """This database's section of results.md."""
    from django.db import connection

    from bench.explain import render_breakdowns

    mode = (
        "one database connection kept open between requests"
        if args.reuse
        else "a new database connection per request"
    )
    if args.connection == "settings":
        mode += " (as CONN_MAX_AGE makes it in production)"
    lines = [
        f"## {DATABASES[connection.vendor]}",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `{command_line()}`.",
        "",
        table,
        "",
        "Times are whole requests through Django's test client (middleware, view, queries, "
        "template rendering), signed in as a support agent (Support viewers, not a superuser: "
        f"each request checks the role's permissions), DEBUG off, {mode}; p95 is nearest-rank. "
        "wellui runs "
        f"{args.warmup} warm-up and {args.runs} timed requests per operation; an admin "
        f"operation whose first request took over {SLOW_MS / 1000:g} s gets 1 warm-up and "
        f"{args.slow_runs} timed requests (its run count is shown). Baseline: the Django admin "
        "over the same models (`search_fields`, `list_filter`, `autocomplete_fields`, "
        f"{ADMIN_PAGE_SIZE} per page, see `phones/admin.py`). The last column holds every "
        f"search of the phones to {SEARCH_SPEED_UP} times the admin's speed.",
        "",
        "### Inputs",
        "",
        *terms_list(terms),
        "",
        "### Machine and data",
        "",
        facts_list(machine),
        f"- Load average when the run ended: {load_average()}",
        facts_list(database_facts()),
        f"- Generated with {generated_with()}",
        "",
        "### Requests",
        "",
        "| Operation | wellui URL | rows | wellui CPU p50 | Django admin URL | rows "
        "| admin CPU p50 |",
        "| --- | --- | ---: | ---: | --- | ---: | ---: |",
    ]
    for op, ours, admin in details:
        notes = "; ".join(note for note in (ours.note, op.note) if note)
        lines.append(
            f"| {op.label} | `{op.wellui}` | {ours.rows} | {ms(ours.cpu_p50)} "
            f"| `{op.admin}`{f' ({notes})' if notes else ''} | {admin.rows} "
            f"| {ms(admin.cpu_p50)} |"
        )
    lines += [
        "",
        f"The deep wellui page is reached by following the list's next-page link {hops} times "
        f"from `/phones/?size={DEEP_PAGE_SIZE}`, and page 2 of a search by following it once "
        f"(untimed); only the request for the page itself is timed. The admin's page "
        f"{DEEP_ROWS // ADMIN_PAGE_SIZE + 1} starts at row {DEEP_ROWS + 1:,} too. CPU is the "
        "benchmark process's own CPU time per request: where the wall time is much higher, the "
        "request waited for the CPU (other work on the machine) or for the database server.",
    ]
    if where:
        lines += ["", render_breakdowns(where)]
    return "\n".join(lines)


def terms_list(terms) -> list[str]:
    """What was searched for, and how common it is in the data."""

    def phones(term: str) -> str:
        return f"{terms.phones[term]:,}" if term in terms.phones else "?"

    return [
        "Search terms come from the data's own frequency distribution (`bench/terms.py`), "
        "counted over the listed phones (a phone marked deleted is not listed):",
        "",
        f"- Surnames by phones linked to people of that name: most common `{terms.common_surname}` "
        f"({phones(terms.common_surname)}), median `{terms.median_surname}` "
        f"({phones(terms.median_surname)}), rarest found in no other name "
        f"`{terms.rare_surname}` ({phones(terms.rare_surname)})",
        f"- Most common first name `{terms.first_name}` ({phones(terms.first_name)}), full name "
        f"`{terms.full_name}` ({phones(terms.full_name)}), email domain `{terms.domain}` "
        f"({phones(terms.domain)})",
        f"- Two letters: the start of the most common surname, `{terms.fragment}`",
        f"- Three digits: the commonest start of a national number, `{terms.three_digits}` "
        f"({phones(terms.three_digits)} phones); seven digits: the end of the middle phone's "
        f"number, `{terms.digits}`",
        f"- Largest workspace: {terms.workspace_name} ({phones(terms.workspace_name)} phones)",
        f"- People picker: the first four letters of the median surname, `{terms.picker}`",
    ]


def write_results(path: Path, section: str) -> None:
    """Write this database's section into ``path``, keeping everything else in it."""
    from django.db import connection

    existing = path.read_text() if path.exists() else ""
    path.write_text(merge_results(existing, connection.vendor, section))
