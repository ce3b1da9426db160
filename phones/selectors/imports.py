"""Reading imports: one import, its rows page by page with their check and outcome, how
many rows are in each status, and how far its creates have gone."""

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count, Min, Q

from phones.import_rows import SourceRow
from phones.models import OutboxEntry, PhoneImport, PhoneImportRow
from phones.selectors.import_preview import PreviewRow, preview_rows


@dataclass(frozen=True)
class ImportSummary:
    """How many rows of an import are in each status."""

    total: int
    ready: int
    attention: int
    duplicates: int
    excluded: int


@dataclass(frozen=True)
class ImportRowView:
    """A row as the import's page shows it: as stored (its status and problems are the
    ones counted), checked again for display (links, candidates, the number formatted,
    staff's picks applied), and, once confirmed, its outbox entry (None before)."""

    row: PhoneImportRow
    preview: PreviewRow
    outcome: OutboxEntry | None


@dataclass(frozen=True)
class ImportRowsPage:
    rows: list[ImportRowView]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class ImportProgress:
    """Where an import's creates are: ``queued`` (not sent yet), ``sending`` (sent at least
    once, not confirmed yet), ``created``, ``failed`` (rejected by WellApp: correct or
    discard them in the queue) and ``discarded``. ``done``: none is waiting any more."""

    queued: int
    sending: int
    created: int
    failed: int
    discarded: int

    @property
    def total(self) -> int:
        return self.queued + self.sending + self.created + self.failed + self.discarded

    @property
    def waiting(self) -> int:
        return self.queued + self.sending

    @property
    def done(self) -> bool:
        return self.waiting == 0


def import_get(*, import_id: uuid.UUID) -> PhoneImport | None:
    return PhoneImport.objects.select_related("author").filter(id=import_id).first()


def imports_recent(*, limit: int = 20) -> list[PhoneImport]:
    """The latest imports, newest first."""
    return list(PhoneImport.objects.select_related("author")[:limit])


def import_summary(*, phone_import: PhoneImport) -> ImportSummary:
    """The row counts per status, in one query."""
    status = PhoneImportRow.Status
    counts = phone_import.rows.aggregate(
        total=Count("pk"),
        ready=Count("pk", filter=Q(status=status.READY)),
        attention=Count("pk", filter=Q(status=status.ATTENTION)),
        duplicates=Count("pk", filter=Q(status=status.DUPLICATE)),
        excluded=Count("pk", filter=Q(status=status.EXCLUDED)),
    )
    return ImportSummary(**counts)


def import_progress(*, phone_import: PhoneImport) -> ImportProgress:
    """The import's outbox entries counted by where they are, in one query."""
    state = OutboxEntry.State
    waiting = Q(state__in=OutboxEntry.OPEN_STATES)
    counts = OutboxEntry.objects.filter(phone_import=phone_import).aggregate(
        queued=Count("pk", filter=waiting & Q(attempts=0)),
        sending=Count("pk", filter=waiting & Q(attempts__gt=0)),
        created=Count("pk", filter=Q(state=state.CONFIRMED)),
        failed=Count("pk", filter=Q(state=state.FAILED)),
        discarded=Count("pk", filter=Q(state=state.DISCARDED)),
    )
    return ImportProgress(**counts)


def _views(phone_import: PhoneImport, rows: list[PhoneImportRow]) -> list[ImportRowView]:
    """``rows`` with their previews (one check for them all, the rest of the import's
    numbers taken into account) and their outbox entries (one query)."""
    numbers = {row.e164 for row in rows if row.e164}
    first = (
        phone_import.rows.filter(e164__in=numbers, excluded=False)
        .values("e164")
        .annotate(first=Min("line"))
        .values_list("e164", "first")
        if numbers
        else []
    )
    previews = preview_rows(
        [SourceRow(line=row.line, cells=dict(row.cells)) for row in rows],
        default_region=phone_import.default_region,
        seen_e164=dict(first),
        picks={row.line: row.picks for row in rows},
    )
    outcomes: dict[uuid.UUID, OutboxEntry] = {}
    if rows and phone_import.state == PhoneImport.State.CONFIRMED:
        outcomes = OutboxEntry.objects.in_bulk([row.phone_id for row in rows])
    return [
        ImportRowView(row=row, preview=preview, outcome=outcomes.get(row.phone_id))
        for row, preview in zip(rows, previews, strict=True)
    ]


def import_rows_page(
    *,
    phone_import: PhoneImport,
    page: int,
    size: int = 100,
    status: str = "",
    numbers: Collection[str] | None = None,
) -> ImportRowsPage:
    """One page of the import's rows in line order, only those in ``status`` when it names
    one. A page past the end is the last page. ``numbers``: of the page's rows, only those
    with one of these E.164 numbers are checked and returned."""
    rows = phone_import.rows.all()
    if status in PhoneImportRow.Status.values:
        rows = rows.filter(status=status)
    shown = Paginator(rows, max(size, 1)).get_page(page)
    chosen = list(shown)
    if numbers is not None:
        chosen = [row for row in chosen if row.e164 in numbers]
    return ImportRowsPage(
        rows=_views(phone_import, chosen),
        page=shown.number,
        pages=shown.paginator.num_pages,
        total=shown.paginator.count,
    )


def import_row_get(*, phone_import: PhoneImport, line: int) -> ImportRowView | None:
    """One row as the import's page shows it; None when the import has no such line."""
    row = phone_import.rows.filter(line=line).first()
    return _views(phone_import, [row])[0] if row is not None else None
