"""Fault modes, and how count, method and path decide which requests they hit."""

import http.client
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from sandbox.server import Sandbox
from tests.sandbox.helpers import Api, phone_document


@pytest.fixture
def own_sandbox() -> Iterator[Sandbox]:
    """A sandbox of its own, for faults that outlive the test's request."""
    with Sandbox() as sandbox:
        yield sandbox


def test_latency_delays_then_answers_normally(sandbox_api, sandbox):
    sandbox.add_fault("latency", seconds=0.3, count=1)

    started = time.monotonic()
    response = sandbox_api.get("/phones", limit=1)

    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200
    assert response.json()["meta"]["count"] == 1


@pytest.mark.parametrize(
    ("status", "code", "title"),
    [
        (500, "INTERNAL_ERROR", "Internal Server Error"),
        (502, "BAD_GATEWAY", "Bad Gateway"),
        (503, "SERVICE_UNAVAILABLE", "Service Unavailable"),
        (504, "GATEWAY_TIMEOUT", "Gateway Timeout"),
    ],
)
def test_status_fault_answers_a_wellapp_error_body(sandbox_api, sandbox, status, code, title):
    sandbox.add_fault("status", status=status, count=1)

    response = sandbox_api.get("/phones")

    body = response.json()
    assert response.status_code == status
    assert (body["code"], body["status"], body["title"]) == (code, status, title)
    assert body["meta"]["trace_id"] == response.headers["X-Trace-Id"]
    assert "Retry-After" not in response.headers


def test_status_fault_sends_retry_after_when_given(sandbox_api, sandbox):
    sandbox.add_fault("status", status=503, retry_after=7)

    response = sandbox_api.get("/phones")

    assert response.headers["Retry-After"] == "7"


def test_status_fault_on_create_stores_nothing(sandbox_api, sandbox):
    sandbox.add_fault("status", status=500, method="POST")
    document = phone_document()

    assert sandbox_api.post("/phones", document).status_code == 500

    sandbox.clear_faults()
    assert sandbox_api.get(f"/phones/{document['data']['id']}").status_code == 404


@pytest.mark.parametrize(("params", "retry_after"), [({}, "1"), ({"retry_after": 3}, "3")])
def test_rate_limit_is_429_with_retry_after(sandbox_api, sandbox, params, retry_after):
    sandbox.add_fault("rate_limit", **params)

    response = sandbox_api.get("/people")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == retry_after
    assert response.json()["code"] == "RATE_LIMITED"


def test_slow_outlasts_a_short_client_timeout(own_sandbox):
    own_sandbox.add_fault("slow", seconds=5, count=1)
    sandbox_api = Api(own_sandbox)

    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        sandbox_api.get("/phones", timeout=0.3)

    assert time.monotonic() - started < 1.5
    assert sandbox_api.get("/phones", limit=1).status_code == 200
    sandbox_api.session.close()


def test_slow_defaults_to_30_seconds(sandbox):
    fault_id = sandbox.add_fault("slow")

    assert sandbox.faults() == [
        {
            "id": fault_id,
            "mode": "slow",
            "seconds": 30.0,
            "count": None,
            "method": None,
            "path": None,
            "after": 0,
        }
    ]


def test_drop_closes_the_connection_without_a_status_line(sandbox_api, sandbox):
    sandbox.add_fault("drop", count=1)
    document = phone_document()

    with pytest.raises(requests.ConnectionError) as caught:
        sandbox_api.post("/phones", document)

    assert isinstance(caught.value.args[0].args[1], http.client.RemoteDisconnected)
    assert sandbox_api.get(f"/phones/{document['data']['id']}").status_code == 404


def test_drop_is_seen_by_http_client_as_remote_disconnected(sandbox):
    sandbox.add_fault("drop", count=1)
    address = urlsplit(sandbox.root)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)

    connection.request("GET", "/v1/phones", headers={"Authorization": "Bearer sandbox-token"})
    with pytest.raises(http.client.RemoteDisconnected):
        connection.getresponse()
    connection.close()


def test_reset_aborts_the_connection(sandbox_api, sandbox):
    sandbox.add_fault("reset", count=1)

    with pytest.raises(requests.ConnectionError) as caught:
        sandbox_api.get("/phones")

    assert isinstance(caught.value.args[0].args[1], ConnectionResetError)


