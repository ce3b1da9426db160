"""Bulk create ("imports"): rows checked and corrected in a preview, then confirmed, when
every ready row becomes one queued create.

Nothing is sent to WellApp before the confirm. The confirm writes, in one transaction with
the import's state change, an outbox entry per ready row under the row's own client id
(``uuid5(import id, "line-<line>")``) and its delivery task, spread out at the import pace
(:mod:`phones.services.import_pacing`). From there the outbox delivers them as it delivers
any queued create: the same document every time, so a double confirm, a killed worker or a
timeout never makes a second phone, and a rejected row is corrected (or discarded) in the
queue under the same id.
"""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, Min, OuterRef
from django.utils import timezone
from phonenumbers import SUPPORTED_REGIONS

from phones.import_cells import read_cells
from phones.import_rows import COLUMNS, SourceRow
from phones.models import OutboxEntry, PhoneImport, PhoneImportRow
from phones.request_ids import get_request_id
from phones.selectors.import_preview import PreviewRow, preview_rows
from phones.services.audit import audit_record
from phones.services.import_pacing import import_send_times
from phones.services.outbox import outbox_schedule_bulk
from phones.upstream.documents import build_phone_document
from phones.upstream.drafts import PhoneDraft

Actor = User | None
BATCH = 1000  # rows written per insert or update


def import_phone_id(*, import_id: uuid.UUID, line: int) -> uuid.UUID:
    """The client id the row on ``line`` is created with (and its outbox entry's id)."""
    return uuid.uuid5(import_id, f"line-{line}")


def _actor_id(actor: Actor) -> Any:
    return actor.pk if actor is not None and actor.is_authenticated else None


def _status(preview: PreviewRow, *, excluded: bool) -> str:
    """A row's status: staff's exclusion first, then what is wrong, then a repeat."""
    if excluded:
        return PhoneImportRow.Status.EXCLUDED
    if preview.problems:
        return PhoneImportRow.Status.ATTENTION
    if preview.duplicate:
        return PhoneImportRow.Status.DUPLICATE
    return PhoneImportRow.Status.READY


def _e164(preview: PreviewRow) -> str:
    number = preview.number
    return number.e164 if number is not None and number.valid else ""


def _checked(row: PhoneImportRow, preview: PreviewRow) -> None:
    """Set a row's status, problems and number from its preview."""
    row.status = _status(preview, excluded=row.excluded)
    row.problems = [*preview.problems, *([preview.duplicate] if preview.duplicate else [])]
    row.e164 = _e164(preview)


def import_create(
    *,
    actor: Actor,
    rows: Iterable[SourceRow],
    file_name: str,
    sha256: str,
    default_region: str,
) -> PhoneImport:
    """Store the rows with their checked status, for staff to review: nothing is sent to
    WellApp. ``rows`` is read to its end first (an ImportUnreadable stores nothing)."""
    source = list(rows)
    previews = preview_rows(source, default_region=default_region)
    phone_import = PhoneImport(
        author_id=_actor_id(actor),
        file_name=file_name[:255],
        sha256=sha256,
        row_count=len(source),
        default_region=default_region,
    )
    stored = []
    for preview in previews:
        row = PhoneImportRow(
            phone_import=phone_import,
            line=preview.line,
            cells=dict(preview.cells),
            phone_id=import_phone_id(import_id=phone_import.id, line=preview.line),
        )
        _checked(row, preview)
        stored.append(row)
    with transaction.atomic():
        phone_import.save(force_insert=True)
        PhoneImportRow.objects.bulk_create(stored, batch_size=BATCH)
        audit_record(
            actor=actor,
            action="phones.import_previewed",
            detail={
                "import": str(phone_import.id),
                "rows": len(source),
                "file_name": phone_import.file_name,
                "sha256": sha256,
            },
        )
    return phone_import


def _locked(phone_import: PhoneImport) -> PhoneImport:
    """The import, locked until the transaction ends (a concurrent confirm or edit waits)."""
    return PhoneImport.objects.select_for_update().get(pk=phone_import.pk)


def _first_lines(phone_import: PhoneImport, numbers: set[str]) -> dict[str, int]:
    """For each of ``numbers``, the first line of the import that has it and is not
    excluded: the row the others with that number repeat."""
    first = (
        phone_import.rows.filter(e164__in=numbers, excluded=False)
        .values("e164")
        .annotate(first=Min("line"))
        .values_list("e164", "first")
    )
    return dict(first)


def _recheck(phone_import: PhoneImport, rows: Sequence[PhoneImportRow]) -> None:
    """Check ``rows`` again, with the rest of the import's numbers, and store what changed."""
    numbers = {row.e164 for row in rows if row.e164}
    previews = preview_rows(
        [SourceRow(line=row.line, cells=dict(row.cells)) for row in rows],
        default_region=phone_import.default_region,
        seen_e164=_first_lines(phone_import, numbers),
        picks={row.line: row.picks for row in rows},
    )
    for row, preview in zip(rows, previews, strict=True):
        _checked(row, preview)
    PhoneImportRow.objects.bulk_update(
        rows, ["cells", "picks", "excluded", "status", "problems", "e164"], batch_size=BATCH
    )


