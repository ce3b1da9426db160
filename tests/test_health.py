"""Liveness and readiness: /healthz answers with no I/O, /readyz reads the database, the cache,
WellApp as last seen (written by upstream_probe and by deliveries, never probed per request)
and the outbox; both answer a load balancer on any host over plain http."""

import json
import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from phones.models import OutboxEntry, UpstreamStatus
from phones.services.health import upstream_probe
from phones.services.outbox import outbox_deliver, phone_queue
from phones.upstream.shared import upstream_client
from tests.factories import make_draft

pytestmark = pytest.mark.django_db

NEVER_CACHED = "max-age=0, no-cache, no-store, must-revalidate, private"


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sandbox_requests(sandbox) -> int:
    return len(sandbox.stats()["requests"])


def test_healthz_answers_without_a_query_for_a_host_not_in_allowed_hosts(
    client: Client, django_assert_num_queries
):
    assert "10.20.30.40" not in django_settings.ALLOWED_HOSTS
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="10.20.30.40:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == NEVER_CACHED


def test_healthz_answers_head_and_refuses_post(client: Client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_probes_pass_any_host_over_plain_http_in_production_mode(settings, wellapp):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["portal.example.com"]
    client = Client()
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="10.0.0.7:8000")
        assert response.status_code == 200, path
        assert response["Cache-Control"] == NEVER_CACHED
    # Any other page is still refused on that host, and redirected to https on the real one.
    assert client.get("/accounts/login/", HTTP_HOST="10.0.0.7:8000").status_code == 400
    response = client.get("/accounts/login/", HTTP_HOST="portal.example.com")
    assert response.status_code == 301
    assert response["Location"] == "https://portal.example.com/accounts/login/"


def test_readyz_says_wellapp_is_unknown_before_any_probe_and_calls_nothing(client: Client, wellapp):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": {"status": "ok"},
        "cache": {"status": "ok"},
        "wellapp": {"status": "unknown", "checked_at": None, "last_ok_at": None, "error": None},
        "outbox": {"waiting": 0, "oldest_waiting_seconds": None},
    }
    assert sandbox_requests(wellapp) == 0


def test_readyz_says_wellapp_is_ok_after_a_probe_without_calling_it_again(client: Client, wellapp):
    upstream_probe()
    probe = wellapp.stats()["requests"][-1]
    assert (probe["method"], probe["path"], probe["status"]) == ("GET", "/v1/workspaces", 200)
    seen = sandbox_requests(wellapp)

    response = client.get("/readyz")

    assert sandbox_requests(wellapp) == seen
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok"
    stored = UpstreamStatus.objects.get()
    assert report["wellapp"] == {
        "status": "ok",
        "checked_at": stored.checked_at.isoformat(),
        "last_ok_at": stored.checked_at.isoformat(),
        "source": "probe",
        "latency_ms": stored.latency_ms,
        "error": None,
    }
    assert 0 <= stored.latency_ms < 5000
    assert stored.http_status == 200
    assert stored.trace_id == probe["trace_id"]


def test_readyz_says_wellapp_is_unreachable_after_a_probe_meets_a_failure(client: Client, wellapp):
    upstream_probe()
    last_ok = UpstreamStatus.objects.get().last_ok_at
    wellapp.add_fault("status", status=503)
    upstream_probe()
    probe = wellapp.stats()["requests"][-1]
    seen = sandbox_requests(wellapp)

    response = client.get("/readyz")

    assert sandbox_requests(wellapp) == seen
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "degraded"
    assert report["wellapp"]["status"] == "unreachable"
    assert report["wellapp"]["last_ok_at"] == last_ok.isoformat()
    assert report["wellapp"]["checked_at"] > report["wellapp"]["last_ok_at"]
    error = report["wellapp"]["error"]
    assert error["kind"] == "Unavailable"
    assert error["http_status"] == 503
    assert error["trace_id"] == probe["trace_id"]
    assert "HTTP 503" in error["message"]
    assert wellapp.token not in response.content.decode()


def test_a_probe_that_cannot_connect_names_the_connection_failure(client: Client, settings, db):
    settings.WELL_API_URL = f"http://127.0.0.1:{closed_port()}/v1"
    upstream_client.cache_clear()
    try:
        upstream_probe()
    finally:
        upstream_client.cache_clear()
    wellapp = client.get("/readyz").json()["wellapp"]
    assert wellapp["status"] == "unreachable"
    assert wellapp["last_ok_at"] is None
    assert wellapp["error"]["kind"] == "Unavailable"
    assert wellapp["error"]["http_status"] is None
    assert wellapp["error"]["trace_id"] is None
    assert wellapp["error"]["message"].startswith("Could not connect to WellApp")


def test_a_status_not_refreshed_for_five_minutes_reads_as_unknown(client: Client, wellapp):
    upstream_probe()
    old = timezone.now() - timedelta(minutes=6)
    UpstreamStatus.objects.update(checked_at=old, last_ok_at=old)
    wellapp_report = client.get("/readyz").json()["wellapp"]
    assert wellapp_report["status"] == "unknown"
    assert wellapp_report["checked_at"] == old.isoformat()


def test_deliveries_record_what_they_saw_of_wellapp(seed_directory, editor):
    seed_directory.add_fault("status", status=503)
    entry = phone_queue(actor=editor, draft=make_draft(), form_data={})
    outbox_deliver(entry_id=str(entry.pk), budget=0.5)
    stored = UpstreamStatus.objects.get()
    assert (stored.ok, stored.source, stored.error_kind) == (False, "delivery", "unconfirmed")

    seed_directory.clear_faults()
    OutboxEntry.objects.filter(pk=entry.pk).update(next_attempt_at=timezone.now())
    outbox_deliver(entry_id=str(entry.pk))
    stored = UpstreamStatus.objects.get()
    assert (stored.ok, stored.source, stored.error_kind, stored.error) == (
        True,
        "delivery",
        "",
        "",
    )


@pytest.mark.parametrize(
    "backend",
    ["phones.cache_backend.FailSoftRedisCache", "django.core.cache.backends.redis.RedisCache"],
)
def test_readyz_stays_ready_when_the_cache_does_not_answer(client: Client, settings, backend):
    settings.CACHES = {
        "default": {
            "BACKEND": backend,
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 200
    report = response.json()
    assert report["database"] == {"status": "ok"}
    assert report["cache"]["status"] == "error"
    assert report["status"] == "degraded"


def test_readyz_counts_the_creates_waiting_in_the_outbox(client: Client, editor):
    phone_queue(actor=editor, draft=make_draft(), form_data={})
    OutboxEntry.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    outbox = client.get("/readyz").json()["outbox"]
    assert outbox["waiting"] == 1
    assert 120 <= outbox["oldest_waiting_seconds"] < 180


def test_readyz_is_503_and_says_so_when_the_database_does_not_answer(tmp_path):
    child = (
        "import json, django\n"
        "django.setup()\n"
        "from django.test import Client\n"
        "response = Client().get('/readyz')\n"
        "print(json.dumps({'status': response.status_code, 'body': response.json()}))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wellui.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/wellui",
    }
    env.pop("DATABASE_POOL", None)
    result = subprocess.run(
        [sys.executable, "-c", child],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["body"] == {
        "status": "down",
        "database": {"status": "error", "error": "OperationalError"},
        "cache": {"status": "ok"},
        "wellapp": {"status": "unknown", "checked_at": None, "last_ok_at": None},
        "outbox": None,
    }
