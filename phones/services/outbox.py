"""The outbox: phone creates kept locally while WellApp cannot confirm them, and delivered
in the background with the same client-generated id until it does.

An entry is written before anything is sent, and every attempt re-sends the stored document,
so a process killed at any moment neither loses the phone nor creates it twice: the next
attempt meets a 409 (or finds the phone) and confirms it. Each attempt is a background task
(``outbox_deliver_task``, run by ``manage.py db_worker``).
"""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.json import normalize_json
from django_tasks_db.models import DBTaskResult

from phones.models import OutboxEntry, UpstreamStatus
from phones.request_ids import get_request_id, request_id_scope
from phones.services.audit import audit_record
from phones.services.create_failures import CreateFailureKind, PhoneCreateFailed
from phones.services.health import upstream_delivery_noted
from phones.services.import_pacing import import_hold
from phones.services.leases import lease_holder
from phones.services.outbox_claims import outbox_claim, outbox_claim_release
from phones.services.phones import phone_deliver
from phones.upstream.documents import build_phone_document
from phones.upstream.drafts import PhoneDraft

logger = logging.getLogger(__name__)

# How long one delivery attempt may wait for WellApp to confirm, retries included.
DELIVERY_BUDGET_SECONDS = 20.0
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 15 * 60


def retry_delay(attempts: int) -> timedelta:
    """How long to wait before the next attempt: doubling from 30 s, at most 15 minutes."""
    seconds = FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, LONGEST_RETRY_SECONDS))


def _asked_wait(retry_after: float | None) -> timedelta:
    """The wait WellApp's ``Retry-After`` asked for, at most LONGEST_RETRY_SECONDS."""
    return timedelta(seconds=min(max(retry_after or 0, 0), LONGEST_RETRY_SECONDS))


def _schedule(entry: OutboxEntry) -> None:
    delivery = outbox_deliver_task
    if entry.next_attempt_at > timezone.now():
        delivery = delivery.using(run_after=entry.next_attempt_at)
    delivery.enqueue(entry_id=str(entry.pk))


def outbox_schedule_bulk(*, entries: Sequence[OutboxEntry]) -> None:
    """A delivery task for each entry, due at its ``next_attempt_at``, written in a few
    inserts in the caller's transaction: the rows the database task backend (the one TASKS
    names) writes for ``enqueue``, without one insert per entry (django-tasks-db 0.13)."""
    DBTaskResult.objects.bulk_create(
        [
            DBTaskResult(
                args_kwargs=normalize_json({"args": [], "kwargs": {"entry_id": str(entry.pk)}}),
                priority=outbox_deliver_task.priority,
                task_path=outbox_deliver_task.module_path,
                queue_name=outbox_deliver_task.queue_name,
                run_after=entry.next_attempt_at,
                backend_name=outbox_deliver_task.backend,
            )
            for entry in entries
        ],
        batch_size=1000,
    )


def outbox_enqueue(
    *, actor: User, document: dict[str, Any], form_data: dict[str, Any]
) -> OutboxEntry:
    """Keep this create document and deliver it in the background, under the current
    request's id."""
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
                "request_id": get_request_id() or "",
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


def phone_queue(*, actor: User, draft: PhoneDraft, form_data: dict[str, Any]) -> OutboxEntry:
    """Queue the create of ``draft`` for the background, with the form data it came from
    (so it can be corrected later). The request is built now and re-sent as it is."""
    document = build_phone_document(draft, now=timezone.now())
    return outbox_enqueue(actor=actor, document=document, form_data=form_data)


def outbox_deliver(
    *, entry_id: str, budget: float = DELIVERY_BUDGET_SECONDS, schedule: bool = True
) -> OutboxEntry | None:
    """One delivery attempt of a queued create, waiting at most ``budget`` seconds for
    WellApp, under a claim on the entry (an entry another worker is sending is left to it);
    schedules the next attempt as a task if it is not confirmed, unless ``schedule`` is
    False (the scheduler, which takes up due entries itself). None: there is no such entry."""
    holder = lease_holder()
    if not outbox_claim(entry_id=entry_id, holder=holder):
        return OutboxEntry.objects.filter(id=entry_id).first()
    try:
        entry = OutboxEntry.objects.get(id=entry_id)
        return _deliver_claimed(entry, budget=budget, schedule=schedule)
    finally:
        outbox_claim_release(entry_id=entry_id, holder=holder)


