"""Pull WellApp's records into the local cache.

Order matters: workspaces, companies and people first, so that phone links find their records.
Each page is written in its own transaction, so a failure part-way leaves every phone either
as it was or fully updated, links included. Incremental runs read phones by ``updated_at``
from the stored high-water mark, which advances page by page; a full run reads everything and
moves the mark only when it completes. Only a full run that read every phone marks the cached
phones WellApp no longer lists as deleted.

Staff start a run with ``sync_request``: it records the run and hands it to the background
task worker (``manage.py db_worker``), which runs ``sync_task`` and so ``sync_run`` for it.
A run holds the sync lease (``sync_guard``) while it reads, so only one runs at a time.
"""

import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.tasks import task
from django.utils import timezone

from phones.models import SyncRun, SyncState
from phones.services.audit import audit_record
from phones.services.cache import UpsertCounts, directory_upsert, phones_upsert
from phones.services.sync_deletions import mark_missing_deleted, phone_ids
from phones.services.sync_guard import SyncBusy, SyncGuard, SyncLeaseLost, sync_current
from phones.upstream.client import WellAppClient
from phones.upstream.errors import UpstreamError
from phones.upstream.records import Page
from phones.upstream.shared import upstream_client

logger = logging.getLogger(__name__)

RESOURCES = ("workspaces", "companies", "people", "phones")
DELETION_PHASE = "deletions"


@dataclass
class SyncProgress:
    """Where a sync run is: the resource being read and what has been read so far."""

    resource: str = ""
    pages: int = 0
    records: int = 0
    total: int | None = None
    counts: dict[str, UpsertCounts] = field(default_factory=dict)


class SyncFailed(Exception):
    """The sync stopped because WellApp failed; the cache holds every page read before it."""

    def __init__(self, message: str, *, trace_id: str = "") -> None:
        super().__init__(message)
        self.trace_id = trace_id


ProgressCallback = Callable[[SyncProgress], None]


def _high_water(resource: str) -> datetime | None:
    state = SyncState.objects.filter(resource=resource).first()
    return state.high_water if state else None


def _save_high_water(resource: str, value: datetime | None) -> None:
    if value is None:
        return
    SyncState.objects.update_or_create(resource=resource, defaults={"high_water": value})


def _stamp_key(value: datetime | None) -> float:
    return value.timestamp() if value else float("-inf")


def _pages(client: WellAppClient, resource: str, since: datetime | None) -> Iterator[Page[Any]]:
    if resource == "workspaces":
        return client.iter_workspace_pages()
    if resource == "companies":
        return client.iter_company_pages()
    if resource == "people":
        return client.iter_people_pages()
    return client.iter_phone_pages(since=since)


def _write_page(resource: str, page: Page[Any]) -> UpsertCounts:
    """Upsert one page; a phone page's side-loaded related records go first."""
    if resource != "phones":
        return directory_upsert(**{resource: page.items})
    directory_upsert(people=page.people, companies=page.companies, workspaces=page.workspaces)
    return phones_upsert(phones=page.items, fetched_at=timezone.now())


def _fail(run: SyncRun, error: str, trace_id: str = "") -> None:
    run.status = SyncRun.Status.FAILED
    run.error = error
    run.trace_id = trace_id
    run.finished_at = timezone.now()
    run.save()
    _audit(run)


def _audit(run: SyncRun) -> None:
    audit_record(
        actor=run.requested_by,
        action=f"sync.{run.status}",
        trace_id=run.trace_id,
        detail={
            "run": run.pk,
            "full": run.full,
            "records": run.records,
            "created": run.created,
            "updated": run.updated,
            "deleted": run.deleted,
            "error": run.error,
        },
    )


def sync_run(
    *,
    full: bool = False,
    client: WellAppClient | None = None,
    on_progress: ProgressCallback | None = None,
    run: SyncRun | None = None,
) -> SyncRun:
    """Read WellApp into the cache, recording it in ``run`` (a new run when None);
    incremental unless ``full``. Holds the sync lease while it runs: raises SyncBusy when
    another sync is running (or ``run`` no longer is), SyncFailed on failure."""
    guard = SyncGuard()
    guard.acquire()
    try:
        if run is None:
            run = SyncRun.objects.create(full=full, worker=guard.holder)
        else:
            started = SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.RUNNING).update(
                full=full, worker=guard.holder
            )
            if not started:
                raise SyncBusy("This sync is no longer running.")
            run.full, run.worker = full, guard.holder
        return _sync(run, client=client or upstream_client(), on_progress=on_progress, guard=guard)
    finally:
        guard.release()


