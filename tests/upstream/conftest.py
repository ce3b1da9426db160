"""Clients of the session's sandbox (the `sandbox` fixture, in tests/conftest.py) for the
upstream client tests."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from phones.upstream.client import WellAppClient
from phones.upstream.policy import RetryPolicy
from sandbox.server import Sandbox


@pytest.fixture
def wellapp_client(sandbox: Sandbox) -> Iterator[WellAppClient]:
    """A client for the sandbox with short timeouts and quick backoff."""
    policy = RetryPolicy(attempts=4, backoff=0.05, retry_after_cap=2.0, deadline=8.0)
    with WellAppClient(sandbox.url, sandbox.token, timeout=(1.0, 2.0), policy=policy) as client:
        yield client


@pytest.fixture
def make_client(sandbox: Sandbox) -> Iterator[Callable[..., WellAppClient]]:
    """Builds clients for the sandbox (URL and token unless given) and closes them after."""
    clients: list[WellAppClient] = []

    def make(**options: Any) -> WellAppClient:
        base_url = options.pop("base_url", sandbox.url)
        token = options.pop("token", sandbox.token)
        client = WellAppClient(base_url, token, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
