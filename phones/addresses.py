"""Where a request really came from, behind the reverse proxies the portal is told to trust.

``TRUSTED_PROXY_COUNT`` (``WELLUI_TRUSTED_PROXY_COUNT``) is how many proxies stand in front
of the portal, each appending the address it was reached from to ``X-Forwarded-For``: the
last one is the peer (``REMOTE_ADDR``), and the client is the entry the first proxy appended,
that many places from the end. Entries further left were written by the client and are never
believed. With a count of 0 the header is ignored and the peer is the client.
``TRUSTED_PROXIES`` (``WELLUI_TRUSTED_PROXIES``), when set, names the proxies (addresses,
CIDR ranges or prefixes such as ``10.0.``) the peer must be for the header to count.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from ipware.ip import get_client_ip

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def _parsed(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _matches(address: ipaddress.IPv4Address | ipaddress.IPv6Address, entry: str) -> bool:
    """True when ``address`` is ``entry``: an address, a CIDR range, or a prefix ending on a
    boundary ("10.0." or "10.0" is 10.0.x.x, never 10.01.x.x or 10.100.x.x)."""
    if "/" in entry:
        try:
            return address in ipaddress.ip_network(entry, strict=False)
        except ValueError:
            return False
    exact = _parsed(entry)
    if exact is not None:
        return address == exact
    text, prefix = str(address), entry.lower()
    if not text.startswith(prefix):
        return False
    rest = text[len(prefix) :]
    return not rest or prefix[-1] in ".:" or rest[0] in ".:"


def from_trusted_proxy(request: HttpRequest) -> bool:
    """True when the portal is configured behind proxies and this request's peer is one
    of them (any peer, when ``TRUSTED_PROXIES`` does not name them)."""
    if settings.TRUSTED_PROXY_COUNT <= 0:
        return False
    if not settings.TRUSTED_PROXIES:
        return True
    peer = _parsed(str(request.META.get("REMOTE_ADDR") or ""))
    return peer is not None and any(_matches(peer, entry) for entry in settings.TRUSTED_PROXIES)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: from ``X-Forwarded-For`` as the trusted proxies wrote it, else
    the peer's; None when neither holds an address."""
    peer = _parsed(str(request.META.get("REMOTE_ADDR") or ""))
    fallback = None if peer is None else str(peer)
    if not from_trusted_proxy(request):
        return fallback
    # The peer is the last proxy; the ones before it are the header's last count - 1 entries.
    address, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=settings.TRUSTED_PROXY_COUNT - 1,
        request_header_order=[FORWARDED_FOR],
        strict=False,
    )
    return address or fallback
