"""Who may see what: login for every page, and the two support roles."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from phones import urls as phone_urls

pytestmark = pytest.mark.django_db


def phone_url_names() -> list[str]:
    names = []
    for pattern in phone_urls.urlpatterns:
        assert isinstance(pattern, URLPattern | URLResolver)
        if isinstance(pattern, URLPattern) and not pattern.pattern.converters:
            names.append(f"phones:{pattern.name}")
    return names


@pytest.mark.parametrize("name", phone_url_names())
def test_anonymous_request_to_a_phones_page_goes_to_the_login(client: Client, name: str):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_every_project_route_except_health_and_login_requires_login(client: Client):
    open_routes = {"healthz", "login"}
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLPattern) and pattern.name not in open_routes:
            response = client.get("/" + str(pattern.pattern))
            assert response.status_code == 302, pattern
            assert response["Location"].startswith(reverse("login")), pattern


def test_root_redirects_a_logged_in_user_to_the_phones_page(viewer_client: Client):
    response = viewer_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("phones:list")


def test_healthz_answers_without_login(client: Client, wellapp):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "upstream": "ok"}


def test_user_without_a_support_role_is_refused_the_phones_page(client: Client):
    user = User.objects.create_user(username="nobody", password="correct horse battery")
    client.force_login(user)
    assert client.get(reverse("phones:list")).status_code == 403


def test_viewer_and_editor_see_the_phones_page_with_a_logout_button(
    viewer_client: Client, editor_client: Client
):
    for client in (viewer_client, editor_client):
        response = client.get(reverse("phones:list"))
        assert response.status_code == 200
        assert b"Log out" in response.content
        assert f'action="{reverse("logout")}"'.encode() in response.content


def test_support_groups_carry_exactly_their_phone_permissions():
    def codenames(name: str) -> set[str]:
        group = Group.objects.get(name=name)
        return set(group.permissions.values_list("codename", flat=True))

    directory = {"view_person", "view_company", "view_workspace"}
    assert codenames("Support viewers") == {"view_phone"} | directory
    assert codenames("Support editors") == {"view_phone", "add_phone"} | directory


def test_viewer_lacks_and_editor_has_the_add_phone_permission(viewer: User, editor: User):
    assert viewer.has_perm("phones.view_phone")
    assert not viewer.has_perm("phones.add_phone")
    assert editor.has_perm("phones.add_phone")


def test_login_form_logs_in_and_lands_on_the_phones_page(client: Client, viewer: User):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    response = client.post(
        reverse("login"), {"username": "vera.viewer", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("phones:list")
    assert client.get(reverse("phones:list")).status_code == 200


def test_logout_ends_the_session(viewer_client: Client):
    response = viewer_client.post(reverse("logout"))
    assert response.status_code == 302
    assert viewer_client.get(reverse("phones:list")).status_code == 302
