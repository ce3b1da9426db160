"""Client for WellApp's REST API: the only part of the product that talks HTTP to WellApp."""

from phones.upstream.client import WellAppClient
from phones.upstream.documents import build_phone_document, format_timestamp, new_phone_id
from phones.upstream.errors import (
    AuthRejected,
    BadResponse,
    Conflict,
    ErrorInfo,
    NotFound,
    Rejected,
    Timeout,
    Unavailable,
    UpstreamError,
    parse_error,
)
from phones.upstream.reader import (
    parse_companies,
    parse_people,
    parse_phones,
    parse_workspaces,
)
from phones.upstream.records import (
    CompanyRecord,
    Page,
    PersonRecord,
    PhoneRecord,
    WorkspaceRecord,
    WorkspaceRef,
)

__all__ = [
    "AuthRejected",
    "BadResponse",
    "CompanyRecord",
    "Conflict",
    "ErrorInfo",
    "NotFound",
    "Page",
    "PersonRecord",
    "PhoneRecord",
    "Rejected",
    "Timeout",
    "Unavailable",
    "UpstreamError",
    "WellAppClient",
    "WorkspaceRecord",
    "WorkspaceRef",
    "build_phone_document",
    "format_timestamp",
    "new_phone_id",
    "parse_companies",
    "parse_error",
    "parse_people",
    "parse_phones",
    "parse_workspaces",
]
