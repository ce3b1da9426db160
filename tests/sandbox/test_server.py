"""The HTTP server itself: keep-alive, concurrent writers, prompt stop, restart."""

import http.client
import json
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests

from sandbox.server import Sandbox
from tests.sandbox.helpers import Api, phone_document
from tests.waits import wait_until


def test_keep_alive_connection_serves_many_requests_including_errors(sandbox):
    address = urlsplit(sandbox.root)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
    statuses = []
    requests_to_send = [
        ("/v1/phones?limit=2", "sandbox-token"),
        ("/v1/nope", "sandbox-token"),
        ("/v1/phones", "wrong"),
        ("/v1/people?limit=1", "sandbox-token"),
    ]
    for path, token in requests_to_send:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
    sock = connection.sock

    assert statuses == [200, 404, 401, 200]
    assert sock is not None
    connection.close()


def test_concurrent_creates_are_all_stored(sandbox_api, sandbox):
    documents = [phone_document() for _ in range(40)]
    statuses: list[int] = []

    def create(chunk):
        client = Api(sandbox)
        statuses.extend(client.post("/phones", document).status_code for document in chunk)
        client.session.close()

    threads = [threading.Thread(target=create, args=(documents[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [201] * 40
    assert sandbox_api.get("/phones").json()["meta"]["total"] == 1040


def test_stop_returns_promptly_while_a_slow_request_sleeps():
    sandbox = Sandbox().start()
    sandbox.add_fault("slow", seconds=30)
    outcome: list[object] = []

    def call():
        try:
            outcome.append(Api(sandbox).get("/phones", timeout=20).status_code)
        except requests.ConnectionError as error:
            outcome.append(error)

    caller = threading.Thread(target=call)
    caller.start()
    wait_until(
        lambda: sandbox.stats()["in_flight"] == 1, timeout=5, what="the request to start sleeping"
    )
    started = time.monotonic()
    sandbox.stop()
    stopped_in = time.monotonic() - started
    caller.join(5)

    assert stopped_in < 1.0
    assert len(outcome) == 1 and isinstance(outcome[0], requests.ConnectionError)


def test_stopped_sandbox_refuses_connections_and_restarts_on_the_same_port():
    sandbox = Sandbox().start()
    sandbox_api = Api(sandbox)
    assert sandbox_api.get("/phones", limit=1).status_code == 200
    port = sandbox.port
    sandbox.stop()

    with pytest.raises(requests.ConnectionError):
        sandbox_api.get("/phones", limit=1, timeout=2)
    sandbox.start()
    try:
        assert sandbox.port == port
        assert sandbox_api.get("/phones", limit=1).status_code == 200
    finally:
        sandbox.stop()
        sandbox_api.session.close()


def test_chunked_request_body_is_read_and_the_connection_stays_usable(sandbox_api):
    document = phone_document()
    raw = json.dumps(document).encode()
    chunks = iter([raw[:100], raw[100:]])

    created = sandbox_api.session.post(
        f"{sandbox_api.sandbox.url}/phones",
        data=chunks,
        headers={"Content-Type": "application/json"},
        timeout=5,
    )

    assert created.status_code == 201
    assert sandbox_api.get(f"/phones/{document['data']['id']}").status_code == 200


def test_unreadable_content_length_is_400_bad_request_and_closes(sandbox):
    address = urlsplit(sandbox.root)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
    connection.putrequest("POST", "/v1/phones")
    connection.putheader("Content-Length", "lots")
    connection.endheaders()

    response = connection.getresponse()

    assert response.status == 400
    assert json.loads(response.read())["code"] == "BAD_REQUEST"
    assert response.getheader("Connection") == "close"
    connection.close()
