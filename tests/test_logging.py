"""Log lines: plain by default, one JSON object per line with WELLUI_LOG_FORMAT=json, each
with the request id ("-" outside a request), and never the WellApp token."""

import io
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.module_loading import import_string

from tests.factories import create_form_data
from tests.test_settings import manage

pytestmark = pytest.mark.timeout(90)

REFUSED_TOKEN = "refused-token-5f2c9e1d"

# Run by `manage.py shell`: one line outside a request, then WellApp calls under an id (one
# that succeeds, one refused for its token, logged with its traceback).
SCRIPT = f"""
import logging
from django.conf import settings
from phones.request_ids import request_id_scope
from phones.upstream.client import WellAppClient
from phones.upstream.shared import upstream_client

log = logging.getLogger("phones.check")
log.info("before any request")
with request_id_scope("cli-7.a"):
    upstream_client().check()
    try:
        WellAppClient(settings.WELL_API_URL, {REFUSED_TOKEN!r}).check()
    except Exception:
        log.exception("lookup refused")
"""


def run_script(wellapp, log_format: str | None):
    env = {"WELL_API_URL": wellapp.url, "WELL_API_TOKEN": wellapp.token}
    if log_format is not None:
        env["WELLUI_LOG_FORMAT"] = log_format
    result = manage("shell", "--no-imports", "-c", SCRIPT, env=env)
    assert result.returncode == 0, result.stderr
    return result


def test_json_log_lines_parse_and_carry_the_request_id(wellapp):
    result = run_script(wellapp, "json")

    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(e["logger"], e["level"], e["request_id"]) for e in lines] == [
        ("phones.check", "INFO", "-"),
        ("phones.upstream", "INFO", "cli-7.a"),
        ("phones.upstream", "INFO", "cli-7.a"),
        ("phones.check", "ERROR", "cli-7.a"),
    ]
    assert lines[0]["message"] == "before any request"
    assert lines[1]["message"].startswith("WellApp GET /v1/workspaces -> 200 in ")
    assert lines[2]["message"].startswith("WellApp GET /v1/workspaces -> 401 in ")
    assert lines[3]["message"] == "lookup refused"
    assert lines[3]["exception"].startswith("Traceback (most recent call last):")
    assert "AuthRejected" in lines[3]["exception"]
    assert set(lines[0]) == {"time", "level", "logger", "message", "request_id"}
    stamp = datetime.fromisoformat(lines[0]["time"])
    assert stamp.utcoffset() == timedelta(0)


def test_the_wellapp_token_never_appears_in_a_json_log_line(wellapp):
    result = run_script(wellapp, "json")

    lines = result.stderr.splitlines()
    assert len(lines) == 4
    for line in lines:
        json.loads(line)
        assert wellapp.token not in line
        assert REFUSED_TOKEN not in line
        assert "Bearer" not in line


def test_plain_log_lines_show_the_request_id(wellapp):
    lines = run_script(wellapp, None).stderr.splitlines()
    assert lines[0].endswith(" INFO phones.check [-] before any request")
    assert " INFO phones.upstream [cli-7.a] WellApp GET /v1/workspaces -> 200 in " in (lines[1])


def test_an_unknown_log_format_stops_the_portal_naming_the_variable():
    result = manage("check", env={"WELLUI_LOG_FORMAT": "xml"})
    assert result.returncode != 0
    assert "WELLUI_LOG_FORMAT must be plain or json." in result.stderr


@pytest.fixture
def json_console(settings) -> Iterator[io.StringIO]:
    """The configured console handler, writing with the configured JSON formatter into a
    buffer while the test runs."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    json_formatter = import_string(settings.LOGGING["formatters"]["json"]["()"])()
    stream, formatter = io.StringIO(), handler.formatter
    previous = handler.setStream(stream)  # type: ignore[attr-defined]
    handler.setFormatter(json_formatter)
    yield stream
    handler.setFormatter(formatter)
    handler.setStream(previous)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_requests_json_log_lines_carry_its_id(
    seed_directory, editor_client: Client, json_console: io.StringIO
):
    response = editor_client.post(reverse("phones:new"), create_form_data())

    lines = [json.loads(line) for line in json_console.getvalue().splitlines()]
    upstream = [e for e in lines if e["logger"] == "phones.upstream"]
    assert [e["message"].split(" in ")[0] for e in upstream] == ["WellApp POST /v1/phones -> 201"]
    assert upstream[0]["request_id"] == response["X-Request-ID"]
    assert all(seed_directory.token not in json.dumps(e) for e in lines)
