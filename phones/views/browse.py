"""Browsing the cached phones."""

import uuid
from functools import cache
from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from phones.http import StaffRequest
from phones.list_form import PhoneFilterForm
from phones.middleware import is_htmx_fragment_request
from phones.phone_numbers import describe_e164, region_name
from phones.selectors.directory import phone_audit, phone_get, sync_run_latest_and_waiting
from phones.selectors.history import phone_history
from phones.selectors.list_query import (
    CREATED,
    DEFAULT_PAGE_SIZE,
    DEFAULT_SORT,
    NUMBER,
    SORTS,
    UPDATED,
    Sort,
    SortColumn,
)
from phones.selectors.listing import phone_count, phone_page

# The table's columns: the column a header sorts by (None: not sortable) and its text.
COLUMNS: tuple[tuple[SortColumn | None, str], ...] = (
    (NUMBER, "Number"),
    (None, "Label"),
    (None, "Flags"),
    (None, "People"),
    (None, "Companies"),
    (None, "Workspaces"),
    (CREATED, "Created"),
    (UPDATED, "Updated"),
)
# An htmx request aimed here gets the filter form and the results (a chip, a sort header,
# "Clear all": what the form shows changes too); any other one, just the results.
BROWSER_TARGET = "phone-browser"


def _list_url(
    params: QueryDict,
    *,
    drop: tuple[str, str | None] | None = None,
    values: dict[str, str] | None = None,
) -> str:
    """The list URL for ``params`` on its first page, without empty parameters, with one
    parameter (or one of its values) dropped and others set."""
    values = values or {}
    kept: list[tuple[str, str]] = []
    for name, items in params.lists():
        if name == "cursor" or name in values:
            continue
        for item in items:
            if not item.strip():
                continue
            if drop and name == drop[0] and drop[1] in (None, item.strip()):
                continue
            kept.append((name, item))
    kept.extend(values.items())
    return reverse("phones:list") + (f"?{urlencode(kept)}" if kept else "")


def _headers(params: QueryDict, sort: Sort) -> list[dict]:
    """The table's column headers; the sortable ones link to their sort and say which
    direction the list is in (aria-sort)."""
    headers: list[dict] = []
    for column, text in COLUMNS:
        if column is None:
            headers.append({"key": "", "text": text})
            continue
        sorts = [s for s in SORTS if s.by == column]
        direction = None
        # A click on the sorted column turns it round; on another, that column's first sort.
        asks = sorts[0]
        if sort in sorts:
            direction = "descending" if sort.descending else "ascending"
            asks = next(s for s in sorts if s.descending != sort.descending)
        headers.append(
            {
                "key": column.key,
                "text": text,
                "href": _list_url(params, values={"sort": asks.name}),
                "aria_sort": direction,
                "arrow": {"ascending": "▲", "descending": "▼"}.get(direction or "", "↕"),
                "next": "descending" if asks.descending else "ascending",
            }
        )
    return headers


def _list_context(request: StaffRequest) -> dict:
    form = PhoneFilterForm(request.GET)
    query = form.list_query()
    page = phone_page(query=query)
    params = form.params
    active = form.active_filters()
    chips = [{"text": f.text, "href": _list_url(params, drop=(f.name, f.value))} for f in active]
    # "Clear all" keeps the order and the page size.
    kept: dict[str, str] = {}
    if query.sort != DEFAULT_SORT:
        kept["sort"] = query.sort.name
    if query.size != DEFAULT_PAGE_SIZE:
        kept["size"] = str(query.size)
    # The sync status and the queue count are read (in one query) only by a page that shows
    # them: not by the results region a search swaps in as staff type.
    status = cache(sync_run_latest_and_waiting)
    return {
        "form": form,
        "params": params,
        "filters": query.filters,
        "page": page,
        "total": phone_count(),
        "first_page": query.cursor is None,
        "last_sync": lambda: status()[0],
        "queue_waiting": lambda: status()[1],
        "pickers": form.pickers(),
        "sort": kept.get("sort", ""),
        "headers": _headers(params, query.sort),
        "chips": chips,
        "clear_all": _list_url(QueryDict(), values=kept),
        "more_open": sum(f.name in form.MORE for f in active),
    }


@require_GET
@permission_required("phones.view_phone", raise_exception=True)
def list_view(request: StaffRequest) -> HttpResponse:
    """The cached phones: search, filters and sort from the query string, a keyset page at a
    time. An htmx request gets just the results region, or the filters and the results when
    it targets both (a history restore, the whole page)."""
    context = _list_context(request)
    template = "phones/phone_list.html"
    if is_htmx_fragment_request(request):
        region = "browser" if request.htmx.target == BROWSER_TARGET else "results"
        template = f"{template}#{region}"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


@require_GET
@permission_required("phones.view_phone", raise_exception=True)
def detail_view(request: StaffRequest, phone_id: uuid.UUID) -> HttpResponse:
    """Everything the cache knows about one phone, and who created it here."""
    phone = phone_get(phone_id=phone_id)
    if phone is None:
        raise Http404("This phone is not in the local copy.")
    audit = phone_audit(phone_id=phone_id)
    created = next((entry for entry in audit if entry.action == "phone.created"), None)
    international, flag, region = describe_e164(phone.e164_number)
    context = {
        "phone": phone,
        "audit": audit,
        "created": created,
        "international": international,
        "flag": flag,
        "region": region,
        "region_name": region_name(region) if region else "",
        "history": phone_history(phone=phone),
    }
    return render(request, "phones/phone_detail.html", context)
