"""One sync at a time: a running sync holds the sync lease and renews it every page.

The lease expires ``SYNC_LEASE_SECONDS`` after the last page, so a sync of any length never
runs twice, and a worker killed mid-sync blocks the next one only until its lease runs out.
A run no worker has started yet is waited for at most ``SYNC_STALE_AFTER``.
"""

from django.utils import timezone

from phones.models import SYNC_LEASE, SyncRun
from phones.services.leases import lease_acquire, lease_holder, lease_release, lease_renew

SYNC_LEASE_SECONDS = 120.0
NEVER_STARTED = "This sync gave no result within 30 minutes and was given up."
STOPPED = "This sync stopped reporting progress (its worker stopped) and was given up."


class SyncBusy(Exception):
    """Another sync holds the sync lease, or the run asked for is no longer running."""


class SyncLeaseLost(Exception):
    """The sync lease expired under a running sync and another sync took it."""


class SyncGuard:
    """The sync lease as one sync run holds it: taken before it starts, renewed as it goes."""

    def __init__(self) -> None:
        self.holder = lease_holder()

    def acquire(self) -> None:
        """Take the sync lease; raises SyncBusy while another sync holds it."""
        if not lease_acquire(name=SYNC_LEASE, holder=self.holder, seconds=SYNC_LEASE_SECONDS):
            raise SyncBusy("Another sync is running.")

    def beat(self) -> None:
        """Renew the lease; raises SyncLeaseLost when another sync took it meanwhile."""
        if not lease_renew(name=SYNC_LEASE, holder=self.holder, seconds=SYNC_LEASE_SECONDS):
            raise SyncLeaseLost(
                "This sync stopped: it reported no progress for over "
                f"{SYNC_LEASE_SECONDS:.0f} seconds and another sync took over."
            )

    def release(self) -> None:
        """Free the lease (when still held)."""
        lease_release(name=SYNC_LEASE, holder=self.holder)


def sync_current() -> SyncRun | None:
    """The run in progress, if any; every other run still marked running is given up (its
    worker died, or none took it within SYNC_STALE_AFTER). Call it in a transaction that
    serialises sync requests."""
    current = None
    for run in SyncRun.objects.filter(status=SyncRun.Status.RUNNING).order_by("-started_at"):
        if current is None and run.in_progress:
            current = run
            continue
        run.status = SyncRun.Status.FAILED
        run.error = STOPPED if run.worker else NEVER_STARTED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
    return current
