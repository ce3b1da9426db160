"""Checking the rows of a bulk create against the local cache, before anything is sent.

Each row's number is read as the new-phone form reads it; its links are looked up in the
cached directory all at once (a few queries per kind of record, however many rows), and its
number is compared with the cached phones and the other rows of the import.

A link value names a record by its id (which wins), or else by what staff know it by: a
person's email or exact full name, a company's domain or exact name, a workspace's external
id or exact name (names and emails in any case). Several matches make it ambiguous.
"""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Lower

from phones.import_cells import LINK_KINDS, bare_domain, link_keys, read_cells, shown
from phones.import_rows import SourceRow
from phones.models import Company, Person, Phone, Workspace
from phones.phone_numbers import NumberCheck
from phones.upstream.drafts import PhoneDraft

Record = Person | Company | Workspace
# kind -> value as given -> id of the record staff chose for it.
Picks = Mapping[str, Mapping[str, str]]

NOUNS = {"people": "person", "companies": "company", "workspaces": "workspace"}
HOW = {
    "people": "an id, an email or the exact name",
    "companies": "an id, a domain or the exact name",
    "workspaces": "an id, an external id or the exact name",
}
MAX_CANDIDATES = 10
MAX_VALUE_LENGTH = 320  # the longest email; longer values match nothing
QUERY_BATCH = 5000  # ids and keys looked up per query


@dataclass(frozen=True)
class LinkCell:
    """One value of a link cell and the cached record it names: ``record`` when it names
    one (or staff chose one), ``candidates`` when it names several (at most MAX_CANDIDATES)."""

    kind: str
    value: str
    record: Record | None = None
    candidates: tuple[Record, ...] = ()

    @property
    def found(self) -> bool:
        return self.record is not None

    @property
    def ambiguous(self) -> bool:
        return self.record is None and bool(self.candidates)

    @property
    def missing(self) -> bool:
        return self.record is None and not self.candidates


@dataclass(frozen=True)
class PreviewRow:
    """One row as it would be sent: the number read, the label and flags, each link
    resolved, what is wrong with it (``problems``, sentences) and whether it repeats a
    number (``duplicate``: "" or why)."""

    line: int
    cells: dict[str, str]
    number: NumberCheck | None  # None when the country is unknown and the number needs one
    country_code: int | None
    national_number: str
    label: str
    is_primary: bool
    is_verified: bool
    links: dict[str, tuple[LinkCell, ...]]
    problems: tuple[str, ...]
    duplicate: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and not self.duplicate

    def draft(self, *, draft_id: uuid.UUID) -> PhoneDraft:
        """The phone this row describes, sent under ``draft_id``; ValueError when the row
        has problems (a duplicate is the caller's to leave out)."""
        if self.problems or self.number is None or self.country_code is None:
            raise ValueError(f"line {self.line} has problems and cannot be sent")
        records = {kind: _unique(cell.record for cell in self.links[kind]) for kind in LINK_KINDS}
        return PhoneDraft(
            id=draft_id,
            country_code=self.country_code,
            national_number=self.national_number,
            e164_number=self.number.e164,
            label=self.label,
            is_primary=self.is_primary,
            is_verified=self.is_verified,
            people=tuple(r for r in records["people"] if isinstance(r, Person)),
            companies=tuple(r for r in records["companies"] if isinstance(r, Company)),
            workspaces=tuple(r for r in records["workspaces"] if isinstance(r, Workspace)),
        )


def preview_rows(
    rows: Iterable[SourceRow],
    *,
    default_region: str,
    seen_e164: Mapping[str, int] | None = None,
    picks: Mapping[int, Picks] | None = None,
) -> list[PreviewRow]:
    """Every row checked, in order. Links are resolved with one query per kind of record
    (per QUERY_BATCH distinct values) and duplicates with one more. A number already on an
    earlier row (or in ``seen_e164``, E.164 -> line, under another line) makes the later row
    the duplicate. ``picks`` (line -> kind -> value -> record id) are the records staff chose
    for values: any cached record of that kind decides; an id no longer cached is ignored."""
    return _preview(list(rows), default_region, dict(seen_e164 or {}), picks or {})


def _preview(
    rows: list[SourceRow], default_region: str, seen: dict[str, int], picks: Mapping[int, Picks]
) -> list[PreviewRow]:
    parsed = [read_cells(row, default_region=default_region) for row in rows]
    lookups: dict[str, _Lookup] = {}
    for kind in LINK_KINDS:
        values = {value for p in parsed for value in p.values[kind]}
        chosen = {
            picks[p.row.line][kind][value]
            for p in parsed
            if kind in picks.get(p.row.line, {})
            for value in p.values[kind]
            if value in picks[p.row.line][kind]
        }
        lookups[kind] = _Lookup(kind, values, chosen)
    cached = _cached_e164({p.number.e164 for p in parsed if p.number and p.number.valid})
    previews: list[PreviewRow] = []
    for p in parsed:
        row_picks = picks.get(p.row.line, {})
        links: dict[str, tuple[LinkCell, ...]] = {}
        problems = list(p.problems)
        for kind in LINK_KINDS:
            cells = []
            for value in p.values[kind]:
                cell, problem = lookups[kind].resolve(value, row_picks.get(kind, {}).get(value))
                cells.append(cell)
                problems += [problem] if problem else []
            links[kind] = tuple(cells)
        number = p.number
        duplicate = ""
        if number is not None and number.valid:
            other = seen.get(number.e164)
            if number.e164 in cached:
                duplicate = f"already in the portal ({number.international})"
            elif other is not None and other != p.row.line:
                duplicate = f"same number as line {other}"
            seen.setdefault(number.e164, p.row.line)
        checked = number if number is not None and number.valid else None
        previews.append(
            PreviewRow(
                line=p.row.line,
                cells=dict(p.row.cells),
                number=number,
                country_code=checked.country_code if checked else None,
                national_number=checked.national_number if checked else "",
                label=p.label,
                is_primary=p.is_primary,
                is_verified=p.is_verified,
                links=links,
                problems=tuple(problems),
                duplicate=duplicate,
            )
        )
    return previews


