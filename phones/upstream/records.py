"""Plain records the WellApp client returns: what the rest of the product works with.

Timestamps are timezone-aware UTC datetimes. An optional attribute WellApp did not send is
``None`` ("unknown"), so a partial record (say, the few attributes a create answer repeats
inline) never reads as if WellApp had cleared the other attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A WellApp person (JSON:API type ``people``)."""

    id: str
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    email: str | None = None
    job_title: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CompanyRecord:
    """A WellApp company (JSON:API type ``company``)."""

    id: str
    name: str | None = None
    description: str | None = None
    domain: str | None = None
    website: str | None = None
    locale: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class WorkspaceRecord:
    """A WellApp workspace. WellApp sometimes identifies one only by its external id."""

    id: str | None
    external_workspace_id: str | None = None
    name: str | None = None
    description: str | None = None
    avatar_color: str | None = None
    auto_extract_enabled: bool | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class WorkspaceRef:
    """A phone's link to a workspace: by WellApp id, by external id, or both when known."""

    id: str | None
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class PhoneRecord:
    """A WellApp phone with the ids of the records it is linked to.

    ``raw`` is the phone resource as WellApp sent it. ``related`` is set on the record
    ``WellAppClient.create_phone`` returns: the whole parsed answer, with the people,
    companies and workspaces it carried. Neither takes part in equality.
    """

    id: str
    country_code: int
    national_number: str
    e164_number: str
    label: str = "other"
    is_primary: bool = False
    is_verified: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    person_ids: list[str] = field(default_factory=list)
    company_ids: list[str] = field(default_factory=list)
    workspaces: list[WorkspaceRef] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    related: Page[PhoneRecord] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Page[T]:
    """One page of a listing (or one answer about a single phone).

    ``items`` are the page's primary records (phones for phone calls; people, companies or
    workspaces for the directory listings, where the matching list below holds the same
    records). ``people``, ``companies`` and ``workspaces`` are the related records the
    answer carried, deduplicated, in order of first appearance. ``next_cursor`` is WellApp's
    ``links.next`` (``None`` on the last page); ``total`` is ``meta.total`` when sent.
    """

    items: list[T] = field(default_factory=list)
    people: list[PersonRecord] = field(default_factory=list)
    companies: list[CompanyRecord] = field(default_factory=list)
    workspaces: list[WorkspaceRecord] = field(default_factory=list)
    next_cursor: str | None = None
    total: int | None = None
    trace_id: str | None = None
