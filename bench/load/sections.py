"""The load test's part of ``bench/results.md``: one section per configuration (e.g. "100k
phones, SQLite" and "1M phones, PostgreSQL"), each replaced by its own run, the others kept.

The whole part sits between ``<!-- load:start -->`` and ``<!-- load:end -->`` (which
``bench/report.py`` keeps when it writes the benchmark's sections); each configuration's
section between ``<!-- load:<key>:start -->`` and ``<!-- load:<key>:end -->``.
"""

import re
from pathlib import Path

START_MARKER = "<!-- load:start -->"
END_MARKER = "<!-- load:end -->"
SECTION = re.compile(r"<!-- load:([a-z0-9-]+):start -->\n.*?<!-- load:\1:end -->", re.DOTALL)


def approximate(count: int) -> str:
    """A row count as a configuration names it: 100,000 -> "100k", 1,000,350 -> "1M"."""
    rounded = float(f"{count:.3g}")
    if rounded >= 1_000_000:
        return f"{rounded / 1_000_000:g}M"
    if rounded >= 1_000:
        return f"{rounded / 1_000:g}k"
    return f"{count}"


def configuration_key(title: str) -> str:
    """The marker name of a configuration's section: "1M phones, PostgreSQL" ->
    "1m-phones-postgresql"."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def merge_section(document: str, key: str, section: str) -> str:
    """``document`` with the section of configuration ``key`` replaced, or added after the
    others; the other configurations' sections and everything outside the load-test part are
    kept (text inside that part but outside any section's markers is not)."""
    block = f"<!-- load:{key}:start -->\n{section.strip()}\n<!-- load:{key}:end -->"
    start, end = document.find(START_MARKER), document.find(END_MARKER)
    if start != -1 and end > start:
        inside = document[start + len(START_MARKER) : end]
        before = document[:start]
        rest = document[end + len(END_MARKER) :].lstrip("\n")
    else:
        inside, rest = "", ""
        before = document.rstrip("\n") + "\n\n" if document.strip() else ""
    sections = {match.group(1): match.group(0) for match in SECTION.finditer(inside)}
    sections[key] = block  # in place when it was there, else last
    part = f"{START_MARKER}\n" + "\n\n".join(sections.values()) + f"\n{END_MARKER}\n"
    return before + part + (f"\n{rest}" if rest else "")


def record(path: Path, key: str, section: str) -> None:
    """Write configuration ``key``'s section into ``path``, keeping everything else in it."""
    existing = path.read_text() if path.exists() else ""
    path.write_text(merge_section(existing, key, section))
