"""Deterministic demo data: people, companies, workspaces and phones.

Everything is a pure function of the seed and a record's index, so even the large size
(100,000 people, 1,000,000 phones) is ready at once: per-phone random bits live in four
compact arrays and a phone's fields are derived from them when it is read. The records from
the seed document (people1, company_tenant, workspace_sales and the marketing workspace)
are always present.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass
from datetime import UTC, datetime

from sandbox.directory_data import SPAN_SECONDS, DirectoryData
from sandbox.records import Phone, epoch
from sandbox.seed import SEED_WORKSPACES

MASK48 = (1 << 48) - 1
LABELS = ("work", "mobile", "home", "other")
DATA_END = datetime(2026, 10, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Sizes:
    """How many records of each kind the demo data holds."""

    workspaces: int
    companies: int
    people: int
    phones: int


SIZES = {
    "default": Sizes(workspaces=8, companies=60, people=400, phones=1_000),
    "large": Sizes(workspaces=200, companies=20_000, people=100_000, phones=1_000_000),
}


def resolve_sizes(size: str, **overrides: int | None) -> Sizes:
    """The named size with any explicit counts applied (seed records always fit)."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of {', '.join(SIZES)}")
    base = SIZES[size]
    counts = {name: getattr(base, name) for name in ("workspaces", "companies", "people", "phones")}
    for name, value in overrides.items():
        if value is not None:
            counts[name] = value
    counts["workspaces"] = max(counts["workspaces"], len(SEED_WORKSPACES))
    counts["companies"] = max(counts["companies"], 1)
    counts["people"] = max(counts["people"], 1)
    counts["phones"] = max(counts["phones"], 0)
    return Sizes(**counts)


def _unxorshift48(value: int, shift: int) -> int:
    result = value
    for _ in range(48 // shift + 1):
        result = value ^ (result >> shift)
    return result


def iso(ts: int) -> str:
    """Epoch seconds as ISO-8601 UTC with a trailing Z."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class DemoData(DirectoryData):
    """The generated directory and phone set for one seed and size.

    Generated phones are created in index order (created_at strictly increases with the
    index) over the two years before the data's end date; ids are UUIDv4 strings whose first
    48 bits are a bijection of the index, so an id maps back to its index without a table.
    """

    def __init__(self, sizes: Sizes, seed: int) -> None:
        self.sizes = sizes
        self.seed = seed
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        end = epoch(min(DATA_END, today))
        rng = random.Random(seed)
        super().__init__(
            people=sizes.people,
            companies=sizes.companies,
            workspaces=sizes.workspaces,
            salt=rng.getrandbits(64),
            end=end,
        )
        self.start = end - max(SPAN_SECONDS, sizes.phones)
        self._add = rng.getrandbits(48)
        self._mul_a = rng.getrandbits(48) | 1
        self._mul_c = rng.getrandbits(48) | 1
        self._inv_a = pow(self._mul_a, -1, 1 << 48)
        self._inv_c = pow(self._mul_c, -1, 1 << 48)
        count = sizes.phones
        self.r1, self.r2, self.r3, self.r4 = (
            array("Q", rng.randbytes(8 * count)) for _ in range(4)
        )
        self.step = (end - self.start) // max(count, 1)

    # ---- phones ------------------------------------------------------------------------
    def scramble(self, i: int) -> int:
        """Bijection of a phone index onto the first 48 bits of its id."""
        x = ((i + self._add) * self._mul_a) & MASK48
        x ^= x >> 24
        x = (x * self._mul_c) & MASK48
        return x ^ (x >> 21)

    def unscramble(self, x: int) -> int:
        x = _unxorshift48(x, 21)
        x = (x * self._inv_c) & MASK48
        x = _unxorshift48(x, 24)
        return ((x * self._inv_a) - self._add) & MASK48

    def phone_id(self, i: int) -> str:
        top = f"{self.scramble(i):012x}"
        r2, r3 = self.r2[i], self.r3[i]
        return (
            f"{top[:8]}-{top[8:]}-4{(r2 >> 36) & 0xFFF:03x}-"
            f"{8 | ((r2 >> 48) & 3):x}{(r2 >> 50) & 0xFFF:03x}-{r3 & MASK48:012x}"
        )

    def phone_index(self, phone_id: str) -> int | None:
        """The base phone index an id belongs to, or None."""
        if len(phone_id) != 36 or phone_id[8] != "-" or phone_id[13] != "-":
            return None
        try:
            top = int(phone_id[:8] + phone_id[9:13], 16)
        except ValueError:
            return None
        i = self.unscramble(top)
        if i >= self.sizes.phones or self.phone_id(i) != phone_id:
            return None
        return i

    def created_ts(self, i: int) -> int:
        return self.start + i * self.step + (self.r1[i] & 0xFFFFFFF) % max(self.step, 1)

    def updated_ts(self, i: int) -> int:
        r1 = self.r1[i]
        created = self.start + i * self.step + (r1 & 0xFFFFFFF) % max(self.step, 1)
        if not (r1 >> 61) & 3:
            return created
        return created + ((r1 >> 28) & 0xFFFF) * (self.end - created) // 0x10000

    def number(self, i: int) -> tuple[int, str]:
        """(country_code, national significant number) for a base phone."""
        pattern = (self.r1[i] >> 44) & 0xFF
        r2 = self.r2[i]
        digits = (r2 & 0xFFFFFFF) % 100_000_000
        if pattern < 77:
            area = ("415", "212", "646")[((r2 >> 28) & 0xFF) % 3]
            return 1, f"{area}55501{digits % 100:02d}"
        if pattern < 115:
            return 44, f"2079460{digits % 1000:03d}"
        if pattern < 166:
            return 39, f"06{digits:08d}"
        if pattern < 217:
            return 33, f"1{digits:08d}"
        return 49, f"30{digits:08d}"

    def workspace_indexes(self, i: int) -> tuple[int, ...]:
        count = self.sizes.workspaces
        first = ((self.r3[i] >> 48) & 0xFFFF) * count >> 16
        if not (self.r1[i] >> 60) & 1:
            return (first,)
        return (first, (first + 1 + ((self.r4[i] >> 60) * (count - 1) >> 4)) % count)

    def base_phone(self, i: int) -> Phone:
        r1, r4 = self.r1[i], self.r4[i]
        country_code, national = self.number(i)
        people = self.sizes.people
        persons: tuple[str, ...] = ()
        wanted = (0, 1, 1, 2)[(r1 >> 56) & 3]
        if wanted:
            first = (r4 & 0xFFFFF) % people
            persons = (self.person(first).id,)
            second = ((r4 >> 20) & 0xFFFFF) % people
            if wanted == 2 and people > 1:
                second = second if second != first else (first + 1) % people
                persons += (self.person(second).id,)
        companies: tuple[str, ...] = ()
        if (r1 >> 58) & 3:
            companies = (self.company(((r4 >> 40) & 0xFFFFF) % self.sizes.companies).id,)
        return Phone(
            id=self.phone_id(i),
            country_code=country_code,
            national_number=national,
            e164_number=f"+{country_code}{national}",
            label=LABELS[(r1 >> 52) & 3],
            is_primary=bool((r1 >> 54) & 1),
            is_verified=bool((r1 >> 55) & 1),
            created_at=self.created_ts(i),
            updated_at=self.updated_ts(i),
            persons=persons,
            companies=companies,
            workspaces=tuple(self.workspaces[w].id for w in self.workspace_indexes(i)),
        )
