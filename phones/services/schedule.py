"""The scheduler (``manage.py run_scheduler``): periodic jobs, each under its own lease, so
any number of schedulers on any number of machines run each job once per interval and never
two at once.

A scheduler runs a job only when it takes the job's lease (``job:<name>``). While the job
runs the lease is renewed (``JOB_LEASE_SECONDS``), so a scheduler killed mid-job frees it
soon; when the job ends the lease is kept until the job is next due, which tells every other
scheduler that the job has run. Intervals come from ``settings.SCHEDULER_INTERVALS``.
"""

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from phones.services.leases import (
    lease_acquire,
    lease_expiry,
    lease_holder,
    lease_holder_of,
    lease_renew,
)
from phones.services.schedule_jobs import (
    outbox_deliver_overdue,
    records_prune,
    tasks_requeue_stalled,
    upstream_probe_job,
)

logger = logging.getLogger(__name__)

# How long a running job's lease lasts without renewal (a killed scheduler frees it then).
JOB_LEASE_SECONDS = 120.0
# Longest the loop sleeps between looks at which job is due.
TICK_SECONDS = 5.0


class JobContext:
    """What a running job may ask between steps: whether to carry on."""

    def __init__(self, *, lease_name: str, holder: str, stop: threading.Event, budget: float):
        self.lease_name = lease_name
        self.holder = holder
        self.stop = stop
        self.deadline = time.monotonic() + budget

    def keep_going(self) -> bool:
        """False once a stop was asked for, the job's time is up, or its lease was lost;
        otherwise renews the lease and says True."""
        if self.stop.is_set() or time.monotonic() >= self.deadline:
            return False
        return lease_renew(name=self.lease_name, holder=self.holder, seconds=JOB_LEASE_SECONDS)


@dataclass(frozen=True)
class Job:
    """A periodic job: its name (``SCHEDULER_INTERVALS`` key) and what it runs."""

    name: str
    run: Callable[[JobContext], str]

    @property
    def every(self) -> float:
        """Seconds between runs."""
        return float(settings.SCHEDULER_INTERVALS[self.name])

    @property
    def lease_name(self) -> str:
        return f"job:{self.name}"


JOBS: tuple[Job, ...] = (
    Job("requeue_tasks", lambda ctx: tasks_requeue_stalled()),
    Job("outbox", lambda ctx: outbox_deliver_overdue(keep_going=ctx.keep_going)),
    Job("upstream_probe", lambda ctx: upstream_probe_job()),
    Job("prune", lambda ctx: records_prune()),
)


@dataclass(frozen=True)
class JobResult:
    """How one job's turn went: ``ran`` (its outcome line), ``failed`` or ``skipped``."""

    job: str
    status: str
    outcome: str


class Scheduler:
    """Runs ``jobs`` as they fall due, each under its lease, until ``stop`` is set."""

    def __init__(self, jobs: Sequence[Job] = JOBS, *, stop: threading.Event | None = None):
        self.jobs = tuple(jobs)
        self.stop = stop or threading.Event()
        self.holder = lease_holder()
        self.next_due = {job.name: 0.0 for job in self.jobs}

    def run_job(self, job: Job) -> JobResult:
        """Run ``job`` if its lease is free (it is due everywhere), and log the outcome."""
        if not lease_acquire(name=job.lease_name, holder=self.holder, seconds=JOB_LEASE_SECONDS):
            expiry = lease_expiry(name=job.lease_name)
            wait = (expiry - timezone.now()).total_seconds() if expiry else job.every
            # A job running elsewhere holds its lease JOB_LEASE_SECONDS ahead: look again
            # within one interval all the same, as its next turn may fall due here.
            self.next_due[job.name] = time.monotonic() + max(min(wait, job.every), 1.0)
            holder = lease_holder_of(name=job.lease_name) or "another scheduler"
            outcome = f"not due here: held by {holder} for {max(wait, 0):.0f} s more"
            logger.info("job %s skipped: %s", job.name, outcome)
            return JobResult(job.name, "skipped", outcome)
        started = time.monotonic()
        context = JobContext(
            lease_name=job.lease_name, holder=self.holder, stop=self.stop, budget=job.every
        )
        try:
            outcome = job.run(context)
            status = "ran"
        except Exception as exc:
            logger.exception("job %s failed", job.name)
            outcome, status = f"{type(exc).__name__}: {exc}", "failed"
        finally:
            # Held until the job is next due: no scheduler runs it again sooner.
            elapsed = time.monotonic() - started
            lease_renew(name=job.lease_name, holder=self.holder, seconds=job.every - elapsed)
            self.next_due[job.name] = started + job.every
        logger.info("job %s %s in %.1f s: %s", job.name, status, elapsed, outcome)
        return JobResult(job.name, status, outcome)

    def run_due(self) -> list[JobResult]:
        """Run every job that is due, one after another, unless a stop is asked for."""
        results = []
        for job in self.jobs:
            if self.stop.is_set():
                break
            if time.monotonic() >= self.next_due[job.name]:
                close_old_connections()
                results.append(self.run_job(job))
        return results

    def run_forever(self) -> None:
        """Run jobs as they fall due until ``stop`` is set (it is checked between jobs)."""
        logger.info("scheduler %s started: %s", self.holder, ", ".join(j.name for j in self.jobs))
        while not self.stop.is_set():
            try:
                self.run_due()
            except DatabaseError:
                # The database went away between jobs: try again on the next tick.
                logger.exception("scheduler %s: the database did not answer", self.holder)
                close_old_connections()
            soonest = min(self.next_due.values()) - time.monotonic()
            self.stop.wait(timeout=min(max(soonest, 0.1), TICK_SECONDS))
        logger.info("scheduler %s stopped", self.holder)
