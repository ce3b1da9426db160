"""The pace an import's creates go to WellApp at.

A confirmed import's creates are spread out at ``WELL_IMPORT_SENDS_PER_SECOND``: create
*n* is due *n* / rate seconds after the confirm, and its delivery task runs no earlier. When
WellApp answers one of them with ``Retry-After`` (a 429, or a 503 that says when to come
back), the import's other waiting creates are held back so the first of them goes out only
when that wait is over, keeping their spacing. A delivery task that arrives before its
entry's (held) time hands itself on to that time instead of sending.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min

from phones.models import OutboxEntry, PhoneImport


def import_send_interval() -> timedelta:
    """The time between two creates of one import."""
    rate = float(settings.WELL_IMPORT_SENDS_PER_SECOND)
    if rate <= 0:
        raise ValueError("WELL_IMPORT_SENDS_PER_SECOND must be positive")
    return timedelta(seconds=1 / rate)


def import_send_times(*, start: datetime, count: int) -> list[datetime]:
    """When each of ``count`` creates confirmed at ``start`` is due, in order."""
    interval = import_send_interval()
    return [start + interval * index for index in range(count)]


def import_hold(*, phone_import_id: uuid.UUID, until: datetime, exclude_id: uuid.UUID) -> int:
    """Hold back the import's waiting creates (all but ``exclude_id``) so none is due before
    ``until``: they all move by the same amount, keeping their spacing. Returns how many
    moved (0 when none was due before ``until``)."""
    with transaction.atomic():
        # One hold at a time per import: two creates meeting the same 429 move the rest once.
        PhoneImport.objects.select_for_update().filter(pk=phone_import_id).first()
        waiting = OutboxEntry.objects.filter(
            phone_import_id=phone_import_id, state__in=OutboxEntry.OPEN_STATES
        ).exclude(pk=exclude_id)
        earliest = waiting.aggregate(earliest=Min("next_attempt_at"))["earliest"]
        if earliest is None or earliest >= until:
            return 0
        return waiting.update(next_attempt_at=F("next_attempt_at") + (until - earliest))
