"""`make load`: the portal under gunicorn with 100,000 cached phones, 20 support staff for 60 s.

    python -m bench.load.run                                # the full run
    python -m bench.load.run --seconds 10 --phones 5000     # a quick one

Starts the WellApp sandbox on a free loopback port, fills a fresh cache in
``bench/load.sqlite3`` with ``sync_wellapp`` (timed), collects the static files, creates an
editor login, serves the portal with gunicorn (gthread workers, DEBUG off) on another free
port, and lets locust's simulated staff (``bench/load/locustfile.py``) use it: they log in,
then work for the measured window. Prints throughput, p50/p95/p99 and the errors per kind of
request, and writes them into the load-test section of ``bench/results.md``. Gunicorn, the
sandbox and locust are stopped at the end whatever happens. Every request goes to 127.0.0.1.
"""

import argparse
import json
import os
import resource
import secrets
import shlex
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.load import report
from bench.load.processes import Processes, RunFailed, free_port, tail
from bench.machine import group_cpu_seconds, load_average, machine_cpu_seconds

ROOT = Path(__file__).resolve().parents[2]
DATABASE = ROOT / "bench" / "load.sqlite3"
RESULTS = ROOT / "bench" / "results.md"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
BIN = Path(sys.executable).parent
USERNAME = "loadtest"
SANDBOX_TOKEN = "sandbox-token"  # noqa: S105 (the sandbox's own token)
# Longest the logins before the measured window may take before the run is called off.
RAMP_UP_LIMIT = 120
# The portal's own settings come only from here, whatever the calling shell has set.
INHERITED_SETTINGS = ("DJANGO_", "WELL_", "WELLUI_", "DATABASE_")
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY")
CREATE_USER = """
import os
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
user, _ = get_user_model().objects.get_or_create(username=os.environ["WELLUI_LOAD_USERNAME"])
user.set_password(os.environ["WELLUI_LOAD_PASSWORD"])
user.save()
user.groups.add(Group.objects.get(name="Support editors"))
"""


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
    parser.add_argument("--phones", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--companies", type=int, default=5_000)
    parser.add_argument("--workspaces", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--output", type=Path, default=RESULTS, help="markdown file to update")
    parser.add_argument("--no-record", action="store_true", help="print only; leave results.md")
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= 3600:
        parser.error("--seconds must be between 1 and 3600")
    if not 1 <= args.users <= 1000:
        parser.error("--users must be between 1 and 1000")
    return args


def portal_env(sandbox_port: int) -> dict[str, str]:
    """Production settings on plain HTTP over loopback, against the sandbox and the load
    database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in PROXY_VARIABLES and not k.startswith(INHERITED_SETTINGS)
    }
    env.update(
        DATABASE_URL=f"sqlite:///{DATABASE}",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(48),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        WELL_API_URL=f"http://127.0.0.1:{sandbox_port}/v1",
        WELL_API_TOKEN=SANDBOX_TOKEN,
        NO_PROXY="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(args: list[str], env: dict[str, str], logs: Path, name: str) -> None:
    """``manage.py`` with ``args``; its output goes to ``<logs>/<name>.log``."""
    with (logs / f"{name}.log").open("wb") as log:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=3600,
            check=False,
        )
    if done.returncode != 0:
        raise RunFailed(f"manage.py {args[0]} failed:\n{tail(logs / f'{name}.log')}")


def sample_cache(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """Numbers, surnames, ids and picker terms from the cache for the simulated staff, and
    the row counts of the cache."""
    with sqlite3.connect(path) as db:

        def column(sql: str) -> list:
            return [row[0] for row in db.execute(sql)]

        numbers = column(
            "SELECT e164_number FROM phones_phone WHERE deleted_at IS NULL "
            "ORDER BY random() LIMIT 1000"
        )
        surnames = column(
            "SELECT DISTINCT p.last_name FROM phones_person p JOIN phones_phoneperson pp "
            "ON pp.person_id = p.id WHERE p.last_name <> '' ORDER BY random() LIMIT 500"
        )
        people = column("SELECT id FROM phones_person ORDER BY random() LIMIT 500")
        companies = column("SELECT id FROM phones_company ORDER BY random() LIMIT 500")
        workspaces = column("SELECT id FROM phones_workspace")
        company_names = column("SELECT name FROM phones_company ORDER BY random() LIMIT 200")
        workspace_names = column("SELECT name FROM phones_workspace")
        counts = {
            table: db.execute(f"SELECT COUNT(*) FROM phones_{table}").fetchone()[0]  # noqa: S608
            for table in ("phone", "person", "company", "workspace")
        }
    if not (numbers and surnames and people and companies and workspaces):
        raise RunFailed(f"the cache lacks records to search for: {counts}")

    def prefixes(names: list[str]) -> list[str]:
        """What staff type into a picker: the first 3 to 5 letters of a name."""
        words = [name.split()[0].lower() for name in names if name.strip()]
        return sorted({word[: 3 + i % 3] for i, word in enumerate(words) if len(word) >= 3})

    data = {
        "numbers": numbers,
        "surnames": surnames,
        "people": people,
        "companies": companies,
        "workspaces": workspaces,
        "picker_terms": {
            "people": prefixes(surnames),
            "companies": prefixes(company_names),
            "workspaces": prefixes(workspace_names),
        },
    }
    return data, counts


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(args: argparse.Namespace, logs: Path, procs: Processes) -> dict[str, Any]:
    """Set everything up, let locust run, and return the facts the report needs."""
    facts: dict[str, Any] = {}
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DATABASE}{suffix}").unlink(missing_ok=True)
    sandbox_port, web_port = free_port(), free_port()
    env = portal_env(sandbox_port)
    facts["sandbox_args"] = [
        f"--{name}={getattr(args, name)}"
        for name in ("phones", "people", "companies", "workspaces")
    ]
    print(f"Starting the sandbox on 127.0.0.1:{sandbox_port} ({' '.join(facts['sandbox_args'])})")
    sandbox = procs.start(
        "sandbox",
        [
            *(sys.executable, "-m", "sandbox", f"--port={sandbox_port}"),
            *(f"--token={SANDBOX_TOKEN}", *facts["sandbox_args"], "--quiet"),
        ],
        env,
    )
    procs.wait_until_up("sandbox", sandbox, sandbox_port)

    print(f"Migrating {DATABASE.relative_to(ROOT)}", flush=True)
    manage(["migrate", "--noinput"], env, logs, "migrate")
    print("Caching WellApp's records with sync_wellapp ...", flush=True)
    started = time.monotonic()
    manage(["sync_wellapp"], env, logs, "sync")
    facts["sync_seconds"] = time.monotonic() - started
    print(f"  {tail(logs / 'sync.log', 1).strip()}")
    print(f"  sync_wellapp took {facts['sync_seconds']:.1f} s", flush=True)
    manage(["collectstatic", "--noinput"], env, logs, "collectstatic")
    password = secrets.token_urlsafe(18)
    user_env = {**env, "WELLUI_LOAD_USERNAME": USERNAME, "WELLUI_LOAD_PASSWORD": password}
    manage(["shell", "-c", CREATE_USER], user_env, logs, "user")
    data, facts["counts"] = sample_cache(DATABASE)
    (logs / "data.json").write_text(
        json.dumps({**data, "username": USERNAME, "password": password})
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

    # -t only bounds the whole run: the locustfile ends it when the measured window does.
    limit = args.seconds + RAMP_UP_LIMIT
    locust_args = ["--headless", "-u", str(args.users), "-r", f"{args.spawn_rate:g}"]
    locust_args += ["-t", f"{limit}s", "--stop-timeout", "10", "--only-summary"]
    facts["locust_args"] = [*locust_args, "--host", "http://127.0.0.1:PORT"]
    host = f"http://127.0.0.1:{web_port}"
    locust_env = {
        **env,
        "WELLUI_LOAD_DATA": str(logs / "data.json"),
        "WELLUI_LOAD_SAMPLES": str(logs / "samples.json"),
        "WELLUI_LOAD_SECONDS": str(args.seconds),
        "WELLUI_LOAD_WAIT_MIN": str(args.wait[0]),
        "WELLUI_LOAD_WAIT_MAX": str(args.wait[1]),
    }
    print(f"Running locust: {args.users} staff log in, then work for {args.seconds} s", flush=True)
    before = {
        "gunicorn": group_cpu_seconds(gunicorn.pid),
        "sandbox": group_cpu_seconds(sandbox.pid),
        "locust": children_cpu_seconds(),
        "machine": machine_cpu_seconds(),
        "wall": time.monotonic(),
    }
    facts["load_average"] = load_average()
    locust = procs.start(
        "locust",
        [str(BIN / "locust"), "-f", str(LOCUSTFILE), *locust_args, "--host", host],
        locust_env,
    )
    try:
        locust.wait(timeout=limit + 60)
    except subprocess.TimeoutExpired:
        procs.stop(locust)
        raise RunFailed(f"locust did not stop by itself:\n{tail(logs / 'locust.log')}") from None
    facts["cpu"] = {
        "gunicorn": group_cpu_seconds(gunicorn.pid) - before["gunicorn"],
        "sandbox": group_cpu_seconds(sandbox.pid) - before["sandbox"],
        "locust": children_cpu_seconds() - before["locust"],
        "machine": machine_cpu_seconds() - before["machine"],
        "wall": time.monotonic() - before["wall"],
    }
    samples = logs / "samples.json"
    if not samples.exists():
        raise RunFailed(f"locust left no samples:\n{tail(logs / 'locust.log')}")
    facts["result"] = json.loads(samples.read_text())
    log_lines = (logs / "gunicorn.log").read_text(errors="replace").splitlines()
    marks = ("Traceback", " ERROR ", "[ERROR]", "[CRITICAL]")
    facts["gunicorn_errors"] = [line for line in log_lines if any(m in line for m in marks)]
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
        facts = run(args, logs, procs)
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
    run_facts = report.RunFacts(
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
    )
    print()
    print(report.render_text(result, run_facts))
    if facts["gunicorn_errors"]:
        print(f"gunicorn logged {len(facts['gunicorn_errors'])} error line(s): see {logs}")
    if not args.no_record:
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        report.record(args.output, report.render_markdown(result, run_facts, when))
        print(f"Recorded in {args.output}")
    print(f"Logs: {logs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
