"""django-tasks-db's task worker, kept running through a database outage.

django-tasks-db's own ``db_worker`` exits on the first database error of its polling loop
(a restarted or failed-over PostgreSQL), leaving queued creates to whoever restarts it. This
command (the same name and options: ``phones`` comes before ``django_tasks_db`` in
``INSTALLED_APPS``, so it is the one ``manage.py db_worker`` runs) waits and polls again
instead: each failed poll is logged once and retried after a pause that grows from 1 s to
``RETRY_MAX_SECONDS``, and the worker goes on from the database as it finds it. A task cut
short by the outage stays claimed until the scheduler's requeue job hands it back.
"""

import logging
import time
from typing import Any

from django.db import close_old_connections
from django.db.utils import DatabaseError
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("django_tasks_db")

RETRY_MAX_SECONDS = 10.0
# A worker that polled this long without an error starts its pauses from 1 s again.
RESET_AFTER_SECONDS = 60.0


class Worker(db_worker.Worker):
    """A worker whose polling loop survives database errors."""

    def run(self) -> None:
        pause = 1.0
        while self.running:
            started = time.monotonic()
            try:
                super().run()
                return  # --batch or --max-tasks ended it, or a signal did
            except DatabaseError as exc:
                if not self.running:
                    return
                if time.monotonic() - started > RESET_AFTER_SECONDS:
                    pause = 1.0  # a new outage, not the same one going on
                logger.warning(
                    "Worker %s cannot reach the database (%s); polling again in %.0f s",
                    self.worker_id,
                    str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                    pause,
                )
                # A broken connection is not reused: the next poll opens a new one.
                close_old_connections()
                self._sleep(pause)
                pause = min(pause * 2, RETRY_MAX_SECONDS)

    def _sleep(self, seconds: float) -> None:
        """Sleep, waking early when a signal asks the worker to stop."""
        deadline = time.monotonic() + seconds
        while self.running and time.monotonic() < deadline:
            time.sleep(min(0.2, deadline - time.monotonic()))


class Command(db_worker.Command):
    help = db_worker.Command.help

    def handle(self, **options: Any) -> None:
        # django-tasks-db builds its Worker inside handle(); the module-level name is the
        # one it looks up, so swapping it for this command's run is enough.
        original = db_worker.Worker
        db_worker.Worker = Worker  # type: ignore[misc]
        try:
            super().handle(**options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]
