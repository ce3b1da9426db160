"""Locust's simulated staff (``bench/load/locustfile.py``) against web nodes that are already
serving, and the CPU time each part of the run used while they worked."""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.load.processes import Processes, RunFailed, tail
from bench.machine import group_cpu_seconds, load_average, machine_cpu_seconds, named_cpu_seconds

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
BIN = Path(sys.executable).parent
# Longest the logins before the measured window may take before the run is called off.
RAMP_UP_LIMIT = 120
# The PostgreSQL server's processes, whose CPU time a run on PostgreSQL counts as its own.
POSTGRES_PROCESS = "postgres"


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_locust(
    args: argparse.Namespace,
    logs: Path,
    procs: Processes,
    env: dict[str, str],
    *,
    hosts: list[str],
    groups: dict[str, list[int]],
    postgres: bool,
) -> dict[str, Any]:
    """Let ``args.users`` staff log in, then work for ``args.seconds``, each on one of
    ``hosts`` (user n on host n modulo their number). ``groups`` names the process groups
    whose CPU time is counted, by part ("gunicorn", "sandbox", ...). Returns locust's samples
    (``result``), its arguments as the report shows them, the load average when it started
    and the CPU time per part."""
    limit = args.seconds + RAMP_UP_LIMIT
    # -t only bounds the whole run: the locustfile ends it when the measured window does.
    locust_args = ["--headless", "-u", str(args.users), "-r", f"{args.spawn_rate:g}"]
    locust_args += ["-t", f"{limit}s", "--stop-timeout", "10", "--only-summary"]
    locust_env = {
        **env,
        "WELLUI_LOAD_DATA": str(logs / "data.json"),
        "WELLUI_LOAD_SAMPLES": str(logs / "samples.json"),
        "WELLUI_LOAD_SECONDS": str(args.seconds),
        "WELLUI_LOAD_WAIT_MIN": str(args.wait[0]),
        "WELLUI_LOAD_WAIT_MAX": str(args.wait[1]),
        "WELLUI_LOAD_HOSTS": " ".join(hosts),
    }
    print(f"Running locust: {args.users} staff log in, then work for {args.seconds} s", flush=True)

    def cpu_now() -> dict[str, float]:
        return {
            **{name: sum(map(group_cpu_seconds, pids)) for name, pids in groups.items()},
            **({"postgres": named_cpu_seconds(POSTGRES_PROCESS)} if postgres else {}),
            "locust": children_cpu_seconds(),
            "machine": machine_cpu_seconds(),
            "wall": time.monotonic(),
        }

    before = cpu_now()
    started_load = load_average()
    locust = procs.start(
        "locust",
        [str(BIN / "locust"), "-f", str(LOCUSTFILE), *locust_args, "--host", hosts[0]],
        locust_env,
    )
    try:
        locust.wait(timeout=limit + 60)
    except subprocess.TimeoutExpired:
        procs.stop(locust)
        raise RunFailed(f"locust did not stop by itself:\n{tail(logs / 'locust.log')}") from None
    after = cpu_now()
    samples = logs / "samples.json"
    if not samples.exists():
        raise RunFailed(f"locust left no samples:\n{tail(logs / 'locust.log')}")
    return {
        "cpu": {name: after[name] - before[name] for name in before},
        "result": json.loads(samples.read_text()),
        "load_average": started_load,
        "locust_args": [*locust_args, "--host", "http://127.0.0.1:PORT"],
    }


def error_lines(*paths: Path) -> list[str]:
    """The lines of gunicorn logs that report an error."""
    marks = ("Traceback", " ERROR ", "[ERROR]", "[CRITICAL]")
    lines = []
    for path in paths:
        for line in path.read_text(errors="replace").splitlines():
            if any(mark in line for mark in marks):
                lines.append(line)
    return lines
