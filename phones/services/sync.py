"""Pull WellApp's records into the local cache.

Order matters: workspaces, companies and people first, so that phone links find their records.
Each page is written in its own transaction, so a failure part-way leaves every phone either
as it was or fully updated, links included. Incremental runs read phones by ``updated_at``
from the stored high-water mark, which advances page by page; a full run reads everything and
moves the mark only when it completes. Only a full run that read every phone marks the cached
phones WellApp no longer lists as deleted.

Staff start a run with ``sync_request``: it records the run and hands it to the background
task worker (``manage.py db_worker``), which runs ``sync_task`` and so ``sync_run`` for it.
"""

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection, transaction
from django.tasks import task
from django.utils import timezone

from phones.models import SYNC_STALE_AFTER, Phone, SyncRun, SyncState
from phones.selectors.listing import COUNT_CACHE_KEY
from phones.services.audit import audit_record
from phones.services.cache import UpsertCounts, directory_upsert, phones_upsert
from phones.services.listing import listing_refresh
from phones.upstream.client import WellAppClient
from phones.upstream.errors import UpstreamError
from phones.upstream.records import Page, PhoneRecord
from phones.upstream.shared import upstream_client

logger = logging.getLogger(__name__)

RESOURCES = ("workspaces", "companies", "people", "phones")
DELETION_PHASE = "deletions"
DELETION_BATCH = 500


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


def _phone_ids(records: Iterable[PhoneRecord]) -> set[uuid.UUID]:
    ids = set()
    for record in records:
        try:
            ids.add(uuid.UUID(str(record.id)))
        except ValueError:
            continue
    return ids


def _mark_missing_deleted(*, listed: set[uuid.UUID], run: SyncRun) -> int:
    """Mark cached phones that a complete listing did not contain as deleted; return how many.

    Phones first cached after the run started (created here meanwhile) are left alone, and an
    empty listing marks nothing: WellApp answering "no phones at all" is far likelier a fault
    than every phone being gone.
    """
    cached = set(
        Phone.objects.filter(deleted_at__isnull=True, fetched_at__lt=run.started_at).values_list(
            "id", flat=True
        )
    )
    if not listed and cached:
        logger.warning("Sync %s: WellApp listed no phones; no phone was marked deleted", run.pk)
        return 0
    missing = sorted(cached - listed)
    now = timezone.now()
    marked = 0
    with transaction.atomic():
        for start in range(0, len(missing), DELETION_BATCH):
            chunk = missing[start : start + DELETION_BATCH]
            marked += Phone.objects.filter(id__in=chunk, deleted_at__isnull=True).update(
                deleted_at=now
            )
            listing_refresh(phone_ids=chunk)
    if marked:
        cache.delete(COUNT_CACHE_KEY)
    return marked


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
    incremental unless ``full``. Raises SyncFailed on failure."""
    client = client or upstream_client()
    if run is None:
        run = SyncRun.objects.create(full=full)
    elif run.full != full:
        run.full = full
        run.save(update_fields=["full"])
    progress = SyncProgress()
    listed: set[uuid.UUID] = set()
    try:
        for resource in RESOURCES:
            progress.resource, progress.total = resource, None
            progress.counts[resource] = UpsertCounts()
            run.phase, run.phase_records, run.phase_total = resource, 0, None
            run.save(update_fields=["phase", "phase_records", "phase_total"])
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
                    listed |= _phone_ids(page.items)
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
                if on_progress:
                    on_progress(progress)
            if resource == "phones" and not advance_per_page:
                _save_high_water(resource, newest)
        if full:
            # Every phone page was read without error: what the cache holds beyond the
            # listing is gone from WellApp.
            run.phase, run.phase_records, run.phase_total = DELETION_PHASE, 0, None
            run.save(update_fields=["phase", "phase_records", "phase_total"])
            run.deleted = _mark_missing_deleted(listed=listed, run=run)
    except UpstreamError as exc:
        _fail(
            run,
            f"Reading {progress.resource} from WellApp failed: {exc.summary}",
            exc.trace_id or "",
        )
        logger.warning("Sync %s failed: %s", run.pk, run.error)
        raise SyncFailed(run.error, trace_id=run.trace_id) from exc
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
    run = sync_run(full=full, run=run)
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
        now = timezone.now()
        running = SyncRun.objects.filter(status=SyncRun.Status.RUNNING)
        current = running.filter(started_at__gte=now - SYNC_STALE_AFTER).first()
        if current is not None:
            return current
        running.update(
            status=SyncRun.Status.FAILED,
            finished_at=now,
            error="This sync gave no result within 30 minutes and was given up.",
        )
        run = SyncRun.objects.create(full=full, status=SyncRun.Status.RUNNING, requested_by=actor)
        # Enqueued in the same transaction: the worker sees the task only with its run.
        sync_task.enqueue(run_id=run.pk, full=full)
    return run
