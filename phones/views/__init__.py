"""HTTP views. They validate input with forms, read through selectors and write through
services; they never talk to WellApp themselves."""

from phones.views.browse import phone_detail, phone_list
from phones.views.create import number_preview, phone_new, picker_options
from phones.views.export import phone_export
from phones.views.health import healthz
from phones.views.outbox import outbox_drop, outbox_entries, outbox_list, outbox_retry
from phones.views.sync import phone_refresh, sync_start, sync_status

__all__ = [
    "healthz",
    "number_preview",
    "outbox_drop",
    "outbox_entries",
    "outbox_list",
    "outbox_retry",
    "phone_detail",
    "phone_export",
    "phone_list",
    "phone_new",
    "phone_refresh",
    "picker_options",
    "sync_start",
    "sync_status",
]
