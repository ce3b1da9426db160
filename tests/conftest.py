"""Fixtures shared by the suite: the WellApp sandbox on a loopback port, staff users, and a
guard that fails any connection to a host other than this machine."""

import importlib
import ipaddress
import signal
import socket
from collections.abc import Iterator

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django_tasks_db.management.commands import db_worker

from phones.services.health import upstream_client
from sandbox import Sandbox

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
def wellapp_server() -> Iterator[Sandbox]:
    """One sandbox for the session, on a free loopback port."""
    with Sandbox(port=0) as server:
        yield server


@pytest.fixture
def wellapp(wellapp_server: Sandbox, settings) -> Iterator[Sandbox]:
    """The sandbox with fresh demo data and no faults, and the portal pointed at it."""
    wellapp_server.reset()
    settings.WELL_API_URL = wellapp_server.url
    settings.WELL_API_TOKEN = wellapp_server.token
    settings.WELL_API_TIMEOUT = 2.0
    upstream_client.cache_clear()
    yield wellapp_server
    wellapp_server.clear_faults()
    upstream_client.cache_clear()


SUPPORT_GROUPS = importlib.import_module("phones.migrations.0002_support_groups").GROUPS


def support_group(name: str) -> Group:
    """One of the two support roles, made again as the migration makes it when a browser
    test's database flush removed it."""
    group = Group.objects.filter(name=name).first()
    if group is not None:
        return group
    create_permissions(django_apps.get_app_config("phones"), verbosity=0)
    group = Group.objects.create(name=name)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="phones", codename__in=SUPPORT_GROUPS[name]
        )
    )
    return group


def _user(username: str, group: str | None) -> User:
    user = User.objects.create_user(username=username, password="correct horse battery")
    if group:
        user.groups.add(support_group(group))
    return user


@pytest.fixture
def viewer(db) -> User:
    return _user("vera.viewer", "Support viewers")


@pytest.fixture
def editor(db) -> User:
    return _user("eddie.editor", "Support editors")


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


@pytest.fixture
def seed_directory(wellapp, db) -> Sandbox:
    """The records of WellApp's own example, cached as a sync would leave them (the sandbox
    holds them too), without reading the whole demo directory."""
    from tests.factories import make_company, make_person, make_workspace

    make_person("people1", "John Doe", "john.doe@example.com")
    make_company("company_tenant", "Acme Corporation", "acme.com")
    make_workspace("workspace_sales", "Sales Team Workspace", "fygr_123")
    make_workspace(
        "550e8400-e29b-41d4-a716-446655440000", "Marketing Team Workspace", "mkt_workspace_001"
    )
    return wellapp
