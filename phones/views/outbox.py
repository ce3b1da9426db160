"""Queued phone creates: what is waiting for WellApp, and what staff can do about it."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from phones.http import StaffRequest
from phones.middleware import session_refresh_exempt
from phones.selectors.directory import outbox_entries, outbox_imports
from phones.services.outbox import outbox_discard, outbox_retry_now


def _entries_context(request: StaffRequest) -> dict:
    include_done = request.GET.get("all") == "1"
    entries = outbox_entries(include_done=include_done)
    imports = outbox_imports()
    return {
        "entries": entries,
        "imports": imports,
        "include_done": include_done,
        "pending": any(entry.is_open for entry in entries)
        or any(queued.waiting for queued in imports),
    }


@require_GET
@permission_required("phones.view_phone", raise_exception=True)
def outbox_view(request: StaffRequest) -> HttpResponse:
    """Phones queued for WellApp with their state, and the ones WellApp rejected."""
    return render(request, "phones/outbox_list.html", _entries_context(request))


@session_refresh_exempt
@never_cache
@require_GET
@permission_required("phones.view_phone", raise_exception=True)
def outbox_entries_view(request: StaffRequest) -> HttpResponse:
    """The queue's table alone. Polled every few seconds while a phone waits for WellApp,
    so it never writes the session; the answer stops the polling once nothing waits."""
    return render(request, "phones/outbox_list.html#entries", _entries_context(request))


@require_POST
@permission_required("phones.edit_directory", raise_exception=True)
def outbox_retry_view(request: StaffRequest, entry_id: uuid.UUID) -> HttpResponse:
    """Try a queued phone again now."""
    entry = outbox_retry_now(entry_id=str(entry_id))
    if entry is None:
        raise Http404("No such queued phone.")
    messages.info(request, f"{entry.e164_number} will be sent again in a moment.")
    return redirect(reverse("phones:outbox"))


@require_POST
@permission_required("phones.edit_directory", raise_exception=True)
def outbox_discard_view(request: StaffRequest, entry_id: uuid.UUID) -> HttpResponse:
    """Give up on a queued or rejected phone; back to the queue, or to the page of this site
    the form names in ``next`` (an import's page)."""
    entry = outbox_discard(entry_id=str(entry_id), actor=request.user)
    if entry is None:
        raise Http404("No such queued phone.")
    messages.info(request, f"{entry.e164_number} was discarded; nothing was created in WellApp.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("phones:outbox")
    return redirect(back)
