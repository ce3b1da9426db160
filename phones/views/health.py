"""The health report for load balancers and on-call staff."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from phones.services.health import health_check


@login_not_required
@never_cache
@require_GET
def healthz_view(request: HttpRequest) -> JsonResponse:
    """Database and WellApp reachability, for load balancers and on-call staff."""
    report = health_check()
    status = 200 if report["database"] == "ok" else 503
    return JsonResponse(report, status=status)
