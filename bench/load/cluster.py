"""`make load-cluster`: the load test against the local cluster instead of one gunicorn.

    python -m bench.load.run --cluster --database postgres://postgres@127.0.0.1:5432/wellui_bench

``bin/cluster`` (the sandbox, two gunicorn nodes with ``gunicorn.conf.py``, two task workers
and the scheduler, a shared Redis cache) starts on free ports over the given PostgreSQL
database with ``CLUSTER_SYNC=0``: it migrates it but does not sync it from the sandbox (a full
sync would mark the benchmark's phones, which the sandbox does not list, deleted). Its demo
login is the simulated staff's; user n works on node n modulo 2. The cluster is stopped at
the end whatever happens.
"""

import argparse
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import redis

from bench.load.locust_run import error_lines, run_locust
from bench.load.portal import Database, portal_env, sample_cache
from bench.load.processes import Processes, RunFailed
from tests.cluster import cluster_start, cluster_stop

PROCESSES = (
    "two web nodes started by `bin/cluster` with `CLUSTER_SYNC=0`, each `gunicorn -c "
    "gunicorn.conf.py wellui.wsgi` (gthread, `WEB_CONCURRENCY={workers}` workers of "
    "`GUNICORN_THREADS={threads}` threads), two task workers (`db_worker`), the scheduler and "
    "a shared Redis cache (`REDIS_URL`)"
)


def run_cluster(args: argparse.Namespace, logs: Path, procs: Processes) -> dict[str, Any]:
    """Start the cluster over ``args.database``, let locust's staff work on both nodes, and
    return the facts the report needs."""
    database = Database(args.database or "")
    if not database.postgres:
        raise RunFailed("--cluster runs on PostgreSQL only: give --database postgres://...")
    shared = redis.Redis.from_url(args.redis)
    shared.delete(*shared.keys("wellui:*"), "wellui:none")  # nothing cached for another database
    run_dir = logs / "cluster"
    print(f"Starting the cluster (bin/cluster, no sync) over {database.shown}", flush=True)
    settings = {
        "CLUSTER_SYNC": "0",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_THREADS": str(args.threads),
    }
    try:
        cluster = cluster_start(
            run_dir=run_dir, database_url=database.url, redis_url=args.redis, env=settings
        )
    except RuntimeError as exc:
        cluster_stop(run_dir)
        raise RunFailed(str(exc)) from None
    try:
        print(f"  nodes {' '.join(cluster.nodes)}; logs in {run_dir / 'logs'}", flush=True)
        env = portal_env(urlsplit(cluster.sandbox).port or 0, database)
        print("Sampling the cache for what the staff search for", flush=True)
        sample = sample_cache(env, logs)
        # WellApp (the sandbox) knows none of the benchmark's directory: creates link nothing.
        login = {"username": cluster.username, "password": cluster.password}
        data = {**sample["data"], "links": {"people": [], "companies": [], "workspaces": []}}
        (logs / "data.json").write_text(json.dumps({**data, **login}))
        pids = cluster.pids()
        groups = {
            "gunicorn": [pids["web1"], pids["web2"]],
            "sandbox": [pids["sandbox"]],
            "workers": [pid for name, pid in pids.items() if name.startswith(("worker", "sched"))],
        }
        facts = run_locust(
            args, logs, procs, env, hosts=cluster.nodes, groups=groups, postgres=True
        )
        web_logs = [run_dir / "logs" / f"web{n}.log" for n in range(1, len(cluster.nodes) + 1)]
        facts["gunicorn_errors"] = error_lines(*web_logs)
    finally:
        print(cluster_stop(run_dir).strip().splitlines()[-1], flush=True)
    return {
        **facts,
        "database": database,
        "sandbox_args": [],
        "sync_seconds": None,
        "counts": sample["counts"],
        "vendor": sample["vendor"],
        "version": sample["version"],
        "gunicorn_args": ["-c", "gunicorn.conf.py"],
        "processes": PROCESSES.format(workers=args.workers, threads=args.threads),
        "nodes": len(cluster.nodes),
    }
