"""The client's real address behind trusted proxies: the login lockout is per client, the
audit log records where logins came from, and a forged X-Forwarded-For counts for nothing."""

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse

from phones.addresses import client_ip
from phones.models import AuditEntry
from phones.signals import LOGIN, LOGIN_FAILED
from tests.factories import PASSWORD
from tests.test_security_login import LOCKED_TEXT, WRONG, fail, log_in

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
CLIENT_A = "203.0.113.7"
CLIENT_B = "198.51.100.23"


def log_in_via(client: Client, username: str, password: str, forwarded: str, peer: str = PROXY):
    """A login POST that reached the portal from ``peer`` with ``X-Forwarded-For: forwarded``."""
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=peer,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def fail_via(client: Client, username: str, times: int, forwarded: str, peer: str = PROXY):
    return [log_in_via(client, username, WRONG, forwarded, peer) for _ in range(times)]


def address(settings, remote: str, forwarded: str | None = None, **config) -> str | None:
    for name, value in config.items():
        setattr(settings, name, value)
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


@pytest.mark.parametrize(
    ("count", "proxies", "remote", "forwarded", "expected"),
    [
        # No proxy: the peer, whatever the header says.
        (0, [], "192.0.2.10", "203.0.113.7", "192.0.2.10"),
        (0, [], "192.0.2.10", None, "192.0.2.10"),
        # One proxy: the entry it appended, the last one; earlier entries are the client's.
        (1, [], PROXY, "203.0.113.7", "203.0.113.7"),
        (1, [], PROXY, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        (1, [], PROXY, "not-an-address, 203.0.113.7", "203.0.113.7"),
        # Two proxies: the entry the outer one appended, one before the inner proxy's.
        (2, [], "10.0.0.2", "203.0.113.7, 10.0.0.1", "203.0.113.7"),
        (2, [], "10.0.0.2", "6.6.6.6, 203.0.113.7, 10.0.0.1", "203.0.113.7"),
        (1, [], PROXY, "2001:db8::7", "2001:db8::7"),
        # A proxy that sent no usable header: its own address.
        (1, [], PROXY, None, PROXY),
        (1, [], PROXY, "garbage", PROXY),
        (2, [], "10.0.0.2", "203.0.113.7", "10.0.0.2"),
        # Named proxies: the header counts only from them.
        (1, ["10.0.0.0/24"], PROXY, "203.0.113.7", "203.0.113.7"),
        (1, ["10.0."], PROXY, "203.0.113.7", "203.0.113.7"),
        (1, ["10.0."], "10.00.0.1", "203.0.113.7", None),
        (1, ["10.1"], "10.100.0.1", "203.0.113.7", "10.100.0.1"),
        (1, ["10.0.0.9"], PROXY, "203.0.113.7", PROXY),
        (1, ["10.0."], "192.0.2.10", "203.0.113.7", "192.0.2.10"),
        # Not an address at all.
        (0, [], "", None, None),
    ],
)
def test_the_client_address_is_read_as_the_proxies_wrote_it(
    settings, count, proxies, remote, forwarded, expected
):
    found = address(settings, remote, forwarded, TRUSTED_PROXY_COUNT=count, TRUSTED_PROXIES=proxies)
    assert found == expected


def test_behind_a_proxy_five_failures_lock_out_one_client_but_not_another(settings, viewer: User):
    settings.TRUSTED_PROXY_COUNT = 1
    fifth = fail_via(Client(), viewer.username, 5, forwarded=CLIENT_A)[-1]
    assert fifth.status_code == 429

    other = log_in_via(Client(), viewer.username, PASSWORD, forwarded=CLIENT_B)
    locked = log_in_via(Client(), viewer.username, PASSWORD, forwarded=CLIENT_A)

    assert other.status_code == 302
    assert locked.status_code == 429
    assert LOCKED_TEXT in locked.content.decode()


def test_behind_a_proxy_a_client_cannot_escape_its_lock_by_forging_the_header(
    settings, viewer: User
):
    settings.TRUSTED_PROXY_COUNT = 1
    fail_via(Client(), viewer.username, 5, forwarded=CLIENT_A)
    # The proxy appends the real peer after whatever the client sent.
    forged = log_in_via(Client(), viewer.username, PASSWORD, forwarded=f"{CLIENT_B}, {CLIENT_A}")
    assert forged.status_code == 429


def test_behind_two_proxies_the_lock_is_per_client(settings, viewer: User):
    settings.TRUSTED_PROXY_COUNT = 2
    inner = "10.0.0.2"
    fail_via(Client(), viewer.username, 5, forwarded=f"{CLIENT_A}, {PROXY}", peer=inner)
    other = log_in_via(
        Client(), viewer.username, PASSWORD, forwarded=f"{CLIENT_B}, {PROXY}", peer=inner
    )
    locked = log_in_via(
        Client(), viewer.username, PASSWORD, forwarded=f"{CLIENT_A}, {PROXY}", peer=inner
    )
    assert (other.status_code, locked.status_code) == (302, 429)


def test_without_a_proxy_a_forged_header_is_ignored_and_the_lock_follows_the_peer(
    settings, viewer: User
):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        log_in_via(Client(), viewer.username, WRONG, forwarded=f"192.0.2.{n}", peer=CLIENT_A)

    forged = log_in_via(Client(), viewer.username, PASSWORD, forwarded=CLIENT_B, peer=CLIENT_A)
    elsewhere = log_in(Client(), viewer.username, PASSWORD, address=CLIENT_B)

    assert forged.status_code == 429
    assert elsewhere.status_code == 302


def test_logins_and_failed_logins_are_audited_with_the_clients_address(settings, viewer: User):
    settings.TRUSTED_PROXY_COUNT = 1
    log_in_via(Client(), "vera.viewr", WRONG, forwarded=CLIENT_B)
    log_in_via(Client(), viewer.username, PASSWORD, forwarded=f"6.6.6.6, {CLIENT_A}")
    entries = AuditEntry.objects.order_by("id").values_list("action", "client_ip")
    assert list(entries) == [(LOGIN_FAILED, CLIENT_B), (LOGIN, CLIENT_A)]


def test_without_a_proxy_logins_are_audited_with_the_peers_address(viewer: User):
    fail(Client(), viewer.username, 1, address="192.0.2.44")
    log_in(Client(), viewer.username, PASSWORD, address="2001:db8::44")
    entries = AuditEntry.objects.order_by("id").values_list("action", "client_ip")
    assert list(entries) == [(LOGIN_FAILED, "192.0.2.44"), (LOGIN, "2001:db8::44")]


def test_an_export_is_audited_with_the_clients_address(settings, viewer_client: Client):
    settings.TRUSTED_PROXY_COUNT = 1
    response = viewer_client.get(
        reverse("phones:export"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_A
    )
    b"".join(response.streaming_content)
    entry = AuditEntry.objects.get(action="phones.exported")
    assert (entry.client_ip, entry.request_id) == (CLIENT_A, response["X-Request-ID"])
