"""Reads from the local cache. Every listing and search in the portal comes through here."""

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q, QuerySet

from phones.models import AuditEntry, Company, Person, Phone, SyncRun, Workspace

DEFAULT_PAGE_SIZE = 25


@dataclass(frozen=True)
class PhonePage:
    """One page of phones, newest first, with opaque cursors to its neighbours."""

    phones: list[Phone]
    next_cursor: str | None
    previous_cursor: str | None


def _encode_cursor(direction: str, phone: Phone) -> str:
    created = phone.upstream_created_at.isoformat() if phone.upstream_created_at else None
    raw = json.dumps([direction, created, str(phone.id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, datetime | None, uuid.UUID] | None:
    """Turn a cursor back into (direction, created_at, id); None for anything malformed."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        direction, created, phone_id = json.loads(base64.urlsafe_b64decode(padded))
        if direction not in ("after", "before"):
            return None
        created_at = datetime.fromisoformat(created) if created is not None else None
        return direction, created_at, uuid.UUID(phone_id)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        return None


def _keyset(direction: str, created_at: datetime | None, phone_id: uuid.UUID) -> Q:
    # Order is (created desc nulls last, id desc); "after" walks towards older phones.
    if direction == "after":
        if created_at is None:
            return Q(upstream_created_at__isnull=True, id__lt=phone_id)
        return (
            Q(upstream_created_at__lt=created_at)
            | Q(upstream_created_at=created_at, id__lt=phone_id)
            | Q(upstream_created_at__isnull=True)
        )
    if created_at is None:
        return Q(upstream_created_at__isnull=False) | Q(
            upstream_created_at__isnull=True, id__gt=phone_id
        )
    return Q(upstream_created_at__gt=created_at) | Q(
        upstream_created_at=created_at, id__gt=phone_id
    )


def phone_queryset() -> QuerySet[Phone]:
    """Phones with their links prefetched for a table."""
    return Phone.objects.prefetch_related("people", "companies", "workspaces")


def phone_page(*, cursor: str | None = None, size: int = DEFAULT_PAGE_SIZE) -> PhonePage:
    """A page of cached phones, newest first, by keyset (no OFFSET, no COUNT)."""
    newest_first = [F("upstream_created_at").desc(nulls_last=True), "-id"]
    oldest_first = [F("upstream_created_at").asc(nulls_first=True), "id"]
    decoded = decode_cursor(cursor) if cursor else None
    qs = phone_queryset()
    if decoded is None:
        rows = list(qs.order_by(*newest_first)[: size + 1])
        has_more, has_less = len(rows) > size, False
        rows = rows[:size]
    else:
        direction, created_at, phone_id = decoded
        filtered = qs.filter(_keyset(direction, created_at, phone_id))
        if direction == "after":
            rows = list(filtered.order_by(*newest_first)[: size + 1])
            has_more, has_less = len(rows) > size, True
            rows = rows[:size]
        else:
            rows = list(filtered.order_by(*oldest_first)[: size + 1])
            has_less, has_more = len(rows) > size, True
            rows = list(reversed(rows[:size]))
    return PhonePage(
        phones=rows,
        next_cursor=_encode_cursor("after", rows[-1]) if rows and has_more else None,
        previous_cursor=_encode_cursor("before", rows[0]) if rows and has_less else None,
    )


def phone_count() -> int:
    """How many phones the cache holds."""
    return Phone.objects.count()


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


def _picker(qs: QuerySet, fields: Sequence[str], query: str, option) -> PickerResults:
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


def phone_detail(*, phone_id: uuid.UUID) -> Phone | None:
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