def _sync(
    run: SyncRun,
    *,
    client: WellAppClient,
    on_progress: ProgressCallback | None,
    guard: SyncGuard,
) -> SyncRun:
    full = run.full
    progress = SyncProgress()
    listed: set[uuid.UUID] = set()
    try:
        for resource in RESOURCES:
            progress.resource, progress.total = resource, None
            progress.counts[resource] = UpsertCounts()
            run.phase, run.phase_records, run.phase_total = resource, 0, None
            run.save(update_fields=["phase", "phase_records", "phase_total"])
            guard.beat()
            since = None if full or resource != "phones" else _high_water(resource)
            # Read by updated_at (incremental), the mark can advance page by page; read by
            # created_at (first or full run), it moves only once everything has been read.
            advance_per_page = since is not None
            newest = since
            for page in _pages(client, resource, since):
                with transaction.atomic():
                    written = _write_page(resource, page)
                    if resource == "phones":
                        stamps = [p.updated_at for p in page.items if p.updated_at]
                        newest = max([newest, *stamps], key=_stamp_key) if stamps else newest
                        if advance_per_page:
                            _save_high_water(resource, newest)
                if full and resource == "phones":
                    listed |= phone_ids(page.items)
                progress.counts[resource] += written
                progress.pages += 1
                progress.records += len(page.items)
                progress.total = page.total
                run.pages, run.records = progress.pages, progress.records
                run.phase_records += len(page.items)
                run.phase_total = page.total
                run.created += written.created
                run.updated += written.updated
                run.save(
                    update_fields=[
                        "pages",
                        "records",
                        "phase_records",
                        "phase_total",
                        "created",
                        "updated",
                    ]
                )
                guard.beat()
                if on_progress:
                    on_progress(progress)
            if resource == "phones" and not advance_per_page:
                _save_high_water(resource, newest)
        if full:
            # Every phone page was read without error: what the cache holds beyond the
            # listing is gone from WellApp.
            run.phase, run.phase_records, run.phase_total = DELETION_PHASE, 0, None
            run.save(update_fields=["phase", "phase_records", "phase_total"])
            guard.beat()
            run.deleted = mark_missing_deleted(listed=listed, run=run)
    except UpstreamError as exc:
        _fail(
            run,
            f"Reading {progress.resource} from WellApp failed: {exc.summary}",
            exc.trace_id or "",
        )
        logger.warning("Sync %s failed: %s", run.pk, run.error)
        raise SyncFailed(run.error, trace_id=run.trace_id) from exc
    except SyncLeaseLost as exc:
        _fail(run, str(exc))
        logger.warning("Sync %s stopped: its lease was taken over", run.pk)
        raise SyncFailed(run.error) from exc
    except Exception:
        _fail(run, "The sync stopped because of an error in the portal; its log has the details.")
        logger.exception("Sync %s stopped unexpectedly", run.pk)
        raise
    run.status = SyncRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()
    _audit(run)
    return run


@task
def sync_task(run_id: int, full: bool) -> dict[str, int | str]:
    """Run the sync recorded as ``run_id`` (created by ``sync_request``).

    A run that is no longer running (given up meanwhile, or already done) is left as it is.
    When WellApp fails, the run records the error and its trace id and the task fails too.
    """
    run = SyncRun.objects.filter(pk=run_id).first()
    if run is None or run.status != SyncRun.Status.RUNNING:
        return {"run": run_id, "status": "skipped"}
    try:
        run = sync_run(full=full, run=run)
    except SyncBusy:
        # Run again after its worker died while it still runs elsewhere, it is left to that
        # worker; a run that never started while another sync ran is given up.
        SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.RUNNING, worker="").update(
            status=SyncRun.Status.FAILED,
            finished_at=timezone.now(),
            error="Another sync was running, so this one was not started.",
        )
        return {"run": run_id, "status": "skipped"}
    return {
        "run": run.pk,
        "status": run.status,
        "records": run.records,
        "created": run.created,
        "updated": run.updated,
        "deleted": run.deleted,
    }


def _lock_runs() -> None:
    """Serialise concurrent requests for a sync until the current transaction ends.

    SQLite needs nothing more: the portal opens its transactions IMMEDIATE (a write lock).
    """
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(SyncRun._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")


def sync_request(*, actor: User | None, full: bool = False) -> SyncRun:
    """Start a sync in the background, or return the one already running."""
    with transaction.atomic():
        _lock_runs()
        current = sync_current()
        if current is not None:
            return current
        run = SyncRun.objects.create(full=full, status=SyncRun.Status.RUNNING, requested_by=actor)
        # Enqueued in the same transaction: the worker sees the task only with its run.
        sync_task.enqueue(run_id=run.pk, full=full)
    return run
