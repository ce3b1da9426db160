"""Fault drills on the real local cluster (`bin/cluster`: the sandbox, two gunicorn nodes, two
task workers and the scheduler on PostgreSQL and Redis): a worker killed with SIGKILL while it
delivers a queued create, a web node killed in the middle of a create, and a second scheduler
beside the cluster's own. Each drill checks what an operator would: WellApp holds exactly one
phone per create, every queued create ends confirmed and none stays claimed.

The drills share one cluster (a killed process is not restarted: each drill uses what is left)
whose claims, task lease and scheduler intervals are short, so every wait is bounded. Run them
with `pytest tests/test_drills.py` (`-o log_cli=true --log-cli-level=INFO` shows the timings).
"""

import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from psycopg.rows import dict_row

from sandbox.seed import SEED_PERSON, SEED_WORKSPACES
from tests.cluster import (
    ROOT,
    Cluster,
    cluster_database_url,
    cluster_stores_reset,
    running_cluster,
)
from tests.waits import wait_until

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(240)]

logger = logging.getLogger(__name__)

DATABASE_URL = cluster_database_url("_drills_test")
REDIS_URL = "redis://127.0.0.1:6379/13"  # the drills' own Redis database
TOKEN = "sandbox-token"  # the WellApp token bin/cluster gives its sandbox and nodes
CLAIM_SECONDS = 30  # the shortest claim on a queued create that the settings allow
CLUSTER_ENV = {
    "WELLUI_OUTBOX_CLAIM_SECONDS": str(CLAIM_SECONDS),
    # A task running for 33 s lost its worker: it runs again just after its claim expired.
    "WELLUI_TASK_LEASE_MINUTES": "0.55",
    "WELLUI_SCHEDULE_OUTBOX_SECONDS": "2",
    "WELLUI_SCHEDULE_REQUEUE_SECONDS": "2",
    "WELLUI_SCHEDULE_PROBE_SECONDS": "30",
}
POST = ("POST", "/v1/phones")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One cluster for the module's drills, on a new database (no queued create of an earlier
    run is delivered meanwhile), stopped after them whatever happens."""
    cluster_stores_reset(DATABASE_URL, REDIS_URL)
    run_dir = tmp_path_factory.mktemp("drills") / "cluster"
    with running_cluster(
        run_dir=run_dir, database_url=DATABASE_URL, redis_url=REDIS_URL, env=CLUSTER_ENV
    ) as started:
        yield started
    shared = redis.Redis.from_url(REDIS_URL)
    shared.delete(*shared.keys("wellui:*"), "wellui:none")


@pytest.fixture
def sandbox_faults(cluster: Cluster) -> Iterator[None]:
    """No fault left in the cluster's sandbox after the drill."""
    yield
    control(cluster, "DELETE", "/_control/faults")


# ---- the sandbox (WellApp) ---------------------------------------------------------------------


