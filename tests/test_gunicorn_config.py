"""gunicorn.conf.py: gunicorn accepts it, it reads the environment, and a node started with it
serves and logs one line per request with the request's id."""

import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.waits import wait_until

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def gunicorn(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [GUNICORN, *args, "-c", "gunicorn.conf.py", "wellui.wsgi"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_gunicorn_accepts_the_web_process_configuration():
    result = gunicorn("--check-config")
    assert result.returncode == 0, result.stderr


def test_gunicorn_takes_workers_threads_and_address_from_the_environment():
    result = gunicorn(
        "--print-config",
        WEB_CONCURRENCY="3",
        GUNICORN_THREADS="5",
        GUNICORN_BIND="127.0.0.1:9123",
        FORWARDED_ALLOW_IPS="10.0.0.7",
    )
    assert result.returncode == 0, result.stderr
    printed = dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, flags=re.MULTILINE))
    assert printed["worker_class"] == "gthread"
    assert printed["workers"] == "3"
    assert printed["threads"] == "5"
    assert printed["bind"] == "['127.0.0.1:9123']"
    assert printed["forwarded_allow_ips"] == "['10.0.0.7']"
    assert printed["timeout"] == "30"
    assert printed["control_socket_disable"] == "True"
    assert printed["accesslog"] == "-"


def test_gunicorn_listens_on_all_interfaces_at_port_when_no_bind_is_given():
    env = {k: v for k, v in os.environ.items() if k != "GUNICORN_BIND"}
    result = subprocess.run(
        [GUNICORN, "--print-config", "-c", "gunicorn.conf.py", "wellui.wsgi"],
        cwd=ROOT,
        env={**env, "PORT": "5055"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"^bind\s+= \['0\.0\.0\.0:5055'\]$", result.stdout, flags=re.MULTILINE)


def test_worker_exit_hook_needs_no_metrics_without_prometheus_multiproc_dir(monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["child_exit"](None, None) is None


def test_web_node_serves_and_logs_each_request_with_its_request_id(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path / "web.log"
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    with log.open("wb") as out:
        node = subprocess.Popen(
            [GUNICORN, "-c", "gunicorn.conf.py", "wellui.wsgi"],
            cwd=ROOT,
            env={**env, "GUNICORN_THREADS": "2"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:

        def healthz() -> str | None:
            try:
                with DIRECT.open(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    return response.headers["X-Request-ID"] if response.status == 200 else None
            except OSError:
                assert node.poll() is None, log.read_text()
                return None

        request_id = wait_until(healthz, timeout=60, what="the node to answer /healthz")
        line = f'request_id={request_id} method=GET path="/healthz" status=200 duration_ms='
        wait_until(lambda: line in log.read_text(), timeout=10, what="the access log line")
    finally:
        node.send_signal(signal.SIGTERM)
        assert node.wait(timeout=40) == 0
