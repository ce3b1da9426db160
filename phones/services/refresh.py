"""Re-reading one phone from WellApp on demand."""

import uuid

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from phones.models import Phone
from phones.services.audit import audit_record
from phones.services.cache import directory_upsert, phones_upsert
from phones.services.listing import listing_refresh
from phones.upstream.errors import NotFound, UpstreamError
from phones.upstream.shared import upstream_client


class PhoneRefreshFailed(Exception):
    """WellApp could not be read; the cached copy is as it was."""

    def __init__(self, message: str, *, trace_id: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.trace_id = trace_id


def phone_refresh(*, phone_id: uuid.UUID, actor: User | None = None) -> Phone:
    """Read one phone from WellApp into the cache; one WellApp no longer has is marked deleted.
    Either way the audit log records who asked, what came of it and WellApp's trace id."""
    try:
        page = upstream_client().get_phone(str(phone_id))
    except NotFound as exc:
        Phone.objects.filter(id=phone_id, deleted_at__isnull=True).update(deleted_at=timezone.now())
        listing_refresh(phone_ids=[phone_id])
        phone = Phone.objects.filter(id=phone_id).first()
        if phone is None:
            raise PhoneRefreshFailed(
                "WellApp has no phone with this id.", trace_id=exc.trace_id or ""
            ) from exc
        audit_record(
            actor=actor,
            action="phone.refreshed",
            upstream_id=str(phone_id),
            trace_id=exc.trace_id or "",
            detail={"outcome": "deleted"},
        )
        return phone
    except UpstreamError as exc:
        raise PhoneRefreshFailed(
            "The phone could not be read from WellApp, so the copy here is unchanged: "
            f"{exc.summary}",
            trace_id=exc.trace_id or "",
        ) from exc
    with transaction.atomic():
        directory_upsert(people=page.people, companies=page.companies, workspaces=page.workspaces)
        counts = phones_upsert(phones=page.items[:1], fetched_at=timezone.now())
        audit_record(
            actor=actor,
            action="phone.refreshed",
            upstream_id=str(phone_id),
            trace_id=page.trace_id or "",
            detail={"outcome": "changed" if counts.written else "unchanged"},
        )
    return Phone.objects.get(id=phone_id)
