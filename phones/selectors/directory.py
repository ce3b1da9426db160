"""Reads for the pickers, the detail page and the sync status."""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from phones.models import AuditEntry, Company, OutboxEntry, Person, Phone, SyncRun, Workspace


def sync_run_latest() -> SyncRun | None:
    """The most recent sync run, finished or not."""
    return SyncRun.objects.first()


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
    rows = list(qs[: PICKER_LIMIT + 1])
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
    """Queued phone creates, newest first: open and rejected ones (and the rest if asked)."""
    qs = OutboxEntry.objects.select_related("author")
    if not include_done:
        qs = qs.filter(state__in=[*OutboxEntry.OPEN_STATES, OutboxEntry.State.FAILED])
    return list(qs[:200])


def outbox_open_count() -> int:
    """How many phone creates are waiting for WellApp."""
    return OutboxEntry.objects.filter(state__in=OutboxEntry.OPEN_STATES).count()


def outbox_entry(*, entry_id: uuid.UUID) -> OutboxEntry | None:
    return OutboxEntry.objects.filter(id=entry_id).first()
