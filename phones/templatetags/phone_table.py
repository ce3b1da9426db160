"""The rows of the phones table, built in Python.

A page shows up to 100 phones with eight cells each; through the template engine that is
thousands of variable lookups and filter calls per page, the larger part of the request.
Every value is escaped here.
"""

import uuid
from datetime import datetime

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from phones.models import Phone

register = template.Library()

LABELS = dict(Phone.Label.choices)
# Any id stands for the phone's own in the detail URL, which is reversed once per page.
_PLACEHOLDER = uuid.UUID(int=0)


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _names(records: list) -> str:
    return ", ".join(escape(str(record)) for record in records)


@register.simple_tag
def phone_rows(phones: list[Phone]) -> SafeString:
    """One <tr> per phone: number (region and international format), label, flags,
    people, companies, workspaces, created, updated; each cell names its column in
    data-label, which narrow screens show beside it."""
    detail = reverse("phones:detail", args=[_PLACEHOLDER])
    head, _, tail = detail.partition(str(_PLACEHOLDER))
    rows = []
    for phone in phones:
        international = getattr(phone, "international", "") or phone.e164_number
        region = getattr(phone, "region", "") or ""
        flags = ('<span class="badge">Primary</span>' if phone.is_primary else "") + (
            '<span class="badge ok">Verified</span>' if phone.is_verified else ""
        )
        rows.append(
            f'<tr><td class="number" data-label="Number"><a href="{head}{phone.id}{tail}" '
            f'data-e164="{escape(phone.e164_number)}"><span class="region">{escape(region)}'
            f"</span>{escape(international)}</a></td>"
            f'<td data-label="Label">{escape(LABELS.get(phone.label, phone.label))}</td>'
            f'<td data-label="Flags">{flags}</td>'
            f'<td data-label="People">{_names(phone.people_list)}</td>'
            f'<td data-label="Companies">{_names(phone.company_list)}</td>'
            f'<td data-label="Workspaces">{_names(phone.workspace_list)}</td>'
            f'<td data-label="Created">{_when(phone.upstream_created_at)}</td>'
            f'<td data-label="Updated">{_when(phone.upstream_updated_at)}</td></tr>'
        )
    return mark_safe("".join(rows))  # noqa: S308 (every value is escaped above)
