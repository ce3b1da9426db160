"""What staff read when a phone was not (or not confirmably) created in WellApp: one sentence
of what happened and what to do, the form field it is about, and WellApp's trace id kept
apart from the sentence (pages show it once, with a copy button)."""

import re
from enum import StrEnum
from typing import Any

from phones.models import Company, Person, Workspace
from phones.upstream.errors import Rejected, UpstreamError

# WellApp's field paths, and the form field each one belongs to.
FIELD_FOR_PATH = {
    "data.attributes.national_number": "national_number",
    "data.attributes.e164_number": "national_number",
    "data.attributes.country_code": "country",
    "data.attributes.label": "label",
    "data.attributes.is_primary": "is_primary",
    "data.attributes.is_verified": "is_verified",
    "data.relationships.persons": "people",
    "data.relationships.companies": "companies",
    "data.relationships.workspaces": "workspaces",
}


# The records a new phone links to, by relationship: their model and what staff call one.
LINKED_RECORDS: dict[str, tuple[type[Person | Company | Workspace], str, str]] = {
    "persons": (Person, "person", "People"),
    "companies": (Company, "company", "Companies"),
    "workspaces": (Workspace, "workspace", "Workspaces"),
}
RELATIONSHIP_PATH = re.compile(r"^data\.relationships\.(\w+)(?:\.data)?(?:\[(\d+)\]|\.(\d+))?")


class CreateFailureKind(StrEnum):
    """Why a phone was not (or not confirmably) created."""

    REJECTED = "rejected"  # WellApp refused the content: correct it and create again
    AUTH = "auth"  # WellApp refused the portal's API token
    UNCONFIRMED = "unconfirmed"  # WellApp could not be reached in time: sending again is safe


class PhoneCreateFailed(Exception):
    """The phone was not (or not confirmably) created; says what staff should do.

    ``kind`` is REJECTED (WellApp refused the content; ``field`` names the form field, or
    None for the whole form), AUTH (WellApp refused the token) or UNCONFIRMED (WellApp could
    not be reached in time; submitting again is safe). ``message`` never carries the
    trace id: pages show ``trace_id`` once, on its own. ``record_id`` is the linked record
    WellApp does not know, when it said which. ``retry_after``: the seconds WellApp's last
    answer asked to wait (``Retry-After``), when it asked.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: CreateFailureKind,
        field: str | None = None,
        trace_id: str = "",
        record_id: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.field = field
        self.trace_id = trace_id
        self.record_id = record_id
        self.retry_after = retry_after


def field_for_path(path: str | None) -> str | None:
    """The form field a WellApp ``details.path`` points at (None: the form as a whole)."""
    if not path:
        return None
    for prefix, field in FIELD_FOR_PATH.items():
        if path == prefix or path.startswith((prefix + ".", prefix + "[")):
            return field
    return None


def _unknown_record(document: dict[str, Any], exc: Rejected) -> tuple[str, str] | None:
    """(relationship, record id) of the linked record a rejection says WellApp does not know:
    the one its ``details.path`` points at, else the one its message names, else the only
    one linked that way. None when the rejection is not about a linked record."""
    match = RELATIONSHIP_PATH.match(exc.path or "")
    if match is None or match.group(1) not in LINKED_RECORDS:
        return None
    relationship = match.group(1)
    linked = document["data"]["relationships"].get(relationship, {}).get("data", [])
    ids = [str(item.get("id", "")) for item in linked if item.get("id")]
    index = match.group(2) or match.group(3)
    if index is not None and int(index) < len(ids):
        return relationship, ids[int(index)]
    named = [i for i in sorted(ids, key=len, reverse=True) if i in exc.message]
    if named:
        return relationship, named[0]
    if len(ids) == 1:
        return relationship, ids[0]
    return relationship, ""


def rejected(document: dict[str, Any], exc: Rejected) -> PhoneCreateFailed:
    """What staff read when WellApp refuses the content: a linked record it does not know is
    named as the cache names it, never by its id."""
    field = field_for_path(exc.path)
    trace_id = exc.trace_id or ""
    unknown = _unknown_record(document, exc)
    if unknown is None:
        message = exc.message.rstrip()
        if not message.endswith((".", "!", "?")):
            message += "."
        return PhoneCreateFailed(
            f"WellApp rejected the phone: {message} Correct it and create the phone again.",
            kind=CreateFailureKind.REJECTED,
            field=field,
            trace_id=trace_id,
        )
    relationship, record_id = unknown
    model, noun, label = LINKED_RECORDS[relationship]
    record = model.objects.filter(pk=record_id).first() if record_id else None
    if record is None:
        message = (
            "WellApp rejected the phone because it does not know one of the selected "
            f"{label.lower()}: remove the ones no longer in WellApp from {label} and create "
            "the phone again."
        )
    else:
        message = (
            f"WellApp rejected the phone because it does not know the {noun} {record}: "
            f"remove {record} from {label} (or pick the right one) and create the phone again."
        )
    return PhoneCreateFailed(
        message,
        kind=CreateFailureKind.REJECTED,
        field=field,
        trace_id=trace_id,
        record_id=record_id,
    )


def unconfirmed(exc: UpstreamError) -> PhoneCreateFailed:
    """What staff read when WellApp did not confirm the create in the time it was given."""
    why = " (" + "; ".join(filter(None, [exc.message.rstrip(". "), exc.facts])) + ")"
    return PhoneCreateFailed(
        f"WellApp did not confirm the new phone in time{why}, so nothing is confirmed yet: "
        "your input is kept, and submitting again is safe (it cannot create a second phone).",
        kind=CreateFailureKind.UNCONFIRMED,
        trace_id=exc.trace_id or "",
        retry_after=exc.retry_after,
    )
