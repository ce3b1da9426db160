"""The outbox: phone creates kept locally while WellApp cannot confirm them, and delivered
in the background with the same client-generated id until it does.

An entry is written before anything is sent, and every attempt re-sends the stored document,
so a process killed at any moment neither loses the phone nor creates it twice: the next
attempt meets a 409 (or finds the phone) and confirms it.
"""

import logging
import uuid
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from phones.models import OutboxEntry
from phones.services.audit import audit_record
from phones.services.create_failures import PhoneCreateFailed
from phones.services.phones import phone_deliver, phone_document

logger = logging.getLogger(__name__)

DELIVERY_BUDGET_SECONDS = 20.0
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 15 * 60


def retry_delay(attempts: int) -> timedelta:
    """How long to wait before the next attempt: doubling from 30 s, at most 15 minutes."""
    seconds = FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, LONGEST_RETRY_SECONDS))


def _schedule(entry: OutboxEntry) -> None:
    from phones.tasks import outbox_deliver_task  # the task module imports this one

    task = outbox_deliver_task
    if entry.next_attempt_at > timezone.now():
        task = task.using(run_after=entry.next_attempt_at)
    task.enqueue(entry_id=str(entry.pk))


def outbox_enqueue(
    *, actor: AbstractBaseUser, document: dict, form_data: dict[str, Any]
) -> OutboxEntry:
    """Keep this create document and deliver it in the background."""
    phone_id = str(document["data"]["id"])
    with transaction.atomic():
        entry, _ = OutboxEntry.objects.update_or_create(
            id=phone_id,
            defaults={
                "document": document,
                "form_data": form_data,
                "author": actor,
                "state": OutboxEntry.State.QUEUED,
                "next_attempt_at": timezone.now(),
                "last_error": "",
            },
        )
        audit_record(
            actor=actor,
            action="phone.queued",
            upstream_id=phone_id,
            detail={"e164_number": entry.e164_number},
        )
        # The task row is written in this same transaction (database task backend): the
        # entry and its delivery are stored together or not at all.
        _schedule(entry)
    return entry


def phone_queue(
    *, actor: AbstractBaseUser, form_data: dict[str, Any], client_id: uuid.UUID, **phone: Any
) -> OutboxEntry:
    """Queue the create of this phone (``phone_create``'s arguments) for the background."""
    document = phone_document(phone_id=client_id, **phone)
    return outbox_enqueue(actor=actor, document=document, form_data=form_data)


def outbox_deliver(*, entry_id: str, budget: float = DELIVERY_BUDGET_SECONDS) -> OutboxEntry:
    """One delivery attempt of a queued create; schedules the next one if it is not confirmed."""
    with transaction.atomic():
        entry = OutboxEntry.objects.select_for_update().filter(id=entry_id).first()
        if entry is None or not entry.is_open:
            return entry  # type: ignore[return-value]
        entry.attempts += 1
        entry.save(update_fields=["attempts", "updated_at"])
    audit_record(actor=entry.author, action="phone.sent", upstream_id=str(entry.pk))
    try:
        phone_deliver(actor=entry.author, document=entry.document, budget=budget)
    except PhoneCreateFailed as exc:
        entry.refresh_from_db()
        entry.last_error = exc.message
        entry.last_trace_id = exc.trace_id
        if exc.kind == "rejected":
            entry.state = OutboxEntry.State.FAILED
            audit_record(
                actor=entry.author,
                action="phone.rejected",
                upstream_id=str(entry.pk),
                trace_id=exc.trace_id,
                detail={"message": exc.message},
            )
        else:
            entry.state = OutboxEntry.State.RETRYING
            entry.next_attempt_at = timezone.now() + retry_delay(entry.attempts)
        entry.save()
        if entry.state == OutboxEntry.State.RETRYING:
            _schedule(entry)
        logger.info("Queued phone %s not delivered: %s", entry.pk, exc.message)
        return entry
    entry.refresh_from_db()  # phone_deliver marked it confirmed
    return entry


def outbox_retry_now(*, entry_id: str) -> OutboxEntry | None:
    """Deliver an open entry as soon as the worker can."""
    entry = OutboxEntry.objects.filter(id=entry_id, state__in=OutboxEntry.OPEN_STATES).first()
    if entry is not None:
        entry.next_attempt_at = timezone.now()
        entry.save(update_fields=["next_attempt_at", "updated_at"])
        _schedule(entry)
    return entry


def outbox_discard(*, entry_id: str, actor: AbstractBaseUser) -> OutboxEntry | None:
    """Give up on an entry that is not confirmed."""
    entry = (
        OutboxEntry.objects.filter(id=entry_id).exclude(state=OutboxEntry.State.CONFIRMED).first()
    )
    if entry is not None:
        entry.state = OutboxEntry.State.DISCARDED
        entry.save(update_fields=["state", "updated_at"])
        audit_record(actor=actor, action="phone.discarded", upstream_id=str(entry.pk))
    return entry


def outbox_resume() -> int:
    """Schedule every open entry that is due: after a worker was killed, nothing is left
    waiting. Returns how many were scheduled."""
    due = OutboxEntry.objects.filter(
        state__in=OutboxEntry.OPEN_STATES, next_attempt_at__lte=timezone.now()
    )
    count = 0
    for entry in due:
        _schedule(entry)
        count += 1
    return count
