"""Probes and metrics for load balancers, monitoring and on-call staff. They are answered by
:func:`phones.probes.probe_middleware` before host checks, HTTPS redirects and login."""

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from phones.metrics_state import metrics_exposition
from phones.services.health import readiness_report


@never_cache
@require_safe
def healthz_view(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. No database, cache or WellApp call."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz_view(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 while the database answers (503 when not), with the cache, WellApp as
    last seen and the outbox's depth named."""
    report = readiness_report()
    return JsonResponse(report, status=200 if report["database"]["status"] == "ok" else 503)


@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, for a scraper holding WELLUI_METRICS_TOKEN (404 when none is set)."""
    token = settings.WELLUI_METRICS_TOKEN
    if not token:
        return HttpResponse("Not found.\n", status=404, content_type="text/plain")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(
        given.strip().encode(), token.encode()
    ):
        response = HttpResponse("A bearer token is required.\n", status=401)
        response["Content-Type"] = "text/plain"
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(metrics_exposition(), content_type=CONTENT_TYPE_PLAIN_0_0_4)
