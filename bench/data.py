"""Deterministic benchmark phones, made in chunks that can be built in parallel.

Each chunk has its own ``random.Random`` derived from the seed, so the same sizes and seed
always give the same database. Phones are made oldest first, the order a full sync writes
them, with creation times spread over three years; each has 0-2 people, 0-1 company and 1-2
workspaces, and the search text the app itself would compute for it.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import phonenumbers

from bench.directory import (
    END,
    SPAN,
    Directory,
    Stamp,
    uuid4_from,
    weighted_regions,
)
from bench.vocabulary import COUNTRIES, NUMBER_PLANS
from phones.services.search_index import build_search_text

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
    search: list[tuple] = field(default_factory=list)
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
SEARCH_COLUMNS = ("phone_id", "text")


def _number_makers(rng: random.Random) -> list[Callable[[], tuple[int, str]]]:
    """One maker per country share point: each returns (country code, national number)."""
    makers = []
    for region in weighted_regions():
        code = COUNTRIES[region]["code"]
        plans = [(prefix, total) for prefixes, total in NUMBER_PLANS[region] for prefix in prefixes]

        def make(code=code, plans=plans, us=region == "US") -> tuple[int, str]:
            prefix, total = rng.choice(plans)
            rest = total - len(prefix)
            if us:  # the exchange code never starts with 0 or 1
                tail = f"{rng.randrange(2, 10)}{rng.randrange(10 ** (rest - 1)):0{rest - 1}d}"
            else:
                tail = f"{rng.randrange(10**rest):0{rest}d}"
            return code, prefix + tail

        makers.append(make)
    return makers


@dataclass(frozen=True)
class PhoneLinks:
    """What a phone can link to: (id, name, email-or-domain-or-external-id) per record."""

    people: list[tuple[str, str, str]]
    companies: list[tuple[str, str, str]]
    workspaces: list[tuple[str, str, str]]

    @classmethod
    def of(cls, directory: Directory) -> "PhoneLinks":
        return cls(
            people=[(p["id"], p["full_name"], p["email"]) for p in directory.people],
            companies=[(c["id"], c["name"], c["domain"]) for c in directory.companies],
            workspaces=[
                (w["id"], w["name"], w["external_workspace_id"]) for w in directory.workspaces
            ],
        )


def chunk_rng(seed: int, chunk: int) -> random.Random:
    """The generator of one chunk of phones: chunks can be made in any order, or in parallel,
    and still give the same data."""
    return random.Random(f"{seed}:phones:{chunk}")


CHECK_EVERY = 997


def _check_number(e164: str, national: str) -> None:
    """The number plans must only give numbers phonenumbers calls valid."""
    number = phonenumbers.parse(e164)
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"generated an invalid number: {e164}")
    if phonenumbers.national_significant_number(number) != national:
        raise ValueError(f"national number of {e164} is not {national}")


def make_phone_chunk(
    rng: random.Random, first: int, count: int, total: int, links: PhoneLinks, stamp: Stamp
) -> PhoneBatch:
    """Phones ``first`` .. ``first + count - 1`` of ``total`` (oldest first), with their
    links and search text."""
    people, companies, workspaces = links.people, links.companies, links.workspaces
    makers = _number_makers(rng)
    random_ = rng.random
    n_people, n_companies, n_ws = len(people), len(companies), len(workspaces)
    step = SPAN / max(total, 1)
    start = END - SPAN
    out = PhoneBatch()
    for i in range(first, first + count):
        phone_uuid = uuid4_from(rng)
        phone_id = phone_uuid.hex
        code, national = makers[int(random_() * len(makers))]()
        e164 = f"+{code}{national}"
        if i % CHECK_EVERY == 0:
            _check_number(e164, national)
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
            created=created.replace(" ", "T") + "Z",
            updated=updated.replace(" ", "T") + "Z",
            persons=",".join(f'{{"type":"people","id":"{p[0]}"}}' for p in linked_people),
            companies=",".join(f'{{"type":"company","id":"{c[0]}"}}' for c in linked_companies),
            workspaces=",".join(f'{{"type":"workspace","id":"{w[0]}"}}' for w in linked_ws),
        )
        deleted = fetched if random_() < 0.003 else None
        out.phones.append(
            (
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
        )
        out.search.append(
            (
                phone_id,
                build_search_text(
                    e164_number=e164,
                    national_number=national,
                    people=[(p[1], p[2]) for p in linked_people],
                    companies=[(c[1], c[2]) for c in linked_companies],
                    workspaces=[(w[1], w[2]) for w in linked_ws],
                ),
            )
        )
        out.people.extend((phone_id, p[0]) for p in linked_people)
        out.companies.extend((phone_id, c[0]) for c in linked_companies)
        out.workspaces.extend((phone_id, w[0]) for w in linked_ws)
    return out
