"""Builders for the bulk create tests: an import from CSV lines, as staff would paste them."""

import hashlib
import time
import uuid

from django.contrib.auth.models import User
from django_tasks_db.models import DBTaskResult

from phones.import_rows import COLUMNS, read_rows
from phones.models import OutboxEntry, PhoneImport
from phones.services.imports import import_create
from phones.services.outbox import outbox_deliver, outbox_deliver_task

HEADER = ",".join(COLUMNS)
FILE_NAME = "phones.csv"


def ready_line(n: int, *, label: str = "work") -> str:
    """A row that checks out: +1 212 555 ``n``, primary, linked to WellApp's example person,
    company (by its domain) and sales workspace (by its name), all cached by
    ``seed_directory``."""
    return f"+1 212 555 {n:04d},,{label},yes,no,people1,acme.com,Sales Team Workspace"


def csv_text(*lines: str) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


def make_import(actor: User, *lines: str) -> PhoneImport:
    """An import of ``lines`` (the header is line 1, so the first of them is line 2)."""
    text = csv_text(*lines)
    return import_create(
        actor=actor,
        rows=read_rows(text),
        file_name=FILE_NAME,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        default_region="US",
    )


def statuses(phone_import: PhoneImport) -> dict[int, str]:
    return dict(phone_import.rows.values_list("line", "status"))


def derived(phone_import: PhoneImport, *lines: int) -> list[uuid.UUID]:
    """The client ids of the rows on ``lines``."""
    return [uuid.uuid5(phone_import.id, f"line-{line}") for line in lines]


def delivery_tasks() -> dict[str, DBTaskResult]:
    """The delivery tasks written so far, by the entry they deliver (the latest for each)."""
    tasks = DBTaskResult.objects.filter(task_path=outbox_deliver_task.module_path)
    return {task.args_kwargs["kwargs"]["entry_id"]: task for task in tasks.order_by("run_after")}


def deliver_all(phone_import: PhoneImport, *, budget: float, timeout: float = 90.0) -> int:
    """Deliver the import's open entries, over and over, as the worker would once each is
    due, until none is open (or ``timeout`` seconds pass); returns the passes it took."""
    deadline = time.monotonic() + timeout
    passes = 0
    while True:
        waiting = list(
            OutboxEntry.objects.filter(
                phone_import=phone_import, state__in=OutboxEntry.OPEN_STATES
            ).values_list("id", flat=True)
        )
        if not waiting:
            return passes
        if time.monotonic() >= deadline:
            raise AssertionError(f"{len(waiting)} creates still open after {timeout} s")
        for entry_id in waiting:
            outbox_deliver(entry_id=str(entry_id), budget=budget)
        passes += 1
