"""Creating many phones at once: rows pasted from a spreadsheet or a CSV file are checked
against the directory and shown as a preview nothing has been sent for; staff fix or exclude
rows, confirm, and follow the creates as the outbox delivers them."""

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from phones.http import StaffRequest
from phones.import_form import ImportForm, ImportRowForm
from phones.import_rows import COLUMNS, MAX_ROWS, ImportUnreadable, read_rows, template_csv
from phones.middleware import is_htmx_fragment_request, session_refresh_exempt
from phones.models import PhoneImport
from phones.selectors.imports import (
    ImportRowView,
    import_get,
    import_progress,
    import_row_get,
    import_summary,
    imports_recent,
)
from phones.services.imports import import_confirm, import_create, import_row_update
from phones.views.import_context import (
    detail_context,
    detail_url,
    page_params,
    pick_choices,
    picks_from,
    progress_context,
    rows_sharing_number,
)

CONFIRMED_MESSAGE = "This import has been confirmed: its rows can no longer change."


def _to(request: StaffRequest, url: str) -> HttpResponse:
    """Where a successful POST goes next: htmx is told to load the page, a plain form is
    redirected."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _import_or_404(import_id: uuid.UUID) -> PhoneImport:
    phone_import = import_get(import_id=import_id)
    if phone_import is None:
        raise Http404("There is no import at this address.")
    return phone_import


@require_http_methods(["GET", "POST"])
@permission_required("phones.edit_directory", raise_exception=True)
def import_new_view(request: StaffRequest) -> HttpResponse:
    """The import form; a readable paste or file is checked and stored as a preview."""
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            source = form.source()
            try:
                phone_import = import_create(
                    actor=request.user,
                    rows=read_rows(source.data),
                    file_name=source.file_name,
                    sha256=source.sha256,
                    default_region=form.cleaned_data["country"],
                )
            except ImportUnreadable as exc:
                if source.file_name:
                    form.add_error("file", f"{exc.message} Fix the file and choose it again.")
                else:
                    form.add_error("text", exc.message)
            else:
                return _to(request, detail_url(phone_import))
    else:
        form = ImportForm()
    context = {
        "form": form,
        "columns": COLUMNS,
        "max_rows": MAX_ROWS,
        "recent": imports_recent(limit=10),
    }
    template = "phones/import_new.html#form" if request.htmx else "phones/import_new.html"
    return render(request, template, context)


@require_GET
@permission_required("phones.edit_directory", raise_exception=True)
def import_template_view(request: StaffRequest) -> HttpResponse:
    """A CSV file with the columns an import reads and an example row."""
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="phones-import-template.csv"'
    return response


@require_GET
@permission_required("phones.edit_directory", raise_exception=True)
def import_detail_view(request: StaffRequest, import_id: uuid.UUID) -> HttpResponse:
    """One import: the preview of its rows until it is confirmed, then how each create went.
    An htmx request for another page or filter gets the rows region alone."""
    phone_import = _import_or_404(import_id)
    page, status = page_params(request.GET)
    context = detail_context(phone_import, page=page, status=status)
    template = "phones/import_detail.html"
    if is_htmx_fragment_request(request):
        template += "#rows"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


def _row_form(
    request: StaffRequest, context: dict[str, Any], item: ImportRowView, form: ImportRowForm
) -> HttpResponse:
    """The row open for correcting: alone for htmx, else on its page of the import. The
    keyboard lands on the first field in error, on the number when it is not one, else on
    the first name to choose a record for."""
    choices = pick_choices(item)
    number = item.preview.number
    focus = next((name for name in form.fields if name in form.errors), "")
    if not focus and (number is None or not number.valid):
        focus = "number"
    focus = focus or next((c.field.html_name for c in choices if not c.selected), "number")
    context = {**context, "item": item, "form": form, "choices": choices, "focus": focus}
    if request.htmx:
        return render(request, "phones/import_detail.html#row_form", context)
    page = detail_context(
        context["phone_import"],
        page=context["page"],
        status=context["status"],
        editing=item.row.line,
    )
    return render(request, "phones/import_detail.html", {**page, **context})


@require_http_methods(["GET", "POST"])
@permission_required("phones.edit_directory", raise_exception=True)
def import_row_view(request: StaffRequest, import_id: uuid.UUID, line: int) -> HttpResponse:
    """One row of a preview: GET opens it for correcting (``?show=1``: as it reads), POST
    saves corrected cells and picks, or excludes or includes the row, and checks it again.
    htmx gets the row back (and the summary and the rows whose duplicate flag moved)."""
    phone_import = _import_or_404(import_id)
    item = import_row_get(phone_import=phone_import, line=line)
    if item is None:
        raise Http404("This import has no such line.")
    page, status = page_params(request.POST if request.method == "POST" else request.GET)
    back = detail_url(phone_import, page, status) + f"#line-{line}"
    confirmed = phone_import.state == PhoneImport.State.CONFIRMED
    context = {"phone_import": phone_import, "confirmed": confirmed, "page": page, "status": status}
    if request.method == "GET":
        if not request.htmx and (confirmed or request.GET.get("show")):
            return redirect(back)
        if confirmed or request.GET.get("show"):
            context |= {"item": item, "focus_line": line}
            return render(request, "phones/import_detail.html#row", context)
        return _row_form(request, context, item, ImportRowForm(initial=item.row.cells))

    changes: dict[str, Any]
    if "excluded" in request.POST:
        changes = {"excluded": request.POST["excluded"] == "1"}
    else:
        form = ImportRowForm(request.POST)
        if not form.is_valid():
            return _row_form(request, context, item, form)
        changes = {"cells": form.cells(), "picks": picks_from(request.POST)}
    try:
        import_row_update(phone_import=phone_import, line=line, **changes)
    except ValueError:
        messages.error(request, CONFIRMED_MESSAGE)
        return _to(request, back)
    if not request.htmx:
        return redirect(back)
    saved = import_row_get(phone_import=phone_import, line=line)
    context |= {
        "item": saved,
        "summary": import_summary(phone_import=phone_import),
        "others": rows_sharing_number(phone_import, item, saved, page=page, status=status),
        "oob": True,
        "focus_line": line,
    }
    return render(request, "phones/import_detail.html#row_saved", context)


@require_POST
@permission_required("phones.edit_directory", raise_exception=True)
def import_confirm_view(request: StaffRequest, import_id: uuid.UUID) -> HttpResponse:
    """Queue a create for every ready row. The page shows how many it will create; if the
    rows changed since (another tab), nothing is queued and the page says so."""
    phone_import = _import_or_404(import_id)
    url = detail_url(phone_import)
    if phone_import.state != PhoneImport.State.PREVIEW:
        messages.info(request, "Nothing more was queued: this import was already confirmed.")
        return _to(request, url)
    ready = import_summary(phone_import=phone_import).ready
    shown = request.POST.get("ready", "")
    if (shown and shown != str(ready)) or not ready:
        messages.warning(
            request,
            f"The rows changed since this page was shown: {ready} are ready to create now. "
            "Check them and confirm again.",
        )
        return _to(request, url)
    queued = import_confirm(actor=request.user, phone_import=phone_import)
    phones = "phone is" if queued == 1 else "phones are"
    text = f"{queued} {phones} queued for WellApp. They are sent in the background; this page "
    text += "follows them."
    if queued < ready:
        text += (
            f" {ready - queued} changed in the directory since they were checked and stay "
            "out: see the rows that need attention."
        )
    messages.success(request, text)
    return _to(request, url)


@session_refresh_exempt
@never_cache
@require_GET
@permission_required("phones.edit_directory", raise_exception=True)
def import_progress_view(request: StaffRequest, import_id: uuid.UUID) -> HttpResponse:
    """How far a confirmed import's creates have got. Polled every 2 s while some are open
    (so it never writes the session); when the counts moved since the poll before, the rows
    on the page are drawn again too."""
    phone_import = _import_or_404(import_id)
    page, status = page_params(request.GET)
    progress = import_progress(phone_import=phone_import)
    context: dict[str, Any] = {
        "phone_import": phone_import,
        "confirmed": phone_import.state == PhoneImport.State.CONFIRMED,
        "page": page,
        "status": status,
        **progress_context(progress),
    }
    if request.GET.get("seen", "") != context["seen"]:
        context |= detail_context(phone_import, page=page, status=status, progress=progress) | {
            "oob": True
        }
    return render(request, "phones/import_detail.html#progress_poll", context)
