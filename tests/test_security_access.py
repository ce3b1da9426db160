"""Who may call what: every URL in the configuration, walked and checked against a table.

The table says, for every route and method, whether it reads or writes and who may call it.
A route the table does not know fails the suite, so no view is added without deciding who
may use it.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from phones.models import SyncRun
from tests.factories import PASSWORD, SAMPLE_ENTRY_ID, SAMPLE_IMPORT_ID, SAMPLE_PHONE_ID

pytestmark = pytest.mark.django_db

PUBLIC = "public"  # no login
LOGGED_IN = "logged in"  # any logged-in user, support role or not
VIEWER = "viewer"  # Support viewers and Support editors
EDITOR = "editor"  # Support editors only
READ = "read"
WRITE = "write"


@dataclass(frozen=True)
class Endpoint:
    route: str
    method: str
    kind: str
    who: str

    def __str__(self) -> str:
        return f"{self.method} /{self.route}"


# Every route of the URL configuration (admin aside) and every method it answers.
ENDPOINTS = [
    Endpoint("", "GET", READ, LOGGED_IN),
    Endpoint("accounts/login/", "GET", READ, PUBLIC),
    Endpoint("accounts/login/", "POST", WRITE, PUBLIC),
    Endpoint("accounts/logout/", "POST", WRITE, LOGGED_IN),
    Endpoint("phones/", "GET", READ, VIEWER),
    Endpoint("phones/export.csv", "GET", READ, VIEWER),
    Endpoint("phones/new/", "GET", READ, EDITOR),
    Endpoint("phones/new/", "POST", WRITE, EDITOR),
    Endpoint("phones/new/preview/", "GET", READ, EDITOR),
    Endpoint("phones/queue/", "GET", READ, VIEWER),
    Endpoint("phones/queue/entries/", "GET", READ, VIEWER),
    Endpoint("phones/queue/<uuid:entry_id>/retry/", "POST", WRITE, EDITOR),
    Endpoint("phones/queue/<uuid:entry_id>/discard/", "POST", WRITE, EDITOR),
    Endpoint("phones/pickers/<slug:kind>/", "GET", READ, VIEWER),
    Endpoint("phones/import/", "GET", READ, EDITOR),
    # Stores the rows as a preview; nothing is sent to WellApp.
    Endpoint("phones/import/", "POST", WRITE, EDITOR),
    Endpoint("phones/import/template.csv", "GET", READ, EDITOR),
    Endpoint("phones/import/<uuid:import_id>/", "GET", READ, EDITOR),
    Endpoint("phones/import/<uuid:import_id>/rows/<int:line>/", "GET", READ, EDITOR),
    Endpoint("phones/import/<uuid:import_id>/rows/<int:line>/", "POST", WRITE, EDITOR),
    Endpoint("phones/import/<uuid:import_id>/confirm/", "POST", WRITE, EDITOR),
    Endpoint("phones/import/<uuid:import_id>/progress/", "GET", READ, EDITOR),
    Endpoint("phones/sync/", "POST", WRITE, EDITOR),
    Endpoint("phones/sync/status/", "GET", READ, VIEWER),
    Endpoint("phones/<uuid:phone_id>/", "GET", READ, VIEWER),
    # Re-reads one phone from WellApp into the local copy; changes nothing in WellApp.
    Endpoint("phones/<uuid:phone_id>/refresh/", "POST", WRITE, VIEWER),
]
ADMIN_ROUTE = "admin/"
# The ids are those of the records the ``route_records`` fixture makes.
SAMPLES = {
    "phone_id": str(SAMPLE_PHONE_ID),
    "entry_id": str(SAMPLE_ENTRY_ID),
    "kind": "people",
    "import_id": str(SAMPLE_IMPORT_ID),
    "line": "2",
}
CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
# The writes whose route answers no GET.
WRITE_ONLY = [
    e
    for e in ENDPOINTS
    if e.kind == WRITE and not any(o.route == e.route and o.method == "GET" for o in ENDPOINTS)
]


def routes(patterns: list | None = None, prefix: str = "") -> Iterator[str]:
    """Every route of the URL configuration, included ones too; the admin site as one."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                yield route
            else:
                yield from routes(pattern.url_patterns, route)
        else:
            assert isinstance(pattern, URLPattern)
            yield route


def url_for(route: str) -> str:
    def fill(match: re.Match) -> str:
        name = match.group(1)
        assert name in SAMPLES, f"/{route}: add a sample value for <{name}> to SAMPLES"
        return SAMPLES[name]

    url = "/" + CONVERTER.sub(fill, route)
    assert resolve(url).route == route, f"{url} does not resolve to /{route}"
    return url


def call(client: Client, endpoint: Endpoint) -> object:
    url = url_for(endpoint.route)
    return client.get(url) if endpoint.method == "GET" else client.post(url, {})


def is_login_redirect(response) -> bool:
    """Sent to log in first (logging out also lands on the login page, without a next)."""
    return response.status_code == 302 and response["Location"].startswith(
        f"{reverse('login')}?next="
    )


