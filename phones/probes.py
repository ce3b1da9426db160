"""The two outermost middlewares: health probes and metrics answered before anything else,
and the count of every other request by method and status."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from phones.metrics import http_request_counted
from phones.views.health import healthz_view, metrics_view, readyz_view

# Answered for any Host header and over plain http, even with SECURE_SSL_REDIRECT on: a load
# balancer probes an instance by its address, and a scraper reaches each instance directly.
PROBES: dict[str, Callable[[HttpRequest], HttpResponseBase]] = {
    "/healthz": healthz_view,
    "/readyz": readyz_view,
    "/metrics": metrics_view,
}


def probe_middleware(
    get_response: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    """Answers /healthz, /readyz and /metrics itself; first in MIDDLEWARE, so no host
    validation, HTTPS redirect, session or login stands in front of them."""

    def middleware(request: HttpRequest) -> HttpResponseBase:
        view = PROBES.get(request.path_info)
        if view is None:
            return get_response(request)
        return view(request)

    return middleware


def request_metrics_middleware(
    get_response: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    """Counts each answered request by method and status (wellui_http_requests_total)."""

    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        http_request_counted(method=request.method or "", status=response.status_code)
        return response

    return middleware
