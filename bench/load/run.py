"""`make load`: the portal under gunicorn with 100,000 cached phones, 20 support staff for 60 s.

    python -m bench.load.run                                # the full run
    python -m bench.load.run --seconds 10 --phones 5000     # a quick one
    python -m bench.load.run --database postgres://postgres@127.0.0.1:5432/wellui_bench
    python -m bench.load.run --cluster --database postgres://...  # bench/load/cluster.py

Starts the WellApp sandbox on a free loopback port, fills a fresh cache in
``bench/load.sqlite3`` with ``sync_wellapp`` (timed) — or, with ``--database``, migrates the
benchmark database ``python -m bench.generate`` made (1M phones) and uses it as it is —
collects the static files, creates an editor login, serves the portal with gunicorn (gthread
workers, DEBUG off) on another free port, and lets locust's simulated staff
(``bench/load/locustfile.py``) use it: they log in, then work for the measured window. Prints
throughput, p50/p95/p99 and the errors per kind of request, and writes them into this
configuration's section of ``bench/results.md`` (e.g. "1M phones, PostgreSQL"; the others are
kept). Gunicorn, the sandbox and locust are stopped at the end whatever happens. Every
request goes to 127.0.0.1.
"""

import argparse
import json
import os
import secrets
import shlex
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.common import is_postgres
from bench.load import report
from bench.load.cluster import run_cluster
from bench.load.facts import RunFacts
from bench.load.locust_run import BIN, error_lines, run_locust
from bench.load.portal import (
    SANDBOX_TOKEN,
    Database,
    create_login,
    manage,
    portal_env,
    sample_cache,
)
from bench.load.processes import Processes, RunFailed, free_port, tail
from bench.load.sections import configuration_key, record

ROOT = Path(__file__).resolve().parents[2]
DATABASE = ROOT / "bench" / "load.sqlite3"
RESULTS = ROOT / "bench" / "results.md"
USERNAME = "loadtest"
# What a created phone links, chosen from the records sampled from the cache.
LINKED = ("people", "companies", "workspaces")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load.run",
        description="Load test of the portal: gunicorn, a cache of WellApp phones, locust.",
    )
    parser.add_argument("--seconds", type=int, default=60, help="the measured window")
    parser.add_argument("--users", type=int, default=20, help="simulated staff")
    parser.add_argument("--spawn-rate", type=float, default=5, help="staff started per second")
    parser.add_argument(
        "--wait",
        type=float,
        nargs=2,
        default=(0.5, 2.0),
        metavar=("MIN", "MAX"),
        help="think time between a user's tasks, in seconds",
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="an existing benchmark database (postgres://... or sqlite:///...) to run on, "
        "migrated but not synced, instead of a fresh bench/load.sqlite3",
    )
    parser.add_argument("--phones", type=int, default=100_000, help="(without --database)")
    parser.add_argument("--people", type=int, default=20_000, help="(without --database)")
    parser.add_argument("--companies", type=int, default=5_000, help="(without --database)")
    parser.add_argument("--workspaces", type=int, default=100, help="(without --database)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--output", type=Path, default=RESULTS, help="markdown file to update")
    parser.add_argument("--no-record", action="store_true", help="print only; leave results.md")
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="run bin/cluster (two web nodes, workers, scheduler, Redis) over --database "
        "(PostgreSQL, not synced) instead of one gunicorn, the users spread over its nodes",
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/11",
        metavar="URL",
        help="the cluster's Redis (with --cluster; its wellui:* keys are deleted first)",
    )
    args = parser.parse_args(argv)
    if args.cluster and not is_postgres(args.database or ""):
        parser.error("--cluster needs --database postgres://...")
    if not 1 <= args.seconds <= 3600:
        parser.error("--seconds must be between 1 and 3600")
    if not 1 <= args.users <= 1000:
        parser.error("--users must be between 1 and 1000")
    return args


def fill_database(args: argparse.Namespace, env: dict[str, str], logs: Path) -> float | None:
    """Migrate the portal's database and, unless it is a given benchmark database, fill it
    from the sandbox with ``sync_wellapp``; the seconds the sync took (None: no sync)."""
    database = Database(env["DATABASE_URL"])
    print(f"Migrating {database.shown}", flush=True)
    manage(["migrate", "--noinput"], env, logs, "migrate")
    if args.database:
        print("No sync: the benchmark database is used as it is", flush=True)
        return None
    print("Caching WellApp's records with sync_wellapp ...", flush=True)
    started = time.monotonic()
    manage(["sync_wellapp"], env, logs, "sync")
    seconds = time.monotonic() - started
    print(f"  {tail(logs / 'sync.log', 1).strip()}")
    print(f"  sync_wellapp took {seconds:.1f} s", flush=True)
    return seconds