def assert_allowed(response, endpoint: Endpoint) -> None:
    assert response.status_code in (200, 302), f"{endpoint}: {response.status_code}"
    assert not is_login_redirect(response), f"{endpoint} sent a logged-in user to the login"


@pytest.fixture
def add_phone_client(db) -> Client:
    """A user given Django's built-in view_phone and add_phone directly, in no group."""
    user = User.objects.create_user("adam.addphone", password=PASSWORD)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="phones", codename__in=["view_phone", "add_phone"]
        )
    )
    client = Client()
    client.force_login(user)
    return client


def test_every_route_is_in_the_access_table():
    known = {endpoint.route for endpoint in ENDPOINTS} | {ADMIN_ROUTE}
    found = set(routes())
    assert not found - known, f"routes nobody decided access for: {sorted(found - known)}"
    assert not known - found, f"table rows for routes that are gone: {sorted(known - found)}"


def test_the_table_names_each_endpoint_once_with_a_known_role():
    assert len({(e.route, e.method) for e in ENDPOINTS}) == len(ENDPOINTS)
    for endpoint in ENDPOINTS:
        assert endpoint.kind in (READ, WRITE), endpoint
        assert endpoint.who in (PUBLIC, LOGGED_IN, VIEWER, EDITOR), endpoint
        assert endpoint.kind == WRITE or endpoint.method == "GET", endpoint


def test_every_phone_write_is_for_a_support_role():
    for endpoint in ENDPOINTS:
        if endpoint.kind == WRITE and endpoint.route.startswith("phones/"):
            assert endpoint.who in (VIEWER, EDITOR), endpoint


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_anonymous_request_goes_to_the_login_page_unless_public(
    client: Client, endpoint: Endpoint, route_records, wellapp
):
    response = call(client, endpoint)
    if endpoint.who == PUBLIC:
        assert response.status_code == 200, endpoint
    else:
        url = url_for(endpoint.route)
        assert response.status_code == 302, endpoint
        assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    "endpoint", [e for e in WRITE_ONLY if e.who != PUBLIC], ids=lambda e: f"GET /{e.route}"
)
def test_anonymous_get_of_a_write_goes_to_the_login_page_too(
    client: Client, endpoint: Endpoint, route_records, wellapp
):
    url = url_for(endpoint.route)
    response = client.get(url)
    assert response.status_code == 302, endpoint
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_admin_sends_anonymous_users_to_its_login(client: Client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_user_without_a_support_role_is_refused_every_phones_endpoint(
    nobody_client: Client, endpoint: Endpoint, route_records, wellapp
):
    response = call(nobody_client, endpoint)
    if endpoint.who in (VIEWER, EDITOR):
        assert response.status_code == 403, endpoint
    else:
        assert response.status_code in (200, 302), endpoint


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_viewer_reads_but_is_refused_editor_endpoints(
    viewer_client: Client, endpoint: Endpoint, route_records, wellapp
):
    response = call(viewer_client, endpoint)
    if endpoint.who == EDITOR:
        assert response.status_code == 403, endpoint
    else:
        assert_allowed(response, endpoint)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_editor_may_call_every_endpoint(
    editor_client: Client, endpoint: Endpoint, route_records, wellapp
):
    assert_allowed(call(editor_client, endpoint), endpoint)


@pytest.mark.parametrize("endpoint", WRITE_ONLY, ids=str)
def test_a_write_cannot_be_triggered_by_a_get(
    editor_client: Client, endpoint: Endpoint, route_records, wellapp
):
    response = editor_client.get(url_for(endpoint.route))
    assert response.status_code == 405, endpoint


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.who == EDITOR], ids=str)
def test_the_built_in_add_phone_permission_opens_no_editor_endpoint(
    add_phone_client: Client, endpoint: Endpoint, route_records, wellapp
):
    assert call(add_phone_client, endpoint).status_code == 403, endpoint


def test_add_phone_alone_can_neither_sync_nor_create_and_sees_no_editor_controls(
    add_phone_client: Client, wellapp
):
    assert add_phone_client.post(reverse("phones:sync"), {}).status_code == 403
    assert not SyncRun.objects.exists()
    assert add_phone_client.get(reverse("phones:new")).status_code == 403
    page = add_phone_client.get(reverse("phones:list")).content.decode()
    assert "Sync now</button>" not in page
    assert f'href="{reverse("phones:new")}"' not in page


def test_edit_directory_through_the_editors_group_can_sync_and_create(
    editor: User, editor_client: Client, wellapp
):
    assert not editor.user_permissions.exists()
    assert list(editor.groups.values_list("name", flat=True)) == ["Support editors"]
    page = editor_client.get(reverse("phones:list")).content.decode()
    assert "Sync now</button>" in page
    assert f'href="{reverse("phones:new")}"' in page
    assert editor_client.get(reverse("phones:new")).status_code == 200
    assert editor_client.post(reverse("phones:sync"), {}).status_code == 302
    assert SyncRun.objects.count() == 1
