"""Keep each phone's search text in step with the phone and the records it links to.

The text is what the list's search box matches: the number in the forms staff type it
(E.164 and national digits) and the names, emails, domains and external ids around it. A
trigram index over it (see migration 0003) makes any substring a fast lookup.
"""

import uuid
from collections.abc import Iterable, Sequence

from django.db.models import Prefetch

from phones.models import (
    Company,
    Person,
    Phone,
    PhoneCompany,
    PhonePerson,
    PhoneSearch,
    PhoneWorkspace,
    Workspace,
)

BATCH = 500
SEPARATOR = " · "


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


def _text_for(phone: Phone) -> str:
    return build_search_text(
        e164_number=phone.e164_number,
        national_number=phone.national_number,
        people=[(p.full_name, p.email) for p in phone.people.all()],
        companies=[(c.name, c.domain) for c in phone.companies.all()],
        workspaces=[(w.name, w.external_workspace_id) for w in phone.workspaces.all()],
    )


def search_refresh(*, phone_ids: Iterable[uuid.UUID]) -> int:
    """Recompute the search text of these phones; returns how many texts changed."""
    ids = list(dict.fromkeys(phone_ids))
    changed = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        phones = Phone.objects.filter(id__in=chunk).prefetch_related(
            Prefetch("people", queryset=Person.objects.only("full_name", "email")),
            Prefetch("companies", queryset=Company.objects.only("name", "domain")),
            Prefetch(
                "workspaces", queryset=Workspace.objects.only("name", "external_workspace_id")
            ),
        )
        existing = {row.phone_id: row for row in PhoneSearch.objects.filter(phone_id__in=chunk)}
        to_create, to_update = [], []
        for phone in phones:
            text = _text_for(phone)
            row = existing.get(phone.id)
            if row is None:
                to_create.append(PhoneSearch(phone=phone, text=text))
            elif row.text != text:
                row.text = text
                to_update.append(row)
        PhoneSearch.objects.bulk_create(to_create, batch_size=BATCH)
        PhoneSearch.objects.bulk_update(to_update, ["text"], batch_size=BATCH)
        changed += len(to_create) + len(to_update)
    return changed


def search_refresh_linked(
    *,
    person_ids: Iterable[str] = (),
    company_ids: Iterable[str] = (),
    workspace_ids: Iterable[str] = (),
) -> int:
    """Recompute the search text of every phone linked to these directory records."""
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
    return search_refresh(phone_ids=phone_ids)
