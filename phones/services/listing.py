"""Keep each phone's listing row in step with the phone and the records it links to.

The listing row (``PhoneListing``) is what the list reads: the phone's sort keys and filter
columns, and the search text the search box matches — the number in the forms staff type it
(E.164 and national digits) and the names, emails, domains and external ids around it. A
trigram index over the text (see migrations 0003 and 0005) makes a rare substring a fast
lookup. A phone marked deleted has no listing row, so the list never sees it.
"""

import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Prefetch

from phones.models import (
    UNDATED,
    Company,
    Person,
    Phone,
    PhoneCompany,
    PhoneListing,
    PhoneListingLink,
    PhonePerson,
    PhoneWorkspace,
    Workspace,
)
from phones.phone_numbers import describe_e164

BATCH = 500
SEPARATOR = " · "
# listing column -> phone attribute
COPIED = {
    "created_at": "upstream_created_at",
    "updated_at": "upstream_updated_at",
    "e164_number": "e164_number",
    "label": "label",
    "country_code": "country_code",
    "is_primary": "is_primary",
    "is_verified": "is_verified",
}
COLUMNS = ["text", "links", "names", "international", "region", *COPIED]


def build_search_text(
    *,
    e164_number: str,
    national_number: str,
    people: Sequence[tuple[str, str]] = (),
    companies: Sequence[tuple[str, str]] = (),
    workspaces: Sequence[tuple[str, str]] = (),
) -> str:
    """The search text of one phone. ``people`` are (full name, email), ``companies``
    (name, domain), ``workspaces`` (name, external id)."""
    parts = [e164_number, national_number]
    for pair in (*people, *companies, *workspaces):
        parts.extend(value for value in pair if value)
    return SEPARATOR.join(part.strip() for part in parts if part and part.strip()).lower()


def links_text(links: Iterable[tuple[str, str]]) -> str:
    """The ``links`` of a listing row: the mark of each (kind, record id)."""
    return "".join(PhoneListing.link_mark(kind, record_id) for kind, record_id in links)


def names_text(
    *, people: Iterable[Person], companies: Iterable[Company], workspaces: Iterable[Workspace]
) -> str:
    """The ``names`` of a listing row: each linked record as the table shows it (its
    ``str``), the people by full name, the companies and workspaces by name (then by id),
    as the records' own lists sort them."""
    return json.dumps(
        [
            [str(p) for p in sorted(people, key=lambda p: (p.full_name, p.pk))],
            [str(c) for c in sorted(companies, key=lambda c: (c.name, c.pk))],
            [str(w) for w in sorted(workspaces, key=lambda w: (w.name, w.pk))],
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _links(phone: Phone) -> list[tuple[str, str]]:
    """(kind, record id) of every link of a phone whose links are prefetched."""
    return [
        *(("people", p.pk) for p in phone.people.all()),
        *(("companies", c.pk) for c in phone.companies.all()),
        *(("workspaces", w.pk) for w in phone.workspaces.all()),
    ]


def listing_values(phone: Phone) -> dict[str, Any]:
    """The listing row of a phone whose links are prefetched."""
    values = {column: getattr(phone, attribute) for column, attribute in COPIED.items()}
    values["created_at"] = values["created_at"] or UNDATED
    values["updated_at"] = values["updated_at"] or UNDATED
    values["international"], _, values["region"] = describe_e164(phone.e164_number)
    values["links"] = links_text(_links(phone))
    values["names"] = names_text(
        people=phone.people.all(),
        companies=phone.companies.all(),
        workspaces=phone.workspaces.all(),
    )
    values["text"] = build_search_text(
        e164_number=phone.e164_number,
        national_number=phone.national_number,
        people=[(p.full_name, p.email) for p in phone.people.all()],
        companies=[(c.name, c.domain) for c in phone.companies.all()],
        workspaces=[(w.name, w.external_workspace_id) for w in phone.workspaces.all()],
    )
    return values


def listing_refresh(*, phone_ids: Iterable[uuid.UUID]) -> int:
    """Bring the listing rows of these phones in line with the cache; returns how many rows
    were written or removed."""
    ids = list(dict.fromkeys(phone_ids))
    changed = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        phones = Phone.objects.filter(id__in=chunk).prefetch_related(
            Prefetch(
                "people",
                queryset=Person.objects.only("full_name", "first_name", "last_name", "email"),
            ),
            Prefetch("companies", queryset=Company.objects.only("name", "domain")),
            Prefetch(
                "workspaces", queryset=Workspace.objects.only("name", "external_workspace_id")
            ),
        )
        existing = {row.phone_id: row for row in PhoneListing.objects.filter(phone_id__in=chunk)}
        to_create, to_update, gone = [], [], []
        linked: dict[uuid.UUID, list[tuple[str, str]]] = {}
        for phone in phones:
            row = existing.get(phone.id)
            if phone.deleted_at is not None:
                if row is not None:
                    gone.append(row.pk)
                continue
            values = listing_values(phone)
            if row is None:
                to_create.append(PhoneListing(phone=phone, **values))
            elif any(getattr(row, column) != value for column, value in values.items()):
                for column, value in values.items():
                    setattr(row, column, value)
                to_update.append(row)
            else:
                continue
            linked[phone.id] = _links(phone)
        PhoneListing.objects.bulk_create(to_create, batch_size=BATCH)
        PhoneListing.objects.bulk_update(to_update, COLUMNS, batch_size=BATCH)
        PhoneListing.objects.filter(pk__in=gone).delete()
        _links_rewrite([*to_create, *to_update], linked)
        changed += len(to_create) + len(to_update) + len(gone)
    return changed


def _links_rewrite(
    rows: list[PhoneListing], linked: dict[uuid.UUID, list[tuple[str, str]]]
) -> None:
    """Write the link rows (``PhoneListingLink``) of these listing rows anew: one per link,
    with the row's creation time."""
    PhoneListingLink.objects.filter(listing_id__in=[row.pk for row in rows]).delete()
    PhoneListingLink.objects.bulk_create(
        (
            PhoneListingLink(
                listing_id=row.pk,
                phone_id=row.phone_id,
                kind=kind[0],
                record_id=record_id,
                created_at=row.created_at or UNDATED,
            )
            for row in rows
            for kind, record_id in linked[row.phone_id]
        ),
        batch_size=BATCH,
    )


def listing_refresh_linked(
    *,
    person_ids: Iterable[str] = (),
    company_ids: Iterable[str] = (),
    workspace_ids: Iterable[str] = (),
) -> int:
    """Recompute the listing rows of every phone linked to these directory records."""
    phone_ids: set[uuid.UUID] = set()
    for table, column, ids in (
        (PhonePerson, "person_id", list(person_ids)),
        (PhoneCompany, "company_id", list(company_ids)),
        (PhoneWorkspace, "workspace_id", list(workspace_ids)),
    ):
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            phone_ids.update(
                table.objects.filter(**{f"{column}__in": chunk}).values_list("phone_id", flat=True)
            )
    return listing_refresh(phone_ids=phone_ids)
