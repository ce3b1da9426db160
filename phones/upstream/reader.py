"""Tolerant reader for WellApp responses.

WellApp's documentation disagrees with itself, so answers are read tolerantly: ``data`` as
an array or an object, or no ``data`` wrapper at all; ``included`` as an array or an object
keyed by relation name; type names singular or plural; related records inline in
``relationships`` or side-loaded in ``included``; workspaces known only by
``external_workspace_id``; phone links modelled as ``person_phones``/``company_phones``
pivots. Every variant of the same content reads to the same records. A body that is not
JSON, or has nothing recognisable in it, raises :class:`BadResponse`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from phones.upstream.coerce import (
    attributes_of,
    boolean,
    digits,
    identifier,
    integer,
    kind_of,
    parse_timestamp,
    relationship_items,
    text,
)
from phones.upstream.errors import BadResponse
from phones.upstream.records import (
    CompanyRecord,
    Page,
    PersonRecord,
    PhoneRecord,
    WorkspaceRecord,
    WorkspaceRef,
)
from phones.upstream.related import PIVOT_TARGETS, Pivot, Related

_RESOURCE_KEYS = frozenset({"id", "type", "attributes"})
_PHONE_KEYS = frozenset({"e164_number", "national_number", "country_code"})


@dataclass(slots=True)
class _Document:
    data: list[dict[str, Any]]
    included: list[tuple[str | None, dict[str, Any]]]
    total: int | None
    next_cursor: str | None


def decode_json(content: bytes | bytearray | str) -> Any:
    """The JSON value of a response body; :class:`BadResponse` if it is empty or not JSON."""
    if not content or not content.strip():
        raise BadResponse("WellApp sent an empty response.")
    try:
        return json.loads(content)
    except ValueError as exc:
        raise BadResponse("WellApp sent a response that is not JSON.") from exc


def parse_phones(body: Any) -> Page[PhoneRecord]:
    """A page of phones (a listing, a single-phone GET, or a create answer)."""
    document = _document(body, "phone")
    related = Related()
    for hint, item in document.included:
        related.add(kind_of(item.get("type")) or hint, item)
    if any(kind_of(resource.get("type")) not in (None, "phone") for resource in document.data):
        raise BadResponse("WellApp sent a record that is not a phone.")
    phones = [_phone(resource, related) for resource in document.data]
    related.finish()
    phones = [
        replace(phone, workspaces=list(dict.fromkeys(map(related.resolve, phone.workspaces))))
        for phone in phones
    ]
    return Page(
        items=phones,
        people=related.people(),
        companies=related.companies(),
        workspaces=related.workspaces(),
        next_cursor=document.next_cursor,
        total=document.total,
    )


def parse_people(body: Any) -> Page[PersonRecord]:
    """A page of the people directory; ``items`` and ``people`` hold the same records."""
    related, keys, document = _directory(body, "person")
    people = [related.person(key) for key in keys]
    return Page(items=people, people=people, next_cursor=document.next_cursor, total=document.total)


def parse_companies(body: Any) -> Page[CompanyRecord]:
    """A page of the company directory; ``items`` and ``companies`` hold the same records."""
    related, keys, document = _directory(body, "company")
    companies = [related.company(key) for key in keys]
    return Page(
        items=companies,
        companies=companies,
        next_cursor=document.next_cursor,
        total=document.total,
    )


def parse_workspaces(body: Any) -> Page[WorkspaceRecord]:
    """A page of the workspace directory; ``items`` and ``workspaces`` hold the same records."""
    related, keys, document = _directory(body, "workspace")
    workspaces = [related.workspace(key) for key in keys]
    return Page(
        items=workspaces,
        workspaces=workspaces,
        next_cursor=document.next_cursor,
        total=document.total,
    )


def _document(body: Any, kind: str) -> _Document:
    if isinstance(body, bytes | bytearray | str):
        body = decode_json(body)
    included: list[tuple[str | None, dict[str, Any]]] = []
    total = next_cursor = None
    if isinstance(body, dict):
        data = _primary(body, kind)
        included = list(_included(body.get("included")))
        meta = _mapping(body.get("meta"))
        links = _mapping(body.get("links"))
        total = integer(meta.get("total"))
        next_link = links.get("next")
        if isinstance(next_link, dict):
            next_link = next_link.get("href")
        next_cursor = identifier(next_link) or identifier(meta.get("next_cursor"))
    elif isinstance(body, list):
        data = body
    else:
        raise BadResponse("WellApp sent JSON without recognisable data.")
    if not all(isinstance(item, dict) for item in data):
        raise BadResponse("WellApp sent data that is not a list of records.")
    return _Document(data=data, included=included, total=total, next_cursor=next_cursor)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _primary(body: dict[str, Any], kind: str) -> list[Any]:
    if "data" in body:
        data = body["data"]
    else:
        wrapped = [value for key, value in body.items() if kind_of(key) == kind]
        if wrapped:
            data = wrapped[0]
        elif _RESOURCE_KEYS & body.keys() or _PHONE_KEYS & body.keys():
            data = body
        else:
            raise BadResponse("WellApp sent JSON without recognisable data.")
    if data is None:
        return []
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return data
    raise BadResponse("WellApp sent a data section that is neither a record nor a list.")


def _included(value: Any) -> Iterable[tuple[str | None, dict[str, Any]]]:
    if isinstance(value, list):
        yield from ((None, item) for item in value if isinstance(item, dict))
    elif isinstance(value, dict):
        for key, group in value.items():
            hint = kind_of(key)
            if isinstance(group, list):
                yield from ((hint, item) for item in group if isinstance(item, dict))
            elif isinstance(group, dict):
                yield hint, group


def _directory(body: Any, kind: str) -> tuple[Related, list[str], _Document]:
    document = _document(body, kind)
    related = Related()
    keys: list[str] = []
    for resource in document.data:
        found = kind_of(resource.get("type"))
        if found is not None and found != kind:
            raise BadResponse(f"WellApp sent a {found} record in a {kind} listing.")
        key = related.add(kind, resource, bare=True)
        if key is None:
            raise BadResponse(f"WellApp sent a {kind} record without an id.")
        if key not in keys:
            keys.append(key)
    aliases = related.finish()
    return related, list(dict.fromkeys(aliases.get(key, key) for key in keys)), document


def _phone(resource: dict[str, Any], related: Related) -> PhoneRecord:
    attributes = attributes_of(resource)
    phone_id = identifier(resource.get("id")) or identifier(attributes.get("id"))
    if phone_id is None:
        raise BadResponse("WellApp sent a phone without an id.")
    person_ids: list[str] = []
    company_ids: list[str] = []
    workspaces: list[WorkspaceRef] = []
    pivots: list[Pivot] = []
    relationships = resource.get("relationships")
    for name, value in (relationships if isinstance(relationships, dict) else {}).items():
        for item in relationship_items(value):
            kind = kind_of(item.get("type")) or kind_of(name)
            if kind in PIVOT_TARGETS:
                pivots.append(related.pivot(kind, item))
            elif kind in ("person", "company", "workspace"):
                related.add(kind, item)
                ref = related.ref(kind, item)
                if kind == "person" and isinstance(ref, str):
                    person_ids.append(ref)
                elif kind == "company" and isinstance(ref, str):
                    company_ids.append(ref)
                elif isinstance(ref, WorkspaceRef):
                    workspaces.append(ref)
    pivots.extend(p for p in related.pivots_of(phone_id) if all(p[1] is not q[1] for q in pivots))
    for pivot in pivots:
        target = related.pivot_target(pivot)
        if target is not None:
            (person_ids if target[0] == "person" else company_ids).append(target[1])
    pivot_attributes = [attributes_of(item) for _, item in pivots]
    country_code, national_number, e164_number = _number(attributes)
    return PhoneRecord(
        id=phone_id,
        country_code=country_code,
        national_number=national_number,
        e164_number=e164_number,
        label=text(_first(attributes, pivot_attributes, "label")) or "other",
        is_primary=bool(boolean(_first(attributes, pivot_attributes, "is_primary"))),
        is_verified=bool(boolean(_first(attributes, pivot_attributes, "is_verified", "is_verify"))),
        created_at=parse_timestamp(attributes.get("created_at")),
        updated_at=parse_timestamp(attributes.get("updated_at")),
        person_ids=list(dict.fromkeys(person_ids)),
        company_ids=list(dict.fromkeys(company_ids)),
        workspaces=list(dict.fromkeys(workspaces)),
        raw=resource,
    )


def _number(attributes: dict[str, Any]) -> tuple[int, str, str]:
    raw_code = attributes.get("country_code")
    country_code = integer(raw_code.strip().lstrip("+") if isinstance(raw_code, str) else raw_code)
    raw_national = attributes.get("national_number")
    e164 = digits(attributes.get("e164_number") or attributes.get("e164"))
    national = digits(raw_national) if isinstance(raw_national, str) else ""
    if e164 and country_code is None:
        country_code, national = _split_e164(e164, national)
    elif e164 and not national and e164.startswith(str(country_code)):
        national = e164[len(str(country_code)) :]
    if not national and raw_national is not None:
        national = digits(raw_national)
    if country_code is None or not national:
        raise BadResponse("WellApp sent a phone without a readable number.")
    return country_code, national, f"+{e164}" if e164 else f"+{country_code}{national}"


def _split_e164(e164: str, national: str) -> tuple[int | None, str]:
    import phonenumbers

    try:
        number = phonenumbers.parse(f"+{e164}")
    except phonenumbers.NumberParseException:
        return None, national
    return number.country_code, national or phonenumbers.national_significant_number(number)


def _first(attributes: dict[str, Any], others: list[dict[str, Any]], *names: str) -> Any:
    for source in (attributes, *others):
        for name in names:
            if source.get(name) is not None:
                return source[name]
    return None
