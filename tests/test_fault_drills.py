"""Fault drills: every sandbox fault mode against the create form. Whatever WellApp does, the
agent gets a page (never a 500) that names the problem, keeps the input, and WellApp ends up
with exactly the phones the fault let through (0 or 1), in bounded time; the token never
leaks."""

import json
import logging
import time

import pytest
from django.test import Client
from django.urls import reverse

from phones.models import AuditEntry, OutboxEntry, Phone
from phones.upstream.shared import upstream_client
from tests.factories import create_form_data
from tests.waits import wait_answered

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(90)]

BUDGET = 5.0
TIMEOUT = 1.0


@pytest.fixture
def drill(seed_directory, settings, caplog):
    """WellApp's example records cached, short timeouts, and every log record captured."""
    wellapp = seed_directory
    settings.WELL_CREATE_BUDGET = BUDGET
    settings.WELL_API_TIMEOUT = TIMEOUT
    upstream_client.cache_clear()
    caplog.set_level(logging.DEBUG)
    yield wellapp
    messages = [record.getMessage() for record in caplog.records]
    messages += [str(record.exc_info[1]) for record in caplog.records if record.exc_info]
    leaked = [m for m in messages if wellapp.token in m]
    assert not leaked, leaked
    stored = [json.dumps(list(AuditEntry.objects.values()), default=str)]
    stored += [json.dumps(list(OutboxEntry.objects.values()), default=str)]
    assert not [text for text in stored if wellapp.token in text]


def submit(client: Client, wellapp, data: dict | None = None) -> tuple[dict, str, float, int]:
    before = wellapp.stats()["phones"]
    data = data or create_form_data(
        national_number="(212) 555-0142",
        label="home",
        is_primary=None,
        is_verified=None,
        companies=None,
        workspaces=["workspace_sales"],
    )
    started = time.monotonic()
    response = client.post(reverse("phones:new"), data)
    elapsed = time.monotonic() - started
    assert response.status_code in (200, 302), response.status_code
    body = response.content.decode()
    assert wellapp.token not in body
    return (
        data,
        body if response.status_code == 200 else "",
        elapsed,
        wellapp.stats()["phones"] - before,
    )


PERSISTENT = [
    # (fault, what the page names, the phones WellApp stored once it answered every send).
    # Only a slow answer stores: WellApp handles the first send after the page gave up on it
    # (and answers the later sends 409). The others answer without handling the request.
    ({"mode": "status", "status": 500}, "WellApp is failing", 0),
    ({"mode": "status", "status": 502}, "HTTP 502", 0),
    ({"mode": "status", "status": 503}, "HTTP 503", 0),
    ({"mode": "rate_limit", "retry_after": 1}, "WellApp is rate limiting requests", 0),
    ({"mode": "rate_limit", "retry_after": 86400}, "WellApp is rate limiting requests", 0),
    ({"mode": "slow", "seconds": 5}, "did not answer", 1),
    ({"mode": "drop"}, "dropped", 0),
    ({"mode": "reset"}, "dropped", 0),
    ({"mode": "malformed"}, "WellApp sent a response that is not JSON", 0),
    ({"mode": "wrong_content_type"}, "WellApp sent a response that is not JSON", 0),
    ({"mode": "empty_body"}, "WellApp sent an empty response", 0),
    ({"mode": "unexpected_shape"}, "WellApp sent JSON without recognisable data", 0),
]


