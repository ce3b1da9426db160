"""Logging in: wrong passwords lock a username out from one address for a while, a session
ends after a quiet spell, and every login and failed login is in the audit log."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from phones.middleware import HtmxHttpRequest, LoginRequiredMiddleware
from phones.models import AuditEntry
from phones.signals import LOGIN, LOGIN_FAILED
from tests.factories import PASSWORD
from tests.test_settings import PRODUCTION, manage

pytestmark = pytest.mark.django_db

WRONG = "incorrect horse battery"
LOCKED_TEXT = "Too many failed logins"


def log_in(client: Client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(client: Client, username: str, times: int, address: str = "127.0.0.1") -> list:
    return [log_in(client, username, WRONG, address) for _ in range(times)]


def test_four_wrong_passwords_still_let_the_right_one_in(client: Client, viewer: User):
    answers = fail(client, viewer.username, 4)
    assert [a.status_code for a in answers] == [200] * 4
    assert all(LOCKED_TEXT not in a.content.decode() for a in answers)
    response = log_in(client, viewer.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("phones:list")


def test_after_five_wrong_passwords_even_the_right_one_is_refused(client: Client, viewer: User):
    fifth = fail(client, viewer.username, 5)[-1]
    assert fifth.status_code == 429
    sixth = log_in(client, viewer.username, PASSWORD)
    assert sixth.status_code == 429
    html = sixth.content.decode()
    assert LOCKED_TEXT in html
    assert "locked after 5 wrong passwords" in html
    assert "Try again in 15 minutes." in html
    assert f"as <strong>{viewer.username}</strong>" in html
    assert '<div id="global-alert"' in html, "not the portal's own page"
    assert client.get(reverse("phones:list")).status_code == 302, "logged in anyway"


def test_a_lockout_leaves_other_users_and_other_addresses_alone(
    client: Client, viewer: User, editor: User
):
    fail(client, viewer.username, 5)
    assert log_in(Client(), editor.username, PASSWORD).status_code == 302
    assert log_in(Client(), viewer.username, PASSWORD, address="10.1.2.3").status_code == 302
    assert log_in(Client(), viewer.username, PASSWORD).status_code == 429


def test_the_lockout_ends_after_fifteen_minutes(client: Client, viewer: User):
    fail(client, viewer.username, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert log_in(client, viewer.username, PASSWORD).status_code == 302


def test_failed_attempts_are_kept_without_the_password(client: Client, viewer: User):
    fail(client, viewer.username, 2)
    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == 2
    assert WRONG not in attempt.post_data


def test_login_and_failed_login_are_audited_without_the_password(client: Client, viewer: User):
    log_in(client, "vera.viewr", WRONG)
    log_in(client, viewer.username, PASSWORD)
    entries = list(AuditEntry.objects.order_by("id"))
    assert [(e.action, e.actor) for e in entries] == [(LOGIN_FAILED, None), (LOGIN, viewer)]
    assert entries[0].detail == {"username": "vera.viewr", "locked_out": False}
    assert entries[1].detail == {}
    for entry in entries:
        assert WRONG not in str(entry.detail) and PASSWORD not in str(entry.detail)


def test_a_refused_attempt_during_a_lockout_is_audited_as_locked_out(client: Client, viewer: User):
    fail(client, viewer.username, 5)
    log_in(client, viewer.username, PASSWORD)
    last = AuditEntry.objects.filter(action=LOGIN_FAILED).order_by("id").last()
    assert last.detail == {"username": viewer.username, "locked_out": True}
    assert not AuditEntry.objects.filter(action=LOGIN).exists()


def test_an_overlong_username_is_audited_cut_short(client: Client):
    log_in(client, "x" * 500, WRONG)
    assert AuditEntry.objects.get(action=LOGIN_FAILED).detail["username"] == "x" * 150


def session_expiry(client: Client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_session_lasts_thirty_minutes_from_the_last_request(viewer_client: Client, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
    before = timezone.now()
    response = viewer_client.get(reverse("phones:list"))
    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == 30 * 60
    expiry = session_expiry(viewer_client)
    assert before + timedelta(minutes=30) <= expiry <= timezone.now() + timedelta(minutes=30)


def test_an_idle_session_goes_to_the_login_page(viewer_client: Client):
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    url = reverse("phones:list")
    response = viewer_client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_an_htmx_request_of_an_idle_session_sends_the_whole_page_to_the_login(
    viewer_client: Client,
):
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = viewer_client.get(
        reverse("phones:picker", args=["people"]) + "?q=ann",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/phones/new/"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/phones/new/"
    assert response.content == b""


def test_an_htmx_request_from_a_foreign_page_goes_to_the_plain_login(client: Client):
    response = client.get(
        reverse("phones:sync_status"),
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/phones/"},
    )
    assert response["HX-Redirect"] == reverse("login")


def test_an_htmx_page_path_leading_to_another_site_goes_to_the_plain_login(client: Client):
    response = client.get(
        reverse("phones:sync_status"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver//evil.example/x"},
    )
    assert response["HX-Redirect"] == reverse("login")


def test_an_htmx_history_restore_of_an_idle_session_gets_the_login_page(
    viewer_client: Client,
):
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    url = reverse("phones:list") + "?q=415"
    response = viewer_client.get(
        url,
        headers={
            "HX-Request": "true",
            "HX-History-Restore-Request": "true",
            "HX-Current-URL": "http://testserver/phones/?q=415",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/phones/%3Fq%3D415"
    assert "HX-Redirect" not in response


def test_the_login_check_reads_htmx_from_django_htmx(
    client: Client, monkeypatch: pytest.MonkeyPatch
):
    seen: list[HtmxHttpRequest] = []
    handle = LoginRequiredMiddleware.handle_no_permission

    def recording(
        self: LoginRequiredMiddleware, request: HtmxHttpRequest, view_func: Callable
    ) -> HttpResponse:
        seen.append(request)
        return handle(self, request, view_func)

    monkeypatch.setattr(LoginRequiredMiddleware, "handle_no_permission", recording)
    htmx = client.get(
        reverse("phones:sync_status"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/phones/new/"},
    )
    plain = client.get(reverse("phones:sync_status"))
    assert htmx["HX-Redirect"] == f"{reverse('login')}?next=/phones/new/"
    assert plain.status_code == 302 and "HX-Redirect" not in plain
    htmx_request, plain_request = seen
    assert htmx_request.htmx
    assert htmx_request.htmx.current_url == "http://testserver/phones/new/"
    assert not plain_request.htmx


def test_idle_minutes_come_from_the_environment():
    command = "from django.conf import settings as s; print(s.SESSION_COOKIE_AGE)"
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        command,
        env={**PRODUCTION, "WELLUI_SESSION_IDLE_MINUTES": "10"},
    )
    assert result.stdout.split() == ["600"], result.stderr


def test_idle_minutes_below_one_refuse_to_start():
    result = manage("check", env={"WELLUI_SESSION_IDLE_MINUTES": "0"})
    assert result.returncode != 0
    assert "WELLUI_SESSION_IDLE_MINUTES must be at least 1." in result.stderr
