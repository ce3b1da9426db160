"""Where a request's time goes: its queries, their times, and the slowest one's plan."""

import contextlib
import time
from dataclasses import dataclass

from django.db import connection
from django.db.backends.utils import CursorWrapper

SHOWN = 4
MAX_SQL = 2000
MAX_PLAN_LINES = 40


@dataclass(frozen=True)
class Breakdown:
    url: str
    total_ms: float
    queries: list[tuple[float, str]]  # (ms, sql), slowest first
    plan: list[str]

    @property
    def sql_ms(self) -> float:
        return sum(t for t, _ in self.queries)


def _plan(sql: str, params) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            depth: dict[int, int] = {0: -1}
            lines = []
            for node, parent, _, detail in cursor.fetchall():
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node] + detail)
            return lines
        cursor.execute("EXPLAIN " + sql, params)
        return [row[0] for row in cursor.fetchall()]


class _Timer:
    """Times every query a request makes: its execute (``connection.execute_wrapper``) and
    the fetches that read its rows, which is where SQLite does much of the work."""

    FETCHES = ("fetchone", "fetchmany", "fetchall")

    def __init__(self) -> None:
        self.seen: list[list] = []  # [ms, sql, params, shown]
        self.by_cursor: dict[int, list] = {}

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            shown = sql
            with contextlib.suppress(Exception):
                shown = connection.ops.last_executed_query(context["cursor"], sql, params)
            entry = [elapsed, sql, params, shown]
            self.seen.append(entry)
            self.by_cursor[id(context["cursor"])] = entry

    @contextlib.contextmanager
    def fetches(self):
        def timed(name):
            def fetch(wrapper, *args):
                started = time.perf_counter()
                try:
                    return getattr(wrapper.cursor, name)(*args)
                finally:
                    entry = self.by_cursor.get(id(wrapper))
                    if entry is not None:
                        entry[0] += (time.perf_counter() - started) * 1000

            return fetch

        for name in self.FETCHES:
            setattr(CursorWrapper, name, timed(name))
        try:
            yield
        finally:
            for name in self.FETCHES:
                delattr(CursorWrapper, name)


def breakdown(requester, url: str) -> Breakdown:
    """One more request to ``url`` with its queries timed, and the slowest one explained."""
    timer = _Timer()
    with timer.fetches(), connection.execute_wrapper(timer):
        elapsed, _ = requester.get(url)
    timer.seen.sort(key=lambda q: q[0], reverse=True)
    plan = []
    if timer.seen and timer.seen[0][1].lstrip().upper().startswith("SELECT"):
        plan = _plan(timer.seen[0][1], timer.seen[0][2])
    queries = [(t, shown) for t, _, _, shown in timer.seen]
    return Breakdown(url=url, total_ms=elapsed, queries=queries, plan=plan)


def _section(name: str, b: Breakdown) -> list[str]:
    lines = [
        f"{name} `{b.url}`: {b.total_ms:,.1f} ms in all, {len(b.queries)} queries taking "
        f"{b.sql_ms:,.1f} ms (executing and fetching rows); the rest "
        f"({b.total_ms - b.sql_ms:,.1f} ms) is Python: middleware, forms, model instances, "
        "templates.",
        "",
    ]
    for t, sql in b.queries[:SHOWN]:
        shown = sql if len(sql) <= MAX_SQL else sql[:MAX_SQL] + " …"
        lines += [f"- {t:,.1f} ms", "", "  ```sql", f"  {shown}", "  ```", ""]
    if b.plan:
        plan = b.plan[:MAX_PLAN_LINES]
        if len(b.plan) > MAX_PLAN_LINES:
            plan.append(f"… ({len(b.plan) - MAX_PLAN_LINES} more lines)")
        lines += ["  Plan of the slowest:", "", "  ```", *[f"  {p}" for p in plan], "  ```", ""]
    return lines


def render_breakdowns(where) -> str:
    lines = [
        "### Where the time goes",
        "",
        "One extra request per operation with its SQL captured (slowest queries first, "
        f"at most {SHOWN}), and the plan of the slowest query.",
        "",
    ]
    for op, ours, admin in where:
        lines += [f"#### {op.label}", ""]
        lines += _section("wellui", ours)
        lines += _section("Django admin", admin)
    return "\n".join(lines)
