"""`python manage.py sync_wellapp [--full]`: pull WellApp's records into the local cache."""

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phones.services.sync import SyncFailed, SyncProgress, sync_run
from phones.services.sync_guard import SyncBusy

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Read workspaces, companies, people and phones from WellApp into the local cache."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full",
            action="store_true",
            help="Re-read every phone instead of only those changed since the last sync.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interactive = self.stdout.isatty()
        last_resource, last_at = [""], [0.0]  # the last line written (non-interactive)

        def report(progress: SyncProgress) -> None:
            counts = progress.counts[progress.resource]
            if interactive:
                total = progress.total or 0
                done = counts.created + counts.updated + counts.unchanged
                share = min(done / total, 1.0) if total else 0.0
                filled = int(share * BAR_WIDTH)
                bar = "#" * filled + "-" * (BAR_WIDTH - filled)
                of_total = f"/{total}" if total else ""
                sys.stdout.write(
                    f"\r{progress.resource:<10} [{bar}] {done}{of_total}"
                    f"  new {counts.created}  changed {counts.updated}"
                )
                sys.stdout.flush()
                return
            now = time.monotonic()
            if progress.resource != last_resource[0] or now - last_at[0] >= 2:
                last_resource[0], last_at[0] = progress.resource, now
                self.stdout.write(
                    f"{progress.resource}: {progress.records} records read so far "
                    f"({counts.created} new, {counts.updated} changed)"
                )

        try:
            run = sync_run(full=options["full"], on_progress=report)
        except SyncBusy as exc:
            raise CommandError(
                "Another sync is running (started from the portal or another machine); "
                "try again once it has finished."
            ) from exc
        except SyncFailed as exc:
            if interactive:
                sys.stdout.write("\n")
            trace = f" (WellApp trace id {exc.trace_id})" if exc.trace_id else ""
            raise CommandError(
                f"{exc}{trace}. Pages read before the failure are saved; run the command again "
                "to continue."
            ) from exc
        if interactive:
            sys.stdout.write("\n")
        kind = "Full" if run.full else "Incremental"
        self.stdout.write(
            self.style.SUCCESS(
                f"{kind} sync finished: {run.records} records read in {run.pages} pages, "
                f"{run.created} new, {run.updated} changed."
            )
        )
