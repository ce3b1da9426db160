"""The /_control endpoints and their Python equivalents: faults, latency, stats, reset,
touch and delete."""

import time
from datetime import UTC, datetime

import pytest
import requests

from tests.sandbox.helpers import phone_document


def test_control_faults_endpoint_adds_lists_and_clears(sandbox_api):
    added = sandbox_api.control("POST", "/faults", {"mode": "status", "status": 503, "count": 1})
    listed = sandbox_api.control("GET", "/faults")
    cleared = sandbox_api.control("DELETE", "/faults")

    assert added.status_code == 201
    assert listed.json() == [
        {
            "id": added.json()["id"],
            "mode": "status",
            "status": 503,
            "retry_after": None,
            "count": 1,
            "method": None,
            "path": None,
            "after": 0,
        }
    ]
    assert cleared.json() == {"cleared": 1}
    assert sandbox_api.control("GET", "/faults").json() == []
    assert sandbox_api.get("/phones").status_code == 200


@pytest.mark.parametrize(
    ("spec", "path"),
    [
        ({"mode": "explode"}, "mode"),
        ({"mode": "status", "status": 418}, "status"),
        ({"mode": "latency", "seconds": -1}, "seconds"),
        ({"mode": "drop", "count": 0}, "count"),
        ({"mode": "drop", "method": "BREW"}, "method"),
        ({"mode": "drop", "path": "v1/phones"}, "path"),
        ({"mode": "drop", "seconds": 3}, "seconds"),
        ({"mode": "drop", "after": -1}, "after"),
    ],
)
def test_control_rejects_unusable_fault(sandbox_api, spec, path):
    response = sandbox_api.control("POST", "/faults", spec)

    assert response.status_code == 400
    assert response.json()["details"]["path"] == path


def test_control_latency_applies_to_every_request_and_zero_removes_it(sandbox_api):
    added = sandbox_api.control("POST", "/latency", {"seconds": 0.2})
    started = time.monotonic()
    sandbox_api.get("/people", limit=1)
    delayed = time.monotonic() - started
    removed = sandbox_api.control("POST", "/latency", {"seconds": 0})

    assert added.status_code == 201
    assert delayed >= 0.2
    assert removed.json() == {"id": None}
    assert sandbox_api.control("GET", "/faults").json() == []


def test_stats_log_requests_with_status_fault_and_the_trace_id_sent(sandbox_api, sandbox):
    listing = sandbox_api.get("/phones", limit=1)
    phone_id = listing.json()["data"][0]["id"]
    sandbox.add_fault("status", status=503, count=1)
    failed = sandbox_api.get(f"/phones/{phone_id}")
    sandbox.add_fault("drop", count=1)
    with pytest.raises(requests.ConnectionError):
        sandbox_api.post("/phones", phone_document())

    stats = sandbox_api.control("GET", "/stats").json()

    assert stats["counts"] == {"GET /v1/phones": 1, "GET /v1/phones/{id}": 1, "POST /v1/phones": 1}
    assert [
        (r["method"], r["path"], r["status"], r["fault"], r["trace_id"]) for r in stats["requests"]
    ] == [
        ("GET", "/v1/phones", 200, None, listing.headers["X-Trace-Id"]),
        ("GET", f"/v1/phones/{phone_id}", 503, "status", failed.json()["meta"]["trace_id"]),
        ("POST", "/v1/phones", None, "drop", None),
    ]
    assert failed.headers["X-Trace-Id"] == failed.json()["meta"]["trace_id"]
    assert stats["requests"][0]["query"] == "limit=1"
    assert stats["phones"] == 1000
    assert stats["in_flight"] == 0


def test_reset_restores_generated_data_and_clears_faults_and_log(sandbox_api, sandbox):
    document = phone_document()
    sandbox_api.post("/phones", document)
    first = sandbox_api.get("/phones", limit=1).json()["data"][0]["id"]
    sandbox.delete_phone(first)
    sandbox.add_fault("status", status=500, path="/v1/people")

    response = sandbox_api.control("POST", "/reset")

    assert response.json() == {"reset": True, "phones": 1000}
    assert sandbox.faults() == []
    assert sandbox.stats() == {"requests": [], "counts": {}, "phones": 1000, "in_flight": 0}
    assert sandbox_api.get(f"/phones/{document['data']['id']}").status_code == 404
    assert sandbox_api.get(f"/phones/{first}").status_code == 200


def test_control_touch_changes_attributes_and_bumps_updated_at(sandbox_api):
    phone = sandbox_api.get("/phones", limit=1).json()["data"][0]
    before = int(time.time())

    response = sandbox_api.control(
        "POST", f"/phones/{phone['id']}", {"attributes": {"national_number": "4155550199"}}
    )

    changed = sandbox_api.get(f"/phones/{phone['id']}").json()["data"]
    assert response.status_code == 200
    assert response.json()["data"] == changed
    assert changed["attributes"]["national_number"] == "4155550199"
    assert (
        changed["attributes"]["e164_number"] == f"+{phone['attributes']['country_code']}4155550199"
    )
    assert changed["attributes"]["created_at"] == phone["attributes"]["created_at"]
    updated = datetime.strptime(changed["attributes"]["updated_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert updated.replace(tzinfo=UTC).timestamp() >= before


@pytest.mark.parametrize(
    ("attributes", "path"),
    [
        ({"label": "fax"}, "attributes.label"),
        ({"colour": "red"}, "attributes.colour"),
        ({"country_code": 44, "e164_number": "+1"}, "attributes.e164_number"),
    ],
)
def test_control_touch_rejects_invalid_attributes(sandbox_api, attributes, path):
    phone_id = sandbox_api.get("/phones", limit=1).json()["data"][0]["id"]

    response = sandbox_api.control("POST", f"/phones/{phone_id}", {"attributes": attributes})

    assert response.status_code == 400
    assert response.json()["details"]["path"] == path


def test_touch_and_delete_of_unknown_phone(sandbox_api, sandbox):
    missing = "00000000-0000-4000-8000-000000000000"

    assert sandbox_api.control("POST", f"/phones/{missing}", {"attributes": {}}).status_code == 404
    assert sandbox_api.control("DELETE", f"/phones/{missing}").status_code == 404
    assert sandbox.delete_phone(missing) is False
    with pytest.raises(KeyError):
        sandbox.touch_phone(missing, label="home")


def test_control_delete_removes_a_phone_from_reads_and_totals(sandbox_api):
    phone_id = sandbox_api.get("/phones", limit=1).json()["data"][0]["id"]

    response = sandbox_api.control("DELETE", f"/phones/{phone_id}")

    assert response.json() == {"deleted": phone_id}
    assert sandbox_api.get(f"/phones/{phone_id}").status_code == 404
    assert sandbox_api.get("/phones").json()["meta"]["total"] == 999


def test_python_touch_returns_the_changed_phone(sandbox, sandbox_api):
    phone_id = sandbox_api.get("/phones", limit=1).json()["data"][0]["id"]

    changed = sandbox.touch_phone(phone_id, label="mobile", is_primary=True)

    assert (changed["attributes"]["label"], changed["attributes"]["is_primary"]) == ("mobile", True)
    assert sandbox.phone(phone_id)["data"] == changed
    with pytest.raises(ValueError, match="label"):
        sandbox.touch_phone(phone_id, label="fax")
