"""Creating a phone in WellApp: never lost, never duplicated.

The client-generated id minted with the form is ``data.id``, so every re-send is the same
request: WellApp answers 409 to a phone it already has. The client re-sends and looks the
phone up by that id (``WellAppClient.create_phone_confirmed``); this module says how long it
may take (``WELL_CREATE_BUDGET`` for a web request, so no web worker waits for WellApp
longer than about 15 seconds), then caches what WellApp confirmed and records who created it.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from phones.models import OutboxEntry, Phone
from phones.services.audit import audit_record
from phones.services.cache import phones_upsert
from phones.services.create_failures import (
    CreateFailureKind,
    PhoneCreateFailed,
    rejected,
    unconfirmed,
)
from phones.upstream.documents import build_phone_document
from phones.upstream.drafts import PhoneDraft
from phones.upstream.errors import AuthRejected, Rejected, UpstreamError
from phones.upstream.shared import upstream_client


def phone_create(*, actor: User, draft: PhoneDraft, budget: float | None = None) -> Phone:
    """Create ``draft`` in WellApp (idempotently, by its id) and cache what WellApp says,
    within ``budget`` seconds (``WELL_CREATE_BUDGET`` when None). Raises PhoneCreateFailed."""
    existing = Phone.objects.filter(id=draft.id).first()
    if existing is not None:
        return existing  # a repeated submit of a phone already created and cached
    document = build_phone_document(draft, now=timezone.now())
    if budget is None:
        budget = settings.WELL_CREATE_BUDGET
    return phone_deliver(actor=actor, document=document, budget=budget)


def phone_deliver(*, actor: User | None, document: dict[str, Any], budget: float) -> Phone:
    """Send a create document until WellApp confirms it (or ``budget`` seconds run out),
    then cache the phone and record who created it. Raises PhoneCreateFailed."""
    try:
        record = upstream_client().create_phone_confirmed(document, budget=budget)
    except Rejected as exc:
        raise rejected(document, exc) from exc
    except AuthRejected as exc:
        raise PhoneCreateFailed(
            "WellApp refused the portal's API token, so nothing was created. Your input is "
            "kept; tell the portal's administrators (the WELL_API_TOKEN setting).",
            kind=CreateFailureKind.AUTH,
            trace_id=exc.trace_id or "",
        ) from exc
    except UpstreamError as exc:
        raise unconfirmed(exc) from exc
    trace_id = (record.related.trace_id if record.related else None) or ""
    with transaction.atomic():
        phones_upsert(phones=[record], fetched_at=timezone.now())
        audit_record(
            actor=actor,
            action="phone.created",
            upstream_id=record.id,
            trace_id=trace_id,
            detail={"e164_number": record.e164_number},
        )
        # A queued copy of this phone (same id), even one corrected after a rejection, is
        # done now too.
        OutboxEntry.objects.filter(id=record.id).exclude(state=OutboxEntry.State.CONFIRMED).update(
            state=OutboxEntry.State.CONFIRMED, last_error="", last_trace_id=trace_id
        )
    return Phone.objects.get(id=record.id)
