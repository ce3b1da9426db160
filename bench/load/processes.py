"""The servers of a load test: started in their own process groups, stopped together."""

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

# Nothing here goes through a proxy: every address is on this machine.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class RunFailed(Exception):
    """A step of the run failed; the message says which, with the end of its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Processes:
    """Background processes, each the leader of its own process group, with its output in
    ``<logs>/<name>.log``."""

    def __init__(self, root: Path, logs: Path) -> None:
        self.root = root
        self.logs = logs
        self.running: list[subprocess.Popen] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        with (self.logs / f"{name}.log").open("wb") as log:
            proc = subprocess.Popen(  # noqa: S603
                args,
                cwd=self.root,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen) -> None:
        """SIGTERM to the process's group, SIGKILL to what is left after 10 s."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # whatever of the group is still there
        proc.wait(timeout=10)
        if proc in self.running:
            self.running.remove(proc)

    def stop_all(self) -> None:
        for proc in reversed(list(self.running)):
            self.stop(proc)

    def wait_until_up(self, name: str, proc: subprocess.Popen, port: int, path: str = "") -> None:
        """Until 127.0.0.1:port accepts a connection (or answers ``path`` with 200)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                log = tail(self.logs / f"{name}.log")
                raise RunFailed(f"{name} exited with status {proc.returncode}:\n{log}")
            try:
                if not path:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        return
                with DIRECT.open(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RunFailed(f"{name} did not answer on 127.0.0.1:{port} within 60 s")
