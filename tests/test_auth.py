"""Logging in and out, the root page, and the two support roles (which role may call which
URL, and the login every URL asks for, is walked in tests/test_security_access.py)."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_root_redirects_a_logged_in_user_to_the_phones_page(viewer_client: Client):
    response = viewer_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("phones:list")


def test_healthz_answers_without_login(client: Client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_user_without_a_support_role_is_refused_the_phones_page(client: Client):
    user = User.objects.create_user(username="nobody", password=PASSWORD)
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
    assert codenames("Support editors") == {"view_phone", "add_phone", "edit_directory"} | directory


def test_viewer_lacks_and_editor_has_the_edit_directory_permission(viewer: User, editor: User):
    assert viewer.has_perm("phones.view_phone")
    assert not viewer.has_perm("phones.edit_directory")
    assert editor.has_perm("phones.edit_directory")


def test_the_demo_login_is_an_editor_through_the_editors_group(settings):
    settings.WELL_API_URL = "http://127.0.0.1:8001/v1"
    out = StringIO()
    call_command("demo_login", "--username", "dana.demo", stdout=out)
    assert "username 'dana.demo'" in out.getvalue()
    user = User.objects.get(username="dana.demo")
    assert list(user.groups.values_list("name", flat=True)) == ["Support editors"]
    assert not user.user_permissions.exists()
    assert user.has_perm("phones.edit_directory")


def test_login_form_logs_in_and_lands_on_the_phones_page(client: Client, viewer: User):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    response = client.post(reverse("login"), {"username": "vera.viewer", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("phones:list")
    assert client.get(reverse("phones:list")).status_code == 200


def test_logout_ends_the_session(viewer_client: Client):
    response = viewer_client.post(reverse("logout"))
    assert response.status_code == 302
    assert viewer_client.get(reverse("phones:list")).status_code == 302
