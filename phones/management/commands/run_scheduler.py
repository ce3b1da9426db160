"""`python manage.py run_scheduler [--once]`: run the periodic jobs (phones.services.schedule)."""

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phones.services.schedule import Scheduler


class Command(BaseCommand):
    help = (
        "Run the periodic jobs: deliver overdue queued creates, run again tasks whose worker "
        "died, probe WellApp, prune old records. Safe to run on several machines at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Run every job that is due once, then exit (for cron and tests).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()

        def asked_to_stop(signum: int, frame: FrameType | None) -> None:
            self.stderr.write(f"{signal.strsignal(signum)}: stopping after the current job.")
            stop.set()

        previous = {
            sig: signal.signal(sig, asked_to_stop) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            scheduler = Scheduler(stop=stop)
            if not options["once"]:
                scheduler.run_forever()
                return
            failed = [result.job for result in scheduler.run_due() if result.status == "failed"]
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failed:
            raise CommandError(f"These jobs failed: {', '.join(failed)} (see the log).")
