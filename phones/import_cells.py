"""Reading the cells of one row of a bulk create: the number, country, label, flags and
link values, as text in and plain values out. No database.
"""

import functools
from dataclasses import dataclass

import phonenumbers

from phones.import_rows import SourceRow
from phones.models import Phone
from phones.phone_numbers import NumberCheck, check_number, region_name

LINK_KINDS = ("people", "companies", "workspaces")
MAX_LINKS = 50  # records of one kind per phone, as the form's pickers allow
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0", ""})
COUNTRY_ALIASES = {"uk": "GB", "usa": "US", "united states of america": "US"}


@dataclass(frozen=True)
class CellReading:
    """What one row says, read without the database: its number checked, its label and
    flags, the values of its link cells, and the problems found so far (sentences)."""

    row: SourceRow
    number: NumberCheck | None
    label: str
    is_primary: bool
    is_verified: bool
    values: dict[str, tuple[str, ...]]
    problems: tuple[str, ...]


def read_cells(row: SourceRow, *, default_region: str) -> CellReading:
    """What one row's cells say; a number without a + is read in the row's country, or
    ``default_region`` when it gives none (a + number decides its own country)."""
    cells = row.cells
    problems: list[str] = []
    raw_number = cells.get("number", "").strip()
    region: str | None = default_region
    if country := cells.get("country", "").strip():
        region = region_from_text(country)
        if region is None:
            problems.append(
                f"Unknown country {shown(country)}: give an ISO code (FR) or an English "
                "name (France)."
            )
    number = None
    if not raw_number:
        problems.append("The number is missing.")
    elif region is not None or raw_number.startswith("+"):
        number = check_number(raw_number, region or "")
        if not number.valid:
            problems.append(number.problem)
    given_label = cells.get("label", "").strip()
    label = given_label.casefold() or Phone.Label.WORK.value
    if label not in Phone.Label.values:
        problems.append(f"Unknown label {shown(given_label)}: use {', '.join(Phone.Label.values)}.")
        label = ""
    flags = {}
    for column in ("primary", "verified"):
        text = cells.get(column, "").strip()
        flags[column] = text.casefold() in YES
        if text.casefold() not in YES | NO:
            problems.append(f"{column.capitalize()} is yes or no, not {shown(text)}.")
    values = {}
    for kind in LINK_KINDS:
        given = link_values(cells.get(kind, ""))
        if len(given) > MAX_LINKS:
            problems.append(f"At most {MAX_LINKS} {kind} per phone; this row gives {len(given)}.")
        values[kind] = given[:MAX_LINKS]
    return CellReading(
        row, number, label, flags["primary"], flags["verified"], values, tuple(problems)
    )


def region_from_text(text: str) -> str | None:
    """The region a country cell names: an ISO code ("fr") or an English name ("France",
    "the Netherlands"), any case; None when it names none."""
    key = " ".join(text.split()).casefold().removeprefix("the ")
    if len(key) == 2 and key.upper() in phonenumbers.SUPPORTED_REGIONS:
        return key.upper()
    return _region_names().get(key)


@functools.cache
def _region_names() -> dict[str, str]:
    names = {region_name(r).casefold(): r for r in phonenumbers.SUPPORTED_REGIONS}
    return names | COUNTRY_ALIASES


def link_values(cell: str) -> tuple[str, ...]:
    """The values of a link cell: separated by ; or line breaks, blanks and repeats dropped."""
    values = (v.strip() for v in cell.replace("\r", "\n").replace("\n", ";").split(";"))
    return tuple(dict.fromkeys(v for v in values if v))


def shown(text: str) -> str:
    """A value quoted in a sentence, cut when long."""
    return f"“{text[:60]}…”" if len(text) > 60 else f"“{text}”"


def bare_domain(text: str) -> str:
    """A domain as given or cached, bare: "https://www.Acme.com/about" -> "acme.com"."""
    host = text.strip().lower()
    host = host.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    host = host.strip(".").removeprefix("www.")
    return host if "." in host and " " not in host else ""


def link_keys(kind: str, value: str) -> list[str]:
    """The keys a link value could match a record of ``kind`` by, besides its id: a
    person's email or full name, a company's domain or name, a workspace's external id or
    name ("email:…", "domain:…", "external:…", "name:…"; names and emails lower-cased)."""
    name = [f"name:{value.lower()}"]
    if kind == "people":
        return [f"email:{value.lower()}", *name] if "@" in value else name
    if kind == "companies":
        domain = bare_domain(value)
        return [f"domain:{domain}", *name] if domain else name
    return [f"external:{value}", *name]