@pytest.mark.parametrize(("fault", "named", "stored"), PERSISTENT, ids=lambda v: str(v))
def test_a_lasting_fault_keeps_the_input_names_the_problem_and_creates_nothing(
    drill, editor_client: Client, fault, named, stored
):
    drill.add_fault(**fault)

    data, body, elapsed, _ = submit(editor_client, drill)

    assert "nothing is confirmed yet" in body
    assert "submitting again is safe" in body
    assert named in body
    assert 'value="(212) 555-0142"' in body
    assert f'name="client_id" value="{data["client_id"]}"' in body
    assert "John Doe" in body and "Sales Team Workspace" in body
    assert '<option value="home" selected>Home</option>' in body
    assert elapsed < BUDGET + TIMEOUT + 1.5
    assert not Phone.objects.filter(id=data["client_id"]).exists()

    # A slow first send lands after the page answered; submitting the same form again (as
    # the page invites) confirms the phone without a second.
    assert wait_answered(drill)["phones"] == 1000 + stored
    drill.clear_faults()
    _, again, _, _ = submit(editor_client, drill, data)
    assert again == ""
    assert drill.stats()["phones"] == 1000 + 1
    assert Phone.objects.filter(id=data["client_id"]).count() == 1


@pytest.mark.parametrize("mode", ["status", "rate_limit"])
def test_a_fault_with_a_trace_id_shows_it(drill, editor_client: Client, mode):
    drill.add_fault(mode)
    _, body, _, _ = submit(editor_client, drill)
    sent = [
        entry["trace_id"]
        for entry in drill.stats()["requests"]
        if (entry["method"], entry["path"]) == ("POST", "/v1/phones")
    ]
    assert sent and all(sent)  # every send was answered, with its own trace id
    assert "WellApp trace id" in body
    # The page names the answer that ended the wait, and no earlier one.
    assert [trace_id for trace_id in sent if trace_id in body] == [sent[-1]]


TRANSIENT = [
    {"mode": "latency", "seconds": 0.3},
    {"mode": "status", "status": 500, "count": 1, "method": "POST"},
    {"mode": "status", "status": 502, "count": 1, "method": "POST"},
    {"mode": "status", "status": 503, "count": 2, "method": "POST"},
    {"mode": "rate_limit", "retry_after": 1, "count": 1, "method": "POST"},
    {"mode": "rate_limit", "retry_after": 86400, "count": 1, "method": "POST"},
    {"mode": "slow", "seconds": 2, "count": 1, "method": "POST"},
    {"mode": "drop", "count": 1, "method": "POST"},
    {"mode": "create_then_drop", "count": 1, "method": "POST"},
    {"mode": "create_then_drop", "method": "POST"},
    {"mode": "malformed", "count": 1, "method": "POST"},
    {"mode": "empty_body", "count": 1, "method": "POST"},
    {"mode": "wrong_content_type", "count": 1, "method": "POST"},
    {"mode": "unexpected_shape", "count": 1, "method": "POST"},
]


@pytest.mark.parametrize("fault", TRANSIENT, ids=lambda v: str(v))
def test_a_passing_fault_ends_in_exactly_one_phone_and_a_success(
    drill, editor_client: Client, fault
):
    drill.add_fault(**fault)

    data, body, elapsed, _ = submit(editor_client, drill)

    assert body == "", body[:500]  # a redirect to the new phone's page
    assert Phone.objects.filter(id=data["client_id"]).count() == 1
    # A slow first send lands late, and must not make a second phone.
    assert wait_answered(drill)["phones"] == 1000 + 1
    assert drill.state.get_phone(data["client_id"]) is not None
    assert elapsed < BUDGET + TIMEOUT + 1.5


def test_a_queued_create_during_an_outage_is_delivered_once_it_ends(
    drill, editor_client: Client, worker
):
    drill.add_fault("status", status=503)
    data, body, _, created = submit(editor_client, drill)
    assert "Queue and retry" in body and created == 0

    queued = editor_client.post(reverse("phones:new"), {**data, "queue": "1"})
    assert queued.status_code == 302
    entry = OutboxEntry.objects.get(id=data["client_id"])
    assert entry.state == OutboxEntry.State.QUEUED

    drill.clear_faults()
    worker()

    entry.refresh_from_db()
    assert entry.state == OutboxEntry.State.CONFIRMED
    assert drill.stats()["phones"] == 1000 + 1
    assert Phone.objects.filter(id=data["client_id"]).count() == 1