def test_create_then_drop_stores_the_phone_but_never_answers(sandbox_api, sandbox):
    sandbox.add_fault("create_then_drop", method="POST", path="/v1/phones", count=1)
    document = phone_document()

    with pytest.raises(requests.ConnectionError):
        sandbox_api.post("/phones", document)

    found = sandbox_api.get(f"/phones/{document['data']['id']}")
    assert found.status_code == 200
    assert found.json()["data"]["attributes"]["e164_number"] == "+14155552671"
    assert sandbox_api.post("/phones", document).json()["code"] == "PHONE_ALREADY_EXISTS"


@pytest.mark.parametrize(("method", "status"), [("GET", 200), ("POST", 201)])
def test_malformed_answers_truncated_json(sandbox_api, sandbox, method, status):
    sandbox.add_fault("malformed")
    document = phone_document()

    response = (
        sandbox_api.get("/phones") if method == "GET" else sandbox_api.post("/phones", document)
    )

    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
    assert response.content == b'{"data": ['
    sandbox.clear_faults()
    assert sandbox_api.get(f"/phones/{document['data']['id']}").status_code == 404


def test_wrong_content_type_answers_html(sandbox_api, sandbox):
    sandbox.add_fault("wrong_content_type")

    response = sandbox_api.get("/phones")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html"
    assert response.text == "<html>Bad gateway</html>"


def test_empty_body_answers_200_with_nothing(sandbox_api, sandbox):
    sandbox.add_fault("empty_body")

    response = sandbox_api.get("/phones")

    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["Content-Length"] == "0"


def test_unexpected_shape_answers_result_ok(sandbox_api, sandbox):
    sandbox.add_fault("unexpected_shape")

    response = sandbox_api.post("/phones", phone_document())

    assert (response.status_code, response.json()) == (200, {"result": "ok"})


def test_count_limits_how_many_requests_a_fault_hits(sandbox_api, sandbox):
    sandbox.add_fault("status", status=503, count=2)

    first = sandbox_api.get("/phones").status_code
    assert sandbox.faults()[0]["count"] == 1
    statuses = [first] + [sandbox_api.get("/phones").status_code for _ in range(2)]

    assert statuses == [503, 503, 200]
    assert sandbox.faults() == []


def test_method_filter_leaves_other_methods_alone(sandbox_api, sandbox):
    sandbox.add_fault("status", status=502, method="post")

    assert sandbox_api.get("/phones").status_code == 200
    assert sandbox_api.post("/phones", phone_document()).status_code == 502


def test_path_filter_matches_exactly_or_by_wildcard(sandbox_api, sandbox):
    phone_id = sandbox_api.get("/phones", limit=1).json()["data"][0]["id"]
    sandbox.add_fault("status", status=500, path="/v1/people")
    sandbox.add_fault("status", status=504, path="/v1/phones/*")

    assert sandbox_api.get("/people").status_code == 500
    assert sandbox_api.get("/phones").status_code == 200
    assert sandbox_api.get(f"/phones/{phone_id}").status_code == 504


def test_after_lets_the_first_matching_requests_through(sandbox_api, sandbox):
    sandbox.add_fault("status", status=500, method="GET", path="/v1/phones", after=2)

    statuses = [sandbox_api.get("/phones", limit=1).status_code for _ in range(4)]
    other = sandbox_api.get("/people", limit=1).status_code

    assert statuses == [200, 200, 500, 500]
    assert other == 200
    assert sandbox.faults()[0]["after"] == 0


def test_first_matching_fault_wins_and_the_next_applies_after_it_is_used(sandbox_api, sandbox):
    sandbox.add_fault("status", status=500, count=1)
    sandbox.add_fault("rate_limit", count=1)

    statuses = [sandbox_api.get("/phones").status_code for _ in range(3)]

    assert statuses == [500, 429, 200]


def test_faults_never_touch_control_endpoints(sandbox):
    sandbox.add_fault("drop")

    response = requests.get(f"{sandbox.root}/_control/stats", timeout=5)

    assert response.status_code == 200


def test_add_fault_raises_value_error_for_unknown_mode(sandbox):
    with pytest.raises(ValueError, match="mode must be one of"):
        sandbox.add_fault("explode")
