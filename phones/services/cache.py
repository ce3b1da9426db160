"""Upserts of upstream records into the local cache.

Each upsert compares what WellApp sent with what the cache holds and writes only the rows that
differ, so re-reading unchanged data writes nothing. An attribute that a document leaves out
(``None`` on the record) keeps the cached value: the create response, for instance, carries only
a few attributes of each related record.
"""

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models, transaction

from phones.models import (
    Company,
    Person,
    Phone,
    PhoneCompany,
    PhonePerson,
    PhoneWorkspace,
    Workspace,
)
from phones.selectors.listing import phone_count_adjust
from phones.services.listing import listing_refresh, listing_refresh_linked
from phones.upstream.records import CompanyRecord, PersonRecord, PhoneRecord, WorkspaceRecord

logger = logging.getLogger(__name__)

BATCH = 500


@dataclass
class UpsertCounts:
    """How many rows an upsert created, changed, and left as they were."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: "UpsertCounts") -> "UpsertCounts":
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self

    @property
    def written(self) -> int:
        return self.created + self.updated


def _person_values(record: PersonRecord) -> dict[str, Any]:
    full_name = record.full_name
    if not full_name and (record.first_name or record.last_name):
        full_name = f"{record.first_name or ''} {record.last_name or ''}".strip()
    return {
        "first_name": record.first_name,
        "last_name": record.last_name,
        "full_name": full_name,
        "email": record.email,
        "job_title": record.job_title,
        "upstream_created_at": record.created_at,
        "upstream_updated_at": record.updated_at,
    }


def _company_values(record: CompanyRecord) -> dict[str, Any]:
    return {
        "name": record.name,
        "description": record.description,
        "domain": record.domain,
        "website": record.website,
        "locale": record.locale,
        "upstream_created_at": record.created_at,
        "upstream_updated_at": record.updated_at,
    }


def _workspace_values(record: WorkspaceRecord) -> dict[str, Any]:
    return {
        "external_workspace_id": record.external_workspace_id,
        "name": record.name,
        "description": record.description,
        "avatar_color": record.avatar_color,
        "auto_extract_enabled": record.auto_extract_enabled,
        "upstream_created_at": record.created_at,
        "upstream_updated_at": record.updated_at,
    }


def _upsert_rows(
    model: type[models.Model],
    rows: dict[Any, dict[str, Any]],
    *,
    touch: dict[str, Any] | None = None,
) -> tuple[UpsertCounts, set[Any]]:
    """Write ``rows`` (pk -> values) where they differ from the cache; return the pks written.

    ``touch`` holds values set only on rows that are created or changed (``fetched_at``).
    """
    counts = UpsertCounts()
    written: set[Any] = set()
    if not rows:
        return counts, written
    existing = model._default_manager.in_bulk(list(rows))
    to_create: list[models.Model] = []
    to_update: list[models.Model] = []
    changed_fields: set[str] = set()
    for pk, values in rows.items():
        obj = existing.get(pk)
        if obj is None:
            known = {field: value for field, value in values.items() if value is not None}
            to_create.append(model(pk=pk, **known, **(touch or {})))
            written.add(pk)
            continue
        dirty = [f for f, v in values.items() if v is not None and getattr(obj, f) != v]
        if not dirty:
            counts.unchanged += 1
            continue
        for field in dirty:
            setattr(obj, field, values[field])
        for field, value in (touch or {}).items():
            setattr(obj, field, value)
        changed_fields.update(dirty)
        changed_fields.update(touch or {})
        to_update.append(obj)
        written.add(pk)
    model._default_manager.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        model._default_manager.bulk_update(to_update, sorted(changed_fields), batch_size=BATCH)
    counts.created, counts.updated = len(to_create), len(to_update)
    return counts, written


def directory_upsert(
    *,
    people: Iterable[PersonRecord] = (),
    companies: Iterable[CompanyRecord] = (),
    workspaces: Iterable[WorkspaceRecord] = (),
) -> UpsertCounts:
    """Bring cached people, companies and workspaces in line with these records (and the
    search text of the phones linked to any that changed)."""
    counts = UpsertCounts()
    with transaction.atomic():
        person_rows = {r.id: _person_values(r) for r in people if r.id}
        person_counts, people_written = _upsert_rows(Person, person_rows)
        company_rows = {r.id: _company_values(r) for r in companies if r.id}
        company_counts, companies_written = _upsert_rows(Company, company_rows)
        workspace_rows = {r.id: _workspace_values(r) for r in workspaces if r.id}
        workspace_counts, workspaces_written = _upsert_rows(Workspace, workspace_rows)
        for part in (person_counts, company_counts, workspace_counts):
            counts += part
        listing_refresh_linked(
            person_ids=people_written,
            company_ids=companies_written,
            workspace_ids=workspaces_written,
        )
    return counts


def _phone_uuid(record: PhoneRecord) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(record.id))
    except ValueError:
        logger.warning("Skipped a WellApp phone whose id is not a UUID: %r", record.id)
        return None


def _phone_values(record: PhoneRecord) -> dict[str, Any]:
    return {
        "country_code": record.country_code,
        "national_number": record.national_number,
        "e164_number": record.e164_number,
        "label": record.label,
        "is_primary": record.is_primary,
        "is_verified": record.is_verified,
        "upstream_created_at": record.created_at,
        "upstream_updated_at": record.updated_at,
        "raw": record.raw,
    }


def _wanted_links(records: dict[uuid.UUID, PhoneRecord]) -> dict[str, dict[uuid.UUID, set[str]]]:
    """For each link table, the related ids each phone should have (known ones only)."""
    person_ids = {pid for r in records.values() for pid in r.person_ids}
    company_ids = {cid for r in records.values() for cid in r.company_ids}
    refs = [ref for r in records.values() for ref in r.workspaces]
    known_people = set(Person.objects.filter(id__in=person_ids).values_list("id", flat=True))
    known_companies = set(Company.objects.filter(id__in=company_ids).values_list("id", flat=True))
    ws_ids = {ref.id for ref in refs if ref.id}
    ws_external = {ref.external_id for ref in refs if not ref.id and ref.external_id}
    known_ws = set(Workspace.objects.filter(id__in=ws_ids).values_list("id", flat=True))
    by_external = dict(
        Workspace.objects.filter(external_workspace_id__in=ws_external).values_list(
            "external_workspace_id", "id"
        )
    )
    wanted: dict[str, dict[uuid.UUID, set[str]]] = {"person": {}, "company": {}, "workspace": {}}
    missing = 0
    for pk, r in records.items():
        wanted["person"][pk] = {p for p in r.person_ids if p in known_people}
        wanted["company"][pk] = {c for c in r.company_ids if c in known_companies}
        workspaces = set()
        for ref in r.workspaces:
            resolved = ref.id if ref.id in known_ws else by_external.get(ref.external_id or "")
            if resolved:
                workspaces.add(resolved)
        wanted["workspace"][pk] = workspaces
        missing += len(r.person_ids) + len(r.company_ids) + len(r.workspaces)
        missing -= len(wanted["person"][pk]) + len(wanted["company"][pk]) + len(workspaces)
    if missing:
        logger.warning("%d phone links name records that are not in the local copy", missing)
    return wanted


LINK_TABLES: dict[str, type[models.Model]] = {
    "person": PhonePerson,
    "company": PhoneCompany,
    "workspace": PhoneWorkspace,
}


def _sync_links(wanted: dict[str, dict[uuid.UUID, set[str]]]) -> set[uuid.UUID]:
    """Make the link tables match ``wanted``; return the phones whose links changed."""
    changed: set[uuid.UUID] = set()
    for name, table in LINK_TABLES.items():
        target = wanted[name]
        column = f"{name}_id"
        have: dict[uuid.UUID, set[str]] = {pk: set() for pk in target}
        for phone_id, other in table._default_manager.filter(phone_id__in=list(target)).values_list(
            "phone_id", column
        ):
            have[phone_id].add(other)
        to_add: list[models.Model] = []
        for pk, ids in target.items():
            if ids == have[pk]:
                continue
            changed.add(pk)
            stale = have[pk] - ids
            if stale:
                table._default_manager.filter(phone_id=pk, **{f"{column}__in": stale}).delete()
            to_add.extend(table(phone_id=pk, **{column: other}) for other in ids - have[pk])
        table._default_manager.bulk_create(to_add, batch_size=BATCH)
    return changed


def phones_upsert(*, phones: Sequence[PhoneRecord], fetched_at: datetime) -> UpsertCounts:
    """Bring cached phones and their links in line with these records, in one transaction.

    The related people, companies and workspaces must be upserted first (``directory_upsert``);
    links to records the cache does not know are left out and logged.
    """
    records: dict[uuid.UUID, PhoneRecord] = {}
    for record in phones:
        pk = _phone_uuid(record)
        if pk is not None:
            records[pk] = record
    with transaction.atomic():
        rows = {pk: _phone_values(r) for pk, r in records.items()}
        counts, written = _upsert_rows(Phone, rows, touch={"fetched_at": fetched_at})
        relinked = _sync_links(_wanted_links(records)) - written
        if relinked:
            Phone.objects.filter(id__in=relinked).update(fetched_at=fetched_at)
            counts.updated += len(relinked)
            counts.unchanged -= len(relinked)
        # A phone WellApp sends is not deleted, whatever an earlier full sync concluded.
        restored = set(
            Phone.objects.filter(id__in=list(records), deleted_at__isnull=False).values_list(
                "id", flat=True
            )
        )
        if restored:
            Phone.objects.filter(id__in=restored).update(deleted_at=None)
        listing_refresh(phone_ids=written | relinked | restored)
    if counts.created:
        phone_count_adjust(counts.created)
    return counts
