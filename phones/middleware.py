"""Request handling every page shares: an id for every request, login required, nothing kept
in a browser cache, and a session kept alive while it is used, written at most once a
minute."""

import time
from collections.abc import Callable

from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import resolve_url
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from phones.addresses import from_trusted_proxy
from phones.http import HtmxHttpRequest
from phones.request_ids import (
    REQUEST_ID_HEADER,
    is_valid_request_id,
    new_request_id,
    request_id_scope,
)


def is_htmx_fragment_request(request: HtmxHttpRequest) -> bool:
    """True for an htmx request whose answer is swapped into part of a page (a history
    restore asks for a whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def current_page(request: HtmxHttpRequest) -> str:
    """The path and query of the page an htmx request came from, when it is a page of this
    site (same scheme and host); "" otherwise."""
    page = (request.htmx.current_url_abs_path or "").partition("#")[0]
    # A path such as "//other.example/" would lead a browser to another site.
    return page if url_has_allowed_host_and_scheme(page, allowed_hosts=None) else ""


# A used session is saved again (new expiry, cookie sent again) at most this often.
SESSION_REFRESH_SECONDS = 60
# Where the session keeps the time (seconds since the epoch) it was last saved by a refresh.
SESSION_REFRESHED_AT_KEY = "_refreshed_at"


def session_refresh_exempt[V: Callable](view_func: V) -> V:
    """Marks a view whose requests never save the session (a poll that runs while the page
    is open must not keep an idle login alive, nor write on every hit)."""
    view_func.session_refresh_exempt = True  # type: ignore[attr-defined]
    return view_func


def _session_needs_refresh(request: HttpRequest, now: float) -> bool:
    match = request.resolver_match
    if match is not None and getattr(match.func, "session_refresh_exempt", False):
        return False
    session = request.session
    # Reading loads the session; a key that names no live session is dropped then.
    refreshed_at = session.get(SESSION_REFRESHED_AT_KEY)
    if session.session_key is None:
        # Nothing stored to keep alive: an anonymous visitor, an ended session, a logout.
        return False
    if session.modified:
        # Saved anyway: note the time, so the next minute starts now.
        return True
    if not isinstance(refreshed_at, int | float):
        return True
    return not 0 <= now - refreshed_at < SESSION_REFRESH_SECONDS


def session_refresh_middleware(
    get_response: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    """A session ends SESSION_COOKIE_AGE after it was last saved. A request to a session
    last saved a minute or more ago marks it changed, so SessionMiddleware saves it with a
    new expiry and sends the cookie again; other requests write nothing."""

    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        now = time.time()
        if _session_needs_refresh(request, now):
            request.session[SESSION_REFRESHED_AT_KEY] = now
        return response

    return middleware


def request_id_for(request: HttpRequest) -> str:
    """The id a trusted proxy handed on in ``X-Request-ID`` when it is well-formed, else a
    fresh one."""
    offered = request.headers.get(REQUEST_ID_HEADER)
    if offered is not None and from_trusted_proxy(request) and is_valid_request_id(offered):
        return offered
    return new_request_id()


def request_id_middleware(
    get_response: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    """Every request runs under an id (phones.request_ids) that its log lines, audit rows,
    queued creates and calls to WellApp carry; the response names it in ``X-Request-ID``."""

    def middleware(request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_for(request)
        with request_id_scope(request_id):
            response = get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response

    return middleware


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

    # Overrides with a wider answer: an htmx redirect is not an HttpResponseRedirect.
    def handle_no_permission(  # type: ignore[override]
        self, request: HtmxHttpRequest, view_func: Callable[..., HttpResponseBase]
    ) -> HttpResponseBase:
        if not is_htmx_fragment_request(request):
            return super().handle_no_permission(request, view_func)
        login_url = resolve_url(self.get_login_url(view_func))
        page = current_page(request)
        url = login_url
        if page:
            url = redirect_to_login(page, login_url, self.get_redirect_field_name(view_func)).url
        return HttpResponseClientRedirect(url)
