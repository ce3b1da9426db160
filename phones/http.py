"""The request types the views are written against. They only inform the type checker: at
run time every request is Django's ``HttpRequest``."""

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that has passed django-htmx's HtmxMiddleware: ``request.htmx`` tells what
    htmx sent (falsy for a request htmx did not make). The middleware is near the top of
    MIDDLEWARE, so every view, error view and later middleware can read it."""

    htmx: HtmxDetails


class StaffRequest(HtmxHttpRequest):
    """A request to a page behind the login (every page but login and health): its user is a
    staff account, never the anonymous user."""

    user: User
