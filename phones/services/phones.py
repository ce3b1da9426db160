"""Creating a phone in WellApp: never lost, never duplicated.

The client-generated id minted with the form is ``data.id``, so every re-send is the same
request: WellApp answers 409 to a phone it already has. When the outcome of a send is
unknown (timeout, dropped connection, unreadable answer), the phone is looked up by that id
before anything is sent again. All of it fits in a time budget so no web worker waits for
WellApp longer than about 15 seconds.
"""

import logging
import random
import time
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from phones.models import Company, OutboxEntry, Person, Phone, Workspace
from phones.services.audit import audit_record
from phones.services.cache import phones_upsert
from phones.services.create_failures import PhoneCreateFailed, rejected, unconfirmed
from phones.services.health import upstream_client
from phones.upstream.client import WellAppClient
from phones.upstream.documents import build_phone_document
from phones.upstream.errors import (
    AuthRejected,
    BadResponse,
    Conflict,
    NotFound,
    Rejected,
    Unavailable,
    UpstreamError,
)
from phones.upstream.records import CompanyRecord, PersonRecord, PhoneRecord, WorkspaceRecord

logger = logging.getLogger(__name__)

PAUSE_CAP = 3.0


def phone_document(
    *,
    phone_id: uuid.UUID,
    country_code: int,
    national_number: str,
    e164_number: str,
    label: str,
    is_primary: bool,
    is_verified: bool,
    people: Sequence[Person],
    companies: Sequence[Company],
    workspaces: Sequence[Workspace],
) -> dict:
    """The create request for WellApp, in the shape of its own example (see documents.py)."""
    return build_phone_document(
        phone_id=str(phone_id),
        country_code=country_code,
        national_number=national_number,
        e164_number=e164_number,
        label=label,
        is_primary=is_primary,
        is_verified=is_verified,
        people=[
            PersonRecord(
                id=p.id,
                first_name=p.first_name,
                last_name=p.last_name,
                full_name=p.full_name,
                created_at=p.upstream_created_at,
                updated_at=p.upstream_updated_at,
            )
            for p in people
        ],
        companies=[
            CompanyRecord(
                id=c.id,
                name=c.name,
                description=c.description,
                locale=c.locale,
                domain=c.domain,
                created_at=c.upstream_created_at,
                updated_at=c.upstream_updated_at,
            )
            for c in companies
        ],
        workspaces=[
            WorkspaceRecord(
                id=w.id,
                external_workspace_id=w.external_workspace_id,
                name=w.name,
                description=w.description,
                avatar_color=w.avatar_color,
                auto_extract_enabled=w.auto_extract_enabled,
                created_at=w.upstream_created_at,
                updated_at=w.upstream_updated_at,
            )
            for w in workspaces
        ],
        now=timezone.now(),
    )


def _lookup(client: WellAppClient, phone_id: str, deadline: float) -> PhoneRecord | None:
    """The phone if WellApp has it, None if it does not (raises when WellApp cannot say)."""
    try:
        return client.get_phone(phone_id, give_up_at=deadline).items[0]
    except NotFound:
        return None


def _outcome_unknown(exc: UpstreamError) -> bool:
    """Whether a failed send may still have created the phone."""
    if not exc.sent:
        return False  # never reached WellApp
    # An error answer (429, 5xx) means WellApp handled it and did not create; anything else
    # (timeout, dropped connection, unreadable answer) leaves the outcome open.
    return exc.status is None or 200 <= exc.status < 300


def _send(client: WellAppClient, document: dict, phone_id: str, deadline: float) -> PhoneRecord:
    """Send the create until WellApp confirms it, re-sending only the same document."""
    last: UpstreamError | None = None
    attempt = 0
    while time.monotonic() < deadline:
        attempt += 1
        try:
            try:
                return client.create_phone(document, give_up_at=deadline)
            except Conflict:
                # An earlier send of this same id created it.
                found = _lookup(client, phone_id, deadline)
                if found is not None:
                    return found
                raise
            except (Unavailable, BadResponse) as exc:
                last = exc
                if _outcome_unknown(exc):
                    found = _lookup(client, phone_id, deadline)
                    if found is not None:
                        return found
        except (Rejected, AuthRejected):
            raise
        except UpstreamError as exc:
            last = exc
        backoff = 0.25 * 2 ** (attempt - 1) * (1 + random.random())
        pause = min(last.retry_after if last.retry_after is not None else backoff, PAUSE_CAP)
        if time.monotonic() + pause >= deadline:
            break
        logger.info("Create of phone %s not confirmed (attempt %d); retrying", phone_id, attempt)
        time.sleep(pause)
    raise unconfirmed(last)


def phone_create(
    *,
    actor: AbstractBaseUser,
    client_id: uuid.UUID,
    country_code: int,
    national_number: str,
    e164_number: str,
    label: str,
    is_primary: bool,
    is_verified: bool,
    people: Sequence[Person] = (),
    companies: Sequence[Company] = (),
    workspaces: Sequence[Workspace] = (),
    budget: float | None = None,
) -> Phone:
    """Create the phone in WellApp (idempotently, by ``client_id``) and cache what it says."""
    existing = Phone.objects.filter(id=client_id).first()
    if existing is not None:
        return existing  # a repeated submit of a phone already created and cached
    document = phone_document(
        phone_id=client_id,
        country_code=country_code,
        national_number=national_number,
        e164_number=e164_number,
        label=label,
        is_primary=is_primary,
        is_verified=is_verified,
        people=people,
        companies=companies,
        workspaces=workspaces,
    )
    return phone_deliver(actor=actor, document=document, budget=budget)


def phone_deliver(
    *, actor: AbstractBaseUser | None, document: dict, budget: float | None = None
) -> Phone:
    """Send a create document until WellApp confirms it (or the budget runs out), then cache
    the phone and record who created it. Raises PhoneCreateFailed."""
    phone_id = str(document["data"]["id"])
    client = upstream_client()
    deadline = time.monotonic() + (budget if budget is not None else settings.WELL_CREATE_BUDGET)
    try:
        record = _send(client, document, phone_id, deadline)
    except Rejected as exc:
        raise rejected(document, exc) from exc
    except AuthRejected as exc:
        raise PhoneCreateFailed(
            "WellApp refused the portal's API token, so nothing was created. Your input is "
            "kept; tell the portal's administrators (the WELL_API_TOKEN setting).",
            kind="auth",
            trace_id=exc.trace_id or "",
        ) from exc
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
