"""What the import screens' templates are given: the page of rows with its filter and
pager, the pickers for a row's ambiguous links, and the picks a corrected row submits."""

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db import models
from django.http import QueryDict
from django.urls import reverse

from phones.forms import usable_id
from phones.import_cells import LINK_KINDS
from phones.models import PhoneImport, PhoneImportRow
from phones.phone_numbers import region_name
from phones.selectors.import_preview import NOUNS
from phones.selectors.imports import (
    ImportProgress,
    ImportRowView,
    import_progress,
    import_rows_page,
    import_summary,
)

ROWS_PER_PAGE = 100
# Far past any import's last page (10,000 rows at 100 a page): a larger number is a typo.
MAX_PAGE = 1000
MAX_PICKS = 100
MAX_PICK_TEXT = 1000
# A picker's name: "pick<line>_<kind>_<n>"; its hidden "<name>_text" says which value of the
# cell the picked record is for.
PICK_TEXT = re.compile(r"pick\d{1,6}_(people|companies|workspaces)_\d{1,4}_text")
Status = PhoneImportRow.Status


def page_params(params: QueryDict) -> tuple[int, str]:
    """The page number (from 1) and the status filter ("" for every row) a request asks
    for; anything unusable means the first page of every row."""
    try:
        page = int(params.get("page", "1"))
    except ValueError:
        page = 1
    status = params.get("status", "")
    return min(max(page, 1), MAX_PAGE), status if status in Status.values else ""


def detail_url(phone_import: PhoneImport, page: int = 1, status: str = "") -> str:
    """The import's page, on ``page`` of the rows with ``status``."""
    params = [(k, str(v)) for k, v in (("status", status), ("page", page)) if v and v != 1]
    query = f"?{urlencode(params)}" if params else ""
    return reverse("phones:import_detail", args=[phone_import.id]) + query


def progress_context(progress: ImportProgress | None) -> dict[str, Any]:
    """A confirmed import's progress for its bar, and its counts as one word, so a poll can
    tell whether anything moved since the one before."""
    if progress is None:
        return {"progress": None, "seen": ""}
    counts = (progress.queued, progress.sending, progress.created, progress.failed)
    finished = progress.created + progress.failed + progress.discarded
    return {
        "progress": progress,
        "seen": "-".join(str(n) for n in (*counts, progress.discarded)),
        "progress_total": progress.total,
        "progress_finished": finished,
    }


def _filters(phone_import: PhoneImport, summary: Any, status: str) -> list[dict[str, Any]]:
    shown = (
        ("", "All rows", summary.total),
        (Status.ATTENTION, "Need attention", summary.attention),
        (Status.DUPLICATE, "Duplicates", summary.duplicates),
        (Status.EXCLUDED, "Excluded", summary.excluded),
        (Status.READY, "Ready", summary.ready),
    )
    return [
        {
            "status": value,
            "label": label,
            "count": count,
            "href": detail_url(phone_import, 1, value),
            "current": value == status,
        }
        for value, label, count in shown
    ]


def detail_context(
    phone_import: PhoneImport,
    *,
    page: int,
    status: str,
    editing: int = 0,
    progress: ImportProgress | None = None,
) -> dict[str, Any]:
    """The import's page: summary, filter, one page of rows, pager; after the confirm, the
    progress of its creates too (``progress`` when the caller has counted it already).
    ``editing``: the line open for correcting."""
    confirmed = phone_import.state == PhoneImport.State.CONFIRMED
    summary = import_summary(phone_import=phone_import)
    rows_page = import_rows_page(
        phone_import=phone_import, page=page, size=ROWS_PER_PAGE, status=status
    )
    if confirmed and progress is None:
        progress = import_progress(phone_import=phone_import)
    first = (rows_page.page - 1) * ROWS_PER_PAGE + 1
    return {
        "phone_import": phone_import,
        "confirmed": confirmed,
        "summary": summary,
        **progress_context(progress),
        "region_name": region_name(phone_import.default_region),
        "rows_page": rows_page,
        "page": rows_page.page,
        "status": status,
        "filters": _filters(phone_import, summary, status),
        "first_shown": first if rows_page.rows else 0,
        "last_shown": first + len(rows_page.rows) - 1,
        "previous_url": (
            detail_url(phone_import, rows_page.page - 1, status) if rows_page.page > 1 else ""
        ),
        "next_url": (
            detail_url(phone_import, rows_page.page + 1, status)
            if rows_page.page < rows_page.pages
            else ""
        ),
        "editing": editing,
    }


@dataclass(frozen=True)
class PickField:
    """What the shared picker partial reads of a form field."""

    html_name: str
    label: str
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class PickChoice:
    """A picker for one value of a link cell that names several records or none (or whose
    record staff already chose): the cell's text as its query, the chosen record as its chip."""

    kind: str
    value: str
    field: PickField
    query: str
    candidates: tuple[models.Model, ...]
    selected: tuple[models.Model, ...] = ()
    invalid: frozenset[str] = frozenset()


def pick_choices(item: ImportRowView) -> list[PickChoice]:
    """A picker for every value of the row's links that names several records or none, and
    for every value staff already picked a record for (so the pick can be changed)."""
    choices: list[PickChoice] = []
    line = item.row.line
    for kind in LINK_KINDS:
        picked = (item.row.picks or {}).get(kind) or {}
        for n, cell in enumerate(item.preview.links.get(kind, ()), start=1):
            chosen = picked.get(cell.value)
            if cell.found and not chosen:
                continue
            record = cell.record if chosen and cell.record is not None else None
            choices.append(
                PickChoice(
                    kind=kind,
                    value=cell.value,
                    field=PickField(
                        html_name=f"pick{line}_{kind}_{n}",
                        label=f"{NOUNS[kind].capitalize()} for “{cell.value}”",
                    ),
                    query="" if record is not None else cell.value,
                    candidates=tuple(cell.candidates or ()),
                    selected=(record,) if record is not None else (),
                )
            )
    return choices


def picks_from(post: QueryDict) -> dict[str, dict[str, str]]:
    """Link kind -> {value text -> chosen record id} from a corrected row's pickers: the
    last record picked for a value counts; a value with none picked has no pick."""
    picks: dict[str, dict[str, str]] = {kind: {} for kind in LINK_KINDS}
    for key in list(post)[: MAX_PICKS * 4]:
        match = PICK_TEXT.fullmatch(key)
        if match is None:
            continue
        value = post.get(key, "")[:MAX_PICK_TEXT]
        chosen = [i.strip() for i in post.getlist(key.removesuffix("_text")) if i.strip()]
        # A text or id no record can have (NUL and other controls: PostgreSQL's JSON cannot
        # even store a NUL) is no pick.
        if not (value and chosen and "\x00" not in value):
            continue
        if usable_id(chosen[-1]):
            picks[match.group(1)][value] = chosen[-1]
    return picks


def rows_sharing_number(
    phone_import: PhoneImport,
    before: ImportRowView,
    saved: ImportRowView | None,
    *,
    page: int,
    status: str,
) -> list[ImportRowView]:
    """The other rows on the page whose duplicate flag a corrected row may have changed:
    those with its number as it was and as it is now."""
    numbers = {before.row.e164, saved.row.e164 if saved else ""} - {""}
    if not numbers:
        return []
    rows_page = import_rows_page(
        phone_import=phone_import, page=page, size=ROWS_PER_PAGE, status=status, numbers=numbers
    )
    return [other for other in rows_page.rows if other.row.line != before.row.line]