def import_row_update(
    *,
    phone_import: PhoneImport,
    line: int,
    cells: Mapping[str, str] | None = None,
    picks: Mapping[str, Mapping[str, str]] | None = None,
    excluded: bool | None = None,
) -> PhoneImportRow:
    """Change one row: ``cells`` given replace those columns, ``picks`` given replace the
    row's picks, ``excluded`` leaves the row out (or takes it back). The row is checked
    again, and so are the rows that share its number before or after the change (which of
    them is the duplicate may change). ValueError once the import is confirmed;
    PhoneImportRow.DoesNotExist when it has no such line."""
    with transaction.atomic():
        locked = _locked(phone_import)
        if locked.state != PhoneImport.State.PREVIEW:
            raise ValueError("This import is confirmed: its rows can no longer change.")
        row = locked.rows.get(line=line)
        before = row.e164
        if cells is not None:
            row.cells = {
                **row.cells,
                **{name: str(text) for name, text in cells.items() if name in COLUMNS},
            }
        if picks is not None:
            row.picks = {kind: dict(chosen) for kind, chosen in picks.items() if chosen}
        if excluded is not None:
            row.excluded = excluded
        number = read_cells(
            SourceRow(line=row.line, cells=dict(row.cells)), default_region=locked.default_region
        ).number
        row.e164 = number.e164 if number is not None and number.valid else ""
        row.save(update_fields=["cells", "picks", "excluded", "e164"])
        numbers = {before, row.e164} - {""}
        sharing = list(locked.rows.filter(e164__in=numbers).exclude(pk=row.pk))
        _recheck(locked, sorted([row, *sharing], key=lambda r: r.line))
    return row


def _form_data(preview: PreviewRow, draft: PhoneDraft, default_region: str) -> dict[str, Any]:
    """What the new-phone form would have posted for this row, so that a rejected row can
    be corrected in the queue's form under the same id."""
    number = preview.number
    assert number is not None  # a row with a draft has a valid number
    region = number.region if number.region in SUPPORTED_REGIONS else default_region
    # Written with its +, the number reads the same whatever the form's country.
    typed = number.international or number.e164
    data: dict[str, Any] = {
        "client_id": [str(draft.id)],
        "country": [region],
        "national_number": [typed],
        "label": [draft.label],
        "people": [person.id for person in draft.people],
        "companies": [company.id for company in draft.companies],
        "workspaces": [workspace.id for workspace in draft.workspaces],
    }
    if draft.is_primary:
        data["is_primary"] = ["on"]
    if draft.is_verified:
        data["is_verified"] = ["on"]
    return data


def import_confirm(*, actor: Actor, phone_import: PhoneImport) -> int:
    """Queue one create per ready row, paced for WellApp's rate limits, and return how many
    were queued. The rows are checked once more first (a linked record gone from the cache,
    or the number cached meanwhile, takes a row out of the ready ones). A confirmed import
    queues nothing again (0), and no row whose entry exists is ever queued twice."""
    with transaction.atomic():
        locked = _locked(phone_import)
        if locked.state != PhoneImport.State.PREVIEW:
            phone_import.state, phone_import.confirmed_at = locked.state, locked.confirmed_at
            return 0
        queued = OutboxEntry.objects.filter(id=OuterRef("phone_id"))
        ready = list(locked.rows.filter(status=PhoneImportRow.Status.READY).exclude(Exists(queued)))
        previews = preview_rows(
            [SourceRow(line=row.line, cells=dict(row.cells)) for row in ready],
            default_region=locked.default_region,
            picks={row.line: row.picks for row in ready},
        )
        now = timezone.now()
        sending: list[tuple[PhoneImportRow, PreviewRow]] = []
        changed: list[PhoneImportRow] = []
        for row, preview in zip(ready, previews, strict=True):
            _checked(row, preview)
            if row.status == PhoneImportRow.Status.READY:
                sending.append((row, preview))
            else:
                changed.append(row)
        PhoneImportRow.objects.bulk_update(
            changed, ["status", "problems", "e164"], batch_size=BATCH
        )
        entries = []
        request_id = get_request_id() or ""
        for (row, preview), due in zip(
            sending, import_send_times(start=now, count=len(sending)), strict=True
        ):
            draft = preview.draft(draft_id=row.phone_id)
            entries.append(
                OutboxEntry(
                    id=row.phone_id,
                    document=build_phone_document(draft, now=now),
                    form_data=_form_data(preview, draft, locked.default_region),
                    author_id=_actor_id(actor),
                    state=OutboxEntry.State.QUEUED,
                    next_attempt_at=due,
                    phone_import=locked,
                    request_id=request_id,
                )
            )
        OutboxEntry.objects.bulk_create(entries, batch_size=BATCH)
        outbox_schedule_bulk(entries=entries)
        locked.state = PhoneImport.State.CONFIRMED
        locked.confirmed_at = now
        locked.save(update_fields=["state", "confirmed_at"])
        audit_record(
            actor=actor,
            action="phones.imported",
            detail={
                "import": str(locked.id),
                "rows": len(entries),
                "file_name": locked.file_name,
                "sha256": locked.sha256,
            },
        )
    phone_import.state, phone_import.confirmed_at = locked.state, locked.confirmed_at
    return len(entries)
