"""How the list finds one page of phones: a planned query over the narrow listing rows, which
reads the page's rows (``ROW_COLUMNS``) as it finds them.

Every condition is tested on the listing row itself (``PhoneListing``: sort keys, filter
columns, the ids of its links, search text), so a page never reads the wide phone rows nor
probes a link table per row. What differs is where the
rows come from:

- **walk**: follow the sort order's index and test each row, stopping once the page is full.
  Cheap when matches are common, since few rows are read before the page fills.
- **drive**: take the few phones that can match from an index (the trigram index for the
  search terms, or a link table for a workspace, company or person filter), test and sort
  just those. Cheap when matches are rare.
- **links**: newest (or oldest) first within one workspace, company or person, follow that
  record's links in creation order (``PhoneListingLink``) and test each phone's listing row,
  stopping once the page is full. Cheap for a big record's phones, alone or with a term.

The planner counts a link index's candidates, only as far as driving from it could still
cost less than walking (``count_cap``), and takes the plan that reads fewer rows. Search
terms are never counted in the trigram index (for a name made of common trigrams that costs
more than the page): a page with terms walks a sample of rows first, and the rate of matches
there chooses between walking on and driving (``_sampled``). Every plan tests the same
conditions on the same rows, so they give the same page; the trigram index only ever narrows
the candidates.

The query's conditions and indexes in SQL are ``phones.selectors.listing_sql``'s; the three
reads (walk, links, drive) are ``phones.selectors.listing_reads``'.
"""

import math
import uuid
from dataclasses import dataclass, replace
from typing import Any

from django.db import connection

from phones.selectors.listing_reads import drive, links_walk, walk
from phones.selectors.listing_sql import ListingQuery, Source, listing_sources, python_id

# How many candidates the planner counts at most; an index with more is not driven from.
DRIVE_LIMIT = 10_000

# A row of one record's links walked in creation order: its index entry and the listing
# row read by its integer id, in rows read by a walk.
LINK_WALK_COST = 2

# The terms' candidates are never counted: finding a few thousand phones that hold a name
# made of common trigrams ("martini") costs the trigram index 10-100 ms, more than walking
# to a page of them. A page with terms first walks SAMPLE_ROWS rows (a few milliseconds);
# the matches among them say how common the terms are. The walk goes on from there (each
# time up to WALK_MARGIN times as far as the rate seen needs) while a full page is expected
# sooner than driving from the trigram index would cost at that rate; then the page is
# driven from the index.
SAMPLE_ROWS = 3_000
WALK_MARGIN = 4
# How many times the walk goes on after the sample before it gives up for the index.
WALK_SEGMENTS = 3
# A link index drives a page with terms when its candidates cost no more than this many
# walked rows per row of the page.
PROBE_ROWS = 300


