"""Browsing the cached phones."""

import uuid

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from phones import selectors


@require_GET
@permission_required("phones.view_phone", raise_exception=True)
def phone_list(request: HttpRequest) -> HttpResponse:
    """The cached phones, newest first, a keyset page at a time."""
    page = selectors.phone_page(cursor=request.GET.get("cursor") or None)
    context = {
        "page": page,
        "total": selectors.phone_count(),
        "last_sync": selectors.sync_run_latest(),
    }
    template = "phones/phone_list.html#rows" if request.htmx else "phones/phone_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
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
