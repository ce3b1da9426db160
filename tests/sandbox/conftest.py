"""An HTTP client for the session's sandbox (the `sandbox` fixture, in tests/conftest.py) and
WellApp's example request as it is sent."""

from collections.abc import Iterator

import pytest

from sandbox.seed import seed_request_bytes
from sandbox.server import Sandbox
from tests.sandbox.helpers import Api


@pytest.fixture
def sandbox_api(sandbox: Sandbox) -> Iterator[Api]:
    """Requests to the sandbox's /v1 with its bearer token over one pooled session."""
    client = Api(sandbox)
    yield client
    client.session.close()


@pytest.fixture
def seed_bytes() -> bytes:
    """WellApp's example create request, byte for byte."""
    return seed_request_bytes()
