"""Fault drills on the services the cluster depends on: its PostgreSQL restarted under load,
and its Redis stopped and started again. The cluster (`bin/cluster`, tests/cluster.py) runs on
a PostgreSQL server and a Redis server of its own (tests/private_services.py), on free loopback
ports, so the suite's shared servers are never restarted.

Run them with `pytest tests/test_drills_services.py` (`-o log_cli=true --log-cli-level=INFO`
shows the figures). The cluster's requests wait at most 3 s for a database connection
(DATABASE_POOL_TIMEOUT) and PostgreSQL stays down 5 s, so pages fail meanwhile. Nothing is
restarted by the drill: the web nodes, the task workers (`manage.py db_worker`, which polls
again after a database error) and the scheduler all ride the outage out.
"""

import functools
import itertools
import json
import logging
import re
import threading
import time
import urllib.error
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import psycopg
import pytest
from psycopg.rows import dict_row

from phones.cache_backend import RETRY_AFTER_SECONDS
from tests.cluster import Cluster, running, running_cluster
from tests.private_services import (
    PrivatePostgres,
    PrivateRedis,
    private_postgres,
    private_redis,
    restart_postgres,
)
from tests.test_drills import (
    answered,
    control,
    log_in,
    new_phone_form,
    opener,
    post,
    wellapp_phone,
)
from tests.waits import wait_until

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(240)]

logger = logging.getLogger(__name__)

DATABASE = "wellui_services_drills"
POOL_TIMEOUT_SECONDS = 3  # a request waits this long for a database connection, then fails
CLUSTER_ENV = {
    "DATABASE_POOL_TIMEOUT": str(POOL_TIMEOUT_SECONDS),
    "WELLUI_SCHEDULE_OUTBOX_SECONDS": "2",
    "WELLUI_SCHEDULE_REQUEUE_SECONDS": "2",
}
DOWN_SECONDS = 5.0  # longer than a request waits for a connection: pages fail meanwhile
PAGES = ("/phones/", "/phones/?q=555")  # the list, and a search
ERROR_PAGE_TEXT = "Something went wrong on our side"
LEAKS = ("Traceback", "OperationalError", "InterfaceError", "PoolTimeout", "psycopg", 'File "')
RECOVERY_BOUND_SECONDS = 10.0


@dataclass
class Services:
    postgres: PrivatePostgres
    redis: PrivateRedis
    cluster: Cluster


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """A private PostgreSQL and Redis and a cluster on them, for the module; all stopped
    after it whatever happens."""
    directory = tmp_path_factory.mktemp("services")
    with (
        private_postgres() as postgres,
        private_redis(directory) as redis_server,
        running_cluster(
            run_dir=directory / "cluster",
            database_url=postgres.url(DATABASE),
            redis_url=redis_server.url,
            env=CLUSTER_ENV,
        ) as cluster,
    ):
        yield Services(postgres, redis_server, cluster)


def query(services: Services, statement: str, *params: Any) -> list[dict[str, Any]]:
    url = services.postgres.url(DATABASE)
    with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
        return conn.execute(statement, params).fetchall()


def states(services: Services, ids: list[str]) -> set[str]:
    """The states of the outbox entries ``ids``."""
    rows = query(services, "SELECT state FROM phones_outboxentry WHERE id = ANY(%s)", ids)
    return {row["state"] for row in rows}


