"""Every request has an id: on the response, on its audit rows and queued creates, in the
X-Request-ID header WellApp receives, and on the background delivery of what it queued."""

import io
import logging
import re
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from phones.models import AuditEntry, OutboxEntry
from phones.request_ids import get_request_id, request_id_scope
from phones.services.outbox import phone_queue
from tests.factories import PASSWORD, create_form_data
from tests.import_helpers import make_import, ready_line
from tests.test_outbox import draft

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(60)]

FRESH_ID = re.compile(r"[0-9a-f]{32}")


def wellapp_request_ids(wellapp, method: str, path: str) -> list[str | None]:
    """The X-Request-ID of each call WellApp (the sandbox) received for ``method path``."""
    return [
        entry["request_id"]
        for entry in wellapp.stats()["requests"]
        if (entry["method"], entry["path"]) == (method, path)
    ]


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured console log handler writes, while the test runs."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)  # type: ignore[attr-defined]
    yield stream
    handler.setStream(previous)  # type: ignore[attr-defined]


def test_every_response_carries_a_fresh_request_id(client: Client):
    first = client.get(reverse("login"))
    second = client.get(reverse("login"))
    assert FRESH_ID.fullmatch(first["X-Request-ID"])
    assert FRESH_ID.fullmatch(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert get_request_id() is None  # nothing is left behind after the response


def test_a_redirect_to_the_login_carries_a_request_id_too(client: Client):
    response = client.get(reverse("phones:list"))
    assert response.status_code == 302
    assert FRESH_ID.fullmatch(response["X-Request-ID"])


def test_an_id_handed_on_by_a_trusted_proxy_is_kept(client: Client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get(reverse("login"), headers={"X-Request-ID": "edge-7f3a.b_2:9"})
    assert response["X-Request-ID"] == "edge-7f3a.b_2:9"


def test_an_id_of_two_hundred_characters_is_kept(client: Client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    longest = "a" * 200
    assert client.get(reverse("login"), headers={"X-Request-ID": longest})["X-Request-ID"] == (
        longest
    )


@pytest.mark.parametrize(
    "offered",
    [
        "a" * 201,
        "",
        "two words",
        "id\r\nSet-Cookie: x=1",
        "<script>alert(1)</script>",
        "café",
        "a/b",
        "'; DROP TABLE phones_auditentry; --",
    ],
)
def test_a_hostile_or_overlong_id_from_a_proxy_is_replaced(client: Client, settings, offered):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get(reverse("login"), headers={"X-Request-ID": offered})
    assert FRESH_ID.fullmatch(response["X-Request-ID"])


def test_an_id_sent_without_a_trusted_proxy_configured_is_replaced(client: Client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    response = client.get(reverse("login"), headers={"X-Request-ID": "edge-7f3a"})
    assert FRESH_ID.fullmatch(response["X-Request-ID"])


def test_an_id_from_a_peer_that_is_not_a_named_proxy_is_replaced(client: Client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["10.0.0."]
    stranger = client.get(
        reverse("login"), headers={"X-Request-ID": "edge-7f3a"}, REMOTE_ADDR="192.0.2.8"
    )
    proxy = client.get(
        reverse("login"), headers={"X-Request-ID": "edge-7f3a"}, REMOTE_ADDR="10.0.0.4"
    )
    assert FRESH_ID.fullmatch(stranger["X-Request-ID"])
    assert proxy["X-Request-ID"] == "edge-7f3a"


def test_a_create_carries_its_request_id_to_the_audit_row_wellapp_and_the_log(
    seed_directory, editor_client: Client, console: io.StringIO
):
    data = create_form_data()
    response = editor_client.post(reverse("phones:new"), data)

    assert response.status_code == 302
    request_id = response["X-Request-ID"]
    assert FRESH_ID.fullmatch(request_id)
    audit = AuditEntry.objects.get(upstream_id=data["client_id"], action="phone.created")
    assert audit.request_id == request_id
    assert wellapp_request_ids(seed_directory, "POST", "/v1/phones") == [request_id]
    assert f" [{request_id}] WellApp POST /v1/phones -> 201 in " in console.getvalue()


def test_a_proxys_id_reaches_wellapp_unchanged(seed_directory, editor_client: Client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    data = create_form_data()
    response = editor_client.post(
        reverse("phones:new"), data, headers={"X-Request-ID": "lb-req-0042"}
    )
    assert response["X-Request-ID"] == "lb-req-0042"
    assert wellapp_request_ids(seed_directory, "POST", "/v1/phones") == ["lb-req-0042"]


def test_a_queued_create_is_delivered_later_under_the_id_of_the_request_that_queued_it(
    seed_directory, editor_client: Client, worker, console: io.StringIO
):
    data = create_form_data(national_number="(415) 555-0177")
    response = editor_client.post(reverse("phones:new"), {**data, "queue": "1"})
    assert response.status_code == 302
    request_id = response["X-Request-ID"]
    entry = OutboxEntry.objects.get()
    assert entry.request_id == request_id
    assert wellapp_request_ids(seed_directory, "POST", "/v1/phones") == []

    with request_id_scope("worker-own-id"):
        # The worker's own context does not leak into the delivery.
        worker()

    entry.refresh_from_db()
    assert entry.state == OutboxEntry.State.CONFIRMED
    audit = AuditEntry.objects.filter(upstream_id=data["client_id"]).order_by("id")
    assert list(audit.values_list("action", "request_id")) == [
        ("phone.queued", request_id),
        ("phone.sent", request_id),
        ("phone.created", request_id),
    ]
    assert wellapp_request_ids(seed_directory, "POST", "/v1/phones") == [request_id]
    assert f" [{request_id}] WellApp POST /v1/phones -> 201 in " in console.getvalue()


def test_a_create_queued_outside_a_request_is_delivered_without_an_id(
    seed_directory, editor, worker
):
    entry = phone_queue(actor=editor, draft=draft(), form_data={})
    assert entry.request_id == ""

    worker()

    entry.refresh_from_db()
    assert entry.state == OutboxEntry.State.CONFIRMED
    assert wellapp_request_ids(seed_directory, "POST", "/v1/phones") == [None]
    actions = AuditEntry.objects.filter(upstream_id=str(entry.pk)).values_list(
        "request_id", flat=True
    )
    assert set(actions) == {""}


def test_an_import_confirmed_in_a_request_queues_every_row_under_that_requests_id(
    seed_directory, editor, editor_client: Client
):
    phone_import = make_import(editor, ready_line(1), ready_line(2))
    response = editor_client.post(
        reverse("phones:import_confirm", args=[phone_import.id]), {"ready": "2"}
    )
    assert response.status_code == 302
    request_id = response["X-Request-ID"]
    stored = OutboxEntry.objects.filter(phone_import=phone_import).values_list(
        "request_id", flat=True
    )
    assert list(stored) == [request_id, request_id]
    assert AuditEntry.objects.get(action="phones.imported").request_id == request_id


def test_the_admin_finds_a_requests_audit_rows_by_its_id(seed_directory, editor_client: Client):
    data = create_form_data()
    request_id = editor_client.post(reverse("phones:new"), data)["X-Request-ID"]
    admin = Client()
    admin.force_login(User.objects.create_superuser("ada.admin", password=PASSWORD))

    found = admin.get(reverse("admin:phones_auditentry_changelist"), {"q": request_id})

    assert found.status_code == 200
    assert "1 result" in found.content.decode()
    assert data["client_id"] in found.content.decode()
