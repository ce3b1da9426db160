"""Deterministic benchmark phones, made in chunks that can be built in parallel.

Each chunk has its own ``random.Random`` derived from the seed, so the same sizes and seed
always give the same database. Phones are made oldest first, the order a full sync writes
them, with creation times spread over three years; each has 0-2 people, 0-1 company and 1-2
workspaces, and the listing row the app itself would compute for it (none for a phone marked
deleted). Phone ``i`` (counting from 0) has listing id ``i + 1``, whichever chunk makes it.

The rows are put together here rather than by the app's functions, which would take minutes
for a million phones; on every 997th phone and the first listed one of each chunk they are
checked against the app's own: the number against phonenumbers, the listing row against
``phones.services.listing.listing_values``, so a column the app adds or computes differently
stops the generator instead of going in wrong.
"""

import json
import random
from dataclasses import dataclass, field

from bench.directory import END, SPAN, Directory, Stamp, iso_stamp, uuid4_from
from bench.numbers import check_number, number_makers, region_of
from phones.models import Company, Person, Phone, PhoneListing, Workspace
from phones.services.listing import SEPARATOR, listing_values

LABELS = ("mobile",) * 9 + ("work",) * 7 + ("home",) * 2 + ("other", "")
# The phone document as WellApp lists it (ids and labels here never need JSON escaping).
RAW = (
    '{{"type":"phone","id":"{id}","attributes":{{"country_code":{code},'
    '"national_number":"{national}","e164_number":"{e164}","label":"{label}",'
    '"is_primary":{primary},"is_verified":{verified},"created_at":"{created}",'
    '"updated_at":"{updated}"}},"relationships":{{"persons":{{"data":[{persons}]}},'
    '"companies":{{"data":[{companies}]}},"workspaces":{{"data":[{workspaces}]}}}}}}'
)


@dataclass
class PhoneBatch:
    phones: list[tuple] = field(default_factory=list)
    listing: list[tuple] = field(default_factory=list)
    listing_links: list[tuple] = field(default_factory=list)
    people: list[tuple] = field(default_factory=list)
    companies: list[tuple] = field(default_factory=list)
    workspaces: list[tuple] = field(default_factory=list)


PHONE_COLUMNS = (
    "id",
    "country_code",
    "national_number",
    "e164_number",
    "label",
    "is_primary",
    "is_verified",
    "upstream_created_at",
    "upstream_updated_at",
    "fetched_at",
    "raw",
    "deleted_at",
)
# The listing row (PhoneListing); its id is the FTS rowid on SQLite.
LISTING_COLUMNS = (
    "id",
    "phone_id",
    "text",
    "links",
    "names",
    "created_at",
    "updated_at",
    "e164_number",
    "international",
    "region",
    "label",
    "country_code",
    "is_primary",
    "is_verified",
)


# A listed phone's link in creation order (PhoneListingLink).
LISTING_LINK_COLUMNS = ("listing_id", "phone_id", "kind", "record_id", "created_at")


# A record a phone can link to: (id, the pair build_search_text takes for it, that pair's
# part of the search text, its reference in the phone's document, its mark in the listing
# row's links, its name as the table shows it, and the key its kind is sorted by there).
Linked = tuple[str, tuple[str, str], str, str, str, str, tuple[str, str]]


def _linked(
    kind: str, document_type: str, record: Person | Company | Workspace, pair: tuple[str, str]
) -> Linked:
    record_id = str(record.pk)
    text = SEPARATOR.join(v.strip() for v in pair if v and v.strip()).lower()
    reference = f'{{"type":"{document_type}","id":"{record_id}"}}'
    order = (record.full_name if isinstance(record, Person) else record.name, record_id)
    mark = PhoneListing.link_mark(kind, record_id)
    return record_id, pair, text, reference, mark, str(record), order


def _names(*kinds: list[Linked]) -> str:
    """The listing row's ``names`` (``phones.services.listing.names_text``)."""
    return json.dumps(
        [[r[5] for r in sorted(kind, key=lambda r: r[6])] for kind in kinds],
        ensure_ascii=False,
        separators=(",", ":"),
    )


@dataclass(frozen=True)
class PhoneLinks:
    """What a phone can link to, each record made ready once (see ``Linked``)."""

    people: list[Linked]
    companies: list[Linked]
    workspaces: list[Linked]

    @classmethod
    def of(cls, directory: Directory) -> "PhoneLinks":
        return cls(
            people=[
                _linked(
                    "people",
                    "people",
                    Person(
                        id=p["id"],
                        full_name=p["full_name"],
                        first_name=p["first_name"],
                        last_name=p["last_name"],
                    ),
                    (p["full_name"], p["email"]),
                )
                for p in directory.people
            ],
            companies=[
                _linked(
                    "companies",
                    "company",
                    Company(id=c["id"], name=c["name"]),
                    (c["name"], c["domain"]),
                )
                for c in directory.companies
            ],
            workspaces=[
                _linked(
                    "workspaces",
                    "workspace",
                    Workspace(
                        id=w["id"], name=w["name"], external_workspace_id=w["external_workspace_id"]
                    ),
                    (w["name"], w["external_workspace_id"]),
                )
                for w in directory.workspaces
            ],
        )


