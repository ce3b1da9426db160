"""Fixtures for the upstream client tests: a real sandbox on a loopback port."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from phones.upstream.client import WellAppClient
from sandbox import Sandbox


@pytest.fixture(scope="module")
def sandbox_server() -> Iterator[Sandbox]:
    """One running sandbox per test module, on a free loopback port."""
    with Sandbox(port=0) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: Sandbox) -> Iterator[Sandbox]:
    """The module's sandbox with fresh demo data, no faults and an empty request log."""
    sandbox_server.reset()
    sandbox_server.clear_faults()
    yield sandbox_server
    sandbox_server.clear_faults()


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[WellAppClient]:
    """A client for the sandbox with short timeouts and quick backoff."""
    with WellAppClient(
        sandbox.url,
        sandbox.token,
        timeout=(1.0, 2.0),
        retries=3,
        backoff=0.05,
        retry_after_cap=2.0,
        deadline=8.0,
    ) as client:
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
