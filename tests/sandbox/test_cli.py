"""`python -m sandbox`: the start-up line, start-up faults, and a clean stop on Ctrl-C."""

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sandbox.__main__ import parse_fault

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"WellApp sandbox listening on (http://127\.0\.0\.1:(\d+)/v1) \(token: (\S+)\)")


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("drop", {"mode": "drop"}),
        (
            "status:status=503,count=2,method=POST,path=/v1/phones",
            {"mode": "status", "status": 503, "count": 2, "method": "POST", "path": "/v1/phones"},
        ),
        ("slow:seconds=0.5", {"mode": "slow", "seconds": 0.5}),
        (
            "rate_limit:retry_after=2,count=null",
            {"mode": "rate_limit", "retry_after": 2, "count": None},
        ),
    ],
)
def test_parse_fault_reads_mode_and_typed_parameters(text, spec):
    assert parse_fault(text) == spec


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-X", "dev", "-m", "sandbox", "--port", "0", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@pytest.fixture
def process() -> Iterator[list[subprocess.Popen]]:
    started: list[subprocess.Popen] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


def test_cli_prints_its_url_serves_and_stops_cleanly_on_sigint(process):
    proc = _start("--token", "demo-token", "--quiet", "--fault", "status:status=503,count=1")
    process.append(proc)
    match = LINE.fullmatch(proc.stdout.readline().strip())
    assert match is not None
    url, token = match.group(1), match.group(3)
    headers = {"Authorization": f"Bearer {token}"}

    first = requests.get(f"{url}/phones", headers=headers, timeout=5)
    second = requests.get(f"{url}/phones", params={"limit": 3}, headers=headers, timeout=5)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=10)

    assert token == "demo-token"
    assert first.status_code == 503
    assert second.json()["meta"] == {"total": 1000, "count": 3}
    assert proc.returncode == 0
    assert (stdout, stderr) == ("", "")


def test_cli_logs_requests_unless_quiet_and_stops_on_sigterm(process):
    proc = _start("--latency", "0.05", "--people", "12")
    process.append(proc)
    url = LINE.fullmatch(proc.stdout.readline().strip()).group(1)

    headers = {"Authorization": "Bearer sandbox-token"}
    body = requests.get(f"{url}/people", headers=headers, timeout=5).json()
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=10)

    assert body["meta"]["total"] == 12
    assert proc.returncode == 0
    assert re.search(r'"GET /v1/people HTTP/1.1" 200 -', stderr)
    assert "Traceback" not in stderr


def test_cli_rejects_an_unusable_fault(process):
    proc = _start("--fault", "explode")
    process.append(proc)

    _, stderr = proc.communicate(timeout=10)

    assert proc.returncode == 2
    assert "mode must be one of" in stderr
