"""Browsing the cached phones."""

import uuid

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from phones import selectors
from phones.forms import PhoneFilterForm


def _list_context(request: HttpRequest) -> dict:
    form = PhoneFilterForm(request.GET)
    filters = form.filters()
    data = form.cleaned_data
    page = selectors.phone_page(
        filters=filters,
        sort=data.get("sort") or selectors.DEFAULT_SORT,
        size=data.get("size") or selectors.PAGE_SIZES[0],
        cursor=data.get("cursor") or None,
    )
    return {
        "form": form,
        "filters": filters,
        "page": page,
        "total": selectors.phone_count(),
        "last_sync": selectors.sync_run_latest(),
        "outbox_open": selectors.outbox_open_count(),
        "pickers": form.pickers(),
    }


@require_GET
@permission_required("phones.view_phone", raise_exception=True)
def phone_list(request: HttpRequest) -> HttpResponse:
    """The cached phones: search, filters and sort from the query string, a keyset page at a
    time. An htmx request gets just the results region (a history restore, the whole page)."""
    context = _list_context(request)
    partial = request.htmx and not request.htmx.history_restore_request
    template = "phones/phone_list.html#results" if partial else "phones/phone_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


@require_GET
@permission_required("phones.view_phone", raise_exception=True)
def phone_detail(request: HttpRequest, phone_id: uuid.UUID) -> HttpResponse:
    """Everything the cache knows about one phone, and who created it here."""
    phone = selectors.phone_detail(phone_id=phone_id)
    if phone is None:
        raise Http404("This phone is not in the local copy.")
    audit = selectors.phone_audit(phone_id=phone_id)
    created = next((entry for entry in audit if entry.action == "phone.created"), None)
    context = {"phone": phone, "audit": audit, "created": created}
    return render(request, "phones/phone_detail.html", context)
