"""Deterministic benchmark records: the directory (workspaces, companies, people).

Everything comes from the generator's ``random.Random``, so the same sizes and seed always give
the same records. Timestamps are strings in the form each database stores them.
"""

import functools
import random
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bench.vocabulary import (
    COMPANY_TRADES,
    COMPANY_WORDS,
    COUNTRIES,
    JOB_TITLES,
    MAIL_DOMAINS,
    WORKSPACE_COLORS,
    WORKSPACE_REGIONS,
    WORKSPACE_TEAMS,
)

END = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
SPAN = 3 * 365 * 86400

Stamp = Callable[[int], str]


@dataclass(frozen=True)
class Sizes:
    phones: int
    people: int
    companies: int
    workspaces: int


@dataclass
class Directory:
    """Rows for the three directory tables, and what each phone's search text needs."""

    workspaces: list[dict] = field(default_factory=list)
    companies: list[dict] = field(default_factory=list)
    people: list[dict] = field(default_factory=list)

    def tables(self) -> tuple[list[dict], list[dict], list[dict]]:
        """The rows of the workspace, company and person tables, in that order."""
        return self.workspaces, self.companies, self.people


EPOCH = datetime(1970, 1, 1)


@functools.cache
def _date(day: int) -> str:
    return (EPOCH + timedelta(days=day)).date().isoformat()


# Every time of day, "00:00:00" to "23:59:59": millions of timestamps are written.
_TIMES = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]


def _clock(ts: int) -> tuple[str, str]:
    """The date and the time of day of a whole-second UTC timestamp."""
    day, second = divmod(ts, 86400)
    return _date(day), _TIMES[second]


def sqlite_stamp(ts: int) -> str:
    """A UTC timestamp the way Django writes datetimes to SQLite."""
    date, clock = _clock(ts)
    return f"{date} {clock}"


def postgres_stamp(ts: int) -> str:
    date, clock = _clock(ts)
    return f"{date} {clock}+00:00"


def iso_stamp(ts: int) -> str:
    """A UTC timestamp as WellApp writes it in a document."""
    date, clock = _clock(ts)
    return f"{date}T{clock}Z"


def uuid4_from(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def weighted_regions() -> list[str]:
    return [region for region, spec in COUNTRIES.items() for _ in range(spec["share"])]


def _spread(rng: random.Random, stamp: Stamp) -> tuple[str, str]:
    created = END - SPAN - 365 * 86400 + rng.randrange(SPAN)
    updated = created + rng.randrange(END - created) if rng.random() < 0.4 else created
    return stamp(created), stamp(updated)


def make_directory(rng: random.Random, sizes: Sizes, stamp: Stamp) -> Directory:
    """Workspaces, companies and people, deterministic for the generator's state."""
    directory = Directory()
    for k in range(sizes.workspaces):
        team = WORKSPACE_TEAMS[k % len(WORKSPACE_TEAMS)]
        region = WORKSPACE_REGIONS[(k // len(WORKSPACE_TEAMS)) % len(WORKSPACE_REGIONS)]
        tier = k // (len(WORKSPACE_TEAMS) * len(WORKSPACE_REGIONS))
        name = f"{team} {region}" + (f" {tier + 1}" if tier else "")
        slug = _ascii(team)[:4]
        ws_id = str(uuid4_from(rng)) if k % 2 else f"workspace_{_ascii(name)}"
        created, updated = _spread(rng, stamp)
        directory.workspaces.append(
            {
                "id": ws_id,
                "external_workspace_id": f"{slug}_ws_{k:03d}",
                "name": name,
                "description": f"Workspace for {team.lower()} in {region}",
                "avatar_color": WORKSPACE_COLORS[k % len(WORKSPACE_COLORS)],
                "auto_extract_enabled": k % 3 == 0,
                "upstream_created_at": created,
                "upstream_updated_at": updated,
            }
        )
    regions = weighted_regions()
    domains: set[str] = set()
    for k in range(sizes.companies):
        spec = COUNTRIES[rng.choice(regions)]
        style = rng.random()
        if style < 0.4:
            root = f"{rng.choice(spec['last'])} {rng.choice(COMPANY_TRADES)}"
        elif style < 0.8:
            root = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_TRADES)}"
        else:
            root = f"{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_WORDS).lower()}"
        domain = f"{_ascii(root)}.{spec['tld']}"
        if domain in domains:
            domain = f"{_ascii(root)}{k}.{spec['tld']}"
        domains.add(domain)
        created, updated = _spread(rng, stamp)
        directory.companies.append(
            {
                "id": f"company_{k:05d}" if k % 4 else str(uuid4_from(rng)),
                "name": f"{root} {rng.choice(spec['suffixes'])}",
                "description": "",
                "domain": domain,
                "website": f"https://www.{domain}",
                "locale": spec["locale"],
                "upstream_created_at": created,
                "upstream_updated_at": updated,
            }
        )
    emails: set[str] = set()
    for _ in range(sizes.people):
        spec = COUNTRIES[rng.choice(regions)]
        first, last = rng.choice(spec["first"]), rng.choice(spec["last"])
        if directory.companies and rng.random() < 0.6:
            domain = rng.choice(directory.companies)["domain"]
        else:
            domain = rng.choice(MAIL_DOMAINS)
        local = f"{_ascii(first)}.{_ascii(last)}"
        email = f"{local}@{domain}"
        while email in emails:
            email = f"{local}{rng.randrange(10, 1000)}@{domain}"
        emails.add(email)
        created, updated = _spread(rng, stamp)
        directory.people.append(
            {
                "id": str(uuid4_from(rng)),
                "first_name": first,
                "last_name": last,
                "full_name": f"{first} {last}",
                "email": email,
                "job_title": rng.choice(JOB_TITLES) if rng.random() < 0.8 else "",
                "upstream_created_at": created,
                "upstream_updated_at": updated,
            }
        )
    return directory
