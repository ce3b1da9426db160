"""Sentry: not started without SENTRY_DSN; with it, the reports a real SDK sends to a
loopback Sentry carry no token, form data, cookie or Authorization header."""

import gzip
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from django.conf import settings as django_settings

from phones.error_reports import error_reports_start

TOKEN = "wellapp-token-0f9e8d7c6b5a4"
FORM_VALUE = "form-value-5e4d3c2b1a"
COOKIE_VALUE = "cookie-value-9a8b7c6d5e"


def decoded(body: bytes, encoding: str) -> bytes:
    """An envelope as the SDK wrote it: it compresses with brotli when that module is
    installed, else with gzip."""
    if encoding == "br":
        import brotli  # the SDK only chooses brotli when it can import it

        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    assert encoding == "", encoding
    return body


class SentryStandIn(ThreadingHTTPServer):
    """Takes envelopes as Sentry's ingest does and keeps their decoded bodies."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _EnvelopeHandler)
        self.envelopes: list[bytes] = []


class _EnvelopeHandler(BaseHTTPRequestHandler):
    server: SentryStandIn

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.envelopes.append(decoded(body, self.headers.get("Content-Encoding", "")))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def sentry() -> Iterator[SentryStandIn]:
    server = SentryStandIn()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def items(envelopes: str) -> list[dict]:
    """Every JSON object line of the envelopes (headers and items)."""
    found = []
    for line in envelopes.splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            found.append(value)
    return found


def test_without_a_dsn_sentry_is_never_started(settings):
    settings.SENTRY_DSN = ""
    assert error_reports_start() is False
    assert not sentry_sdk.get_client().is_active()


def test_reports_reach_sentry_without_token_form_data_cookie_or_authorization(sentry, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "wellui.settings",
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{sentry.server_address[1]}/42",
        "WELL_API_TOKEN": TOKEN,
        "REPORT_FORM_VALUE": FORM_VALUE,
        "REPORT_COOKIE_VALUE": COOKIE_VALUE,
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.error_report_child"],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "sent"

    sent = b"\n".join(sentry.envelopes).decode()
    assert "WellApp refused the token [redacted]" in sent
    assert '"type":"RuntimeError"' in sent.replace(" ", "")
    assert "Calling WellApp with Authorization: Bearer [redacted]" in sent
    assert '"url":"http://localhost/fail/"' in sent.replace(" ", "")
    for secret in (TOKEN, FORM_VALUE, COOKIE_VALUE):
        assert secret not in sent, secret
    failure = next(item for item in items(sent) if "exception" in item)
    assert failure["request"]["headers"] == {
        "Host": "localhost",
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": "26",
    }
    assert "data" not in failure["request"]
    assert "cookies" not in failure["request"]
