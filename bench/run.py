"""Time the phones list and the Django admin over the same benchmark data.

    python -m bench.run            # after python -m bench.generate; writes bench/results.md
    python -m bench.run --quick    # fewer runs; writes bench/results-quick.md

The database is ``BENCH_DATABASE_URL`` (default: ``bench/bench.sqlite3``); its section of the
results file (SQLite or PostgreSQL) is replaced and the other sections kept. The search terms
come from the data's own distribution (``bench.terms``), the operations from ``bench.shapes``.

Each operation is a whole request through Django (middleware, view, queries, template),
made with the test client as a logged-in support agent (``bench.common.bench_user``), DEBUG
off, static files from the production manifest. Database connections behave as the settings
make them in production: kept between requests when CONN_MAX_AGE is above 0, else opened
anew for each request (``--connection new`` or ``--connection reuse`` overrides).
"""

import argparse
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BENCH_USERNAME, ROOT, bench_user, setup_django
from bench.report import (
    SLOW_MS,
    Timing,
    machine_facts,
    ms,
    render_section,
    results_table,
    write_results,
)
from bench.shapes import DEEP_PAGE_SIZE, DEEP_ROWS, operations


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first (3)")
    parser.add_argument("--runs", type=int, default=20, help="timed requests (20)")
    parser.add_argument(
        "--slow-runs",
        type=int,
        default=3,
        help=f"timed requests for operations whose warm-up took over {SLOW_MS / 1000:g} s (3)",
    )
    parser.add_argument("--quick", action="store_true", help="1 warm-up, 5 runs, 1 slow run")
    parser.add_argument(
        "--connection",
        choices=["settings", "new", "reuse"],
        default="settings",
        help="a new database connection per request, one reused, or as CONN_MAX_AGE says",
    )
    parser.add_argument("--no-explain", action="store_true", help="skip the query breakdown")
    parser.add_argument("--output", type=Path, help="where to write the results (markdown)")
    args = parser.parse_args(argv)
    if args.quick:
        args.warmup, args.runs, args.slow_runs = 1, 5, 1
    args.output = args.output or ROOT / "bench" / (
        "results-quick.md" if args.quick else "results.md"
    )
    return args


class Requester:
    def __init__(self, connection_mode: str) -> None:
        from django.contrib.auth import get_user_model
        from django.test import Client

        self.client = Client()
        if not get_user_model().objects.filter(username=BENCH_USERNAME).exists():
            sys.exit("No bench user: run python -m bench.generate first.")
        self.client.force_login(bench_user())
        from django.db import connection

        if connection_mode == "settings":
            connection_mode = "reuse" if connection.settings_dict["CONN_MAX_AGE"] else "new"
        self.reuse = connection_mode == "reuse"

    def get(self, url: str) -> tuple[float, Any]:
        from django.db import connection

        if not self.reuse:
            connection.close()
        started, cpu = time.perf_counter(), time.process_time()
        response = self.client.get(url, secure=True)
        elapsed = (time.perf_counter() - started) * 1000
        self.last_cpu = (time.process_time() - cpu) * 1000
        if response.status_code != 200:
            sys.exit(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
        return elapsed, response

    def measure(self, url: str, args: argparse.Namespace) -> Timing:
        first, response = self.get(url)
        slow = first > SLOW_MS
        for _ in range((1 if slow else args.warmup) - 1):
            self.get(url)
        timing = Timing(rows=count_rows(response), status=response.status_code)
        for _ in range(args.slow_runs if slow else args.runs):
            elapsed, _ = self.get(url)
            timing.samples.append(elapsed)
            timing.cpu.append(self.last_cpu)
        return timing


def count_rows(response) -> int:
    """Rows of a result table, options of a picker, or results of an autocomplete answer."""
    if response.get("Content-Type", "").startswith("application/json"):
        return len(json.loads(response.content).get("results", []))
    html = response.content.decode()
    if 'role="option"' in html:
        return html.count('role="option"')
    start, end = html.find("<tbody"), html.find("</tbody>")
    return html.count("<tr", start, end) if start >= 0 and end > start else 0


def table_body(response) -> str:
    html = response.content.decode()
    return html[html.find("<tbody") : html.find("</tbody>")]


def next_link(html: str) -> str | None:
    """The href of the list's link to the next page (``rel="next"``, or "Next"/"Older")."""
    from html import unescape
    from html.parser import HTMLParser

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.current: str | None = None
            self.found: str | None = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "a" and "cursor=" in (attrs.get("href") or ""):
                self.current = attrs["href"]
                if attrs.get("rel") == "next":
                    self.found = self.found or self.current

        def handle_data(self, data):
            if self.current and any(word in data.lower() for word in ("next", "older")):
                self.found = self.found or self.current

        def handle_endtag(self, tag):
            if tag == "a":
                self.current = None

    parser = Links()
    parser.feed(html)
    return unescape(parser.found) if parser.found else None


def page_after(requester: Requester, url: str, rows: int) -> tuple[str, int]:
    """Follow the next-page links from ``url`` until ``rows`` rows are behind; returns the URL
    of the page after them and how many links were followed."""
    from urllib.parse import urljoin

    seen, hops = 0, 0
    while seen < rows:
        _, response = requester.get(url)
        shown = count_rows(response)
        href = next_link(response.content.decode())
        if not shown or href is None:
            sys.exit(f"{url} ended after {seen} rows; cannot reach row {rows}.")
        seen += shown
        url, hops = urljoin(url, href), hops + 1
    return url, hops


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_django(production=True)
    from urllib.parse import urlencode

    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    from bench.explain import breakdown
    from bench.terms import pick_terms

    machine = machine_facts()  # the load average as the run starts
    requester = Requester(args.connection)
    args.reuse = requester.reuse
    terms = pick_terms()
    print(f"Terms: {terms}")
    deep, hops = page_after(requester, f"/phones/?size={DEEP_PAGE_SIZE}", DEEP_ROWS)
    common = f"/phones/?{urlencode({'q': terms.common_surname})}"
    page_two, _ = page_after(requester, common, 1)
    # What the setup above left behind (the term counts and the rest of the benchmark's own
    # objects, which no web process holds) is moved out of the collector's sight: otherwise
    # the full collection it brings on lands in a timed request (seen: 90 ms on one request
    # of 20, on PostgreSQL, which is that operation's p95).
    gc.collect()
    gc.freeze()
    rows, where = [], []
    for op in operations(terms, deep=deep, page_two=page_two):
        ours = requester.measure(op.wellui, args)
        admin = requester.measure(op.admin, args)
        if op.wellui != "/phones/" and op.wellui.startswith("/phones/?"):
            _, first = requester.get("/phones/")
            _, this = requester.get(op.wellui)
            if table_body(first) == table_body(this):
                ours.note = "same rows as the first page: the parameter is not applied"
        rows.append((op, ours, admin))
        print(f"{op.label:<52} wellui p50 {ms(ours.p50):>9}  admin p50 {ms(admin.p50):>9}")
        if not args.no_explain:
            where.append((op, breakdown(requester, op.wellui), breakdown(requester, op.admin)))
    table = results_table(rows)
    print()
    print(table)
    write_results(args.output, render_section(args, table, rows, where, machine, hops, terms))
    print(f"\nWritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
