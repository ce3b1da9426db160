"""Every /v1 call: bearer check, trace ids, unknown routes and methods."""

import re

import pytest
import requests

from tests.sandbox.helpers import error_of


def test_missing_token_is_401_unauthorized_in_wellapp_error_shape(sandbox):
    response = requests.get(f"{sandbox.url}/phones", timeout=5)

    body = response.json()
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="wellapp"'
    assert set(body) == {"code", "status", "title", "message", "details", "meta"}
    assert (body["code"], body["status"], body["title"]) == ("UNAUTHORIZED", 401, "Unauthorized")
    assert body["details"] == {"path": None, "issue": "missing_token"}
    assert re.fullmatch(r"[0-9a-f]{12}", body["meta"]["trace_id"])
    assert body["meta"]["log_id"] == body["meta"]["trace_id"]
    assert response.headers["X-Trace-Id"] == body["meta"]["trace_id"]


@pytest.mark.parametrize(
    "authorization", ["Bearer wrong-token", "sandbox-token", "Basic c2FuZGJveA==", "Bearer "]
)
def test_wrong_token_is_401_invalid_token(sandbox, authorization):
    response = requests.post(
        f"{sandbox.url}/phones", headers={"Authorization": authorization}, json={}, timeout=5
    )

    assert response.status_code == 401
    assert error_of(response) == (401, "UNAUTHORIZED", None, "invalid_token")


def test_every_response_carries_a_fresh_trace_id(sandbox_api):
    first = sandbox_api.get("/phones", limit=1)
    second = sandbox_api.get("/phones", limit=1)

    assert first.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{12}", first.headers["X-Trace-Id"])
    assert first.headers["X-Trace-Id"] != second.headers["X-Trace-Id"]


@pytest.mark.parametrize("path", ["/nothing", "/phones/x/y", "", "/phone"])
def test_unknown_v1_route_is_404_not_found(sandbox_api, path):
    response = sandbox_api.get(path)

    assert response.status_code == 404
    assert error_of(response)[:2] == (404, "NOT_FOUND")


def test_path_outside_v1_is_404_not_found_without_auth(sandbox):
    response = requests.get(f"{sandbox.root}/v2/phones", timeout=5)

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_wrong_method_on_known_route_is_405_with_allow_header(sandbox_api):
    response = sandbox_api.session.delete(f"{sandbox_api.sandbox.url}/phones", timeout=5)

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"
