"""Logins and failed logins go to the audit log. Passwords never do."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from phones.addresses import client_ip
from phones.services.audit import audit_record

LOGIN = "auth.login"
LOGIN_FAILED = "auth.login_failed"
# Longest attempted username kept; longer input is cut, never rejected.
USERNAME_LIMIT = 150


def _address(request: HttpRequest | None) -> str | None:
    return None if request is None else client_ip(request)


@receiver(user_logged_in, dispatch_uid="phones.audit_login")
def record_login(sender: type, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Who logged in, and from where."""
    audit_record(actor=user, action=LOGIN, client_ip=_address(request))


@receiver(user_login_failed, dispatch_uid="phones.audit_login_failed")
def record_login_failure(
    sender: str, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """The username someone tried, from where, and whether the lockout refused it
    unchecked."""
    username = credentials.get(get_user_model().USERNAME_FIELD, "")
    audit_record(
        actor=None,
        action=LOGIN_FAILED,
        detail={
            "username": str(username)[:USERNAME_LIMIT],
            "locked_out": bool(getattr(request, "axes_locked_out", False)),
        },
        client_ip=_address(request),
    )
