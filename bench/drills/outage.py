"""`make drill-outage`: WellApp down for minutes while staff keep creating phones.

    python -m bench.drills.outage --minutes 10          # the drill (DRILL_MINUTES=10)
    python -m bench.drills.outage --minutes 1 --pace 20

Starts the local cluster (``bin/cluster``: the sandbox, two gunicorn nodes, two task workers,
the scheduler) on free ports over a new PostgreSQL database and its own Redis database, logs
in as its demo editor, waits until ``/readyz`` says WellApp answers, then stops the sandbox's
process (nothing listens on WellApp's port: every call fails at the connection, as when the
service, its host or the network is down). Throughout the outage a member of staff creates a
phone every ``--pace`` seconds, through web1 and web2 in turn: the form answers that WellApp
did not confirm it, and **Queue and retry** queues it. Every ``--sample`` seconds both nodes'
``/healthz`` and ``/readyz`` are read, and ``/metrics`` (the outbox's depth and its oldest
create's age). Then the sandbox starts again with the same command line on the same port
(fresh from its deterministic demo data, which held none of the drill's phones) and the drill
waits until the workers and the scheduler have delivered every queued create. It prints the
figures and its checks (``bench/drills/outage_report.py``) and exits 1 when a check fails.
"""

import argparse
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from bench.drills.outage_report import Outcome, Sample, render
from bench.drills.portal import QueuedCreate, Staff, fresh_numbers, metrics, outbox_depth, probe
from bench.drills.wellapp import WellApp
from sandbox.seed import SEED_PERSON, SEED_WORKSPACES
from tests.cluster import Cluster, cluster_stores_reset, running_cluster

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/wellui_outage_drill"
REDIS_URL = "redis://127.0.0.1:6379/11"
# The first create starts this long after WellApp went down; none starts closer than
# LAST_CREATE_MARGIN to its return (the refused submit and the queuing one take ~5 s).
LEAD_SECONDS = 1.0
LAST_CREATE_MARGIN = 6.0
# The longest wait between two delivery attempts of a queued create
# (phones.services.outbox.LONGEST_RETRY_SECONDS) and one attempt's budget.
LONGEST_RETRY_SECONDS = 15 * 60
DELIVERY_BUDGET_SECONDS = 20
OPEN = ("queued", "retrying")


@dataclass
class Timeline:
    """When WellApp went down (monotonic), and the phase samples are taken in."""

    down: float = 0.0
    phase: str = "before"
    samples: list[Sample] = field(default_factory=list)


class Sampler(threading.Thread):
    """Reads every node's probes and one node's /metrics (in turn) every ``every`` seconds."""

    def __init__(self, cluster: Cluster, token: str, every: float, timeline: Timeline) -> None:
        super().__init__(name="outage-sampler", daemon=True)
        self.cluster, self.token, self.every, self.timeline = cluster, token, every, timeline
        self.stopped = threading.Event()

    def run(self) -> None:
        turn = 0
        while not self.stopped.is_set():
            started = time.monotonic()
            phase = self.timeline.phase
            probes = [probe(node) for node in self.cluster.nodes]
            values = metrics(self.cluster.nodes[turn % len(self.cluster.nodes)], self.token)
            self.timeline.samples.append(
                Sample(
                    at=started - self.timeline.down if self.timeline.down else 0.0,
                    phase=phase,
                    probes=probes,
                    depth=None if values is None else outbox_depth(values),
                    oldest=None
                    if values is None
                    else values.get("wellui_outbox_oldest_waiting_age_seconds"),
                )
            )
            turn += 1
            self.stopped.wait(max(self.every - (time.monotonic() - started), 0.0))

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=60)


