"""Pull WellApp's records into the local cache.

Order matters: workspaces, companies and people first, so that phone links find their records.
Each page is written in its own transaction, so a failure part-way leaves every phone either
as it was or fully updated, links included. Incremental runs read phones by ``updated_at``
from the stored high-water mark, which advances page by page; a full run reads everything and
moves the mark only when it completes.
"""

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from phones.models import SyncRun, SyncState
from phones.services.cache import UpsertCounts, directory_upsert, phones_upsert
from phones.services.health import upstream_client
from phones.upstream import Page, UpstreamError, WellAppClient

logger = logging.getLogger(__name__)

RESOURCES = ("workspaces", "companies", "people", "phones")


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


def _pages(client: WellAppClient, resource: str, since: datetime | None) -> Iterator[Page]:
    if resource == "workspaces":
        return client.iter_workspace_pages()
    if resource == "companies":
        return client.iter_company_pages()
    if resource == "people":
        return client.iter_people_pages()
    return client.iter_phone_pages(since=since)


def _write_page(resource: str, page: Page) -> UpsertCounts:
    """Upsert one page; a phone page's side-loaded related records go first."""
    if resource != "phones":
        return directory_upsert(**{resource: page.items})
    directory_upsert(people=page.people, companies=page.companies, workspaces=page.workspaces)
    return phones_upsert(phones=page.items, fetched_at=timezone.now())


def sync_run(
    *,
    full: bool = False,
    client: WellAppClient | None = None,
    on_progress: ProgressCallback | None = None,
) -> SyncRun:
    """Read WellApp into the cache; incremental unless ``full``. Raises SyncFailed on failure."""
    client = client or upstream_client()
    run = SyncRun.objects.create(full=full)
    progress = SyncProgress()
    try:
        for resource in RESOURCES:
            progress.resource, progress.total = resource, None
            progress.counts[resource] = UpsertCounts()
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
                progress.counts[resource] += written
                progress.pages += 1
                progress.records += len(page.items)
                progress.total = page.total
                run.pages, run.records = progress.pages, progress.records
                run.created += written.created
                run.updated += written.updated
                run.save(update_fields=["pages", "records", "created", "updated"])
                if on_progress:
                    on_progress(progress)
            if resource == "phones" and not advance_per_page:
                _save_high_water(resource, newest)
    except UpstreamError as exc:
        run.status = SyncRun.Status.FAILED
        run.error = f"Reading {progress.resource} from WellApp failed: {exc}"
        run.trace_id = exc.trace_id or ""
        run.finished_at = timezone.now()
        run.save()
        logger.warning("Sync %s failed: %s", run.pk, run.error)
        raise SyncFailed(run.error, trace_id=run.trace_id) from exc
    run.status = SyncRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()
    return run
