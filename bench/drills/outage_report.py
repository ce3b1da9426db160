"""What the outage drill (``bench/drills/outage.py``) saw, its figures and its checks."""

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from bench.drills.portal import Probe, QueuedCreate

OUTBOX_JOB = re.compile(r"job outbox ran in [0-9.]+ s: (.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Sample:
    """One look at the cluster: ``at`` seconds after WellApp went down (0 before), in which
    phase ("before", "outage", "back": until the outbox is empty, "drained")."""

    at: float
    phase: str
    probes: list[Probe]
    depth: int | None  # /metrics: creates queued or retrying (None: no answer)
    oldest: float | None  # /metrics: the oldest waiting create's age in seconds


@dataclass
class Outcome:
    outage_seconds: float
    ready_before: bool
    creates: list[QueuedCreate]
    samples: list[Sample]
    back_to_empty: float | None  # seconds from WellApp's return to an empty outbox
    phones_before: int
    phones_after: int
    wellapp_requests: list[dict[str, Any]]  # the restarted WellApp's request log
    entries: dict[str, tuple[Any, ...]]  # id: (state, attempts, claimed_by, request_id)
    held: dict[str, dict[str, Any]]  # id: the attributes of the phone WellApp holds ({}: none)
    scheduler_log: str

    def posts(self, phone_id: str) -> list[int | None]:
        """The statuses WellApp answered this create's sends with (by its request id)."""
        request_id = self.entries.get(phone_id, (None,) * 4)[3]
        return [
            r["status"]
            for r in self.wellapp_requests
            if (r["method"], r["path"]) == ("POST", "/v1/phones") and r["request_id"] == request_id
        ]

    def scheduler_confirmed(self) -> int:
        """Creates the scheduler's outbox job confirmed itself (the workers did the rest)."""
        return sum(
            int(n)
            for outcome in OUTBOX_JOB.findall(self.scheduler_log)
            for n in re.findall(r"(\d+) confirmed", outcome)
        )

    def checks(self) -> list[tuple[str, bool, str]]:
        return checks(self)

    @property
    def passed(self) -> bool:
        return all(ok for _, ok, _ in self.checks())


def _counted(values: list[Any]) -> str:
    return ", ".join(f"{value} x{n}" for value, n in Counter(values).most_common()) or "none"


def _node_values(outcome: Outcome, attribute: str, phases: tuple[str, ...]) -> list[list[Any]]:
    """Per node, ``attribute`` of its probe in every sample of ``phases``."""
    nodes = len(outcome.samples[0].probes) if outcome.samples else 0
    return [
        [getattr(s.probes[i], attribute) for s in outcome.samples if s.phase in phases]
        for i in range(nodes)
    ]


def _down_then_steady(statuses: list[str]) -> bool:
    """WellApp said unreachable at some point, and never anything else after that."""
    if "unreachable" not in statuses:
        return False
    return set(statuses[statuses.index("unreachable") :]) == {"unreachable"}


def checks(outcome: Outcome) -> list[tuple[str, bool, str]]:
    """(what is checked, whether it held, what was seen)."""
    everything = ("before", "outage", "back", "drained")
    healthz = _node_values(outcome, "healthz", everything)
    readyz = _node_values(outcome, "readyz", everything)
    down = _node_values(outcome, "wellapp", ("outage",))
    last = outcome.samples[-1] if outcome.samples else None
    depths = [s.depth for s in outcome.samples if s.depth is not None]
    creates = outcome.creates
    states = [outcome.entries.get(c.phone_id, ("missing",))[0] for c in creates]
    claims = [outcome.entries.get(c.phone_id, ("", 0, "?"))[2] for c in creates]
    sends = [outcome.posts(c.phone_id) for c in creates]
    held = [outcome.held.get(c.phone_id, {}).get("e164_number") == c.e164 for c in creates]
    added = outcome.phones_after - outcome.phones_before
    return [
        ("/readyz said WellApp ok before it went down", outcome.ready_before, ""),
        (
            "/healthz answered 200 on every node in every sample",
            bool(healthz) and all(set(node) == {200} for node in healthz),
            " | ".join(_counted(node) for node in healthz),
        ),
        (
            "/readyz answered 200 on every node in every sample",
            bool(readyz) and all(set(node) == {200} for node in readyz),
            " | ".join(_counted(node) for node in readyz),
        ),
        (
            "/readyz said WellApp unreachable during the outage, on every node, from its "
            "first failed call on",
            bool(down) and all(_down_then_steady(node) for node in down),
            " | ".join(_counted(node) for node in down),
        ),
        (
            "/readyz said WellApp ok again once the outbox was empty",
            last is not None and {p.wellapp for p in last.probes} == {"ok"},
            "" if last is None else ", ".join(p.wellapp for p in last.probes),
        ),
        (
            "each create during the outage: the form said WellApp did not confirm and offered "
            "Queue and retry, which queued it",
            bool(creates) and all(c.submit_refused and c.queued for c in creates),
            f"{sum(c.submit_refused for c in creates)} refused, "
            f"{sum(c.queued for c in creates)} queued of {len(creates)}",
        ),
        (
            "/metrics: the outbox depth rose to every queued create and fell back to 0",
            bool(depths) and max(depths) == len(creates) and depths[-1] == 0,
            f"max {max(depths, default=None)}, last {depths[-1] if depths else None}",
        ),
        (
            "every queued create delivered after WellApp came back: confirmed, unclaimed",
            outcome.back_to_empty is not None
            and all(state == "confirmed" for state in states)
            and not any(claims),
            _counted(states),
        ),
        (
            "each create delivered exactly once: one POST answered 201 under its request id, "
            "WellApp holds it, and holds that many more phones",
            all(s.count(201) == 1 for s in sends) and all(held) and added == len(creates),
            f"sends {_counted([tuple(s) for s in sends])}; WellApp +{added} phones",
        ),
    ]


def figures(outcome: Outcome) -> list[tuple[str, str]]:
    creates = outcome.creates
    nodes = Counter(urlport(c.node) for c in creates)
    submits = [c.submit_seconds for c in creates]
    oldest = [s.oldest for s in outcome.samples if s.oldest is not None]
    depths = [s.depth for s in outcome.samples if s.depth is not None]
    attempts = [outcome.entries[c.phone_id][1] for c in creates if c.phone_id in outcome.entries]
    by_scheduler = outcome.scheduler_confirmed()
    healthz = _node_values(outcome, "healthz", ("before", "outage", "back", "drained"))
    readyz = _node_values(outcome, "readyz", ("before", "outage", "back", "drained"))
    down = _node_values(outcome, "wellapp", ("outage",))
    back = _node_values(outcome, "wellapp", ("back", "drained"))
    emptied = outcome.back_to_empty
    return [
        ("WellApp down (process stopped, then started again)", f"{outcome.outage_seconds:.1f} s"),
        ("Samples (every node's /healthz and /readyz; /metrics)", f"{len(outcome.samples)}"),
        ("/healthz statuses, per node", " | ".join(_counted(n) for n in healthz)),
        ("/readyz statuses, per node", " | ".join(_counted(n) for n in readyz)),
        ("/readyz WellApp while down, per node", " | ".join(_counted(n) for n in down)),
        ("/readyz WellApp after it came back", " | ".join(_counted(n) for n in back)),
        (
            "Creates queued during the outage",
            f"{sum(c.queued for c in creates)} of {len(creates)} "
            f"({', '.join(f'{n} via {node}' for node, n in sorted(nodes.items()))})",
        ),
        (
            "Refused submit answered in (median, max)",
            f"{statistics.median(submits):.1f} s, {max(submits):.1f} s" if submits else "-",
        ),
        ("Max outbox depth (/metrics)", f"{max(depths, default=0)}"),
        ("Max oldest-create age (/metrics)", f"{max(oldest, default=0.0):.0f} s"),
        (
            "WellApp back to outbox empty",
            f"{emptied:.1f} s" if emptied is not None else "NOT within the time allowed",
        ),
        (
            "Delivery attempts per create (min, max)",
            f"{min(attempts)}, {max(attempts)}" if attempts else "-",
        ),
        (
            "Delivered by the workers / the scheduler",
            f"{len(creates) - by_scheduler} / {by_scheduler}",
        ),
        (
            "WellApp's phones (sandbox stats)",
            f"{outcome.phones_before} -> {outcome.phones_after} "
            f"(+{outcome.phones_after - outcome.phones_before})",
        ),
    ]


def urlport(node: str) -> str:
    return node.removeprefix("http://").rstrip("/")


def render(outcome: Outcome) -> str:
    rows = figures(outcome)
    width = max(len(name) for name, _ in rows)
    lines = ["", "Figure".ljust(width) + "  Value", "-" * width + "  " + "-" * 30]
    lines += [f"{name.ljust(width)}  {value}" for name, value in rows]
    lines += ["", "Checks:"]
    for name, ok, seen in outcome.checks():
        lines.append(f"  {'ok  ' if ok else 'FAIL'}  {name}" + (f" ({seen})" if seen else ""))
    verdict = "passed" if outcome.passed else "FAILED"
    lines += ["", f"Outage drill {verdict}."]
    return "\n".join(lines)
