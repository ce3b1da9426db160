"""Claims on queued creates: whoever sends an outbox entry claims it first, so two workers or
schedulers never send the same entry at the same moment.

A claim is one conditional UPDATE (the entry is open and unclaimed, or its claim expired), so
it is race-safe on SQLite and PostgreSQL. A claim expires after ``OUTBOX_CLAIM_SECONDS``
(longer than any one delivery attempt may take), so the entry of a worker killed mid-send is
picked up again; the re-send carries the same id, and WellApp's 409 confirms it.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from phones.models import OutboxEntry


def outbox_claim(*, entry_id: str, holder: str) -> bool:
    """Claim an open entry for one delivery attempt (counting the attempt); False when it is
    missing, no longer open, or being sent by someone else."""
    now = timezone.now()
    return bool(
        OutboxEntry.objects.filter(id=entry_id, state__in=OutboxEntry.OPEN_STATES)
        .filter(Q(claim_expires_at__isnull=True) | Q(claim_expires_at__lte=now))
        .update(
            claimed_by=holder,
            claim_expires_at=now + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )


def outbox_claim_release(*, entry_id: str, holder: str) -> None:
    """End ``holder``'s claim on an entry (a claim taken over since is left alone)."""
    OutboxEntry.objects.filter(id=entry_id, claimed_by=holder).update(
        claimed_by="", claim_expires_at=None
    )