def fetch(browser: Any, url: str) -> tuple[int, str]:
    """GET ``url``: the status and the page (an error status too)."""
    try:
        with browser.open(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def readyz(node: str) -> tuple[int, dict[str, Any]]:
    status, body = fetch(opener(), f"{node}/readyz")
    return status, json.loads(body)


@dataclass
class Answer:
    node: str
    started: float
    status: int | None  # None: no answer at all
    page: str
    took: float


def start_load(
    nodes: list[str], browsers: dict[str, Any], stop: threading.Event, answers: list[Answer]
) -> list[threading.Thread]:
    """A thread per node asking for its list and search pages in turn until ``stop`` is set,
    each answer appended to ``answers``."""

    def hit(node: str) -> None:
        for turn in itertools.count():
            if stop.is_set():
                return
            started = time.monotonic()
            try:
                status, page = fetch(browsers[node], f"{node}{PAGES[turn % 2]}")
            except OSError as exc:
                status, page = None, repr(exc)
            answers.append(Answer(node, started, status, page, time.monotonic() - started))
            time.sleep(0.05)

    threads = [threading.Thread(target=hit, args=(node,)) for node in nodes]
    for thread in threads:
        thread.start()
    return threads


def test_postgresql_restarted_under_load_costs_error_pages_for_seconds_and_loses_no_create(
    services,
):
    cluster, postgres = services.cluster, services.postgres
    browsers = {node: log_in(cluster, node) for node in cluster.nodes}
    before = answered(cluster)["phones"]
    # WellApp is unavailable: creates queued through both nodes wait in the outbox.
    fault = {"mode": "status", "status": 503, "method": "POST", "path": "/v1/phones"}
    control(cluster, "POST", "/_control/faults", {**fault, "count": None})
    queued = []
    try:
        for n, node in enumerate(cluster.nodes * 2):
            form = new_phone_form(browsers[node], node, f"(646) 555-02{n:02d}")
            assert post(browsers[node], f"{node}/phones/new/", {**form, "queue": "1"}) == (
                302,
                "/phones/queue/",
            )
            queued.append(form["client_id"])
        wait_until(
            lambda: states(services, queued) == {"retrying"},
            timeout=60,
            what="every queued create to have met WellApp's 503",
        )

        stop, answers = threading.Event(), list[Answer]()
        threads = start_load(cluster.nodes, browsers, stop, answers)
        try:
            time.sleep(1.0)
            down, back = restart_postgres(postgres, down_seconds=DOWN_SECONDS)
            time.sleep(RECOVERY_BOUND_SECONDS)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            if not postgres.answers():
                postgres.start()
    finally:
        control(cluster, "DELETE", "/_control/faults")

    failed = [a for a in answers if a.status != 200]
    during = [a for a in answers if down - 5 <= a.started <= back]
    assert failed, "no request met the restart"
    for answer in failed:
        assert answer.status in (500, 503), (answer.status, answer.page[:500])
        assert ERROR_PAGE_TEXT in answer.page, answer.page[:500]
        assert not [leak for leak in LEAKS if leak in answer.page], answer.page[:500]
    recovery = {}
    for node in cluster.nodes:
        after = [a for a in answers if a.node == node and a.started >= back]
        last_failure = max((a.started for a in after if a.status != 200), default=back)
        succeeded = [a for a in after if a.status == 200 and a.started >= last_failure]
        assert len(succeeded) >= 5, f"{node} did not answer again after the restart"
        recovery[node] = round(succeeded[0].started - back, 1)
    logger.info(
        "drill 3: failed (sent, seconds after the stop; answered in, seconds): %s",
        [(round(a.started - down, 1), round(a.took, 1)) for a in failed],
    )
    logger.info(
        "drill 3: PostgreSQL down %.1f s; %d requests in all, %d from 5 s before the stop "
        "until it answered again, %d failed (statuses %s); recovered %s s after it answered",
        back - down,
        len(answers),
        len(during),
        len(failed),
        sorted({str(a.status) for a in failed}),
        recovery,
    )
    assert max(recovery.values()) <= RECOVERY_BOUND_SECONDS / 2

    # Nothing queued is lost: each create ends confirmed, and WellApp holds it once. Every
    # process of the cluster outlived the outage: nothing was started again.
    alive = [name for name, pid in sorted(cluster.pids().items()) if running(pid)]
    assert alive == ["sandbox", "scheduler", "web1", "web2", "worker1", "worker2"], alive
    started = time.monotonic()
    wait_until(
        lambda: states(services, queued) == {"confirmed"},
        timeout=90,
        what="every queued create to be confirmed",
    )
    confirmed = time.monotonic() - started
    logger.info(
        "drill 3: every process still running; the %d queued creates confirmed %.1f s after "
        "WellApp came back",
        len(queued),
        confirmed,
    )
    wellapp = answered(cluster)
    assert wellapp["phones"] == before + len(queued)
    for phone_id in queued:
        assert wellapp_phone(cluster, phone_id) is not None
        (entry,) = query(
            services, "SELECT request_id FROM phones_outboxentry WHERE id = %s", phone_id
        )
        sends = [
            r["status"]
            for r in wellapp["requests"]
            if (r["method"], r["path"]) == ("POST", "/v1/phones")
            and r["request_id"] == entry["request_id"]
        ]
        assert sends.count(201) == 1 and set(sends) <= {201, 503}, sends


def cache_up(node: str) -> bool:
    return readyz(node)[1]["cache"] == {"status": "ok"}


def phone_count(answer: tuple[int, str]) -> str:
    """The list page's phone count ("N phones in the local copy"), from a 200 answer."""
    status, page = answer
    assert status == 200, page[:500]
    count = re.search(r"<p class=\"meta\" data-count>\s*(.+?)\s*</p>", page, flags=re.DOTALL)
    assert count is not None and "in the local copy" in count[1], page[:500]
    return count[1]


def test_redis_stopped_costs_cache_misses_not_pages_and_readyz_says_so(services):
    cluster, redis_server = services.cluster, services.redis
    browsers = {node: log_in(cluster, node) for node in cluster.nodes}
    counts = {}
    for node in cluster.nodes:
        assert readyz(node)[1]["cache"] == {"status": "ok"}
        listed = fetch(browsers[node], f"{node}/phones/")
        counts[node] = phone_count(listed)
    e164 = re.findall(r'data-e164="([^"]+)"', listed[1])[-1]  # a phone the list shows
    redis_server.stop()
    try:
        for node in cluster.nodes:
            started = time.monotonic()
            listed = fetch(browsers[node], f"{node}/phones/")
            found = fetch(browsers[node], f"{node}/phones/?{urlencode({'q': e164})}")
            took = time.monotonic() - started
            assert phone_count(listed) == counts[node]  # counted again without the cache
            assert found[0] == 200 and f'data-e164="{e164}"' in found[1], found[1][:500]
            logger.info("drill 4: %s list and search answered in %.2f s without Redis", node, took)
            status, report = readyz(node)
            assert status == 200
            assert report["status"] == "degraded"
            assert report["database"] == {"status": "ok"}
            assert report["cache"]["status"] == "error", report
            logger.info("drill 4: %s/readyz without Redis: %s", node, report["cache"])
    finally:
        redis_server.start()
    started = time.monotonic()
    for node in cluster.nodes:
        wait_until(
            functools.partial(cache_up, node),
            timeout=RETRY_AFTER_SECONDS + 5,
            what=f"{node}/readyz to say the cache is back",
        )
    took = time.monotonic() - started
    logger.info("drill 4: /readyz said the cache was back %.1f s after Redis started", took)
    assert took <= RETRY_AFTER_SECONDS + 2
    for node in cluster.nodes:
        for _ in range(6):  # the node's worker processes, whichever answers
            status, report = readyz(node)
            assert (status, report["status"], report["cache"]) == (200, "ok", {"status": "ok"})
