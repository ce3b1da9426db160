"""Keeping a login alive: a used session is saved again (new expiry, cookie sent again) at most
once a minute, the sync-status poll never writes it, and an idle session ends."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from phones.middleware import SESSION_REFRESH_SECONDS, SESSION_REFRESHED_AT_KEY

pytestmark = pytest.mark.django_db

IDLE = timedelta(minutes=30)


def session_writes(queries: CaptureQueriesContext) -> list[str]:
    """The statements that inserted or updated a row of the session table."""
    table = Session._meta.db_table
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE")) and table in query["sql"]
    ]


def stored(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def refreshed(client: Client, seconds_ago: float) -> None:
    """Stores the session as last refreshed that long ago."""
    session = client.session
    session[SESSION_REFRESHED_AT_KEY] = time.time() - seconds_ago
    session.save()


def test_the_refresh_interval_is_one_minute():
    assert SESSION_REFRESH_SECONDS == 60


def test_two_requests_within_a_minute_write_the_session_once(viewer_client: Client):
    with CaptureQueriesContext(connection) as first:
        first_response = viewer_client.get(reverse("phones:list"))
    expiry = stored(viewer_client).expire_date
    with CaptureQueriesContext(connection) as second:
        second_response = viewer_client.get(reverse("phones:list"))
    assert first_response.status_code == second_response.status_code == 200
    assert len(session_writes(first)) == 1
    assert session_writes(second) == []
    assert "sessionid" not in second_response.cookies
    assert stored(viewer_client).expire_date == expiry


def test_a_request_a_minute_after_the_last_refresh_extends_the_session(viewer_client: Client):
    refreshed(viewer_client, seconds_ago=SESSION_REFRESH_SECONDS + 1)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=29))
    before = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        response = viewer_client.get(reverse("phones:list"))
    assert response.status_code == 200
    assert len(session_writes(queries)) == 1
    assert response.cookies["sessionid"]["max-age"] == IDLE.total_seconds()
    session = stored(viewer_client)
    assert before + IDLE <= session.expire_date <= timezone.now() + IDLE
    assert session.get_decoded()[SESSION_REFRESHED_AT_KEY] >= before.timestamp()


def test_a_request_just_under_a_minute_after_the_last_refresh_writes_nothing(
    viewer_client: Client,
):
    refreshed(viewer_client, seconds_ago=SESSION_REFRESH_SECONDS - 5)
    expiry = stored(viewer_client).expire_date
    with CaptureQueriesContext(connection) as queries:
        response = viewer_client.get(reverse("phones:list"))
    assert response.status_code == 200
    assert session_writes(queries) == []
    assert stored(viewer_client).expire_date == expiry


def test_a_refresh_time_in_the_future_is_refreshed_again(viewer_client: Client):
    refreshed(viewer_client, seconds_ago=-3600)
    with CaptureQueriesContext(connection) as queries:
        viewer_client.get(reverse("phones:list"))
    assert len(session_writes(queries)) == 1
    assert stored(viewer_client).get_decoded()[SESSION_REFRESHED_AT_KEY] <= time.time()


def test_the_sync_status_poll_never_writes_the_session(viewer_client: Client):
    refreshed(viewer_client, seconds_ago=SESSION_REFRESH_SECONDS * 10)
    expiry = stored(viewer_client).expire_date
    with CaptureQueriesContext(connection) as queries:
        responses = [
            viewer_client.get(reverse("phones:sync_status"), headers={"HX-Request": "true"})
            for _ in range(3)
        ]
    assert [r.status_code for r in responses] == [200] * 3
    assert session_writes(queries) == []
    assert all("sessionid" not in r.cookies for r in responses)
    assert stored(viewer_client).expire_date == expiry


def test_the_sync_status_poll_does_not_refresh_a_session_never_refreshed(viewer_client: Client):
    with CaptureQueriesContext(connection) as queries:
        response = viewer_client.get(reverse("phones:sync_status"))
    assert response.status_code == 200
    assert session_writes(queries) == []
    assert SESSION_REFRESHED_AT_KEY not in stored(viewer_client).get_decoded()


def test_a_session_idle_past_the_timeout_is_logged_out(viewer_client: Client):
    viewer_client.get(reverse("phones:list"))
    refreshed(viewer_client, seconds_ago=IDLE.total_seconds() + 1)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    url = reverse("phones:list")
    with CaptureQueriesContext(connection) as queries:
        response = viewer_client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    assert session_writes(queries) == []
    assert viewer_client.get(url).status_code == 302


def test_an_anonymous_visit_stores_no_session(client: Client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("login"))
    assert response.status_code == 200
    assert session_writes(queries) == []
    assert not Session.objects.exists()
