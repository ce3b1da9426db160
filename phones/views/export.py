"""CSV export of the current filtered list, streamed."""

import csv
from collections.abc import Iterator

from django.contrib.auth.decorators import permission_required
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from phones.addresses import client_ip
from phones.http import StaffRequest
from phones.list_form import PhoneFilterForm
from phones.models import Phone
from phones.phone_numbers import describe_e164
from phones.selectors.listing import phone_export_rows
from phones.services.audit import audit_record

HEADER = [
    "E.164",
    "Number",
    "Country code",
    "National number",
    "Label",
    "Primary",
    "Verified",
    "People",
    "Companies",
    "Workspaces",
    "Created (UTC)",
    "Updated (UTC)",
    "WellApp id",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """A cell a spreadsheet shows as text: one that starts like a formula gets a leading
    apostrophe (OWASP's advice against CSV formula injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _row(phone: Phone) -> list[str]:
    def stamp(value) -> str:
        return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""

    return [
        neutralise(cell)
        for cell in (
            phone.e164_number,
            describe_e164(phone.e164_number)[0],
            phone.country_code,
            phone.national_number,
            phone.label,
            "yes" if phone.is_primary else "no",
            "yes" if phone.is_verified else "no",
            "; ".join(str(p) for p in phone.people_list),
            "; ".join(str(c) for c in phone.company_list),
            "; ".join(str(w) for w in phone.workspace_list),
            stamp(phone.upstream_created_at),
            stamp(phone.upstream_updated_at),
            phone.id,
        )
    ]


@require_GET
@permission_required("phones.view_phone", raise_exception=True)
def export_view(request: StaffRequest) -> StreamingHttpResponse:
    """Every phone of the filtered list as CSV, written row by row as it is read."""
    query = PhoneFilterForm(request.GET).list_query()
    writer = csv.writer(_Echo())
    audit_record(
        actor=request.user,
        action="phones.exported",
        detail={"query": request.GET.urlencode()},
        client_ip=client_ip(request),
    )

    def lines() -> Iterator[str]:
        yield writer.writerow(HEADER)
        for phone in phone_export_rows(query=query):
            yield writer.writerow(_row(phone))

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wellui-phones-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
