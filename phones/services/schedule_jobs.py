"""The scheduler's periodic jobs (``phones.services.schedule`` runs them). Each returns one
line saying what it did."""

from collections.abc import Callable
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.core.management import call_command
from django.db.models import Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from phones.models import OutboxEntry
from phones.request_ids import request_id_scope
from phones.selectors.health import upstream_status_latest
from phones.services.health import upstream_probe
from phones.services.outbox import outbox_deliver, outbox_wake_if_back

# Entries due for longer than this, which no task worker has taken, the scheduler sends.
OUTBOX_OVERDUE_AFTER = timedelta(minutes=1)


def outbox_deliver_overdue(*, keep_going: Callable[[], bool]) -> str:
    """Send each open entry due for over OUTBOX_OVERDUE_AFTER and not being sent (its task
    was lost, or its worker died), here and now, each under its claim; ``keep_going`` is
    asked before each one. A failed attempt is retried by a later run, not by a new task."""
    now = timezone.now()
    overdue = (
        OutboxEntry.objects.filter(
            state__in=OutboxEntry.OPEN_STATES, next_attempt_at__lte=now - OUTBOX_OVERDUE_AFTER
        )
        .filter(Q(claim_expires_at__isnull=True) | Q(claim_expires_at__lte=now))
        .order_by("next_attempt_at")
        .values_list("id", "request_id")
    )
    outcomes: dict[str, int] = {}
    for entry_id, request_id in list(overdue):
        if not keep_going():
            outcomes["left for later"] = outcomes.get("left for later", 0) + 1
            continue
        attempts_before = OutboxEntry.objects.filter(id=entry_id).values_list("attempts", flat=True)
        before = attempts_before.first()
        # Under the id of the request that queued it, as a delivery task runs.
        with request_id_scope(request_id or None):
            entry = outbox_deliver(entry_id=str(entry_id), schedule=False)
        if entry is None:
            continue
        sent = entry.attempts != before
        outcome = entry.get_state_display().lower() if sent else "sent by another worker"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if not outcomes:
        return "no overdue queued creates"
    return ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))


def tasks_requeue_stalled(*, older_than: timedelta | None = None) -> str:
    """Set tasks running for longer than ``older_than`` (TASK_LEASE_MINUTES) back to ready:
    their worker died (django-tasks-db never takes a task back). Deliveries and syncs are
    safe to run again: a delivery re-sends the same id, a sync waits for the sync lease."""
    if older_than is None:
        older_than = timedelta(minutes=settings.TASK_LEASE_MINUTES)
    stalled = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=timezone.now() - older_than
    )
    paths = sorted(set(stalled.values_list("task_path", flat=True)))
    count = stalled.update(status=TaskResultStatus.READY, started_at=None)
    if not count:
        return "no stalled tasks"
    return f"{count} stalled task(s) set back to ready ({', '.join(paths)})"


def records_prune(*, task_days: float | None = None, axes_days: float | None = None) -> str:
    """Delete finished task rows older than ``task_days`` (TASK_RETENTION_DAYS), expired
    sessions, and django-axes attempts and logs older than ``axes_days``
    (AXES_RETENTION_DAYS)."""
    now = timezone.now()
    task_cutoff = now - timedelta(days=task_days or settings.TASK_RETENTION_DAYS)
    tasks, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__lt=task_cutoff,
    ).delete()
    call_command("clearsessions")
    axes_cutoff = now - timedelta(days=axes_days or settings.AXES_RETENTION_DAYS)
    axes = 0
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        deleted, _ = model.objects.filter(attempt_time__lt=axes_cutoff).delete()
        axes += deleted
    return f"{tasks} finished task row(s) and {axes} login record(s) deleted; sessions cleared"


def upstream_probe_job() -> str:
    """Probe WellApp (``upstream_probe`` stores what it saw for /readyz) and say how it went.
    When it answers again after it did not, the creates queued meanwhile are sent now
    (``outbox_wake``), not each at the end of its own backoff."""
    before = upstream_status_latest()
    upstream_probe()
    status = upstream_status_latest()
    if status is None:
        return "WellApp not probed"
    if status.ok:
        line = f"WellApp ok ({status.latency_ms} ms)"
        if before is not None and not before.ok:
            line += (
                f"; back after an outage: {outbox_wake_if_back(before)} queued create(s) due now"
            )
        return line
    trace = f", trace id {status.trace_id}" if status.trace_id else ""
    return f"WellApp unreachable: {status.error_kind} {status.error}{trace}"
