"""Refusals staff can act on: a stale or missing CSRF token, and a missing permission.

A full page gets a friendly page. An htmx request gets a short message swapped into the
page's alert region (`#global-alert` in base.html) rather than into the fragment it asked for.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django_htmx.http import push_url, reswap, retarget

from phones.middleware import current_page, is_htmx_fragment_request

ALERT_TEMPLATE = "phones/partials/global_alert.html"
ALERT_TARGET = "#global-alert"
STALE_PAGE_MESSAGE = (
    "Your session has expired or the page is out of date — reload the page to continue."
)
NO_PERMISSION_MESSAGE = (
    "You do not have permission to do that. Ask a wellui administrator if your work needs it."
)


def _alert(request: HttpRequest, context: dict) -> HttpResponse:
    response = render(request, ALERT_TEMPLATE, context, status=403)
    retarget(response, ALERT_TARGET)
    reswap(response, "innerHTML")
    push_url(response, False)
    return response


def _reload_url(request: HttpRequest) -> str:
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


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A request refused for its CSRF token: the page it came from is out of date."""
    context = {"message": STALE_PAGE_MESSAGE, "reload_url": _reload_url(request)}
    if is_htmx_fragment_request(request):
        return _alert(request, context)
    return render(request, "403_csrf.html", context, status=403)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request refused for a missing permission."""
    if is_htmx_fragment_request(request):
        return _alert(request, {"message": NO_PERMISSION_MESSAGE, "reload_url": ""})
    return defaults.permission_denied(request, exception)
