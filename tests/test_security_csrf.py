"""CSRF: every state-changing request needs the token, from a form field or, for htmx, the
X-CSRFToken header base.html sets on <body>; a refused one tells staff to reload."""

import json
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from phones.middleware import HtmxHttpRequest
from phones.models import OutboxEntry, SyncRun
from phones.views.errors import NO_PERMISSION_MESSAGE, STALE_PAGE_MESSAGE, csrf_failure
from tests.test_security_access import ENDPOINTS, PUBLIC, Endpoint, url_for

pytestmark = pytest.mark.django_db

POSTS = [endpoint for endpoint in ENDPOINTS if endpoint.method == "POST"]
HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/phones/?q=415"}
HX_HEADERS = re.compile(r"<body hx-headers='([^']*)'>")
FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def page_token(client: Client, *, public: bool = False) -> str:
    """The token a page gives a browser: in hx-headers once logged in, the form on login."""
    if public:
        return FORM_TOKEN.search(client.get(reverse("login")).content.decode()).group(1)
    page = client.get(reverse("phones:list")).content.decode()
    return json.loads(HX_HEADERS.search(page).group(1))["X-CSRFToken"]


# The requests the recording failure view below was given, in order.
FAILED_REQUESTS: list[HtmxHttpRequest] = []


def recording_csrf_failure(request: HtmxHttpRequest, reason: str = "") -> HttpResponse:
    """The portal's CSRF failure view, noting the request CsrfViewMiddleware handed it."""
    FAILED_REQUESTS.append(request)
    return csrf_failure(request, reason)


@pytest.fixture
def recorded_failures(settings) -> list[HtmxHttpRequest]:
    FAILED_REQUESTS.clear()
    settings.CSRF_FAILURE_VIEW = f"{__name__}.recording_csrf_failure"
    return FAILED_REQUESTS


