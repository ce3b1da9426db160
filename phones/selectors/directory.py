"""Reads for the pickers, the detail page and the sync status."""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Count, F, Func, IntegerField, Q, QuerySet, Subquery

from phones.models import (
    AuditEntry,
    Company,
    OutboxEntry,
    Person,
    Phone,
    PhoneImport,
    SyncRun,
    Workspace,
)


def sync_run_latest() -> SyncRun | None:
    """The most recent sync run, finished or not."""
    return SyncRun.objects.first()


def sync_run_latest_and_waiting() -> tuple[SyncRun | None, int]:
    """The most recent sync run and how many phone creates are waiting for WellApp (the
    list's top of page): one query, the count a column of the run's row; two before the
    first sync."""
    waiting = _waiting_entries().order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    run = SyncRun.objects.annotate(
        outbox_waiting=Subquery(waiting, output_field=IntegerField())
    ).first()
    if run is None:
        return None, outbox_open_count()
    return run, run.outbox_waiting


PICKER_LIMIT = 20


@dataclass(frozen=True)
class PickerOption:
    """One option in a picker: the id submitted, the name shown, and a line that tells
    namesakes apart."""

    id: str
    label: str
    detail: str


@dataclass(frozen=True)
class PickerResults:
    options: list[PickerOption]
    more: bool


def _picker(
    qs: QuerySet, fields: Sequence[str], query: str, option: Callable[..., PickerOption]
) -> PickerResults:
    terms = query.split()[:5]
    for term in terms:
        match = Q()
        for field in fields:
            match |= Q(**{f"{field}__icontains": term})
        qs = qs.filter(match)
    # The ids first, from the index that holds the order and the matched fields (no table
    # row read per candidate), then the few records shown.
    ids = list(qs.values_list("pk", flat=True)[: PICKER_LIMIT + 1])
    found = qs.model._default_manager.in_bulk(ids)
    rows = [found[i] for i in ids]
    return PickerResults(
        options=[option(row) for row in rows[:PICKER_LIMIT]], more=len(rows) > PICKER_LIMIT
    )


def person_search(*, query: str) -> PickerResults:
    """People whose full name or email contains every word of ``query``."""
    return _picker(
        Person.objects.order_by("full_name", "id"),
        ["full_name", "email"],
        query,
        lambda p: PickerOption(p.id, str(p), p.email or p.job_title or p.id),
    )


def company_search(*, query: str) -> PickerResults:
    """Companies whose name or domain contains every word of ``query``."""
    return _picker(
        Company.objects.order_by("name", "id"),
        ["name", "domain"],
        query,
        lambda c: PickerOption(c.id, str(c), c.domain or c.id),
    )


def workspace_search(*, query: str) -> PickerResults:
    """Workspaces whose name or external id contains every word of ``query``."""
    return _picker(
        Workspace.objects.order_by("name", "id"),
        ["name", "external_workspace_id", "id"],
        query,
        lambda w: PickerOption(w.id, str(w), w.external_workspace_id or w.id),
    )


def phones_with_e164(*, e164: str) -> list[Phone]:
    """Cached phones with exactly this E.164 number, with their people and companies."""
    return list(Phone.objects.filter(e164_number=e164).prefetch_related("people", "companies")[:5])


def phone_get(*, phone_id: uuid.UUID) -> Phone | None:
    """One cached phone with everything its page shows."""
    return (
        Phone.objects.prefetch_related("people", "companies", "workspaces")
        .filter(id=phone_id)
        .first()
    )


def phone_audit(*, phone_id: uuid.UUID) -> list[AuditEntry]:
    """What the audit log says about one phone, oldest first."""
    return list(
        AuditEntry.objects.filter(upstream_id=str(phone_id)).select_related("actor").order_by("at")
    )


def outbox_entries(*, include_done: bool = False) -> list[OutboxEntry]:
    """Phone creates queued from the form, newest first: open and rejected ones (and the rest
    if asked). An import's creates are followed on the import's own page."""
    qs = OutboxEntry.objects.select_related("author").filter(phone_import__isnull=True)
    if not include_done:
        qs = qs.filter(state__in=[*OutboxEntry.OPEN_STATES, OutboxEntry.State.FAILED])
    return list(qs[:200])


@dataclass(frozen=True)
class QueuedImport:
    """An import with creates still waiting for WellApp or rejected by it."""

    phone_import: PhoneImport
    waiting: int
    rejected: int


def outbox_imports() -> list[QueuedImport]:
    """The imports whose creates are waiting or were rejected, newest first (one grouped
    query, then the imports)."""
    waiting = Q(state__in=OutboxEntry.OPEN_STATES)
    rejected = Q(state=OutboxEntry.State.FAILED)
    counts = (
        OutboxEntry.objects.filter(waiting | rejected, phone_import__isnull=False)
        .values("phone_import")
        .annotate(waiting=Count("pk", filter=waiting), rejected=Count("pk", filter=rejected))
    )
    by_id = {row["phone_import"]: row for row in counts}
    imports = PhoneImport.objects.filter(pk__in=by_id).select_related("author")
    return [
        QueuedImport(
            phone_import=phone_import,
            waiting=by_id[phone_import.pk]["waiting"],
            rejected=by_id[phone_import.pk]["rejected"],
        )
        for phone_import in imports.order_by("-created_at")
    ]


def _waiting_entries() -> QuerySet[OutboxEntry]:
    """The phone creates waiting for WellApp."""
    return OutboxEntry.objects.filter(state__in=OutboxEntry.OPEN_STATES)


def outbox_open_count() -> int:
    """How many phone creates are waiting for WellApp."""
    return _waiting_entries().count()


def outbox_entry(*, entry_id: uuid.UUID) -> OutboxEntry | None:
    return OutboxEntry.objects.filter(id=entry_id).first()
