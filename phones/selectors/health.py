"""Reads for the readiness report and the metrics: WellApp as last seen, the outbox's depth,
the last sync. None of them calls WellApp."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min

from phones.models import OutboxEntry, SyncRun, UpstreamStatus


def upstream_status_latest() -> UpstreamStatus | None:
    """WellApp as last seen by a probe or a delivery; None before anything has tried it."""
    return UpstreamStatus.objects.filter(name=UpstreamStatus.WELLAPP).first()


@dataclass(frozen=True)
class OutboxWaiting:
    """The creates still waiting for WellApp: how many, and since when the oldest waits."""

    count: int
    oldest_created_at: datetime | None


def outbox_waiting() -> OutboxWaiting:
    """How many creates wait for WellApp (queued or retrying) and the oldest one's age."""
    found = OutboxEntry.objects.filter(state__in=OutboxEntry.OPEN_STATES).aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )
    return OutboxWaiting(count=found["count"], oldest_created_at=found["oldest"])


def outbox_state_counts() -> dict[str, int]:
    """How many outbox entries are in each state (every state named, 0 when none)."""
    counts = dict.fromkeys(OutboxEntry.State.values, 0)
    rows = OutboxEntry.objects.order_by().values_list("state").annotate(n=Count("pk"))
    for state, n in rows:
        counts[state] = n
    return counts


def sync_run_last_finished(*, succeeded: bool = False) -> SyncRun | None:
    """The sync run that finished last (only successful ones when ``succeeded``)."""
    runs = SyncRun.objects.filter(finished_at__isnull=False)
    if succeeded:
        runs = runs.filter(status=SyncRun.Status.SUCCEEDED)
    return runs.order_by("-finished_at", "-id").first()