@pytest.fixture
def strict_client(editor: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    return client


def client_for(endpoint: Endpoint, strict_client: Client) -> Client:
    return Client(enforce_csrf_checks=True) if endpoint.who == PUBLIC else strict_client


def assert_accepted(response, endpoint: Endpoint) -> None:
    assert response.status_code in (200, 302), f"{endpoint}: {response.status_code}"


def assert_alert_fragment(response, message: str) -> None:
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#global-alert"
    assert response["HX-Reswap"] == "innerHTML"
    assert response["HX-Push-Url"] == "false"
    html = response.content.decode()
    assert message in html
    assert "<html" not in html and "<body" not in html


@pytest.mark.parametrize("endpoint", POSTS, ids=str)
def test_post_without_the_token_is_refused_with_a_reload_page(
    endpoint: Endpoint, strict_client: Client, route_records, wellapp
):
    client = client_for(endpoint, strict_client)
    # The browser holds the CSRF cookie; the request lost its token.
    page_token(client, public=endpoint.who == PUBLIC)
    response = client.post(url_for(endpoint.route), {})
    assert response.status_code == 403, endpoint
    html = response.content.decode()
    assert "data-csrf-failure" in html and STALE_PAGE_MESSAGE in html
    assert "Reload the page</a>" in html
    assert "HX-Retarget" not in response


@pytest.mark.parametrize("endpoint", POSTS, ids=str)
def test_post_with_the_form_token_is_accepted(
    endpoint: Endpoint, strict_client: Client, route_records, wellapp
):
    client = client_for(endpoint, strict_client)
    token = page_token(client, public=endpoint.who == PUBLIC)
    response = client.post(url_for(endpoint.route), {"csrfmiddlewaretoken": token})
    assert_accepted(response, endpoint)


@pytest.mark.parametrize("endpoint", POSTS, ids=str)
def test_htmx_post_with_the_hx_headers_token_is_accepted(
    endpoint: Endpoint, strict_client: Client, route_records, wellapp
):
    client = client_for(endpoint, strict_client)
    token = page_token(client, public=endpoint.who == PUBLIC)
    response = client.post(url_for(endpoint.route), {}, headers={**HTMX, "X-CSRFToken": token})
    assert_accepted(response, endpoint)


@pytest.mark.parametrize("endpoint", POSTS, ids=str)
def test_htmx_post_without_the_token_gets_the_alert_not_a_broken_fragment(
    endpoint: Endpoint, strict_client: Client, route_records, wellapp
):
    client = client_for(endpoint, strict_client)
    page_token(client, public=endpoint.who == PUBLIC)
    response = client.post(url_for(endpoint.route), {}, headers=HTMX)
    assert_alert_fragment(response, STALE_PAGE_MESSAGE)
    assert '<a href="/phones/?q=415">Reload the page</a>' in response.content.decode()


def test_htmx_post_with_a_token_from_an_earlier_session_gets_the_alert(strict_client: Client):
    old_token = page_token(strict_client)
    strict_client.cookies["csrftoken"] = "n" * 32  # the browser got a new CSRF secret since
    response = strict_client.post(
        reverse("phones:sync"), {}, headers={**HTMX, "X-CSRFToken": old_token}
    )
    assert_alert_fragment(response, STALE_PAGE_MESSAGE)
    assert not SyncRun.objects.exists()


def test_the_csrf_failure_view_reads_htmx_from_django_htmx(
    strict_client: Client, recorded_failures: list[HtmxHttpRequest]
):
    page_token(strict_client)
    htmx = strict_client.post(reverse("phones:sync"), {}, headers=HTMX)
    plain = strict_client.post(reverse("phones:sync"), {})
    assert_alert_fragment(htmx, STALE_PAGE_MESSAGE)
    assert plain.status_code == 403 and "HX-Retarget" not in plain
    htmx_request, plain_request = recorded_failures
    assert htmx_request.htmx
    assert htmx_request.htmx.current_url == HTMX["HX-Current-URL"]
    assert not plain_request.htmx


def test_htmx_details_are_read_before_the_csrf_and_login_checks():
    """CsrfViewMiddleware and the login check answer some requests themselves, and the
    error views answering for any later middleware read request.htmx: HtmxMiddleware runs
    before all of them."""
    order = django_settings.MIDDLEWARE
    htmx = order.index("django_htmx.middleware.HtmxMiddleware")
    for name in (
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "phones.middleware.LoginRequiredMiddleware",
    ):
        assert htmx < order.index(name), name


def test_refused_logout_leaves_the_user_logged_in(strict_client: Client):
    page_token(strict_client)
    assert strict_client.post(reverse("logout")).status_code == 403
    assert strict_client.get(reverse("phones:list")).status_code == 200


def test_refused_writes_change_nothing(strict_client: Client, route_records):
    page_token(strict_client)
    strict_client.post(reverse("phones:sync"), {"full": "1"})
    strict_client.post(url_for("phones/queue/<uuid:entry_id>/discard/"), {})
    assert not SyncRun.objects.exists()
    assert OutboxEntry.objects.get().state == OutboxEntry.State.RETRYING


def test_reload_link_of_the_refusal_page_goes_back_to_the_page_of_the_form(
    strict_client: Client,
):
    page_token(strict_client)
    url = reverse("phones:new")
    own = strict_client.post(url, {}, headers={"Referer": "http://testserver/phones/new/?x=1"})
    assert 'href="http://testserver/phones/new/?x=1"' in own.content.decode()
    foreign = strict_client.post(url, {}, headers={"Referer": "https://evil.example/phones/"})
    assert "evil.example" not in foreign.content.decode()
    assert f'<a href="{reverse("phones:list")}">Reload the page</a>' in foreign.content.decode()


def test_refusal_page_hands_out_a_fresh_token_that_works(strict_client: Client):
    strict_client.cookies["csrftoken"] = "n" * 32
    refused = strict_client.post(reverse("phones:sync"), {})
    assert refused.status_code == 403
    token = json.loads(HX_HEADERS.search(refused.content.decode()).group(1))["X-CSRFToken"]
    again = strict_client.post(reverse("phones:sync"), {}, headers={"X-CSRFToken": token})
    assert again.status_code == 302


def test_viewer_htmx_write_is_refused_into_the_alert_region(viewer_client: Client):
    response = viewer_client.post(reverse("phones:sync"), {}, headers=HTMX)
    assert_alert_fragment(response, NO_PERMISSION_MESSAGE)


def test_viewer_plain_write_is_refused_with_a_plain_403(viewer_client: Client):
    response = viewer_client.post(reverse("phones:sync"), {})
    assert response.status_code == 403
    assert "HX-Retarget" not in response


def test_page_has_an_empty_assertive_alert_region(viewer_client: Client):
    html = viewer_client.get(reverse("phones:list")).content.decode()
    assert (
        '<div id="global-alert" class="global-alert" role="alert" aria-live="assertive"></div>'
    ) in html