def run(args: argparse.Namespace, logs: Path, procs: Processes) -> dict[str, Any]:
    """Set everything up, let locust run, and return the facts the report needs."""
    facts: dict[str, Any] = {}
    if not args.database:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DATABASE}{suffix}").unlink(missing_ok=True)
    database = Database(args.database or f"sqlite:///{DATABASE}")
    facts["database"] = database
    sandbox_port, web_port = free_port(), free_port()
    env = portal_env(sandbox_port, database)
    # With a given database the sandbox only answers the creates: its small demo data will do.
    facts["sandbox_args"] = (
        []
        if args.database
        else [
            f"--{name}={getattr(args, name)}"
            for name in ("phones", "people", "companies", "workspaces")
        ]
    )
    sandbox_data = " ".join(facts["sandbox_args"]) or "its demo data"
    print(f"Starting the sandbox on 127.0.0.1:{sandbox_port} ({sandbox_data})")
    sandbox = procs.start(
        "sandbox",
        [
            *(sys.executable, "-m", "sandbox", f"--port={sandbox_port}"),
            *(f"--token={SANDBOX_TOKEN}", *facts["sandbox_args"], "--quiet"),
        ],
        env,
    )
    procs.wait_until_up("sandbox", sandbox, sandbox_port)

    facts["sync_seconds"] = fill_database(args, env, logs)
    manage(["collectstatic", "--noinput"], env, logs, "collectstatic")
    password = secrets.token_urlsafe(18)
    create_login(env, logs, USERNAME, password)
    print("Sampling the cache for what the staff search for", flush=True)
    sample = sample_cache(env, logs)
    facts["counts"], facts["vendor"], facts["version"] = (
        sample["counts"],
        sample["vendor"],
        sample["version"],
    )
    data = sample["data"]
    # WellApp (the sandbox) knows none of a benchmark database's directory and answers a create
    # linking its records with 404: there, creates link nothing.
    links = {kind: [] if args.database else data[kind] for kind in LINKED}
    (logs / "data.json").write_text(
        json.dumps({**data, "links": links, "username": USERNAME, "password": password})
    )

    threads = ["--workers", str(args.workers), "--threads", str(args.threads)]
    # No control socket: the default one in ~/.gunicorn would be shared with any other gunicorn.
    facts["gunicorn_args"] = [
        *("--worker-class", "gthread", *threads, "--no-control-socket"),
        *("--bind", "127.0.0.1:PORT"),
    ]
    gunicorn_args = [*facts["gunicorn_args"][:-1], f"127.0.0.1:{web_port}"]
    print(f"Starting gunicorn wellui.wsgi {' '.join(gunicorn_args)}", flush=True)
    gunicorn = procs.start("gunicorn", [str(BIN / "gunicorn"), "wellui.wsgi", *gunicorn_args], env)
    procs.wait_until_up("gunicorn", gunicorn, web_port, "/healthz")

    groups = {"gunicorn": [gunicorn.pid], "sandbox": [sandbox.pid]}
    facts.update(
        run_locust(
            args,
            logs,
            procs,
            env,
            hosts=[f"http://127.0.0.1:{web_port}"],
            groups=groups,
            postgres=database.postgres,
        )
    )
    facts["gunicorn_errors"] = error_lines(logs / "gunicorn.log")
    return facts


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    command = os.environ.get("LOAD_COMMAND", "").strip() or "python -m bench.load.run " + (
        shlex.join(sys.argv[1:] if argv is None else argv)
    )
    # Stopping this script (Ctrl-C, SIGTERM) still stops everything it started.
    signal.signal(signal.SIGTERM, _interrupt)
    logs = Path(tempfile.mkdtemp(prefix="wellui-load-"))
    procs = Processes(ROOT, logs)
    try:
        facts = (run_cluster if args.cluster else run)(args, logs, procs)
    except RunFailed as exc:
        print(f"Load test failed: {exc}\nLogs: {logs}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"Load test interrupted; everything it started is stopped. Logs: {logs}")
        return 130
    finally:
        procs.stop_all()
        (logs / "data.json").unlink(missing_ok=True)  # it holds the login's password
    result = report.outcome(facts["result"])
    database: Database = facts["database"]
    run_facts = RunFacts(
        command=command.strip(),
        users=args.users,
        wait=tuple(args.wait),
        gunicorn_args=facts["gunicorn_args"],
        locust_args=facts["locust_args"],
        sandbox_args=facts["sandbox_args"],
        counts=facts["counts"],
        sync_seconds=facts["sync_seconds"],
        load_average=facts["load_average"],
        cpu=facts["cpu"],
        mix=facts["result"].get("mix", {}),
        locust_version=version("locust"),
        vendor=facts["vendor"],
        database_version=facts["version"],
        database=database.shown,
        portal_settings=[f"{name}={value}" for name, value in database.settings.items()],
        nodes=facts.get("nodes", 1),
        processes=facts.get("processes", ""),
    )
    print()
    print(report.render_text(result, run_facts))
    if facts["gunicorn_errors"]:
        print(f"gunicorn logged {len(facts['gunicorn_errors'])} error line(s): see {logs}")
    if not args.no_record:
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        section = report.render_markdown(result, run_facts, when)
        record(args.output, configuration_key(run_facts.title), section)
        print(f"Recorded in {args.output} ({run_facts.title})")
    print(f"Logs: {logs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
