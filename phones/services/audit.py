"""The append-only audit log of what staff did with WellApp data."""

from typing import Any

from django.contrib.auth.models import User

from phones.models import AuditEntry


def audit_record(
    *,
    actor: User | None,
    action: str,
    upstream_id: str = "",
    trace_id: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry: who (None for the system), what, and WellApp's ids for it."""
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        upstream_id=upstream_id,
        trace_id=trace_id,
        detail=detail or {},
    )