def _deliver_claimed(entry: OutboxEntry, *, budget: float, schedule: bool) -> OutboxEntry:
    audit_record(actor=entry.author, action="phone.sent", upstream_id=str(entry.pk))
    try:
        phone_deliver(actor=entry.author, document=entry.document, budget=budget)
    except PhoneCreateFailed as exc:
        _wellapp_seen(exc)
        entry.refresh_from_db()
        entry.last_error = exc.message
        entry.last_trace_id = exc.trace_id
        if exc.kind == CreateFailureKind.REJECTED:
            entry.state = OutboxEntry.State.FAILED
            audit_record(
                actor=entry.author,
                action="phone.rejected",
                upstream_id=str(entry.pk),
                trace_id=exc.trace_id,
                detail={"message": exc.message},
            )
        else:
            # Not sooner than WellApp asked (Retry-After), nor than the doubling delay.
            entry.state = OutboxEntry.State.RETRYING
            wait = max(retry_delay(entry.attempts), _asked_wait(exc.retry_after))
            entry.next_attempt_at = timezone.now() + wait
        entry.save()
        if entry.state == OutboxEntry.State.RETRYING:
            if schedule:
                _schedule(entry)
            if entry.phone_import_id is not None and exc.retry_after:
                # WellApp asked to slow down: the rest of the import waits as well.
                import_hold(
                    phone_import_id=entry.phone_import_id,
                    until=timezone.now() + _asked_wait(exc.retry_after),
                    exclude_id=entry.pk,
                )
        logger.info("Queued phone %s not delivered: %s", entry.pk, exc.message)
        return entry
    _wellapp_seen(None)
    entry.refresh_from_db()  # phone_deliver marked it confirmed
    return entry


def _wellapp_seen(failure: PhoneCreateFailed | None) -> None:
    """Note what a delivery showed of WellApp: it answered (a confirmation, a rejection) or
    could not be used. A rate limit says neither. Answering after an outage, the creates
    queued meanwhile are sent now."""
    if failure is None or failure.kind == CreateFailureKind.REJECTED:
        outbox_wake_if_back(upstream_delivery_noted(ok=True))
    elif failure.retry_after is None:
        upstream_delivery_noted(ok=False, error_kind=failure.kind.value, error=failure.message)


@task
def outbox_deliver_task(entry_id: str) -> dict[str, str | int]:
    """One delivery attempt of a queued phone create (it schedules its own retry). An entry
    held back since this task was scheduled (its import met a rate limit) is not sent now:
    the task hands itself on to the entry's new time. It runs under the id of the request
    that queued the entry, so its log lines, audit rows and calls to WellApp carry it."""
    stored = OutboxEntry.objects.filter(id=entry_id).values_list("request_id", flat=True)
    with request_id_scope(stored.first() or None):
        return _deliver_due(entry_id)


def _deliver_due(entry_id: str) -> dict[str, str | int]:
    held = OutboxEntry.objects.filter(
        id=entry_id, state__in=OutboxEntry.OPEN_STATES, next_attempt_at__gt=timezone.now()
    ).first()
    if held is not None:
        _schedule(held)
        return {"entry": entry_id, "state": "held", "attempts": held.attempts}
    entry = outbox_deliver(entry_id=entry_id)
    if entry is None:
        return {"entry": entry_id, "state": "missing"}
    return {"entry": entry_id, "state": entry.state, "attempts": entry.attempts}


def outbox_retry_now(*, entry_id: str) -> OutboxEntry | None:
    """Deliver an open entry as soon as the worker can."""
    entry = OutboxEntry.objects.filter(id=entry_id, state__in=OutboxEntry.OPEN_STATES).first()
    if entry is not None:
        entry.next_attempt_at = timezone.now()
        entry.save(update_fields=["next_attempt_at", "updated_at"])
        _schedule(entry)
    return entry


def outbox_discard(*, entry_id: str, actor: User) -> OutboxEntry | None:
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


def outbox_wake(*, since: datetime | None) -> int:
    """WellApp answers again after an outage: every open entry whose last attempt failed
    in it (updated ``since`` WellApp was last seen answering; None: any) and that waits for
    a later attempt is made due now and handed to the workers, rather than each waiting out
    its own backoff (up to LONGEST_RETRY_SECONDS). An entry held back by a rate limit
    before the outage keeps its wait. Returns how many were woken."""
    now = timezone.now()
    waiting = OutboxEntry.objects.filter(state__in=OutboxEntry.OPEN_STATES, next_attempt_at__gt=now)
    if since is not None:
        waiting = waiting.filter(updated_at__gte=since)
    with transaction.atomic():
        entries = list(waiting.select_for_update(skip_locked=True))
        for entry in entries:
            entry.next_attempt_at = now
            entry.updated_at = now
        OutboxEntry.objects.bulk_update(entries, ["next_attempt_at", "updated_at"])
        outbox_schedule_bulk(entries=entries)
    if entries:
        logger.info("WellApp answers again: %d queued create(s) due now", len(entries))
    return len(entries)


def outbox_wake_if_back(before: UpstreamStatus | None) -> int:
    """Wake the outbox (``outbox_wake``) when WellApp's last-seen status was down
    (``before``, read before the answer that showed it up again)."""
    if before is None or before.ok:
        return 0
    return outbox_wake(since=before.last_ok_at)
