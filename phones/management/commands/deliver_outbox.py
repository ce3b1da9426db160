"""`python manage.py deliver_outbox`: deliver queued phone creates that are due."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from phones.models import OutboxEntry
from phones.services.outbox import outbox_deliver, outbox_resume


class Command(BaseCommand):
    help = (
        "Deliver the queued phone creates that are due now (same client id, so never a "
        "duplicate). With --schedule, hand them to the task worker instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schedule", action="store_true", help="Enqueue, do not send here.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            self.stdout.write(f"{outbox_resume()} queued phone(s) handed to the worker.")
            return
        due = OutboxEntry.objects.filter(
            state__in=OutboxEntry.OPEN_STATES, next_attempt_at__lte=timezone.now()
        ).values_list("id", flat=True)
        for entry_id in list(due):
            entry = outbox_deliver(entry_id=str(entry_id))
            if entry is not None:
                self.stdout.write(f"{entry.e164_number}: {entry.get_state_display().lower()}")
