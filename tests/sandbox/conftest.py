"""A sandbox on a free loopback port, reset before every test, and an HTTP client for it."""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox import Sandbox
from tests.sandbox.helpers import HERE, Api


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[Sandbox]:
    with Sandbox(port=0) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: Sandbox) -> Iterator[Sandbox]:
    sandbox_server.reset()
    yield sandbox_server
    sandbox_server.reset()


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[Api]:
    client = Api(sandbox)
    yield client
    client.session.close()


@pytest.fixture
def seed_bytes() -> bytes:
    return (HERE / "seed_request.json").read_bytes()


@pytest.fixture
def seed_document(seed_bytes: bytes) -> dict[str, Any]:
    return json.loads(seed_bytes)