def _unique(records: Iterable[Record | None]) -> list[Record]:
    seen: dict[str, Record] = {}
    for record in records:
        if record is not None:
            seen.setdefault(record.pk, record)
    return list(seen.values())


def _record_keys(record: Record) -> list[str]:
    if isinstance(record, Person):
        keys = [f"name:{record.full_name.lower()}"] if record.full_name else []
        return keys + ([f"email:{record.email.lower()}"] if record.email else [])
    keys = [f"name:{record.name.lower()}"] if record.name else []
    if isinstance(record, Company):
        domain = bare_domain(record.domain)
        return keys + ([f"domain:{domain}"] if domain else [])
    if record.external_workspace_id:
        keys.append(f"external:{record.external_workspace_id}")
    return keys


def _usable(value: str) -> bool:
    """Whether a value could name a record at all (worth a lookup): not too long, and no
    control characters or lone surrogates, which no record holds and no database takes."""
    return len(value) <= MAX_VALUE_LENGTH and not any(
        ch < " " or ch == "\x7f" or "\ud800" <= ch <= "\udfff" for ch in value
    )


def _fetch(kind: str, ids: list[str], keys: list[str]) -> list[Record]:
    """The cached records of one kind with one of ``ids`` or matching one of ``keys``."""
    texts: dict[str, list[str]] = {"email": [], "domain": [], "external": [], "name": []}
    for key in keys:
        prefix, _, text = key.partition(":")
        texts[prefix].append(text)
    if kind == "people":
        people = Person.objects.alias(
            email_lower=Lower("email"), name_lower=Lower("full_name")
        ).filter(
            Q(id__in=ids) | Q(email_lower__in=texts["email"]) | Q(name_lower__in=texts["name"])
        )
        return list(people)
    if kind == "companies":
        domains = texts["domain"] + [f"www.{d}" for d in texts["domain"]]
        companies = Company.objects.alias(
            domain_lower=Lower("domain"), name_lower=Lower("name")
        ).filter(Q(id__in=ids) | Q(domain_lower__in=domains) | Q(name_lower__in=texts["name"]))
        return list(companies)
    workspaces = Workspace.objects.alias(name_lower=Lower("name")).filter(
        Q(id__in=ids)
        | Q(external_workspace_id__in=texts["external"])
        | Q(name_lower__in=texts["name"])
    )
    return list(workspaces)


class _Lookup:
    """The cached records of one kind that a set of values (and chosen ids) can name,
    read in as few queries as the number of values allows."""

    def __init__(self, kind: str, values: set[str], chosen: set[str]) -> None:
        self.kind = kind
        self.by_id: dict[str, Record] = {}
        self.by_key: dict[str, list[Record]] = {}
        items = [("id", v) for v in sorted(values | chosen) if _usable(v)]
        items += [("key", k) for v in sorted(values) if _usable(v) for k in link_keys(kind, v)]
        for start in range(0, len(items), QUERY_BATCH):
            batch = items[start : start + QUERY_BATCH]
            ids = [text for what, text in batch if what == "id"]
            keys = [text for what, text in batch if what == "key"]
            for record in _fetch(kind, ids, keys):
                self.by_id[record.pk] = record
        for record in sorted(self.by_id.values(), key=lambda r: (str(r).casefold(), r.pk)):
            for key in _record_keys(record):
                self.by_key.setdefault(key, []).append(record)

    def resolve(self, value: str, pick: str | None) -> tuple[LinkCell, str]:
        """The link a value makes, and what is wrong with it as a sentence ("" when nothing
        is). A record chosen for it (``pick``, the id of any cached record of this kind, as
        the picker offers them) decides; a pick naming no cached record is ignored."""
        if value in self.by_id:
            matches = [self.by_id[value]]
        else:
            keys = link_keys(self.kind, value) if _usable(value) else []
            matches = _unique(r for key in keys for r in self.by_key.get(key, []))
        record = matches[0] if len(matches) == 1 else None
        if pick is not None and pick in self.by_id:
            record = self.by_id[pick]
        candidates = tuple(matches[:MAX_CANDIDATES]) if len(matches) > 1 else ()
        cell = LinkCell(kind=self.kind, value=value, record=record, candidates=candidates)
        problem = ""
        if cell.missing:
            problem = (
                f"No {NOUNS[self.kind]} {shown(value)} in the local directory; "
                f"give {HOW[self.kind]}."
            )
        elif cell.ambiguous:
            problem = f"{len(matches)} {self.kind} match {shown(value)}; choose one."
        return cell, problem


def _cached_e164(numbers: set[str]) -> set[str]:
    """Which of ``numbers`` a live cached phone already has."""
    found: set[str] = set()
    ordered = sorted(numbers)
    for start in range(0, len(ordered), QUERY_BATCH):
        found.update(
            Phone.objects.filter(
                e164_number__in=ordered[start : start + QUERY_BATCH], deleted_at__isnull=True
            ).values_list("e164_number", flat=True)
        )
    return found
