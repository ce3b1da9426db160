"""A PostgreSQL server and a Redis server of a test's own, on free loopback ports, that it may
stop and restart (the suite's shared servers are never touched).

PostgreSQL runs from Debian's binaries (the highest version under /usr/lib/postgresql) as the
``postgres`` OS user when the tests run as root (PostgreSQL refuses root), with trust
authentication, listening on 127.0.0.1 only and its unix socket in its own directory. Redis
runs as a child process without persistence.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis

from tests.cluster import free_port
from tests.waits import wait_until

POSTGRES_BIN = Path("/usr/lib/postgresql")
START_SECONDS = 30
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def postgres_bin() -> Path:
    """The bin directory of the highest PostgreSQL version installed."""
    versions = [p for p in POSTGRES_BIN.glob("*/bin") if (p / "pg_ctl").exists()]
    if not versions:
        raise RuntimeError(f"no PostgreSQL server binaries under {POSTGRES_BIN}")
    return max(versions, key=lambda p: int(p.parent.name))


class PrivatePostgres:
    """A PostgreSQL cluster in a directory of its own; ``url(name)`` names a database on it."""

    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="wellui-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.log = self.root / "server.log"
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str, timeout: float = START_SECONDS) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{args[0]} failed:\n{result.stdout}\n{result.stderr}\n{log}")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        self.sockets.mkdir()
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.sockets, "postgres", "postgres")
        self.root.chmod(0o700)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        wait_until(self.answers, timeout=START_SECONDS, what="the private PostgreSQL to answer")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; ``fast`` ends every session (their transactions roll back)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def answers(self) -> bool:
        try:
            with psycopg.connect(self.url(), connect_timeout=2) as conn:
                conn.execute("SELECT 1")
        except psycopg.OperationalError:
            return False
        return True

    def remove(self) -> None:
        """Stop the server if it runs (immediately) and delete its directory."""
        if (self.data / "postmaster.pid").exists():
            try:
                self.stop("immediate")
            except (RuntimeError, subprocess.TimeoutExpired):
                pid = int((self.data / "postmaster.pid").read_text().split()[0])
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A running private PostgreSQL for the ``with`` block, removed after it whatever
    happens."""
    server = PrivatePostgres()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.remove()


class PrivateRedis:
    """A ``redis-server`` child process without persistence on a port of its own, which may
    be stopped and started again on the same port."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert self.process is None, "the private Redis runs already"
        with (self.directory / "redis.log").open("a") as log:
            self.process = subprocess.Popen(
                [
                    REDIS_SERVER,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.directory),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self.answers, timeout=START_SECONDS, what="the private Redis to answer")

    def stop(self) -> None:
        """SIGTERM (SIGKILL after 10 s); returns once the process is gone."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def answers(self) -> bool:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        except redis.exceptions.ConnectionError:
            return False
        finally:
            client.close()


@contextmanager
def private_redis(directory: Path) -> Iterator[PrivateRedis]:
    """A running private Redis for the ``with`` block, stopped after it whatever happens."""
    server = PrivateRedis(directory)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def restart_postgres(server: PrivatePostgres, *, down_seconds: float) -> tuple[float, float]:
    """Stop ``server`` (fast), keep it down ``down_seconds``, start it; the monotonic times at
    which it stopped and answered again."""
    server.stop("fast")
    stopped = time.monotonic()
    time.sleep(down_seconds)
    server.start()
    return stopped, time.monotonic()
