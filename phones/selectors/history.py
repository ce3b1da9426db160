"""One phone's history for its page: what staff did with it here, what the queue did, and
which sync last wrote the copy, newest first."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from phones.models import AuditEntry, OutboxEntry, Phone, SyncRun

# An audit entry written this soon after the copy was saved is the write that saved it
# (a create or a refresh saves the copy, then records the entry in the same transaction).
SAME_WRITE = timedelta(seconds=5)


@dataclass(frozen=True)
class HistoryEvent:
    """One line of a phone's history: when, what happened, who did it, and WellApp's trace id."""

    at: datetime
    kind: str
    title: str
    who: str = ""
    detail: str = ""
    trace_id: str = ""


def _who(user: object) -> str:
    return user.get_username() if user is not None else ""  # type: ignore[attr-defined]


def _audit_events(audit: list[AuditEntry], entry: OutboxEntry | None) -> list[HistoryEvent]:
    events: list[HistoryEvent] = []
    sends: list[AuditEntry | None] = [row for row in audit if row.action == "phone.sent"] or [None]
    for row in audit:
        who = _who(row.actor)
        if row is sends[-1]:
            count = len(sends)
            events.append(
                HistoryEvent(
                    row.at,
                    "sent",
                    "Sent to WellApp by the queue",
                    detail=f"{count} attempt{'s' * (count != 1)}, the last one at this time.",
                )
            )
        elif row.action == "phone.created":
            detail = ""
            if entry is not None and entry.attempts:
                attempts = entry.attempts
                detail = (
                    f"Delivered from the queue after {attempts} attempt{'s' * (attempts != 1)}."
                )
            events.append(
                HistoryEvent(
                    row.at,
                    "created",
                    "Created in WellApp from this portal",
                    who,
                    detail,
                    row.trace_id,
                )
            )
        elif row.action == "phone.queued":
            events.append(HistoryEvent(row.at, "queued", "Queued for WellApp", who))
        elif row.action == "phone.rejected":
            message = str(row.detail.get("message", "")) if isinstance(row.detail, dict) else ""
            events.append(
                HistoryEvent(row.at, "rejected", "Rejected by WellApp", "", message, row.trace_id)
            )
        elif row.action == "phone.discarded":
            events.append(HistoryEvent(row.at, "discarded", "Discarded from the queue", who))
        elif row.action == "phone.refreshed":
            outcome = row.detail.get("outcome") if isinstance(row.detail, dict) else ""
            detail = {
                "changed": "The copy here was updated.",
                "unchanged": "Nothing had changed.",
                "deleted": "WellApp no longer had it; marked deleted here.",
            }.get(str(outcome), "")
            events.append(
                HistoryEvent(
                    row.at, "refreshed", "Refreshed from WellApp", who, detail, row.trace_id
                )
            )
    return events


def _sync_that_wrote(phone: Phone) -> SyncRun | None:
    """The sync run that was running when the copy was last written, if any."""
    return (
        SyncRun.objects.select_related("requested_by")
        .filter(started_at__lte=phone.fetched_at)
        .filter(Q(finished_at__gte=phone.fetched_at) | Q(finished_at__isnull=True))
        .order_by("-started_at")
        .first()
    )


def _write_event(phone: Phone, audit: list[AuditEntry]) -> HistoryEvent | None:
    """Who last wrote the copy here, when no create or refresh entry already says so."""
    wrote = {"phone.created", "phone.refreshed"}
    for row in audit:
        if row.action in wrote and phone.fetched_at <= row.at <= phone.fetched_at + SAME_WRITE:
            return None
    run = _sync_that_wrote(phone)
    if run is None:
        return HistoryEvent(
            phone.fetched_at,
            "read",
            "Read from WellApp",
            detail="The copy here was last written then.",
        )
    kind = "full sync" if run.full else "sync"
    return HistoryEvent(
        phone.fetched_at,
        "synced",
        f"Read from WellApp by the {kind} of {run.started_at:%Y-%m-%d %H:%M:%S} UTC",
        _who(run.requested_by),
        "The copy here was last written then.",
    )


def phone_history(*, phone: Phone) -> list[HistoryEvent]:
    """Everything known about one cached phone's life, newest first."""
    audit = list(
        AuditEntry.objects.filter(upstream_id=str(phone.id))
        .select_related("actor")
        .order_by("at", "id")
    )
    entry = OutboxEntry.objects.filter(id=phone.id).first()
    events = _audit_events(audit, entry)
    if not any(event.kind == "created" for event in events) and phone.upstream_created_at:
        events.append(HistoryEvent(phone.upstream_created_at, "upstream", "Created in WellApp"))
    written = _write_event(phone, audit)
    if written is not None:
        events.append(written)
    if phone.deleted_at is not None and not any(
        event.kind == "refreshed" and event.detail.startswith("WellApp no longer")
        for event in events
    ):
        events.append(
            HistoryEvent(
                phone.deleted_at,
                "deleted",
                "Found deleted in WellApp",
                detail="The phone list leaves it out; the last copy read is kept here.",
            )
        )
    # Newest first; of two at the same moment, the one recorded later comes first.
    ordered = sorted(enumerate(events), key=lambda pair: (pair[1].at, pair[0]), reverse=True)
    return [event for _, event in ordered]