def _rows(database_url: str, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute(statement, params).fetchall()


def open_entries(database_url: str) -> int:
    (row,) = _rows(
        database_url, "SELECT count(*) FROM phones_outboxentry WHERE state = ANY(%s)", list(OPEN)
    )
    return int(row[0])


def wait_until(condition: Any, *, timeout: float, every: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(every)
    return True


def drain_timeout(outage_seconds: float, outbox_seconds: float) -> float:
    """How long after WellApp's return every queued create must be delivered by: the next
    attempt of the oldest is at most about twice the outage away (the delay doubles), never
    more than LONGEST_RETRY_SECONDS; then one attempt, and two turns of the scheduler."""
    wait = min(LONGEST_RETRY_SECONDS, 2 * outage_seconds + 60)
    return wait + DELIVERY_BUDGET_SECONDS + 2 * outbox_seconds + 60


def create_during_outage(
    staff: Staff, cluster: Cluster, timeline: Timeline, *, outage: float, pace: float
) -> list[QueuedCreate]:
    """One create every ``pace`` seconds through the nodes in turn, while WellApp is down."""
    numbers = fresh_numbers(int(time.time()))
    creates: list[QueuedCreate] = []
    while True:
        due = timeline.down + LEAD_SECONDS + len(creates) * pace
        if due - timeline.down > outage - LAST_CREATE_MARGIN:
            return creates
        time.sleep(max(due - time.monotonic(), 0.0))
        node = cluster.nodes[len(creates) % len(cluster.nodes)]
        creates.append(
            staff.create_queued(
                node,
                numbers[len(creates)],
                people=[SEED_PERSON.id],
                workspaces=[workspace.id for workspace in SEED_WORKSPACES],
            )
        )


def outage_drill(
    *,
    outage_seconds: float,
    pace_seconds: float,
    sample_seconds: float,
    run_dir: Path,
    database_url: str = DATABASE_URL,
    redis_url: str = REDIS_URL,
    env: Mapping[str, str] | None = None,
    drain_seconds: float | None = None,
) -> Outcome:
    """Run the drill on a cluster of its own (stopped afterwards) and return what it saw."""
    cluster_stores_reset(database_url, redis_url)
    token = secrets.token_urlsafe(24)
    settings = {**(env or {}), "WELLUI_METRICS_TOKEN": token}
    outbox_seconds = float(settings.get("WELLUI_SCHEDULE_OUTBOX_SECONDS", 60))
    if drain_seconds is None:
        drain_seconds = drain_timeout(outage_seconds, outbox_seconds)
    timeline = Timeline()
    with running_cluster(
        run_dir=run_dir, database_url=database_url, redis_url=redis_url, env=settings
    ) as cluster:
        staff = Staff(cluster.username, cluster.password)
        staff.log_in(cluster.nodes[0])
        wellapp = WellApp(cluster)
        phones_before = wellapp.stats()["phones"]
        sampler = Sampler(cluster, token, sample_seconds, timeline)
        sampler.start()
        try:
            ready_before = wait_until(
                lambda: all(probe(node).wellapp == "ok" for node in cluster.nodes), timeout=90
            )
            wellapp.stop()
            timeline.down, timeline.phase = time.monotonic(), "outage"
            creates = create_during_outage(
                staff, cluster, timeline, outage=outage_seconds, pace=pace_seconds
            )
            time.sleep(max(timeline.down + outage_seconds - time.monotonic(), 0.0))
            wellapp.start()
            back = time.monotonic()
            timeline.phase = "back"
            drained = wait_until(lambda: open_entries(database_url) == 0, timeout=drain_seconds)
            emptied = time.monotonic() - back if drained else None
            timeline.phase = "drained"
            count = len(timeline.samples)
            wait_until(lambda: len(timeline.samples) > count, timeout=4 * sample_seconds + 30)
        finally:
            sampler.stop()
        stats = wellapp.stats()
        held = {create.phone_id: wellapp.phone(create.phone_id) for create in creates}
    ids = [create.phone_id for create in creates]
    entries = _rows(
        database_url,
        "SELECT id::text, state, attempts, claimed_by, request_id FROM phones_outboxentry "
        "WHERE id::text = ANY(%s)",
        ids,
    )
    return Outcome(
        outage_seconds=back - timeline.down,
        ready_before=ready_before,
        creates=creates,
        samples=timeline.samples,
        back_to_empty=emptied,
        phones_before=phones_before,
        phones_after=stats["phones"],
        wellapp_requests=stats["requests"],
        entries={row[0]: row[1:] for row in entries},
        held={phone_id: (phone or {}).get("attributes", {}) for phone_id, phone in held.items()},
        scheduler_log=(run_dir / "logs" / "scheduler.log").read_text(errors="replace"),
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.drills.outage",
        description="Fault drill: WellApp down for minutes on the local cluster.",
    )
    parser.add_argument("--minutes", type=float, default=10, help="how long WellApp is down")
    parser.add_argument("--pace", type=float, default=25, help="seconds between two creates")
    parser.add_argument("--sample", type=float, default=5, help="seconds between two samples")
    parser.add_argument("--database", default=DATABASE_URL, help="dropped and made anew")
    parser.add_argument("--redis", default=REDIS_URL, help="its wellui:* keys are deleted")
    args = parser.parse_args(argv)
    if not 0.25 <= args.minutes <= 120:
        parser.error("--minutes must be between 0.25 and 120")
    if args.pace < 8 or args.sample < 1:
        parser.error("--pace must be at least 8 s and --sample at least 1 s")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    run_dir = Path(tempfile.mkdtemp(prefix="wellui-outage-drill-")) / "cluster"
    print(
        f"Outage drill: WellApp down for {args.minutes:g} min, a create every {args.pace:g} s, "
        f"samples every {args.sample:g} s. Cluster logs: {run_dir / 'logs'}",
        flush=True,
    )
    outcome = outage_drill(
        outage_seconds=args.minutes * 60,
        pace_seconds=args.pace,
        sample_seconds=args.sample,
        run_dir=run_dir,
        database_url=args.database,
        redis_url=args.redis,
    )
    print(render(outcome))
    return 0 if outcome.passed else 1


if __name__ == "__main__":
    sys.exit(main())