def count_cap(*, limit: int, total: int, cost: int) -> int:
    """How far to count an index's candidates: driving from ``n`` of them costs ``n * cost``
    rows, and walking to ``limit`` matches as common as that, ``limit * total / n``; past
    the ``n`` where the two meet, the index is not driven from (nor above ``DRIVE_LIMIT``)."""
    return min(DRIVE_LIMIT, math.isqrt(limit * max(total, 1) // cost) + 1)


def _count(sql: str, params: list[Any], cap: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT %s) c", [*params, cap])  # noqa: S608
        return cursor.fetchone()[0]


@dataclass(frozen=True)
class Plan:
    """The plan chosen for a query, and why: candidates per index, rows a walk would read."""

    kind: str  # "walk", "drive:<index>", "links:<kind>", "probe" or "empty"
    counts: dict[str, int]
    walk_rows: float


def listing_plan(query: ListingQuery, *, total: int, force: str = "") -> tuple[Plan, Source | None]:
    """Which plan reads fewer rows for this query over ``total`` listing rows (``force``,
    "walk", "drive" or "links", overrides the choice where that plan is possible)."""
    sources = listing_sources(query)
    caps = {s.name: count_cap(limit=query.limit, total=total, cost=s.cost) for s in sources}
    counts = {
        s.name: _count(s.count_sql, s.count_params, caps[s.name]) for s in sources if s.counted
    }
    if not sources:
        return Plan("walk", counts, float(total)), None
    if counts and min(counts.values()) == 0:
        return Plan("empty", counts, 0.0), None
    counted = sorted((s for s in sources if s.counted), key=lambda s: counts[s.name] * s.cost)
    uncounted = [s for s in sources if not s.counted]
    density = math.prod(min(c, total) / max(total, 1) for c in counts.values())
    walk_rows = min(query.limit / density, float(total)) if density else float(total)
    links = _links_plan(query, sources, counts, caps, total=total, force=force)
    if links is not None:
        source, link_rows = links
        # The cheaper of walking the list and driving from an index that can be driven from.
        other = min(
            [
                walk_rows,
                *(counts[s.name] * s.cost for s in counted if counts[s.name] < caps[s.name]),
            ]
        )
        if force == "links" or uncounted or link_rows * LINK_WALK_COST < other:
            return Plan(f"links:{source.name}", counts, link_rows), source
    if uncounted:
        # How common the terms are is not known: a sample walk first (``_sampled``).
        probe = PROBE_ROWS * query.limit
        best = (
            counted[0]
            if counted
            and counts[counted[0].name] < caps[counted[0].name]
            and counts[counted[0].name] * counted[0].cost <= probe
            else None
        )
        if force == "walk":
            return Plan("walk", counts, walk_rows), None
        if best is not None or force == "drive":
            chosen = best or uncounted[0]
            return Plan(f"drive:{chosen.name}", counts, walk_rows), chosen
        return Plan("probe", counts, float(SAMPLE_ROWS)), uncounted[0]
    # An index with more candidates than were counted cannot be driven from.
    drivable = [s for s in counted if counts[s.name] < caps[s.name]] or counted
    best = drivable[0]
    drive = counts[best.name] < caps[best.name] and counts[best.name] * best.cost <= walk_rows
    if force:
        drive = force == "drive"
    if drive:
        return Plan(f"drive:{best.name}", counts, walk_rows), best
    return Plan("walk", counts, walk_rows), None


def _links_plan(
    query: ListingQuery,
    sources: list[Source],
    counts: dict[str, int],
    caps: dict[str, int],
    *,
    total: int,
    force: str,
) -> tuple[Source, float] | None:
    """The record whose links a page can walk (a filter naming one record, the list in
    creation order) and how many of its links the walk reads: as many as it takes for the
    other conditions to let a page through, at most all of them."""
    if query.column != "created_at" or force in ("walk", "drive"):
        return None
    single = {kind for kind, ids in query.links if len(ids) == 1}
    walkable = [s for s in sources if s.name in single]
    if not walkable:
        return None
    source = min(walkable, key=lambda s: counts[s.name])
    others = math.prod(
        min(c, total) / max(total, 1) for name, c in counts.items() if name != source.name
    )
    known = counts[source.name] if counts[source.name] < caps[source.name] else total
    return source, min(query.limit / others if others else float(total), float(known))


def _sampled(query: ListingQuery, source: Source, *, total: int) -> list[tuple]:
    """A page whose terms' frequency is not known: the first SAMPLE_ROWS rows of the walk,
    then the walk on, segment by segment, while walking to a full page at the rate of
    matches seen so far is expected to cost less than driving from the index (its
    candidates, as many phones as that rate gives, times their cost), and never further in
    all than that cost; then the index. Each segment starts where the last one ended."""
    found, end = walk(query, rows=SAMPLE_ROWS)
    walked = SAMPLE_ROWS
    for _ in range(WALK_SEGMENTS):
        if len(found) >= query.limit or end is None:
            return found
        # One match more than seen, so a sample without any still gives a rate.
        rate = (len(found) + 1) / walked
        budget = rate * total * source.cost - walked
        expected = (query.limit - len(found)) / rate
        if expected > budget:
            break  # driving is expected to cost less than walking to a full page
        step = int(min(budget, max(expected * WALK_MARGIN, SAMPLE_ROWS)))
        more, end = walk(replace(query, beyond=end, limit=query.limit - len(found)), rows=step)
        found += more
        walked += step
    if len(found) >= query.limit or end is None:
        return found
    return drive(query, source)


def listing_rows(
    query: ListingQuery,
    *,
    total: int,
    force: str = "",
    planned: tuple[Plan, Source | None] | None = None,
) -> list[tuple]:
    """The listing rows of one page (``ROW_COLUMNS``), in the query's order. ``planned``:
    the plan of an earlier page of the same query (its counts do not depend on where the
    page starts)."""
    plan, source = planned or listing_plan(query, total=total, force=force)
    if plan.kind == "empty":
        return []
    if plan.kind.startswith("links:"):
        assert source is not None  # the record's links
        return links_walk(query, source.name)
    if plan.kind == "probe":
        assert source is not None  # a probe names the index it falls back to
        return _sampled(query, source, total=total)
    if source is None:
        return walk(query)[0]
    return drive(query, source)


def listing_ids(
    query: ListingQuery,
    *,
    total: int,
    force: str = "",
    planned: tuple[Plan, Source | None] | None = None,
) -> list[uuid.UUID]:
    """The phone ids of one page, in the query's order."""
    rows = listing_rows(query, total=total, force=force, planned=planned)
    return [python_id(row[0]) for row in rows]
