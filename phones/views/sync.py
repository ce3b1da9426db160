"""Starting a sync of the local copy, watching its progress, and refreshing one phone."""

import uuid
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from phones.http import StaffRequest
from phones.middleware import session_refresh_exempt
from phones.selectors.directory import phone_get, sync_run_latest
from phones.services.refresh import PhoneRefreshFailed, phone_refresh
from phones.services.sync import sync_request
from phones.views.errors import flash_error

STATUS_TEMPLATE = "phones/partials/sync_status.html"
# Sent when a watched sync finishes, so a page can reload what the sync changed.
SYNC_FINISHED_EVENT = "phones-synced"


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


@require_POST
@permission_required("phones.edit_directory", raise_exception=True)
def sync_view(request: StaffRequest) -> HttpResponse:
    """Start a sync in the background (full when asked), unless one is already running."""
    full = request.POST.get("full") == "1"
    asked_at = timezone.now()
    run = sync_request(actor=request.user, full=full)
    if request.htmx:
        return render(request, STATUS_TEMPLATE, {"last_sync": run})
    if run.started_at >= asked_at:
        kind = "Full sync" if full else "Sync"
        messages.success(request, f"{kind} started; its progress shows above the list.")
    else:
        by = f" by {run.requested_by.get_username()}" if run.requested_by else ""
        messages.info(
            request,
            f"A sync is already running (started {_when(run.started_at)}{by}), "
            "so no second one was started.",
        )
    return redirect("phones:list")


@session_refresh_exempt
@never_cache
@require_GET
@permission_required("phones.view_phone", raise_exception=True)
def sync_status_view(request: StaffRequest) -> HttpResponse:
    """The last sync: its progress while it runs, then its outcome. Polled every second
    while a sync runs, so it never writes the session."""
    run = sync_run_latest()
    response = render(request, STATUS_TEMPLATE, {"last_sync": run})
    watched = request.GET.get("watch")
    if run is not None and not run.in_progress and watched == str(run.pk):
        trigger_client_event(response, SYNC_FINISHED_EVENT, {"run": run.pk})
    return response


@require_POST
@permission_required("phones.view_phone", raise_exception=True)
def refresh_view(request: StaffRequest, phone_id: uuid.UUID) -> HttpResponse:
    """Read one cached phone again from WellApp, then show its page with the outcome."""
    if phone_get(phone_id=phone_id) is None:
        raise Http404("This phone is not in the local copy.")
    asked_at = timezone.now()
    try:
        phone = phone_refresh(phone_id=phone_id, actor=request.user)
    except PhoneRefreshFailed as exc:
        flash_error(request, exc.message, trace_id=exc.trace_id)
    else:
        if phone.deleted_at is not None:
            messages.warning(
                request,
                "WellApp no longer has this phone. It is marked deleted here and left out of "
                "the phone list.",
            )
        elif phone.fetched_at >= asked_at:
            messages.success(request, "Refreshed from WellApp: the copy here is now updated.")
        else:
            messages.success(request, "Refreshed from WellApp: nothing had changed.")
    url = reverse("phones:detail", args=[phone_id])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
