"""WellApp (the cluster's sandbox) taken down and brought back: its process stopped, then
started again with the same command line on the same port, as ``bin/cluster`` started it
(its pid written where ``bin/cluster stop`` looks, so the stop ends it too)."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.drills.portal import opener
from tests.cluster import ROOT, Cluster, running

TOKEN = "sandbox-token"  # noqa: S105 (the WellApp token bin/cluster gives its sandbox and nodes)
# A relaunch that outlives this script, in its own session, as bin/cluster launches it.
LAUNCH = 'setsid "$@" >>"$WELLUI_SANDBOX_LOG" 2>&1 </dev/null & echo $!'


class WellApp:
    """The sandbox of a running cluster, by its pid file and its base URL."""

    def __init__(self, cluster: Cluster) -> None:
        self.base = cluster.sandbox
        self.pid_file = cluster.run_dir / "pids" / "sandbox.pid"
        self.log = cluster.run_dir / "logs" / "sandbox.log"
        self.port = urlsplit(self.base).port or 80
        self.command: list[str] = []

    def _get(self, path: str, *, token: bool = False) -> Any:
        headers = {"Authorization": f"Bearer {TOKEN}"} if token else {}
        request = urllib.request.Request(f"{self.base}{path}", headers=headers)  # noqa: S310
        with opener().open(request, timeout=10) as response:
            return json.load(response)

    def stats(self) -> dict[str, Any]:
        """The sandbox's request log and its phone count (GET /_control/stats)."""
        stats: dict[str, Any] = self._get("/_control/stats")
        return stats

    def phone(self, phone_id: str) -> dict[str, Any] | None:
        """The phone WellApp holds under ``phone_id``, or None."""
        try:
            found: dict[str, Any] = self._get(f"/v1/phones/{phone_id}", token=True)["data"]
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise
        return found

    def listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        """SIGTERM the sandbox's process group (SIGKILL after 10 s); return once nothing
        listens on its port."""
        pid = int(self.pid_file.read_text())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0")
        self.command = [part.decode() for part in cmdline.split(b"\0")]
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while running(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if running(pid):
            os.killpg(pid, signal.SIGKILL)
        while self.listening():
            time.sleep(0.05)

    def start(self, *, timeout: float = 30) -> None:
        """Start the sandbox again with the command line it last ran with; return once it
        answers on its port."""
        if not self.command:
            raise RuntimeError("the sandbox was not stopped by this drill")
        env = {**os.environ, "WELLUI_SANDBOX_LOG": str(self.log)}
        launched = subprocess.run(  # noqa: S603 (the sandbox's own command line)
            ["bash", "-c", LAUNCH, "launch", *self.command],  # noqa: S607
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        self.pid_file.write_text(launched.stdout.strip() + "\n")
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._get("/_control/health")
                return
            except OSError:
                if time.monotonic() >= deadline:
                    raise RuntimeError(f"the sandbox did not come back; see {self.log}") from None
                time.sleep(0.05)
