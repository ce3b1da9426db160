"""The scheduler (`manage.py run_scheduler`): each job under its own lease, so two schedulers
never run one job at once; tasks of a killed worker run again; overdue creates are delivered
exactly once; old records are pruned. Processes are real: the scheduler and the task worker
run as `manage.py` subprocesses against the test's database and the sandbox."""

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from phones.models import AuditEntry, Lease, OutboxEntry, Person, UpstreamStatus
from phones.services import schedule
from phones.services.outbox import outbox_deliver_task, phone_queue
from phones.services.schedule_jobs import records_prune, tasks_requeue_stalled
from phones.upstream.shared import upstream_client
from tests.databases import shared_database_url
from tests.factories import make_draft, make_seed_directory, role_user
from tests.waits import wait_answered, wait_until

pytestmark = [pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parent.parent
POST = "POST /v1/phones"


@pytest.fixture
def shared_database(transactional_db, tmp_path) -> Iterator[str]:
    with shared_database_url(tmp_path) as url:
        yield url


@pytest.fixture
def child_env(shared_database, wellapp) -> dict[str, str]:
    """The environment of a portal process pointed at the shared database and the sandbox
    (which this process talks to as well)."""
    sandbox = wellapp
    return {
        **os.environ,
        "DATABASE_URL": shared_database,
        "WELL_API_URL": sandbox.url,
        "WELL_API_TOKEN": sandbox.token,
        "WELL_API_TIMEOUT": "2",
        "DJANGO_DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
    }


def manage(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process: subprocess.Popen[str], timeout: float = 90) -> str:
    """The process's log (stderr), once it exited with status 0."""
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"{out}\n{err}"
    return err


def queue_overdue(count: int) -> list[OutboxEntry]:
    """``count`` queued creates due five minutes ago, whose delivery tasks were lost."""
    make_seed_directory()
    editor = role_user("editor")
    people = tuple(Person.objects.filter(id="people1"))
    entries = []
    for n in range(count):
        draft = make_draft(
            people=people, national_number=f"41555501{n:02d}", e164_number=f"+141555501{n:02d}"
        )
        entries.append(phone_queue(actor=editor, draft=draft, form_data={}))
    OutboxEntry.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    DBTaskResult.objects.all().delete()
    return entries


def audit_actions(entry: OutboxEntry) -> list[str]:
    rows = AuditEntry.objects.filter(upstream_id=str(entry.pk)).order_by("id")
    return list(rows.values_list("action", flat=True))


def test_two_schedulers_started_together_deliver_every_overdue_create_exactly_once(
    child_env, sandbox
):
    entries = queue_overdue(6)
    before = sandbox.stats()["phones"]
    # Each create takes a moment, so the two schedulers' jobs overlap.
    sandbox.add_fault("latency", seconds=0.3, method="POST", path="/v1/phones")

    first = manage(child_env, "run_scheduler", "--once")
    second = manage(child_env, "run_scheduler", "--once")
    logs = finished(first) + finished(second)

    stats = wait_answered(sandbox)
    assert stats["phones"] == before + 6
    assert stats["counts"][POST] == 6  # one send each: nothing sent twice
    for entry in entries:
        entry.refresh_from_db()
        assert entry.state == OutboxEntry.State.CONFIRMED
        assert entry.attempts == 1
        assert audit_actions(entry) == ["phone.queued", "phone.sent", "phone.created"]
        assert sandbox.phone(str(entry.pk)) is not None
    assert logs.count("job outbox ran") == 1
    assert logs.count("job outbox skipped") == 1
    assert "6 confirmed" in logs
    for job in ("requeue_tasks", "upstream_probe", "prune"):
        assert logs.count(f"job {job} ran") == 1
        assert logs.count(f"job {job} skipped") == 1


def test_two_delivery_commands_at_once_send_each_create_once_by_its_claim(child_env, sandbox):
    entries = queue_overdue(4)
    before = sandbox.stats()["phones"]
    sandbox.add_fault("latency", seconds=0.3, method="POST", path="/v1/phones")

    runs = [manage(child_env, "deliver_outbox") for _ in range(2)]
    for run in runs:
        finished(run)

    stats = wait_answered(sandbox)
    assert stats["phones"] == before + 4
    assert stats["counts"][POST] == 4
    for entry in entries:
        entry.refresh_from_db()
        assert (entry.state, entry.attempts) == (OutboxEntry.State.CONFIRMED, 1)
        assert audit_actions(entry).count("phone.sent") == 1


def test_a_task_left_running_by_a_killed_worker_is_requeued_and_delivered_once(child_env, sandbox):
    make_seed_directory()
    before = sandbox.stats()["phones"]
    draft = make_draft(people=tuple(Person.objects.filter(id="people1")))
    entry = phone_queue(actor=role_user("editor"), draft=draft, form_data={})
    task = DBTaskResult.objects.get(task_path=outbox_deliver_task.module_path)
    # The worker took the task 11 minutes ago, sent the create (WellApp made the phone), and
    # was killed before it recorded anything.
    DBTaskResult.objects.filter(pk=task.pk).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=11),
        worker_ids=["killed"],
    )
    upstream_client().create_phone_confirmed(entry.document, budget=5)

    log = finished(manage(child_env, "run_scheduler", "--once"))

    assert "job requeue_tasks ran" in log
    assert f"1 stalled task(s) set back to ready ({outbox_deliver_task.module_path})" in log
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    entry.refresh_from_db()
    assert entry.state == OutboxEntry.State.QUEUED  # due only now: left to the worker

    finished(manage(child_env, "db_worker", "--batch", "--no-startup-delay", "--no-reload"))

    task.refresh_from_db()
    entry.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert entry.state == OutboxEntry.State.CONFIRMED
    stats = wait_answered(sandbox)
    assert stats["phones"] == before + 1  # exactly one phone
    assert stats["counts"][POST] == 2  # the re-send met a 409
    assert audit_actions(entry) == ["phone.queued", "phone.sent", "phone.created"]