def control(cluster: Cluster, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 (the cluster's loopback sandbox)
        f"{cluster.sandbox}{path}", data=data, method=method
    )
    request.add_header("Content-Type", "application/json")
    with opener().open(request, timeout=10) as response:
        return json.load(response)


def slow_creates(cluster: Cluster, *, seconds: float, count: int | None) -> None:
    """WellApp waits ``seconds`` before it handles a create (the next ``count`` of them)."""
    fault = {"mode": "latency", "seconds": seconds, "method": "POST", "path": "/v1/phones"}
    control(cluster, "POST", "/_control/faults", {**fault, "count": count})


def stats(cluster: Cluster) -> dict[str, Any]:
    return control(cluster, "GET", "/_control/stats")


def answered(cluster: Cluster) -> dict[str, Any]:
    """The sandbox's stats once no request is on its way through it."""
    return wait_until(
        lambda: (s := stats(cluster))["in_flight"] == 0 and s,
        timeout=20,
        what="WellApp to answer every request",
    )


def creates(stats_: dict[str, Any], request_id: str) -> list[int | None]:
    """The statuses WellApp answered the creates sent under ``request_id`` with, in order."""
    return [
        r["status"]
        for r in stats_["requests"]
        if (r["method"], r["path"]) == POST and r["request_id"] == request_id
    ]


def wellapp_phone(cluster: Cluster, phone_id: str) -> dict[str, Any] | None:
    """The phone WellApp holds under ``phone_id``, or None."""
    request = urllib.request.Request(  # noqa: S310 (the cluster's loopback sandbox)
        f"{cluster.sandbox}/v1/phones/{phone_id}", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    try:
        with opener().open(request, timeout=10) as response:
            return json.load(response)["data"]
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


# ---- the cluster's database and processes ------------------------------------------------------


def query(statement: str, *params: Any) -> list[dict[str, Any]]:
    with psycopg.connect(DATABASE_URL, autocommit=True, row_factory=dict_row) as conn:
        return conn.execute(statement, params).fetchall()


def outbox_entry(entry_id: str) -> dict[str, Any]:
    (row,) = query(
        "SELECT state, attempts, claimed_by, claim_expires_at, request_id "
        "FROM phones_outboxentry WHERE id = %s",
        entry_id,
    )
    return row


def done(entry: dict[str, Any]) -> bool:
    """Whether a queued create is confirmed and no longer claimed by its sender."""
    return entry["state"] == "confirmed" and not entry["claimed_by"]


def audit_actions(upstream_id: str) -> list[str]:
    rows = query(
        "SELECT action FROM phones_auditentry WHERE upstream_id = %s ORDER BY id", upstream_id
    )
    return [row["action"] for row in rows]


def group_members(pgid: int) -> list[int]:
    """The running processes of process group ``pgid``."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) == pgid and fields[0] not in {"Z", "X"}:
            members.append(int(stat.parent.name))
    return members


def kill_group(pid: int) -> None:
    """SIGKILL the process group ``pid`` leads (a gunicorn master and its workers, say) and
    wait until none of it runs."""
    assert group_members(pid), f"process group {pid} is not running"
    os.killpg(pid, signal.SIGKILL)
    wait_until(lambda: not group_members(pid), timeout=10, what=f"process group {pid} to die")


# ---- a browser on the web nodes ----------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def opener(*handlers: urllib.request.BaseHandler) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), *handlers)


def log_in(cluster: Cluster, node: str) -> urllib.request.OpenerDirector:
    """A browser logged in as the cluster's editor (cookies are per host: one login serves
    every loopback node); it does not follow redirects."""
    browser = opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())
    login_url = f"{node}/accounts/login/"
    with browser.open(login_url, timeout=30) as response:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode())
    assert token is not None
    form = {"csrfmiddlewaretoken": token[1], "username": cluster.username}
    status, location = post(browser, login_url, {**form, "password": cluster.password})
    assert (status, location) == (302, "/phones/")
    return browser


def post(browser: urllib.request.OpenerDirector, url: str, form: dict[str, Any]) -> tuple[int, str]:
    """POST ``form`` as a browser does; the status and the Location it was sent to."""
    request = urllib.request.Request(  # noqa: S310 (a loopback node)
        url, data=urllib.parse.urlencode(form, doseq=True).encode(), headers={"Referer": url}
    )
    try:
        with browser.open(request, timeout=60) as response:
            return response.status, response.headers.get("Location", "")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


def new_phone_form(browser: urllib.request.OpenerDirector, node: str, number: str) -> dict:
    """The new-phone form as the node served it (its CSRF token and client id), filled in."""
    with browser.open(f"{node}/phones/new/", timeout=30) as response:
        html = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    client_id = re.search(r'name="client_id" value="([^"]+)"', html)
    assert token is not None and client_id is not None
    return {
        "csrfmiddlewaretoken": token[1],
        "client_id": client_id[1],
        "country": "US",
        "national_number": number,
        "label": "work",
        "people": [SEED_PERSON.id],
        "workspaces": [workspace.id for workspace in SEED_WORKSPACES],
    }


# ---- the drills --------------------------------------------------------------------------------


def test_a_worker_killed_mid_delivery_leaves_its_create_delivered_once_after_the_claim_expires(
    cluster, sandbox_faults
):
    node = cluster.nodes[-1]
    browser = log_in(cluster, node)
    form = new_phone_form(browser, node, "(646) 555-0101")
    phone_id = form["client_id"]
    before = stats(cluster)["phones"]
    slow_creates(cluster, seconds=8, count=1)  # the first send hangs: the worker is mid-send

    assert post(browser, f"{node}/phones/new/", {**form, "queue": "1"}) == (302, "/phones/queue/")
    claim = wait_until(
        lambda: outbox_entry(phone_id)["claimed_by"],
        timeout=20,
        what="a worker to claim the queued create",
    )
    wait_until(lambda: stats(cluster)["in_flight"] == 1, timeout=10, what="the send to WellApp")
    holder = int(claim.split(":")[1])  # host:pid:random
    names = {pid: name for name, pid in cluster.pids().items()}
    assert names.get(holder) in ("worker1", "worker2"), f"{claim} is no worker of the cluster"
    kill_group(holder)
    killed = time.monotonic()

    # Confirmed, and its sender's claim given back (just after the confirmation is stored).
    wait_until(
        lambda: done(outbox_entry(phone_id)),
        timeout=CLAIM_SECONDS + 45,
        what="the queued create to be confirmed and its claim given back",
    )
    took = time.monotonic() - killed
    entry = outbox_entry(phone_id)
    # One surviving process re-sent it, under the id of the request that queued it.
    resend = f"[{entry['request_id']}] WellApp POST /v1/phones -> 409"
    logs = cluster.run_dir / "logs"
    senders = [
        name
        for name in ("worker1", "worker2", "scheduler")
        if name != names[holder] and resend in (logs / f"{name}.log").read_text()
    ]
    assert len(senders) == 1, senders
    logger.info(
        "drill 1: %s killed mid-send; %s re-sent the create, confirmed %.1f s after the kill",
        names[holder],
        senders[0],
        took,
    )

    assert (entry["attempts"], entry["claimed_by"], entry["claim_expires_at"]) == (2, "", None)
    assert audit_actions(phone_id) == ["phone.queued", "phone.sent", "phone.sent", "phone.created"]
    after = answered(cluster)
    assert after["phones"] == before + 1
    # The killed worker's send reached WellApp (it stored the phone); the re-send met a 409.
    assert creates(after, entry["request_id"]) == [201, 409]
    phone = wellapp_phone(cluster, phone_id)
    assert phone is not None and phone["attributes"]["e164_number"] == "+16465550101"
    assert took >= CLAIM_SECONDS - 5  # not re-sent while the claim held


def test_a_web_node_killed_mid_create_and_the_same_form_on_the_other_node_make_one_phone(
    cluster, sandbox_faults
):
    first, second = cluster.nodes
    browser = log_in(cluster, first)
    form = new_phone_form(browser, first, "(646) 555-0102")
    phone_id = form["client_id"]
    before = stats(cluster)["phones"]
    slow_creates(cluster, seconds=5, count=1)
    outcome: list[object] = []

    def submit() -> None:
        try:
            outcome.append(post(browser, f"{first}/phones/new/", form))
        except OSError as exc:
            outcome.append(exc)

    sender = threading.Thread(target=submit)
    sender.start()
    wait_until(lambda: stats(cluster)["in_flight"] == 1, timeout=20, what="the create's send")
    kill_group(cluster.pids()["web1"])
    sender.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], OSError), outcome  # no answer at all

    retried = time.monotonic()
    assert post(browser, f"{second}/phones/new/", form) == (302, f"/phones/{phone_id}/")
    took = time.monotonic() - retried
    with browser.open(f"{second}/phones/{phone_id}/", timeout=30) as response:
        assert response.status == 200
        page = response.read().decode()
    assert "Phone +16465550102 created in WellApp." in page
    assert "<code data-e164>+16465550102</code>" in page

    after = answered(cluster)
    assert after["phones"] == before + 1
    sends = [r["status"] for r in after["requests"] if (r["method"], r["path"]) == POST]
    # The killed node's send and the retry: one made the phone, WellApp refused the other.
    assert sorted(sends[-2:]) == [201, 409]
    logger.info(
        "drill 2: web1 killed mid-create; the retry on web2 took %.1f s; WellApp answered "
        "the two sends, in order: %s",
        took,
        sends[-2:],
    )
    assert wellapp_phone(cluster, phone_id) is not None
    assert audit_actions(phone_id) == ["phone.created"]


def scheduler_turns(log: Path, start: int) -> tuple[int, int]:
    """How often the outbox job ran and was skipped in ``log`` past offset ``start``."""
    text = log.read_text()[start:]
    return text.count("job outbox ran"), text.count("job outbox skipped")


def test_two_schedulers_at_once_deliver_every_overdue_create_exactly_once(cluster, sandbox_faults):
    own = cluster.pids()["scheduler"]
    env = dict(
        item.split("=", 1)
        for item in Path(f"/proc/{own}/environ").read_text().split("\0")
        if "=" in item
    )
    logs = cluster.run_dir / "logs"
    own_log, second_log = logs / "scheduler.log", logs / "scheduler2.log"
    with second_log.open("w") as output:
        second = subprocess.Popen(
            [sys.executable, "manage.py", "run_scheduler"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(
            lambda: "job outbox" in second_log.read_text(),
            timeout=30,
            what="the second scheduler to look at the outbox job",
        )
        before = stats(cluster)["phones"]
        marks = {own_log: len(own_log.read_text()), second_log: len(second_log.read_text())}
        slow_creates(cluster, seconds=0.4, count=None)  # a job's turn sends only a few
        child = subprocess.run(
            [sys.executable, "-m", "tests.cluster_queue", cluster.username, "10"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert child.returncode == 0, child.stderr
        queued = json.loads(child.stdout)
        ids = [item["id"] for item in queued]
        started = time.monotonic()

        wait_until(
            lambda: all(done(outbox_entry(i)) for i in ids),
            timeout=60,
            what="every overdue create to be confirmed and its claim given back",
        )
        took = time.monotonic() - started
        # Both schedulers keep taking turns at the job afterwards: nothing is sent again.
        confirmed = {log: len(log.read_text()) for log in marks}
        wait_until(
            lambda: all(sum(scheduler_turns(log, confirmed[log])) >= 2 for log in marks),
            timeout=30,
            what="each scheduler to take two more turns at the outbox job",
        )
        turns = {log.stem: scheduler_turns(log, marks[log]) for log in marks}
        logger.info(
            "drill 6: 10 overdue creates confirmed in %.1f s; outbox job (ran, skipped): %s",
            took,
            turns,
        )

        after = answered(cluster)
        assert after["phones"] == before + 10
        for item in queued:
            entry = outbox_entry(item["id"])
            assert (entry["state"], entry["attempts"], entry["claimed_by"]) == ("confirmed", 1, "")
            assert audit_actions(item["id"]) == ["phone.queued", "phone.sent", "phone.created"]
            # One send each, under the id of the request that queued it, and WellApp made it.
            assert creates(after, item["request_id"]) == [201]
            phone = wellapp_phone(cluster, item["id"])
            assert phone is not None
            assert phone["attributes"]["e164_number"] == item["e164_number"]
        assert all(sum(counts) >= 3 for counts in turns.values()), turns
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    assert second.returncode == 0
    assert second_log.read_text().rstrip().endswith("stopped")
