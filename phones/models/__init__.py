"""The local cache of WellApp records, and the bookkeeping around it.

Upstream ids are kept as primary keys (strings for the directory, a UUID for phones), so an
upsert is a write by key and a link never needs a lookup. Listing and search read only these
tables; nothing here talks HTTP. One module per concern:

- ``records``: workspaces, companies, people, phones and the phones' links;
- ``listing``: the narrow rows the list reads;
- ``sync``: the sync's state and runs, leases, WellApp as last seen;
- ``outbox``: creates on their way to WellApp, and the audit trail;
- ``imports``: bulk creates.
"""

from phones.models.imports import PhoneImport, PhoneImportRow
from phones.models.listing import EMPTY_NAMES, UNDATED, PhoneListing, PhoneListingLink
from phones.models.outbox import AuditEntry, OutboxEntry
from phones.models.records import (
    Company,
    Person,
    Phone,
    PhoneCompany,
    PhonePerson,
    PhoneWorkspace,
    Workspace,
)
from phones.models.sync import (
    SYNC_LEASE,
    SYNC_STALE_AFTER,
    Lease,
    SyncRun,
    SyncState,
    UpstreamStatus,
)

__all__ = [
    "EMPTY_NAMES",
    "SYNC_LEASE",
    "SYNC_STALE_AFTER",
    "UNDATED",
    "AuditEntry",
    "Company",
    "Lease",
    "OutboxEntry",
    "Person",
    "Phone",
    "PhoneCompany",
    "PhoneImport",
    "PhoneImportRow",
    "PhoneListing",
    "PhoneListingLink",
    "PhonePerson",
    "PhoneWorkspace",
    "SyncRun",
    "SyncState",
    "UpstreamStatus",
    "Workspace",
]
