"""Fixtures shared by the suite: the one WellApp sandbox on a loopback port, staff users, and
a guard that fails any connection to a host other than this machine.

The sandbox fixtures, each meaning one thing:
- ``sandbox_server``: the running sandbox, one for the whole session (use the others).
- ``sandbox``: that sandbox with fresh demo data, no faults and an empty request log.
- ``wellapp``: ``sandbox`` with the portal's settings pointed at it (the WellApp it talks to).
- ``seed_directory``: ``wellapp`` with WellApp's example records in the portal's cache.

``route_records``: a cached phone, a queued create and an import with a row, so the security
tests' URLs with an id in them reach their views (tests.factories.make_route_records).

Staff users (tests.factories.ROLES, password tests.factories.PASSWORD): ``viewer``,
``editor`` and ``nobody`` (no support role), and a Django test client logged in as each
(``viewer_client``, ``editor_client``, ``nobody_client``).
"""

import ipaddress
import signal
import socket
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django_tasks_db.management.commands import db_worker

from phones.upstream.shared import upstream_client
from sandbox.server import Sandbox
from tests.factories import make_route_records, make_seed_directory, role_user
from tests.waits import wait_answered

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check_address(sock: socket.socket, address: object) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    host = address[0] if isinstance(address, tuple) else str(address)
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise ConnectionRefusedError(f"tests may only connect to this machine, not {host!r}")


def _guarded_connect(self: socket.socket, address: object) -> None:
    _check_address(self, address)
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _check_address(self, address)
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def _loopback_only() -> Iterator[None]:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty Django cache (cached counts and the like)."""
    cache.clear()
    yield


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[Sandbox]:
    """The one sandbox of the session, on a free loopback port."""
    with Sandbox(port=0) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: Sandbox) -> Iterator[Sandbox]:
    """The sandbox with fresh demo data, no faults and an empty request log. Afterwards its
    faults are cleared and every request the test left on its way (a slow one) is answered,
    so none lands in the next test."""
    sandbox_server.reset()
    yield sandbox_server
    sandbox_server.clear_faults()
    wait_answered(sandbox_server)


@pytest.fixture
def wellapp(sandbox: Sandbox, settings) -> Iterator[Sandbox]:
    """The sandbox as the WellApp the portal talks to (its URL, token and a 2 s timeout)."""
    settings.WELL_API_URL = sandbox.url
    settings.WELL_API_TOKEN = sandbox.token
    settings.WELL_API_TIMEOUT = 2.0
    upstream_client.cache_clear()
    yield sandbox
    upstream_client.cache_clear()


@pytest.fixture
def seed_directory(wellapp: Sandbox, db) -> Sandbox:
    """``wellapp`` with the records of WellApp's own example in the portal's cache, as a sync
    would leave them (the sandbox holds them too), without reading the whole demo directory."""
    make_seed_directory()
    return wellapp


@pytest.fixture
def route_records(db) -> None:
    """A cached phone, a queued create and an import with a row (their ids are
    tests.factories.SAMPLE_*_ID), so a URL with an id in it reaches its view."""
    make_route_records()


@pytest.fixture
def viewer(db) -> User:
    return role_user("viewer")


@pytest.fixture
def editor(db) -> User:
    return role_user("editor")


@pytest.fixture
def nobody(db) -> User:
    """A logged-in user without a support role."""
    return role_user("nobody")


@pytest.fixture
def viewer_client(viewer: User) -> Client:
    client = Client()
    client.force_login(viewer)
    return client


@pytest.fixture
def editor_client(editor: User) -> Client:
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def nobody_client(nobody: User) -> Client:
    client = Client()
    client.force_login(nobody)
    return client


@pytest.fixture
def worker(monkeypatch) -> Iterator:
    """Runs every queued task, then stops: `manage.py db_worker --batch`, in this process.

    The worker's connection recycling is switched off so the test's transaction survives,
    and the signal handlers it installs are put back afterwards.
    """
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def run() -> None:
        call_command(
            "db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0
        )

    yield run
    for sig, handler in handlers.items():
        signal.signal(sig, handler)
