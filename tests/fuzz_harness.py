"""Run ``tests.fuzz_child`` from a test: start it on a database of its own, feed it batches of
requests, and turn its death (a signal, an exit, or silence) into a failure that names the
request it was serving and shows what it wrote to stderr."""

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


class ChildDied(AssertionError):
    """The child process ended (or stopped answering) while serving a request."""


class FuzzChild:
    """A child process serving requests against ``database_url``; started again after it
    dies. Its stderr goes to ``log_path``."""

    def __init__(self, *, database_url: str, log_path: Path, answer_timeout: float = 60.0):
        self.database_url = database_url
        self.log_path = log_path
        self.answer_timeout = answer_timeout
        self.seeded = False
        self._proc: subprocess.Popen[str] | None = None
        self._answers: queue.Queue[str | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._log_offset = 0

    def _start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "DJANGO_SETTINGS_MODULE": "wellui.settings",
            "PYTHONFAULTHANDLER": "1",
            "PYTHONIOENCODING": "utf-8",
        }
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        args = [sys.executable, "-m", "tests.fuzz_child"] + ([] if self.seeded else ["--seed"])
        with self.log_path.open("a", encoding="utf-8") as log:
            self._proc = subprocess.Popen(
                args,
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                encoding="utf-8",
            )
        self._answers = queue.Queue()
        self._spawn(self._read, self._proc.stdout, self._answers)
        # Migrating and seeding a fresh database takes a few seconds.
        ready = self._next(timeout=180.0)
        if not isinstance(ready, str) or not json.loads(ready).get("ready"):
            raise ChildDied(
                f"The child process {self._ended(ready)} while starting.\n{self.log_tail()}"
            )
        self.seeded = True

    def _spawn(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]

    @staticmethod
    def _read(stream: IO[str], answers: "queue.Queue[str | None]") -> None:
        for line in stream:
            answers.put(line)
        answers.put(None)

    @staticmethod
    def _write(stream: IO[str], lines: str) -> None:
        # A child that died mid-batch closes the pipe; the reader reports the death.
        with suppress(BrokenPipeError, ValueError):
            stream.write(lines)
            stream.flush()

    def _next(self, *, timeout: float) -> str | queue.Empty | None:
        """The child's next line; None once it closed stdout; queue.Empty if it said nothing
        for ``timeout`` seconds."""
        try:
            return self._answers.get(timeout=timeout)
        except queue.Empty as silence:
            return silence

    def _stop(self, *, kill: bool) -> int | None:
        """Stop the child (killed, or asked to finish by closing its stdin) and release its
        pipes and threads; its return code, None when it had to be killed."""
        proc, self._proc = self._proc, None
        assert proc is not None and proc.stdin is not None and proc.stdout is not None
        returncode: int | None = None
        if not kill:
            with suppress(BrokenPipeError, ValueError):
                proc.stdin.close()
            try:
                returncode = proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                kill = True
        if kill:
            proc.kill()
            proc.wait()
        for thread in self._threads:
            thread.join(timeout=30)
        self._threads = []
        with suppress(BrokenPipeError, ValueError):
            proc.stdin.close()
        proc.stdout.close()
        return returncode

    def _ended(self, last: str | queue.Empty | None) -> str:
        """How the child ended, given the last thing read from it: a child that went silent
        is killed."""
        hung = isinstance(last, queue.Empty)
        returncode = self._stop(kill=hung)
        if hung:
            return f"gave no answer for {self.answer_timeout:.0f} s and was killed"
        if returncode is None:
            return "closed its output but did not exit, and was killed"
        if returncode < 0:
            return f"was killed by {signal.Signals(-returncode).name}"
        return f"exited with status {returncode}"

    def log_tail(self, lines: int = 30) -> str:
        """What the current (or last) child wrote to stderr: from a fatal error's report (the
        innermost Python frames) if there is one, else the last lines."""
        with self.log_path.open(encoding="utf-8", errors="replace") as log:
            log.seek(self._log_offset)
            text = log.read().splitlines()
        fatal = [i for i, line in enumerate(text) if line.startswith("Fatal Python error")]
        shown = text[fatal[-1] : fatal[-1] + lines] if fatal else text[-lines:]
        return "--- child stderr ---\n" + "\n".join(shown)

    def send(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Serve a batch of requests; the answers, in order. Raises ChildDied naming the
        request the child was serving when it died."""
        if self._proc is not None and self._proc.poll() is not None:
            self._stop(kill=False)
        if self._proc is None:
            self._start()
        assert self._proc is not None
        lines = "".join(json.dumps(r) + "\n" for r in requests)
        self._spawn(self._write, self._proc.stdin, lines)
        answers = []
        for request in requests:
            line = self._next(timeout=self.answer_timeout)
            if not isinstance(line, str):
                shown = repr(request)
                shown = shown if len(shown) < 2000 else shown[:2000] + "...'"
                raise ChildDied(
                    f"The child process {self._ended(line)} while serving {shown}\n"
                    f"{self.log_tail()}"
                )
            answers.append(json.loads(line))
        return answers

    def close(self) -> None:
        if self._proc is not None:
            self._stop(kill=False)


@contextmanager
def child_database(directory: Path) -> Iterator[str]:
    """A database URL for the child, on the same engine as the test run: a fresh PostgreSQL
    database (dropped afterwards) when DATABASE_URL names PostgreSQL, else a SQLite file in
    ``directory``."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{directory / 'fuzz.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = f"wellui_fuzz_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
