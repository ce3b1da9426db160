"""Error reports to Sentry, when ``SENTRY_DSN`` is set (nothing is sent, nor the SDK started,
otherwise). What is sent carries no request body, form data or cookies, no Authorization or
Cookie header, no local variables, and never the WellApp token."""

import re
from typing import Any

import sentry_sdk
from django.conf import settings
from sentry_sdk.integrations.django import DjangoIntegration

REDACTED = "[redacted]"
# Headers whose values are credentials (compared lower-case).
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_BEARER = re.compile(r"(?i)\bbearer\s+[^\s\"',]+")


def error_reports_start() -> bool:
    """Start the Sentry SDK when SENTRY_DSN is set; True when it was started."""
    if not settings.SENTRY_DSN:
        return False
    sentry_sdk.init(
        dsn=settings.SENTRY_DSN,
        environment=settings.SENTRY_ENVIRONMENT,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        before_send=error_report_scrubbed,
    )
    return True


def error_report_scrubbed(event: Any, hint: Any) -> Any:
    """The event without request bodies, cookies or credentials, and with the WellApp token
    replaced wherever it appears."""
    request = event.get("request")
    if isinstance(request, dict):
        for field in ("data", "cookies"):
            request.pop(field, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value
                for name, value in headers.items()
                if str(name).lower() not in SECRET_HEADERS
            }
    return _scrubbed(event, settings.WELL_API_TOKEN)


def _scrubbed(value: Any, token: str) -> Any:
    if isinstance(value, str):
        if token:
            value = value.replace(token, REDACTED)
        return _BEARER.sub(f"Bearer {REDACTED}", value)
    if isinstance(value, dict):
        return {key: _scrubbed(item, token) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item, token) for item in value]
    return value
