"""A page of the list as its table shows it, made from the listing rows the page's query
read (``phones.selectors.listing_sql.ROW_COLUMNS``): no model instances.

The list's page never reads the wide phone rows nor the link tables: the listing row holds
the number as staff read it, the label, the flags, the sort keys and the names of its
people, companies and workspaces (kept in step by ``phones.services.listing``).
"""

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from phones.models import UNDATED
from phones.selectors.listing_sql import python_id, python_key


@dataclass(slots=True)
class PhoneRow:
    """One phone as the list's table shows it. Named as ``Phone`` names the same values,
    so a cursor is made from either (``phones.selectors.list_query.cursor_encode``); the
    times are None where WellApp sent none."""

    id: uuid.UUID
    e164_number: str
    international: str
    region: str
    label: str
    is_primary: bool
    is_verified: bool
    upstream_created_at: datetime | None
    upstream_updated_at: datetime | None
    people_list: list[str] = field(default_factory=list)
    company_list: list[str] = field(default_factory=list)
    workspace_list: list[str] = field(default_factory=list)


def phone_row(values: Sequence) -> PhoneRow:
    """The table row of one listing row as a page's query read it (``ROW_COLUMNS``)."""
    phone_id, e164, international, region, label, primary, verified = values[:7]
    created, updated = (python_key("created_at", v) for v in values[7:9])
    people, companies, workspaces = json.loads(values[9])
    return PhoneRow(
        python_id(phone_id),
        e164,
        international,
        region,
        label,
        bool(primary),
        bool(verified),
        upstream_created_at=None if created == UNDATED else created,
        upstream_updated_at=None if updated == UNDATED else updated,
        people_list=people,
        company_list=companies,
        workspace_list=workspaces,
    )
