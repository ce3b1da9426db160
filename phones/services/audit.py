"""The append-only audit log of what staff did with WellApp data."""

from typing import Any

from django.contrib.auth.models import User

from phones.models import AuditEntry
from phones.request_ids import get_request_id


def audit_record(
    *,
    actor: User | None,
    action: str,
    upstream_id: str = "",
    trace_id: str = "",
    detail: dict[str, Any] | None = None,
    client_ip: str | None = None,
) -> AuditEntry:
    """Append one entry: who (None for the system), what, WellApp's ids for it, and the
    current request's id and, when given, the address it came from."""
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        upstream_id=upstream_id,
        trace_id=trace_id,
        detail=detail or {},
        request_id=get_request_id() or "",
        client_ip=client_ip,
    )
