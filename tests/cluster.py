"""Start and stop the local cluster (`bin/cluster`, as `make cluster` does) from tests and drills.

The cluster runs in its own run directory, on free ports, against the PostgreSQL database and
Redis URL the caller names, so it never meets a `make cluster` someone left running.
"""

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
# The settings bin/cluster chooses itself; the caller's own must not leak into the nodes.
_OWN_SETTINGS = ("DJANGO_", "DATABASE_", "WELL_", "REDIS_", "GUNICORN_", "WEB_CONCURRENCY")


@dataclass(frozen=True)
class Cluster:
    """A running cluster: its web nodes' base URLs, the demo login, where its pids are and the
    sandbox's base URL (``http://127.0.0.1:PORT``: /v1 and /_control below it)."""

    nodes: list[str]
    username: str
    password: str
    run_dir: Path
    sandbox: str = ""

    def pids(self) -> dict[str, int]:
        """Each process's pid, by name (sandbox, web1, web2, worker1, ...)."""
        return {p.stem: int(p.read_text()) for p in (self.run_dir / "pids").glob("*.pid")}


def cluster_database_url(suffix: str = "_cluster_test") -> str:
    """A cluster's own database on the suite's PostgreSQL server: DATABASE_URL's database name
    with ``suffix`` (``wellui`` under SQLite runs, the cluster always uses PostgreSQL)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/wellui"
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}{suffix}"))


def cluster_stores_reset(database_url: str, redis_url: str) -> None:
    """Drop a cluster's database (bin/cluster creates it anew: nothing queued by an earlier
    run is delivered during this one) and its keys in Redis."""
    parts = urlsplit(database_url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        name = sql.Identifier(parts.path.lstrip("/"))
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
    shared = redis.Redis.from_url(redis_url)
    shared.delete(*shared.keys("wellui:*"), "wellui:none")


def running(pid: int) -> bool:
    """True while the process runs (an exited one waiting to be reaped does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] not in {"Z", "X"}


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(_OWN_SETTINGS)}
    return subprocess.run(
        [str(ROOT / "bin" / "cluster"), *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def cluster_start(
    *, run_dir: Path, database_url: str, redis_url: str, env: Mapping[str, str] | None = None
) -> Cluster:
    """Start a cluster and return it once every node answers /healthz; ``env`` (WELLUI_*
    settings, say) reaches every process of it."""
    variables = {
        **(env or {}),
        "CLUSTER_DIR": str(run_dir),
        "CLUSTER_SANDBOX_PORT": str(free_port()),
        "CLUSTER_WEB_PORTS": f"{free_port()} {free_port()}",
        "CLUSTER_DATABASE_URL": database_url,
        "CLUSTER_REDIS_URL": redis_url,
    }
    result = _run(["start", sys.executable], variables, timeout=240)
    if result.returncode != 0:
        raise RuntimeError(f"bin/cluster start failed:\n{result.stdout}\n{result.stderr}")
    login = re.search(r"username '([^']+)', password '([^']+)'", result.stdout)
    nodes = re.findall(r"^Node web\d+: (http://\S+)/$", result.stdout, flags=re.MULTILINE)
    sandbox = re.search(r"^Sandbox: (http://\S+)/v1 ", result.stdout, flags=re.MULTILINE)
    if login is None or not nodes or sandbox is None:
        raise RuntimeError(f"bin/cluster start printed no login or nodes:\n{result.stdout}")
    return Cluster(
        nodes=nodes, username=login[1], password=login[2], run_dir=run_dir, sandbox=sandbox[1]
    )


def cluster_stop(run_dir: Path) -> str:
    """Stop the cluster of ``run_dir`` (TERM, then KILL); what bin/cluster said."""
    result = _run(["stop"], {"CLUSTER_DIR": str(run_dir)}, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"bin/cluster stop failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@contextmanager
def running_cluster(
    *, run_dir: Path, database_url: str, redis_url: str, env: Mapping[str, str] | None = None
) -> Iterator[Cluster]:
    """A cluster for the ``with`` block, stopped after it whatever happens."""
    try:
        yield cluster_start(
            run_dir=run_dir, database_url=database_url, redis_url=redis_url, env=env
        )
    finally:
        cluster_stop(run_dir)
