"""/metrics: Prometheus text behind WELLUI_METRICS_TOKEN, with WellApp calls, retries and
latency, requests by status, the outbox, the last sync and WellApp's last-seen status; and
counts added up across processes in multiprocess mode."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from phones.models import SyncRun
from phones.services.health import upstream_probe
from phones.services.outbox import phone_queue
from phones.upstream.errors import NotFound
from phones.upstream.shared import upstream_client
from tests.factories import create_form_data, make_draft

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests"


@pytest.fixture
def scrape(settings, client: Client):
    """Reads /metrics with the right token: {(name, ((label, value), ...)): value}."""
    settings.WELLUI_METRICS_TOKEN = TOKEN

    def read() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        samples = {}
        for family in text_string_to_metric_families(response.content.decode()):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return samples

    return read


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_is_not_found_while_no_token_is_set(settings, client: Client):
    settings.WELLUI_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


def test_metrics_asks_for_the_token_when_it_is_missing_or_wrong(settings, client: Client):
    settings.WELLUI_METRICS_TOKEN = TOKEN
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer wrong"}, {"HTTP_AUTHORIZATION": TOKEN}):
        response = client.get("/metrics", **headers)
        assert response.status_code == 401, headers
        assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
        assert b"wellui_" not in response.content


def test_metrics_answers_the_token_on_any_host_as_prometheus_text(settings, client: Client):
    settings.WELLUI_METRICS_TOKEN = TOKEN
    response = client.get(
        "/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", HTTP_HOST="10.0.0.9:8000"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    body = response.content.decode()
    assert "# TYPE wellui_wellapp_calls_total counter" in body
    assert "# TYPE wellui_outbox_entries gauge" in body


def test_a_create_counts_one_wellapp_call_and_its_latency(
    scrape, seed_directory, editor_client: Client
):
    before = scrape()
    response = editor_client.post(reverse("phones:new"), create_form_data())
    assert response.status_code == 302
    after = scrape()
    calls = "wellui_wellapp_calls_total"
    labels = {"operation": "create_phone", "outcome": "ok"}
    assert value(after, calls, **labels) == value(before, calls, **labels) + 1
    count = "wellui_wellapp_call_duration_seconds_count"
    assert value(after, count, operation="create_phone") == (
        value(before, count, operation="create_phone") + 1
    )


def test_a_retried_read_counts_the_retry_and_the_failed_attempt(scrape, wellapp):
    before = scrape()
    wellapp.add_fault("status", status=503, count=1, method="GET")
    with pytest.raises(NotFound):  # the second try gets WellApp's answer: no such phone
        upstream_client().get_phone("00000000-0000-4000-8000-000000000000")
    after = scrape()
    retries = "wellui_wellapp_retries_total"
    assert value(after, retries, operation="get_phone") == (
        value(before, retries, operation="get_phone") + 1
    )
    calls = "wellui_wellapp_calls_total"
    failed = {"operation": "get_phone", "outcome": "server_error"}
    assert value(after, calls, **failed) == value(before, calls, **failed) + 1
    answered = {"operation": "get_phone", "outcome": "client_error"}
    assert value(after, calls, **answered) == value(before, calls, **answered) + 1


def test_requests_are_counted_by_method_and_status_but_scrapes_are_not(
    scrape, viewer_client: Client
):
    before = scrape()
    assert viewer_client.get(reverse("phones:list")).status_code == 200
    assert viewer_client.get("/no-such-page/").status_code == 404
    after = scrape()
    requests = "wellui_http_requests_total"
    assert value(after, requests, method="GET", status="200") == (
        value(before, requests, method="GET", status="200") + 1
    )
    assert value(after, requests, method="GET", status="404") == (
        value(before, requests, method="GET", status="404") + 1
    )


def test_outbox_gauges_show_a_queued_create(scrape, editor):
    before = scrape()
    assert value(before, "wellui_outbox_entries", state="queued") == 0
    assert value(before, "wellui_outbox_oldest_waiting_age_seconds") == 0
    phone_queue(actor=editor, draft=make_draft(), form_data={})
    after = scrape()
    assert value(after, "wellui_outbox_entries", state="queued") == 1
    assert value(after, "wellui_outbox_entries", state="confirmed") == 0
    assert 0 <= value(after, "wellui_outbox_oldest_waiting_age_seconds") < 60


def test_sync_gauges_show_the_last_run(scrape):
    assert ("wellui_sync_last_succeeded", ()) not in scrape()
    now = timezone.now()
    SyncRun.objects.create(status=SyncRun.Status.SUCCEEDED, finished_at=now)
    SyncRun.objects.create(status=SyncRun.Status.FAILED, finished_at=now)
    samples = scrape()
    assert value(samples, "wellui_sync_last_succeeded") == 0
    assert 0 <= value(samples, "wellui_sync_last_finished_age_seconds") < 60
    assert 0 <= value(samples, "wellui_sync_last_success_age_seconds") < 60


def test_wellapp_status_gauge_follows_the_probe(scrape, wellapp):
    samples = scrape()
    assert value(samples, "wellui_wellapp_status", status="unknown") == 1
    upstream_probe()
    samples = scrape()
    assert value(samples, "wellui_wellapp_status", status="ok") == 1
    assert value(samples, "wellui_wellapp_status", status="unknown") == 0
    assert 0 <= value(samples, "wellui_wellapp_last_check_age_seconds") < 60
    wellapp.add_fault("drop")
    upstream_probe()
    samples = scrape()
    assert value(samples, "wellui_wellapp_status", status="unreachable") == 1
    assert value(samples, "wellui_wellapp_status", status="ok") == 0


COUNT_IN_CHILD = """
import sys
from phones.metrics import http_request_counted
for _ in range(int(sys.argv[1])):
    http_request_counted(method="GET", status=200)
"""

SCRAPE_IN_CHILD = """
from prometheus_client import generate_latest
from phones.metrics import scrape_registry
print(generate_latest(scrape_registry()).decode())
"""


def test_multiprocess_mode_adds_up_every_process_count(tmp_path):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}

    def child(code: str, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", code, *args],
            env=env,
            cwd=django_settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout

    child(COUNT_IN_CHILD, "3")
    child(COUNT_IN_CHILD, "4")
    text = child(SCRAPE_IN_CHILD)
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    assert value(samples, "wellui_http_requests_total", method="GET", status="200") == 7
