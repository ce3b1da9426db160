"""Small builders for cached records, for tests that do not need WellApp itself."""

import uuid
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from phones.models import Company, Person, Phone, Workspace
from phones.services.listing import listing_refresh

BASE_TIME = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def make_phone(n: int, *, created_at: datetime | None = None, **fields) -> Phone:
    """Phone number ``n``: a US 415 555 number created ``n`` minutes after BASE_TIME, with its
    listing row (link it to records, then call ``listing_refresh`` to index their names)."""
    national = f"415555{n:04d}"
    values = {
        "id": uuid.UUID(int=n + 1, version=4),
        "country_code": 1,
        "national_number": national,
        "e164_number": f"+1{national}",
        "label": "work",
        "upstream_created_at": created_at or BASE_TIME + timedelta(minutes=n),
        "upstream_updated_at": created_at or BASE_TIME + timedelta(minutes=n),
        "fetched_at": timezone.now(),
    }
    values.update(fields)
    phone = Phone.objects.create(**values)
    listing_refresh(phone_ids=[phone.id])
    return phone


def make_person(pid: str, full_name: str, email: str = "") -> Person:
    first, _, last = full_name.partition(" ")
    return Person.objects.create(
        id=pid, first_name=first, last_name=last, full_name=full_name, email=email
    )


def make_company(cid: str, name: str, domain: str = "") -> Company:
    return Company.objects.create(id=cid, name=name, domain=domain)


def make_workspace(wid: str, name: str, external_id: str = "") -> Workspace:
    return Workspace.objects.create(id=wid, name=name, external_workspace_id=external_id)
