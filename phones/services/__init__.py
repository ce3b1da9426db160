"""Writes and the calls behind them: cache upserts, sync, and the upstream client in use."""

from phones.services.audit import audit_record
from phones.services.cache import UpsertCounts, directory_upsert, phones_upsert
from phones.services.create_failures import PhoneCreateFailed, field_for_path
from phones.services.health import health_check, upstream_client
from phones.services.outbox import (
    outbox_deliver,
    outbox_discard,
    outbox_enqueue,
    outbox_resume,
    outbox_retry_now,
    phone_queue,
)
from phones.services.phones import phone_create, phone_deliver, phone_document
from phones.services.refresh import PhoneRefreshFailed, phone_refresh
from phones.services.sync import SyncFailed, SyncProgress, sync_request, sync_run

__all__ = [
    "PhoneCreateFailed",
    "PhoneRefreshFailed",
    "SyncFailed",
    "SyncProgress",
    "UpsertCounts",
    "audit_record",
    "directory_upsert",
    "field_for_path",
    "health_check",
    "outbox_deliver",
    "outbox_discard",
    "outbox_enqueue",
    "outbox_resume",
    "outbox_retry_now",
    "phone_create",
    "phone_deliver",
    "phone_document",
    "phone_queue",
    "phone_refresh",
    "phones_upsert",
    "sync_request",
    "sync_run",
    "upstream_client",
]
