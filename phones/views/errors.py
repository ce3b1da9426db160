"""Refusals and failures staff can act on: a stale or missing CSRF token, a missing support
role, a page that does not exist, and a server error.

A full page gets a page in the portal's layout. An htmx request that is refused gets a short
message swapped into the page's alert region (`#global-alert` in base.html) rather than into
the fragment it asked for.
"""

import logging

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import push_url, reswap, retarget

from phones.http import HtmxHttpRequest
from phones.middleware import current_page, is_htmx_fragment_request
from phones.templatetags.flash import TRACE_TAG

ALERT_TEMPLATE = "phones/partials/global_alert.html"
ALERT_TARGET = "#global-alert"
STALE_PAGE_MESSAGE = (
    "Your session has expired or the page is out of date — reload the page to continue."
)
VIEWERS = "Support viewers"
EDITORS = "Support editors"
NO_PERMISSION_MESSAGE = (
    f"Only {EDITORS} may do that. Ask a wellui administrator to add you to {EDITORS} if your "
    "work needs it."
)
NO_ROLE_MESSAGE = (
    f"A wellui administrator must add you to {VIEWERS} (browse and search phones) or "
    f"{EDITORS} (also create phones, run syncs and manage the queue) before you can use the "
    "portal."
)
NOT_FOUND_MESSAGE = "There is no page at this address."
# Shown when even the portal's layout cannot be rendered (the database is down, say).
PLAIN_SERVER_ERROR = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Server error · wellui'
    "</title></head><body><h1>Something went wrong on our side</h1><p>The portal hit an error "
    "it did not expect and could not finish this request. Go back and try again in a minute; "
    "if it keeps happening, tell the portal's administrators.</p>"
    '<p><a href="/">Back to the phones</a></p></body></html>'
)

logger = logging.getLogger(__name__)


def flash_error(request: HttpRequest, text: str, *, trace_id: str = "") -> None:
    """An error message for the next page, with WellApp's trace id kept beside the sentence
    (base.html shows it once, with a copy button)."""
    messages.error(request, text, extra_tags=f"{TRACE_TAG}{trace_id}" if trace_id else "")


def _alert(request: HtmxHttpRequest, context: dict) -> HttpResponse:
    response = render(request, ALERT_TEMPLATE, context, status=403)
    retarget(response, ALERT_TARGET)
    reswap(response, "innerHTML")
    push_url(response, False)
    return response


def _reload_url(request: HtmxHttpRequest) -> str:
    """Where "reload" leads: the page the refused request came from, when it is ours."""
    if is_htmx_fragment_request(request):
        page = current_page(request)
        if page:
            return page
    elif request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return reverse("phones:list")


def csrf_failure(request: HtmxHttpRequest, reason: str = "") -> HttpResponse:
    """A request refused for its CSRF token: the page it came from is out of date.
    CsrfViewMiddleware calls it before any view runs; HtmxMiddleware has set
    ``request.htmx`` by then."""
    context = {"message": STALE_PAGE_MESSAGE, "reload_url": _reload_url(request)}
    if is_htmx_fragment_request(request):
        return _alert(request, context)
    return render(request, "403_csrf.html", context, status=403)


def permission_denied(request: HtmxHttpRequest, exception: Exception) -> HttpResponse:
    """A request refused for a missing permission: says which support role would allow it.
    Someone with no role at all is told an administrator must give them one; a viewer is
    told the page is for editors."""
    has_role = request.user.has_perm("phones.view_phone")
    message = NO_PERMISSION_MESSAGE if has_role else NO_ROLE_MESSAGE
    if is_htmx_fragment_request(request):
        return _alert(request, {"message": message, "reload_url": ""})
    context = {"message": message, "has_role": has_role, "viewers": VIEWERS, "editors": EDITORS}
    return render(request, "403.html", context, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """No page at this address, or no such record: said in the portal's layout."""
    message = NOT_FOUND_MESSAGE
    if type(exception) is Http404 and exception.args and isinstance(exception.args[0], str):
        # The portal's own 404s say what is missing ("This phone is not in the local copy.").
        message = exception.args[0]
    return render(request, "404.html", {"message": message}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """A server error, in the layout when it can be drawn without the request (no context
    processors, no database), else as a plain page."""
    try:
        body = loader.get_template("500.html").render({})
    except Exception:
        logger.exception("The 500 page could not be rendered; sent the plain one")
        body = PLAIN_SERVER_ERROR
    return HttpResponseServerError(body)
