"""Generated people, companies and workspaces, derived from a seed and an index."""

from __future__ import annotations

import re

from sandbox.records import Company, Person, Workspace
from sandbox.seed import SEED_COMPANY, SEED_PERSON, SEED_WORKSPACES
from sandbox.vocabulary import (
    AVATAR_COLORS,
    COMPANY_NOUNS,
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    JOB_TITLES,
    LAST_NAMES,
    LOCALES,
    TEAMS,
)

MASK64 = (1 << 64) - 1
SPAN_SECONDS = 2 * 365 * 24 * 3600
PERSON_ID = re.compile(r"person_(\d{6,})")
COMPANY_ID = re.compile(r"company_(\d{5,})")


def mix64(value: int) -> int:
    """SplitMix64 finaliser: spreads the bits of a 64-bit integer."""
    value &= MASK64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & MASK64
    return value ^ (value >> 31)


class DirectoryData:
    """People and companies are computed on demand; workspaces are few and kept in a list.
    Index 0 of each kind (and 1 for workspaces) is the seed document's record."""

    def __init__(self, *, people: int, companies: int, workspaces: int, salt: int, end: int):
        self.people_count = people
        self.companies_count = companies
        self._salt = salt
        self.end = end
        self.workspaces = [self._make_workspace(k) for k in range(workspaces)]
        self.workspace_index = {ws.id: k for k, ws in enumerate(self.workspaces)}

    def _hash(self, kind: int, index: int) -> int:
        return mix64(self._salt ^ mix64((kind << 40) + index))

    def _spread_ts(self, h: int) -> int:
        return self.end - SPAN_SECONDS + (h % (SPAN_SECONDS - 86_400))

    # ---- people ------------------------------------------------------------------------
    def person(self, k: int) -> Person:
        if k == 0:
            return SEED_PERSON
        h = self._hash(1, k)
        first = FIRST_NAMES[h % len(FIRST_NAMES)]
        last = LAST_NAMES[(h >> 8) % len(LAST_NAMES)]
        domain = EMAIL_DOMAINS[(h >> 16) % len(EMAIL_DOMAINS)]
        created = self._spread_ts(h >> 20)
        updated = created + ((h >> 52) % 400) * 86_400 // 4
        return Person(
            id=f"person_{k:06d}",
            first_name=first,
            last_name=last,
            email=f"{first}.{last}.{k}@{domain}".lower().replace("'", ""),
            job_title=JOB_TITLES[(h >> 44) % len(JOB_TITLES)],
            created_at=created,
            updated_at=min(updated, self.end),
        )

    def person_index(self, person_id: str) -> int | None:
        if person_id == SEED_PERSON.id:
            return 0
        match = PERSON_ID.fullmatch(person_id)
        if match is None:
            return None
        k = int(match.group(1))
        if k < 1 or k >= self.people_count or person_id != f"person_{k:06d}":
            return None
        return k

    # ---- companies ---------------------------------------------------------------------
    def company(self, k: int) -> Company:
        if k == 0:
            return SEED_COMPANY
        h = self._hash(2, k)
        word = COMPANY_WORDS[h % len(COMPANY_WORDS)]
        noun = COMPANY_NOUNS[(h >> 8) % len(COMPANY_NOUNS)]
        suffix = COMPANY_SUFFIXES[(h >> 16) % len(COMPANY_SUFFIXES)]
        slug = f"{word}-{noun}-{k}".lower().replace(" ", "")
        created = self._spread_ts(h >> 20)
        return Company(
            id=f"company_{k:05d}",
            name=f"{word} {noun} {suffix}",
            description=f"{word} {noun.lower()} services",
            domain=f"{slug}.example",
            website=f"https://{slug}.example",
            locale=LOCALES[(h >> 52) % len(LOCALES)],
            created_at=created,
            updated_at=min(created + ((h >> 56) % 90) * 86_400, self.end),
        )

    def company_index(self, company_id: str) -> int | None:
        if company_id == SEED_COMPANY.id:
            return 0
        match = COMPANY_ID.fullmatch(company_id)
        if match is None:
            return None
        k = int(match.group(1))
        if k < 1 or k >= self.companies_count or company_id != f"company_{k:05d}":
            return None
        return k

    # ---- workspaces --------------------------------------------------------------------
    def _make_workspace(self, k: int) -> Workspace:
        if k < len(SEED_WORKSPACES):
            return SEED_WORKSPACES[k]
        h = self._hash(3, k)
        team = TEAMS[k % len(TEAMS)]
        rounds = k // len(TEAMS)
        name = f"{team} Team Workspace" + (f" {rounds + 1}" if rounds else "")
        slug = team.lower().replace(" ", "_") + (f"_{rounds + 1}" if rounds else "")
        if k % 2:
            hex32 = f"{(h << 64 | mix64(h)) & ((1 << 128) - 1):032x}"
            ws_id = (
                f"{hex32[:8]}-{hex32[8:12]}-4{hex32[13:16]}-"
                f"{'89ab'[int(hex32[16], 16) % 4]}{hex32[17:20]}-{hex32[20:]}"
            )
        else:
            ws_id = f"workspace_{slug}"
        created = self._spread_ts(h >> 8)
        return Workspace(
            id=ws_id,
            name=name,
            description=f"Workspace for {team.lower()} activities",
            avatar_color=AVATAR_COLORS[(h >> 40) % len(AVATAR_COLORS)],
            external_workspace_id=f"{slug[:4]}_ws_{k:03d}",
            auto_extract_enabled=bool((h >> 50) & 1),
            created_at=created,
            updated_at=min(created + ((h >> 52) % 60) * 86_400, self.end),
        )
