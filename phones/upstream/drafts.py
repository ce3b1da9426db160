"""The phone to create: one frozen, typed value from the form to WellApp.

The new-phone form builds a :class:`PhoneDraft`; the create and the outbox take it as it is,
and :func:`phones.upstream.documents.build_phone_document` turns it into WellApp's request.
The records it links to are the local directory's cached people, companies and workspaces,
described here only by the attributes the request needs, so nothing in this package depends
on the models.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class LinkedPerson(Protocol):
    """A person a new phone is linked to, as the local directory holds it."""

    id: str
    first_name: str
    last_name: str
    full_name: str
    upstream_created_at: datetime | None
    upstream_updated_at: datetime | None


class LinkedCompany(Protocol):
    """A company a new phone is linked to, as the local directory holds it."""

    id: str
    name: str
    description: str
    locale: str
    domain: str
    upstream_created_at: datetime | None
    upstream_updated_at: datetime | None


class LinkedWorkspace(Protocol):
    """A workspace a new phone is linked to, as the local directory holds it."""

    id: str
    external_workspace_id: str
    name: str
    description: str
    avatar_color: str
    auto_extract_enabled: bool
    upstream_created_at: datetime | None
    upstream_updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class PhoneDraft:
    """A phone to create in WellApp, with the records it is linked to, in the order picked.

    ``id`` is the client-generated id that becomes WellApp's ``data.id``: every send of this
    draft is the same request. ``national_number`` is the national significant number as a
    string, leading zeros kept (Italy's ``06...``), and ``e164_number`` is
    ``+{country_code}{national_number}``; a draft that breaks this cannot be made.
    """

    id: uuid.UUID
    country_code: int
    national_number: str
    e164_number: str
    label: str
    is_primary: bool = False
    is_verified: bool = False
    people: tuple[LinkedPerson, ...] = ()
    companies: tuple[LinkedCompany, ...] = ()
    workspaces: tuple[LinkedWorkspace, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.id, uuid.UUID):
            raise TypeError("a phone draft's id must be a UUID")
        if isinstance(self.country_code, bool) or not isinstance(self.country_code, int):
            raise TypeError("country_code must be an int")
        if not isinstance(self.national_number, str):
            raise TypeError("national_number must be a string (an int would drop leading zeros)")
        if self.e164_number != f"+{self.country_code}{self.national_number}":
            raise ValueError("e164_number must equal '+' + country_code + national_number")
        for links in (self.people, self.companies, self.workspaces):
            if not isinstance(links, tuple):
                raise TypeError("people, companies and workspaces must be tuples")
        for workspace in self.workspaces:
            if not workspace.id:
                raise ValueError("every workspace linked to a new phone needs its WellApp id")