def chunk_rng(seed: int, chunk: int) -> random.Random:
    """The generator of one chunk of phones: chunks can be made in any order, or in parallel,
    and still give the same data."""
    return random.Random(f"{seed}:phones:{chunk}")


CHECK_EVERY = 997


def check_listing(row: tuple, phone: tuple, linked: list[list[Linked]]) -> None:
    """The listing row made here is the one the app makes for the same phone and links."""
    instance = Phone(**dict(zip(PHONE_COLUMNS, phone, strict=True)))
    people, companies, workspaces = linked
    instance._prefetched_objects_cache = {  # type: ignore[attr-defined]
        "people": [Person(id=r[0], full_name=r[1][0], email=r[1][1]) for r in people],
        "companies": [Company(id=r[0], name=r[1][0], domain=r[1][1]) for r in companies],
        "workspaces": [
            Workspace(id=r[0], name=r[1][0], external_workspace_id=r[1][1]) for r in workspaces
        ],
    }
    expected = listing_values(instance)
    made = dict(zip(LISTING_COLUMNS[2:], row[2:], strict=True))
    if made != expected:
        differ = sorted(set(made) ^ set(expected)) or [
            column for column in made if made[column] != expected[column]
        ]
        raise ValueError(f"listing row of {phone[3]} differs from the app's in {differ}")


def make_phone_chunk(
    rng: random.Random, first: int, count: int, total: int, links: PhoneLinks, stamp: Stamp
) -> PhoneBatch:
    """Phones ``first`` .. ``first + count - 1`` of ``total`` (oldest first), with their
    links and listing rows."""
    people, companies, workspaces = links.people, links.companies, links.workspaces
    makers = number_makers(rng)
    random_ = rng.random
    n_people, n_companies, n_ws = len(people), len(companies), len(workspaces)
    step = SPAN / max(total, 1)
    start = END - SPAN
    out = PhoneBatch()
    listing_append, people_append = out.listing.append, out.people.append
    links_append = out.listing_links.append
    companies_append, workspaces_append = out.companies.append, out.workspaces.append
    for i in range(first, first + count):
        phone_uuid = uuid4_from(rng)
        phone_id = phone_uuid.hex
        code, national, template = makers[int(random_() * len(makers))]()
        e164 = f"+{code}{national}"
        check = i % CHECK_EVERY == 0
        if check:
            check_number(e164, national)
        created_ts = start + int(i * step + random_() * step)
        updated_ts = created_ts
        if random_() < 0.3:
            updated_ts += int(random_() * (END - created_ts))
        created, updated = stamp(created_ts), stamp(updated_ts)
        fetched = stamp(END + int(random_() * 86400))
        label = LABELS[int(random_() * len(LABELS))]
        primary, verified = random_() < 0.3, random_() < 0.6
        r = random_()
        linked_people = []
        if r >= 0.2:
            linked_people.append(people[int(random_() * n_people)])
            if r >= 0.8 and n_people > 1:
                other = people[int(random_() * n_people)]
                if other is not linked_people[0]:
                    linked_people.append(other)
        linked_companies = []
        if n_companies and random_() < 0.5:
            linked_companies.append(companies[int(random_() * n_companies)])
        linked_ws = [workspaces[int(random_() * n_ws)]]
        if random_() >= 0.7 and n_ws > 1:
            other = workspaces[int(random_() * n_ws)]
            if other is not linked_ws[0]:
                linked_ws.append(other)
        raw = RAW.format(
            id=phone_uuid,
            code=code,
            national=national,
            e164=e164,
            label=label,
            primary="true" if primary else "false",
            verified="true" if verified else "false",
            created=iso_stamp(created_ts),
            updated=iso_stamp(updated_ts),
            persons=",".join([p[3] for p in linked_people]),
            companies=",".join([c[3] for c in linked_companies]),
            workspaces=",".join([w[3] for w in linked_ws]),
        )
        deleted = fetched if random_() < 0.003 else None
        phone = (
            phone_id,
            code,
            national,
            e164,
            label,
            primary,
            verified,
            created,
            updated,
            fetched,
            raw,
            deleted,
        )
        out.phones.append(phone)
        if deleted is None:
            parts, marks = [e164, national], []
            for record in (*linked_people, *linked_companies, *linked_ws):
                if record[2]:
                    parts.append(record[2])
                marks.append(record[4])
            row = (
                i + 1,
                phone_id,
                SEPARATOR.join(parts),
                "".join(marks),
                _names(linked_people, linked_companies, linked_ws),
                created,
                updated,
                e164,
                template.format(*national),
                region_of(code, national),
                label,
                code,
                primary,
                verified,
            )
            if check or not out.listing:
                check_listing(row, phone, [linked_people, linked_companies, linked_ws])
            listing_append(row)
            for kind, records in (("p", linked_people), ("c", linked_companies), ("w", linked_ws)):
                for record in records:
                    links_append((i + 1, phone_id, kind, record[0], created))
        for p in linked_people:
            people_append((phone_id, p[0]))
        for c in linked_companies:
            companies_append((phone_id, c[0]))
        for w in linked_ws:
            workspaces_append((phone_id, w[0]))
    return out
