"""Collects the people, companies and workspaces a WellApp answer mentions.

Records arrive side-loaded in ``included``, inline in ``relationships`` items, or inside
``person_phones``/``company_phones`` pivots; the same record may arrive several times with
different subsets of its attributes. :class:`Related` merges them by identity (a workspace
may be known by its WellApp id, by its ``external_workspace_id``, or both) and builds the
final records.
"""

from __future__ import annotations

from typing import Any

from phones.upstream.coerce import (
    attributes_of,
    boolean,
    identifier,
    kind_of,
    parse_timestamp,
    relationship_items,
    text,
)
from phones.upstream.records import CompanyRecord, PersonRecord, WorkspaceRecord, WorkspaceRef

PIVOT_TARGETS = {"person_phone": "person", "company_phone": "company"}
_TARGET_ID_KEYS = {
    "person": ("person_id", "people_id", "persons_id"),
    "company": ("company_id", "companies_id"),
}
_EXTERNAL = "\x00ext:"

type Pivot = tuple[str, dict[str, Any]]


class Related:
    """Merges the related records of one answer; call :meth:`finish` before reading them."""

    def __init__(self) -> None:
        self._tables: dict[str, dict[str, dict[str, Any]]] = {
            "person": {},
            "company": {},
            "workspace": {},
        }
        self._pivots: dict[tuple[str, str], dict[str, Any]] = {}
        self._pivots_by_phone: dict[str, list[Pivot]] = {}

    def add(self, kind: str | None, resource: dict[str, Any], *, bare: bool = False) -> str | None:
        """Record what ``resource`` says about a person/company/workspace (or register a
        pivot) and return its key. A mere reference (no attributes) is only recorded when
        ``bare`` is set, so links never produce empty records."""
        if kind in PIVOT_TARGETS:
            self._add_pivot(kind, resource)
            return None
        table = self._tables.get(kind or "")
        if table is None:
            return None
        attributes = attributes_of(resource)
        values = {k: v for k, v in attributes.items() if v is not None}
        record_id = identifier(resource.get("id"))
        key = record_id
        if kind == "workspace":
            external = identifier(resource.get("external_workspace_id")) or identifier(
                attributes.get("external_workspace_id")
            )
            if external:
                values["external_workspace_id"] = external
                key = record_id or _EXTERNAL + external
        described = any(name != "external_workspace_id" for name in values)
        if key is None or not (described or bare or key in table):
            return key if key in table else None
        entry = table.setdefault(key, {})
        entry.update((k, v) for k, v in values.items() if v != "" or k not in entry)
        return key

    def ref(self, kind: str, item: dict[str, Any]) -> str | WorkspaceRef | None:
        """The link a relationship item makes: an id, or a WorkspaceRef for workspaces."""
        record_id = identifier(item.get("id"))
        if kind != "workspace":
            return record_id
        external = identifier(item.get("external_workspace_id")) or identifier(
            attributes_of(item).get("external_workspace_id")
        )
        if record_id is None and external is None:
            return None
        return WorkspaceRef(id=record_id, external_id=external)

    def pivot(self, kind: str, item: dict[str, Any]) -> Pivot:
        """A pivot item from a relationship, resolved through ``included`` when it is a bare
        reference."""
        pivot_id = identifier(item.get("id"))
        if not isinstance(item.get("attributes"), dict) and pivot_id is not None:
            return kind, self._pivots.get((kind, pivot_id), item)
        return kind, item

    def pivots_of(self, phone_id: str) -> list[Pivot]:
        """Pivots side-loaded in ``included`` that name ``phone_id``."""
        return self._pivots_by_phone.get(phone_id, [])

    def pivot_target(self, pivot: Pivot) -> tuple[str, str] | None:
        """(kind, id) of the person or company a pivot links to; records it carries inline
        are collected too."""
        kind, item = pivot
        target = PIVOT_TARGETS[kind]
        attributes = attributes_of(item)
        for key in _TARGET_ID_KEYS[target]:
            found = identifier(attributes.get(key)) or identifier(item.get(key))
            if found:
                return target, found
        relationships = item.get("relationships")
        nested = [v for k, v in attributes.items() if kind_of(k) == target]
        if isinstance(relationships, dict):
            for name, value in relationships.items():
                if kind_of(name) == target:
                    nested.extend(relationship_items(value))
        for candidate in nested:
            if isinstance(candidate, dict) and identifier(candidate.get("id")):
                self.add(target, candidate)
                return target, str(identifier(candidate.get("id")))
        return None

    def finish(self) -> dict[str, str]:
        """Merge workspaces known only by external id into the same workspace known by id;
        returns the keys that were merged away, mapped to the key that absorbed them."""
        table = self._tables["workspace"]
        by_external = {
            entry["external_workspace_id"]: key
            for key, entry in table.items()
            if not key.startswith(_EXTERNAL) and entry.get("external_workspace_id")
        }
        aliases: dict[str, str] = {}
        for key in [k for k in table if k.startswith(_EXTERNAL)]:
            target = by_external.get(key[len(_EXTERNAL) :])
            if target is not None:
                entry = table.pop(key)
                table[target] = {**entry, **table[target]}
                aliases[key] = target
        return aliases

    def resolve(self, ref: WorkspaceRef) -> WorkspaceRef:
        """Complete a workspace link with whichever of id / external id the answer revealed."""
        table = self._tables["workspace"]
        if ref.id is not None:
            external = ref.external_id or table.get(ref.id, {}).get("external_workspace_id")
            return WorkspaceRef(id=ref.id, external_id=identifier(external))
        for key, entry in table.items():
            if not key.startswith(_EXTERNAL) and entry.get("external_workspace_id") == (
                ref.external_id
            ):
                return WorkspaceRef(id=key, external_id=ref.external_id)
        return ref

    def people(self) -> list[PersonRecord]:
        return [self.person(key) for key in self._tables["person"]]

    def companies(self) -> list[CompanyRecord]:
        return [self.company(key) for key in self._tables["company"]]

    def workspaces(self) -> list[WorkspaceRecord]:
        return [self.workspace(key) for key in self._tables["workspace"]]

    def person(self, key: str) -> PersonRecord:
        values = self._tables["person"][key]
        first_name, last_name = text(values.get("first_name")), text(values.get("last_name"))
        return PersonRecord(
            id=key,
            first_name=first_name,
            last_name=last_name,
            full_name=text(values.get("full_name") or values.get("name"))
            or (f"{first_name or ''} {last_name or ''}".strip() or None),
            email=text(values.get("email")),
            job_title=text(values.get("job_title")),
            created_at=parse_timestamp(values.get("created_at")),
            updated_at=parse_timestamp(values.get("updated_at")),
        )

    def company(self, key: str) -> CompanyRecord:
        values = self._tables["company"][key]
        return CompanyRecord(
            id=key,
            name=text(values.get("name")),
            description=text(values.get("description")),
            domain=text(values.get("domain") or values.get("domain_name_primary_link_url")),
            website=text(values.get("website")),
            locale=text(values.get("locale")),
            created_at=parse_timestamp(values.get("created_at")),
            updated_at=parse_timestamp(values.get("updated_at")),
        )

    def workspace(self, key: str) -> WorkspaceRecord:
        values = self._tables["workspace"][key]
        return WorkspaceRecord(
            id=None if key.startswith(_EXTERNAL) else key,
            external_workspace_id=identifier(values.get("external_workspace_id")),
            name=text(values.get("name")),
            description=text(values.get("description")),
            avatar_color=text(values.get("avatar_color")),
            auto_extract_enabled=boolean(values.get("auto_extract_enabled")),
            created_at=parse_timestamp(values.get("created_at")),
            updated_at=parse_timestamp(values.get("updated_at")),
        )

    def _add_pivot(self, kind: str, resource: dict[str, Any]) -> None:
        pivot_id = identifier(resource.get("id"))
        if pivot_id is not None:
            self._pivots[(kind, pivot_id)] = resource
        attributes = attributes_of(resource)
        phone_id = identifier(attributes.get("phone_id")) or identifier(resource.get("phone_id"))
        relationships = resource.get("relationships")
        if phone_id is None and isinstance(relationships, dict):
            for name, value in relationships.items():
                items = relationship_items(value) if kind_of(name) == "phone" else []
                phone_id = phone_id or (identifier(items[0].get("id")) if items else None)
        if phone_id is not None:
            self._pivots_by_phone.setdefault(phone_id, []).append((kind, resource))
