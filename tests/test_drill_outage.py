"""The outage drill (`make drill-outage`, `bench/drills/outage.py`) in short: WellApp's process
stopped for 30 s on a real local cluster while staff create phones through both nodes, then
started again. The scheduler's intervals are short (as in tests/test_drills.py; its probe
every 5 s), so every queued create is delivered within seconds of WellApp's return.

Checked, as the drill checks it: /healthz stays 200 on both nodes; /readyz answers 200 and says
WellApp is unreachable while it is down and ok once the queue is empty; each create is refused
by the form with Queue and retry offered, and queued; /metrics shows the outbox depth rising to
the number queued and falling to 0; each create reaches WellApp exactly once.
"""

import logging
from urllib.parse import urlsplit, urlunsplit

import pytest

from bench.drills.outage import outage_drill
from bench.drills.outage_report import render
from tests.cluster import cluster_database_url

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(300)]

logger = logging.getLogger(__name__)

# The drill's own database on the suite's PostgreSQL server, dropped and made anew each run.
DATABASE_URL = urlunsplit(
    urlsplit(cluster_database_url(""))._replace(path="/wellui_outage_drill_test")
)
REDIS_URL = "redis://127.0.0.1:6379/12"  # the short drill's own Redis database
CLUSTER_ENV = {
    "WELLUI_OUTBOX_CLAIM_SECONDS": "30",
    "WELLUI_TASK_LEASE_MINUTES": "0.55",
    "WELLUI_SCHEDULE_OUTBOX_SECONDS": "2",
    "WELLUI_SCHEDULE_REQUEUE_SECONDS": "2",
    "WELLUI_SCHEDULE_PROBE_SECONDS": "5",
}
OUTAGE_SECONDS = 30


def test_wellapp_down_for_half_a_minute_queues_creates_and_delivers_each_once(tmp_path):
    outcome = outage_drill(
        outage_seconds=OUTAGE_SECONDS,
        pace_seconds=8,
        sample_seconds=2,
        run_dir=tmp_path / "cluster",
        database_url=DATABASE_URL,
        redis_url=REDIS_URL,
        env=CLUSTER_ENV,
        drain_seconds=150,
    )
    report = render(outcome)
    logger.info("%s", report)

    failed = [name for name, ok, _ in outcome.checks() if not ok]
    assert not failed, report
    # Three creates, through both nodes; WellApp was down for the whole half minute.
    assert len(outcome.creates) == 3
    assert len({create.node for create in outcome.creates}) == 2
    assert outcome.outage_seconds >= OUTAGE_SECONDS
    # The oldest create waited for most of the outage, as /metrics showed.
    assert max(s.oldest or 0 for s in outcome.samples) >= OUTAGE_SECONDS - 10
    # The scheduler's probe saw WellApp back and made every queued create due at once: the
    # queue empties within a probe interval or two, not at the end of each create's backoff.
    assert outcome.back_to_empty is not None
    assert outcome.back_to_empty <= 20, outcome.back_to_empty
