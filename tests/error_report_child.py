"""The child process of tests/test_error_reports.py: Django started with SENTRY_DSN set (so
the portal starts the Sentry SDK as it would in production), then one request through the WSGI
application whose view fails with the WellApp token in its message, carrying a form value, a
cookie and an Authorization header; and one message captured directly. Exits once the SDK has
sent everything. The form and cookie values come from REPORT_FORM_VALUE and
REPORT_COOKIE_VALUE.

``python -m tests.error_report_child``
"""

import io
import os
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import django

django.setup()

import sentry_sdk  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.decorators import login_not_required  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402


@csrf_exempt
@login_not_required
def failing_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"WellApp refused the token {settings.WELL_API_TOKEN}")


urlpatterns = [path("fail/", failing_view)]


def main() -> None:
    assert sentry_sdk.get_client().is_active(), "SENTRY_DSN is set but Sentry was not started"
    token = settings.WELL_API_TOKEN
    body = urlencode({"note": os.environ["REPORT_FORM_VALUE"]}).encode()
    environ: dict = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/fail/",
        "HTTP_HOST": "localhost",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_COOKIE": f"preferences={os.environ['REPORT_COOKIE_VALUE']}",
        "wsgi.input": io.BytesIO(body),
    }
    setup_testing_defaults(environ)
    statuses: list[str] = []
    with override_settings(ROOT_URLCONF=__name__):
        answer = get_wsgi_application()(environ, lambda status, headers: statuses.append(status))
        b"".join(answer)
    assert statuses == ["500 Internal Server Error"], statuses
    sentry_sdk.capture_message(f"Calling WellApp with Authorization: Bearer {token}")
    sentry_sdk.flush(timeout=10)
    print("sent")


if __name__ == "__main__":
    main()