def test_sigterm_stops_the_scheduler_between_jobs_and_it_exits_cleanly(child_env, sandbox):
    process = manage(child_env, "run_scheduler")
    wait_until(
        lambda: Lease.objects.filter(name="job:prune").exists(),
        timeout=60,
        what="the scheduler to run its last job",
    )

    process.send_signal(signal.SIGTERM)
    log = finished(process, timeout=30)

    assert "stopping after the current job" in log
    assert "job prune ran" in log
    assert log.rstrip().endswith("stopped")


@pytest.mark.django_db
def test_a_second_run_within_the_interval_finds_no_job_due(wellapp, caplog, monkeypatch):
    # Run in this process: keep the test's transaction (as the `worker` fixture does).
    monkeypatch.setattr(schedule, "close_old_connections", lambda: None)
    caplog.set_level(logging.INFO, logger="phones.services.schedule")

    call_command("run_scheduler", once=True)
    first = [r.getMessage() for r in caplog.records if r.name == "phones.services.schedule"]
    caplog.clear()
    call_command("run_scheduler", once=True)
    second = [r.getMessage() for r in caplog.records if r.name == "phones.services.schedule"]

    assert [line.split(" in ")[0] for line in first] == [
        "job requeue_tasks ran",
        "job outbox ran",
        "job upstream_probe ran",
        "job prune ran",
    ]
    assert "WellApp ok" in first[2]
    assert UpstreamStatus.objects.get().ok is True
    assert [line.split(":")[0] for line in second] == [
        f"job {name} skipped" for name in ("requeue_tasks", "outbox", "upstream_probe", "prune")
    ]


@pytest.mark.django_db
def test_a_job_running_elsewhere_is_looked_at_again_within_its_interval_not_its_lease(settings):
    settings.SCHEDULER_INTERVALS = {**settings.SCHEDULER_INTERVALS, "outbox": 2}
    # Another scheduler is running the job: it holds the lease JOB_LEASE_SECONDS ahead.
    Lease.objects.create(
        name="job:outbox",
        holder="other:1:running",
        expires_at=timezone.now() + timedelta(seconds=schedule.JOB_LEASE_SECONDS),
    )
    job = next(job for job in schedule.JOBS if job.name == "outbox")
    scheduler = schedule.Scheduler([job])

    result = scheduler.run_job(job)

    assert (result.status, result.outcome) == (
        "skipped",
        "not due here: held by other:1:running for 120 s more",
    )
    assert scheduler.next_due["outbox"] - time.monotonic() <= 2


@pytest.mark.django_db
def test_requeue_takes_back_only_tasks_running_longer_than_the_task_lease():
    old, recent = (
        DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {"entry_id": str(n)}},
            task_path=outbox_deliver_task.module_path,
            backend_name="default",
            run_after=timezone.now(),
            status=TaskResultStatus.RUNNING,
            started_at=timezone.now() - age,
        )
        for n, age in ((1, timedelta(minutes=11)), (2, timedelta(minutes=9)))
    )

    assert tasks_requeue_stalled() == (
        f"1 stalled task(s) set back to ready ({outbox_deliver_task.module_path})"
    )
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.started_at) == (TaskResultStatus.READY, None)
    assert recent.status == TaskResultStatus.RUNNING
    assert tasks_requeue_stalled() == "no stalled tasks"


@pytest.mark.django_db
def test_prune_removes_old_finished_tasks_expired_sessions_and_old_login_records():
    now = timezone.now()

    def task(status: str, finished_days: float | None) -> DBTaskResult:
        finished_at = None if finished_days is None else now - timedelta(days=finished_days)
        return DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path=outbox_deliver_task.module_path,
            backend_name="default",
            run_after=now - timedelta(days=30),
            status=status,
            finished_at=finished_at,
        )

    old_done = task(TaskResultStatus.SUCCESSFUL, 8)
    old_failed = task(TaskResultStatus.FAILED, 8)
    recent_done = task(TaskResultStatus.SUCCESSFUL, 6)
    old_waiting = task(TaskResultStatus.READY, None)
    Session.objects.create(session_key="expired", session_data="", expire_date=now)
    Session.objects.create(
        session_key="live", session_data="", expire_date=now + timedelta(hours=1)
    )
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        extra = {"failures_since_start": 1} if model is AccessAttempt else {}
        for days, user in ((31, "old"), (29, "recent")):
            row = model.objects.create(username=user, ip_address="10.0.0.1", **extra)
            model.objects.filter(pk=row.pk).update(attempt_time=now - timedelta(days=days))

    assert records_prune() == (
        "2 finished task row(s) and 3 login record(s) deleted; sessions cleared"
    )
    remaining = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert remaining == {recent_done.pk, old_waiting.pk}
    assert {old_done.pk, old_failed.pk}.isdisjoint(remaining)
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        assert list(model.objects.values_list("username", flat=True)) == ["recent"]
