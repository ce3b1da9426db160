"""Small builders for staff users and cached records, for tests that do not need WellApp
itself."""

import importlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.apps import apps as django_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone

from phones.models import (
    Company,
    OutboxEntry,
    Person,
    Phone,
    PhoneImport,
    PhoneImportRow,
    Workspace,
)
from phones.services.listing import listing_refresh
from phones.upstream.drafts import PhoneDraft
from sandbox.seed import SEED_COMPANY, SEED_PERSON, SEED_WORKSPACES

BASE_TIME = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"  # every test user's password
# The records make_route_records makes, one for each kind of id in a URL.
SAMPLE_PHONE_ID = uuid.UUID(int=2, version=4)  # make_phone(1)
SAMPLE_ENTRY_ID = uuid.UUID("6f1d7a52-3c4b-4e0a-9d7e-2b8f0c1a9e55")
SAMPLE_IMPORT_ID = uuid.UUID("0b7c8e2a-5d1f-4c3a-8e9b-7a6d5c4b3a21")
_EDIT_DIRECTORY = importlib.import_module("phones.migrations.0007_edit_directory_permission")
# The support roles as the migrations leave them: 0002 makes them, 0007 gives editors
# edit_directory.
SUPPORT_GROUPS = {
    name: [*codenames, *([_EDIT_DIRECTORY.CODENAME] if name == _EDIT_DIRECTORY.EDITORS else [])]
    for name, codenames in importlib.import_module(
        "phones.migrations.0002_support_groups"
    ).GROUPS.items()
}
# role -> (username, support group); "nobody" is logged in without a support role.
ROLES = {
    "viewer": ("vera.viewer", "Support viewers"),
    "editor": ("eddie.editor", "Support editors"),
    "nobody": ("nora.nobody", None),
}


def support_group(name: str) -> Group:
    """One of the two support roles, made again as the migration makes it when a browser
    test's database flush removed it."""
    group = Group.objects.filter(name=name).first()
    if group is not None:
        return group
    create_permissions(django_apps.get_app_config("phones"), verbosity=0)
    group = Group.objects.create(name=name)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="phones", codename__in=SUPPORT_GROUPS[name]
        )
    )
    return group


def make_user(username: str, group: str | None = None) -> User:
    """A user with PASSWORD, in the support group named (none when None)."""
    user = User.objects.create_user(username=username, password=PASSWORD)
    if group:
        user.groups.add(support_group(group))
    return user


def role_user(role: str) -> User:
    """The user of a role in ROLES, made on first use."""
    username, group = ROLES[role]
    return User.objects.filter(username=username).first() or make_user(username, group)


def make_seed_directory() -> None:
    """WellApp's example records (the sandbox's fixed ones) in the cache, as a sync leaves
    them."""
    make_person(SEED_PERSON.id, SEED_PERSON.full_name, SEED_PERSON.email)
    make_company(SEED_COMPANY.id, SEED_COMPANY.name, SEED_COMPANY.domain)
    for workspace in SEED_WORKSPACES:
        make_workspace(workspace.id, workspace.name, workspace.external_workspace_id)


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


def make_route_records() -> None:
    """A cached phone, a queued create and an import with one row, so a URL with an id in
    it reaches its view: SAMPLE_PHONE_ID, SAMPLE_ENTRY_ID and SAMPLE_IMPORT_ID (line 2)."""
    make_phone(1)
    OutboxEntry.objects.create(
        id=SAMPLE_ENTRY_ID,
        document={
            "data": {"id": str(SAMPLE_ENTRY_ID), "attributes": {"e164_number": "+14155550199"}}
        },
        state=OutboxEntry.State.RETRYING,
    )
    phone_import = PhoneImport.objects.create(
        id=SAMPLE_IMPORT_ID, sha256="0" * 64, default_region="US"
    )
    PhoneImportRow.objects.create(
        phone_import=phone_import,
        line=2,
        cells={"number": "+14155550198"},
        status=PhoneImportRow.Status.READY,
        phone_id=uuid.uuid5(SAMPLE_IMPORT_ID, "line-2"),
    )


def make_person(pid: str, full_name: str, email: str = "") -> Person:
    first, _, last = full_name.partition(" ")
    return Person.objects.create(
        id=pid, first_name=first, last_name=last, full_name=full_name, email=email
    )


def make_company(cid: str, name: str, domain: str = "") -> Company:
    return Company.objects.create(id=cid, name=name, domain=domain)


def make_workspace(wid: str, name: str, external_id: str = "") -> Workspace:
    return Workspace.objects.create(id=wid, name=name, external_workspace_id=external_id)


def create_form_data(**overrides: Any) -> dict[str, Any]:
    """What the new-phone form posts for WellApp's example phone: +1 415 555 2671, work,
    primary and verified, linked to the example's person, company and both workspaces (see
    the ``seed_directory`` fixture), under a new client id. ``overrides`` replace fields; a
    field set to None is left out, as an unticked box or an empty picker is."""
    data: dict[str, Any] = {
        "client_id": str(uuid.uuid4()),
        "country": "US",
        "national_number": "(415) 555-2671",
        "label": "work",
        "is_primary": "on",
        "is_verified": "on",
        "people": [SEED_PERSON.id],
        "companies": [SEED_COMPANY.id],
        "workspaces": [workspace.id for workspace in SEED_WORKSPACES],
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def make_draft(**fields: Any) -> PhoneDraft:
    """A phone to create: +1 415 555 0142, work, linked to nothing, under a new id;
    ``fields`` replace any of that (linked records as tuples of cached records)."""
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "country_code": 1,
        "national_number": "4155550142",
        "e164_number": "+14155550142",
        "label": "work",
    }
    values.update(fields)
    return PhoneDraft(**values)
