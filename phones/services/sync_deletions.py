"""A full sync's last step: cached phones that WellApp's complete listing did not contain are
marked deleted (and leave the list)."""

import logging
import uuid
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from phones.models import Phone, SyncRun
from phones.selectors.listing import phone_count_adjust
from phones.services.listing import listing_refresh
from phones.upstream.records import PhoneRecord

logger = logging.getLogger(__name__)

DELETION_BATCH = 500


def phone_ids(records: Iterable[PhoneRecord]) -> set[uuid.UUID]:
    """The ids of ``records`` that are UUIDs (phone ids always are)."""
    ids = set()
    for record in records:
        try:
            ids.add(uuid.UUID(str(record.id)))
        except ValueError:
            continue
    return ids


def mark_missing_deleted(*, listed: set[uuid.UUID], run: SyncRun) -> int:
    """Mark cached phones that a complete listing did not contain as deleted; return how many.

    Phones first cached after the run started (created here meanwhile) are left alone, and an
    empty listing marks nothing: WellApp answering "no phones at all" is far likelier a fault
    than every phone being gone.
    """
    cached = set(
        Phone.objects.filter(deleted_at__isnull=True, fetched_at__lt=run.started_at).values_list(
            "id", flat=True
        )
    )
    if not listed and cached:
        logger.warning("Sync %s: WellApp listed no phones; no phone was marked deleted", run.pk)
        return 0
    missing = sorted(cached - listed)
    now = timezone.now()
    marked = 0
    with transaction.atomic():
        for start in range(0, len(missing), DELETION_BATCH):
            chunk = missing[start : start + DELETION_BATCH]
            marked += Phone.objects.filter(id__in=chunk, deleted_at__isnull=True).update(
                deleted_at=now
            )
            listing_refresh(phone_ids=chunk)
    if marked:
        phone_count_adjust(-marked)
    return marked
