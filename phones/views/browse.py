"""Browsing the cached phones."""

import uuid
from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from phones.forms import PhoneFilterForm
from phones.phone_numbers import describe_e164, region_name
from phones.selectors.directory import phone_audit, phone_get, sync_run_latest
from phones.selectors.history import phone_history
from phones.selectors.listing import DEFAULT_SORT, PAGE_SIZES, phone_count, phone_page

# The sortable columns: (sort name, header text, the sort a first click asks for).
SORTABLE = {"number": "number", "created": "-created", "updated": "-updated"}
COLUMNS = (
    ("number", "Number"),
    ("", "Label"),
    ("", "Flags"),
    ("", "People"),
    ("", "Companies"),
    ("", "Workspaces"),
    ("created", "Created"),
    ("updated", "Updated"),
)
# An htmx request aimed here gets the filter form and the results (a chip, a sort header,
# "Clear all": what the form shows changes too); any other one, just the results.
BROWSER_TARGET = "phone-browser"


def _list_url(
    query: QueryDict, *, drop: tuple[str, str | None] | None = None, **values: str
) -> str:
    """The list URL for ``query`` on its first page, without empty parameters, with one
    parameter (or one of its values) dropped and others set."""
    params: list[tuple[str, str]] = []
    for name, items in query.lists():
        if name == "cursor" or name in values:
            continue
        for item in items:
            if not item.strip():
                continue
            if drop and name == drop[0] and drop[1] in (None, item.strip()):
                continue
            params.append((name, item))
    params.extend(values.items())
    return reverse("phones:list") + (f"?{urlencode(params)}" if params else "")


def _headers(query: QueryDict, sort: str) -> list[dict]:
    """The table's column headers; the sortable ones link to their sort and say which
    direction the list is in (aria-sort)."""
    headers = []
    for key, text in COLUMNS:
        header: dict = {"key": key, "text": text}
        if key:
            direction = {key: "ascending", f"-{key}": "descending"}.get(sort)
            # A click on the sorted column turns it round; on another, that column's default.
            flipped = key if direction == "descending" else f"-{key}"
            asks = flipped if direction else SORTABLE[key]
            header.update(
                href=_list_url(query, sort=asks),
                aria_sort=direction,
                arrow={"ascending": "▲", "descending": "▼"}.get(direction or "", "↕"),
                next="ascending" if asks == key else "descending",
            )
        headers.append(header)
    return headers


def _list_context(request: HttpRequest) -> dict:
    form = PhoneFilterForm(request.GET)
    filters = form.filters()
    data = form.cleaned_data
    sort = data.get("sort") or DEFAULT_SORT
    cursor = data.get("cursor") or None
    page = phone_page(
        filters=filters,
        sort=sort,
        size=data.get("size") or PAGE_SIZES[0],
        cursor=cursor,
    )
    active = form.active_filters()
    query = request.GET
    chips = [{"text": f.text, "href": _list_url(query, drop=(f.name, f.value))} for f in active]
    kept = {
        name: str(data[name]) for name in ("sort", "size") if query.get(name) and data.get(name)
    }
    # A count of a filtered list is only known when its first page holds all of it.
    exact = len(page.phones) if not cursor and not page.next_cursor else None
    return {
        "form": form,
        "filters": filters,
        "page": page,
        "total": phone_count(),
        "matching": exact,
        "first_page": cursor is None,
        "last_sync": sync_run_latest(),
        "pickers": form.pickers(),
        "sort": data.get("sort") or "",
        "headers": _headers(query, sort),
        "chips": chips,
        "clear_all": _list_url(QueryDict(), **kept),
        "more_open": sum(f.name in form.MORE for f in active),
    }


@require_GET
@permission_required("phones.view_phone", raise_exception=True)
def list_view(request: HttpRequest) -> HttpResponse:
    """The cached phones: search, filters and sort from the query string, a keyset page at a
    time. An htmx request gets just the results region, or the filters and the results when
    it targets both (a history restore, the whole page)."""
    context = _list_context(request)
    template = "phones/phone_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        region = "browser" if request.htmx.target == BROWSER_TARGET else "results"
        template = f"{template}#{region}"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


@require_GET
@permission_required("phones.view_phone", raise_exception=True)
def detail_view(request: HttpRequest, phone_id: uuid.UUID) -> HttpResponse:
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
