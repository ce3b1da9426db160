"""Creating a phone: the form, its live number preview, and the directory pickers."""

import uuid
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from phones.forms import PhoneCreateForm
from phones.http import StaffRequest
from phones.models import OutboxEntry
from phones.phone_numbers import check_number, region_offer
from phones.selectors.directory import (
    company_search,
    outbox_entry,
    person_search,
    phones_with_e164,
    workspace_search,
)
from phones.services.create_failures import PhoneCreateFailed
from phones.services.outbox import phone_queue
from phones.services.phones import phone_create

PICKERS = {
    "people": person_search,
    "companies": company_search,
    "workspaces": workspace_search,
}
MAX_QUERY_LENGTH = 100


def _focus(form: PhoneCreateForm, failure: PhoneCreateFailed | None) -> str:
    """Where the keyboard lands: after a refused submit the banner, else the first bad field;
    on a fresh form the Number field."""
    if (failure and not failure.field) or form.non_field_errors():
        return "banner"
    return next((name for name in form.fields if name in form.errors), "national_number")


def _preview_context(raw: str, region: str) -> dict:
    """The number preview of ``raw`` typed in ``region``: what it is, the cached phones that
    share it, and the country it is valid in when it is wrong for the chosen one."""
    check = check_number(raw, region) if raw.strip() else None
    duplicates = phones_with_e164(e164=check.e164) if check and check.valid else []
    offer = (
        region_offer(raw, region, settings.WELL_DEFAULT_REGION)
        if check and not check.valid
        else None
    )
    return {"check": check, "duplicates": duplicates, "offer": offer}


def _marked_pickers(form: PhoneCreateForm, failure: PhoneCreateFailed | None) -> list[dict]:
    """The pickers, each with the ids of its chips WellApp said it does not know."""
    pickers = form.pickers()
    for picker in pickers:
        picker["invalid"] = set()
        if failure is not None and failure.record_id and failure.field == picker["field"].name:
            picker["invalid"] = {failure.record_id}
    return pickers


def _failure_anchor(form: PhoneCreateForm, failure: PhoneCreateFailed | None) -> str:
    """The id of the control a WellApp refusal is about, for the banner's link to it."""
    if failure is None or not failure.field or failure.field not in form.fields:
        return ""
    if failure.field in dict(form.PICKERS):
        return f"{failure.field}-input"
    return form[failure.field].id_for_label


def _form_context(form: PhoneCreateForm, failure: PhoneCreateFailed | None = None) -> dict:
    raw = form["national_number"].value()
    region = form["country"].value()
    return {
        "form": form,
        "failure": failure,
        "pickers": _marked_pickers(form, failure),
        "failure_anchor": _failure_anchor(form, failure),
        "focus": _focus(form, failure),
        "create_budget": f"{settings.WELL_CREATE_BUDGET:g}",
        **_preview_context(str(raw or ""), str(region or "")),
    }


def _submitted(request: StaffRequest) -> dict[str, list[str]]:
    """What the agent entered, kept with a queued phone so it can be corrected later."""
    return {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"}


def _queued_entry(request: StaffRequest) -> OutboxEntry | None:
    """The queued phone ``?queued=<id>`` asks to correct, if it is still not confirmed."""
    try:
        entry_id = uuid.UUID(request.GET.get("queued", ""))
    except ValueError:
        return None
    entry = outbox_entry(entry_id=entry_id)
    return entry if entry is not None and entry.state != OutboxEntry.State.CONFIRMED else None


@require_http_methods(["GET", "POST"])
@permission_required("phones.edit_directory", raise_exception=True)
def new_view(request: StaffRequest) -> HttpResponse:
    """The new-phone form; a valid submit creates the phone in WellApp."""
    failure = None
    if request.method == "POST":
        form = PhoneCreateForm(request.POST)
        if form.is_valid() and form.number is not None:
            if request.POST.get("queue"):
                entry = phone_queue(
                    actor=request.user, draft=form.draft(), form_data=_submitted(request)
                )
                messages.info(
                    request,
                    f"{entry.e164_number} is queued: it will be sent to WellApp again, with the "
                    "same id, until WellApp confirms it.",
                )
                url = reverse("phones:outbox")
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
            try:
                phone = phone_create(actor=request.user, draft=form.draft())
            except PhoneCreateFailed as exc:
                failure = exc
                if exc.field:
                    form.add_error(exc.field, exc.message)
            else:
                messages.success(request, f"Phone {phone.e164_number} created in WellApp.")
                url = reverse("phones:detail", args=[phone.id])
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    else:
        queued = _queued_entry(request)
        if queued is not None:
            initial = PhoneCreateForm.initial_from(queued.form_data)
            form = PhoneCreateForm(initial={**initial, "client_id": queued.pk})
        else:
            form = PhoneCreateForm()
    context = _form_context(form, failure)
    template = "phones/phone_new.html#form" if request.htmx else "phones/phone_new.html"
    return render(request, template, context)


@require_GET
@permission_required("phones.edit_directory", raise_exception=True)
def number_preview_view(request: StaffRequest) -> HttpResponse:
    """What the typed number is: formats, type, validity, and cached phones that share it."""
    raw = request.GET.get("national_number", "")
    region = request.GET.get("country", "")
    context = {**_preview_context(raw, region), "country_changed": False}
    check = context["check"]
    if check and check.region and check.region != region:
        form = PhoneCreateForm(initial={"country": check.region})
        context.update(country_changed=True, form=form)
    return render(request, "phones/partials/number_preview.html", context)


@require_GET
@permission_required("phones.view_phone", raise_exception=True)
def picker_view(request: StaffRequest, kind: str) -> HttpResponse:
    """Options for a directory picker, searched in the local cache."""
    search = PICKERS.get(kind)
    if search is None:
        raise Http404("No such picker.")
    typed = request.GET.get("q", "")
    query = "".join(ch for ch in typed[:MAX_QUERY_LENGTH] if ch.isprintable()).strip()
    picker = request.GET.get("picker", kind)
    if not picker.isidentifier():
        picker = kind
    results = search(query=query)
    response = render(
        request,
        "phones/partials/picker_options.html",
        {"results": results, "picker": picker, "query": query},
    )
    # The text this answers, exactly as typed: the picker drops an answer to any other text.
    response["X-Picker-Query"] = quote(typed[: MAX_QUERY_LENGTH * 4], safe="")
    return response
