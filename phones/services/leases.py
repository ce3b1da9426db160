"""Leases: named locks kept in the database that expire with their holder.

A holder (one process: ``host:pid:random``) takes a lease for some seconds and renews it while
it works; when it dies, the lease runs out and another process may take it. Taking a lease is
one conditional UPDATE (free when expired, or already ours), or an INSERT when the name is
new; the primary key settles two INSERTs racing. Both are single statements, so this is safe
between processes and machines on SQLite and PostgreSQL alike (given clocks kept in step by
NTP: expiry times are written by each machine's clock).
"""

import os
import secrets
import socket
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from phones.models import Lease


def lease_holder() -> str:
    """A new holder id, ``host:pid:random``: it names the machine and process, and no two
    holders (two threads of one process included) share one."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def lease_acquire(*, name: str, holder: str, seconds: float) -> bool:
    """Take the lease ``name`` for ``seconds`` if it is free (expired) or already ``holder``'s;
    whether ``holder`` now holds it."""
    now = timezone.now()
    expires_at = now + timedelta(seconds=seconds)
    taken = (
        Lease.objects.filter(name=name)
        .filter(Q(expires_at__lte=now) | Q(holder=holder))
        .update(holder=holder, expires_at=expires_at)
    )
    if taken:
        return True
    try:
        with transaction.atomic():
            Lease.objects.create(name=name, holder=holder, expires_at=expires_at)
    except IntegrityError:
        return False  # it exists: held by another, or just taken by one
    return True


def lease_renew(*, name: str, holder: str, seconds: float) -> bool:
    """Hold the lease ``name`` for ``seconds`` from now, if ``holder`` still holds it (nobody
    took it over since); False when it was lost."""
    expires_at = timezone.now() + timedelta(seconds=seconds)
    return bool(Lease.objects.filter(name=name, holder=holder).update(expires_at=expires_at))


def lease_release(*, name: str, holder: str) -> bool:
    """Free the lease ``name`` now, if ``holder`` holds it; whether it did."""
    return bool(Lease.objects.filter(name=name, holder=holder).update(expires_at=timezone.now()))


def lease_expiry(*, name: str) -> datetime | None:
    """Until when the lease ``name`` is held (a past time: free); None when never taken."""
    return Lease.objects.filter(name=name).values_list("expires_at", flat=True).first()


def lease_holder_of(*, name: str) -> str | None:
    """Who holds the lease ``name`` now; None when it is free."""
    return (
        Lease.objects.filter(name=name, expires_at__gt=timezone.now())
        .values_list("holder", flat=True)
        .first()
    )
