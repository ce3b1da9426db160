"""Request handling every page shares: login required, and nothing kept in a browser cache."""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import resolve_url
from django.utils.cache import add_never_cache_headers
from django_htmx.http import HttpResponseClientRedirect


def is_htmx_fragment_request(request: HttpRequest) -> bool:
    """True for an htmx request whose answer is swapped into part of a page (a history
    restore asks for a whole page)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != "true"
    )


def current_page(request: HttpRequest) -> str:
    """The path of the page an htmx request came from, when it is a page of this site."""
    url = urlsplit(request.headers.get("HX-Current-URL", ""))
    if url.scheme not in ("http", "https") or url.netloc != request.get_host():
        return ""
    return url.path + (f"?{url.query}" if url.query else "")


def no_store_middleware(
    get_response: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    """Every page and fragment shows phone or staff data, so no browser or proxy keeps one."""

    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        add_never_cache_headers(response)
        return response

    return middleware


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Every page needs a login. An htmx request whose session has ended sends the whole
    browser page to the login page, instead of swapping the login form into a fragment."""

    def handle_no_permission(self, request: HttpRequest, view_func: Callable) -> HttpResponse:
        if not is_htmx_fragment_request(request):
            return super().handle_no_permission(request, view_func)
        login_url = resolve_url(self.get_login_url(view_func))
        page = current_page(request)
        url = login_url
        if page:
            url = redirect_to_login(page, login_url, self.get_redirect_field_name(view_func)).url
        return HttpResponseClientRedirect(url)
