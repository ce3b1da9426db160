"""The pages staff land on when something is refused, missing or broken, the phone page's
history and copy buttons, the queue's self-refresh, and how a refused create reads."""

import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from phones.middleware import SESSION_REFRESHED_AT_KEY
from phones.models import AuditEntry, OutboxEntry, Phone, SyncRun
from phones.services.outbox import outbox_deliver, phone_queue
from phones.services.sync import sync_run
from phones.upstream.documents import build_phone_document
from phones.views import browse
from phones.views.errors import NO_PERMISSION_MESSAGE, NO_ROLE_MESSAGE, server_error
from tests.factories import create_form_data, make_draft, make_person, make_phone

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(60)]

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/phones/"}
LOGOUT_FORM = re.compile(
    r'<form[^>]*method="post" action="/accounts/logout/">\s*<input type="hidden" '
    r'name="csrfmiddlewaretoken"[^>]*>\s*<button type="submit" class="primary">Log out</button>'
)


def text_of(html: str) -> str:
    """The page's visible words, tags dropped and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


# ---- refusals, missing pages, server errors -------------------------------------------------


def test_user_without_a_support_role_is_told_to_ask_for_one_and_can_log_out(
    nobody_client: Client,
):
    response = nobody_client.get(reverse("phones:list"))
    html = response.content.decode()
    assert response.status_code == 403
    assert '<h1 id="refusal-heading">Your account has no support role yet</h1>' in html
    assert NO_ROLE_MESSAGE in html.replace("&#x27;", "'")
    assert "Support viewers" in NO_ROLE_MESSAGE and "Support editors" in NO_ROLE_MESSAGE
    assert "You are logged in as <strong>nora.nobody</strong>" in html
    assert LOGOUT_FORM.search(html)
    assert '<a class="skip-link" href="#main">' in html  # the portal's own layout
    assert "403 Forbidden" not in html


def test_viewer_on_an_editor_page_is_told_it_needs_support_editors(viewer_client: Client):
    response = viewer_client.get(reverse("phones:new"))
    html = response.content.decode()
    assert response.status_code == 403
    assert '<h1 id="refusal-heading">This needs Support editors</h1>' in html
    assert NO_PERMISSION_MESSAGE in html
    assert "You can still browse and search the phones." in html
    assert (
        f'<a class="button primary" href="{reverse("phones:list")}">Back to the phones</a>' in html
    )
    assert "no support role" not in html


def test_htmx_request_without_a_role_gets_the_role_message_in_the_alert_region(
    nobody_client: Client,
):
    response = nobody_client.get(reverse("phones:sync_status"), headers=HTMX)
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#global-alert"
    html = response.content.decode()
    assert NO_ROLE_MESSAGE in html.replace("&#x27;", "'")
    assert "<body" not in html


def test_unknown_address_is_a_not_found_page_in_the_layout(viewer_client: Client):
    response = viewer_client.get("/phones/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<h1 id="not-found-heading">Not found</h1>' in html
    assert "There is no page at this address." in html
    assert 'href="/phones/" aria-current' not in html  # not pretending to be the list
    assert '<a class="skip-link" href="#main">' in html
    assert "vera.viewer" in html  # the top bar knows who is logged in


def test_phone_not_in_the_cache_says_so_on_the_not_found_page(viewer_client: Client):
    response = viewer_client.get(reverse("phones:detail", args=[uuid.uuid4()]))
    assert response.status_code == 404
    assert "This phone is not in the local copy." in response.content.decode()


def test_server_error_is_rendered_by_the_handler_in_the_layout(viewer: User, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the cache is on fire")

    monkeypatch.setattr(browse, "phone_get", broken)
    client = Client(raise_request_exception=False)
    client.force_login(viewer)

    response = client.get(reverse("phones:detail", args=[uuid.uuid4()]))

    html = response.content.decode()
    assert response.status_code == 500
    assert '<h1 id="server-error-heading">Something went wrong on our side</h1>' in html
    assert '<link rel="stylesheet" href="/static/css/wellui.css">' in html
    assert "the cache is on fire" not in html
    assert "vera.viewer" not in html  # drawn without the request: no user, no database


@pytest.mark.django_db(False)
def test_server_error_page_renders_without_touching_the_database():
    # Without the django_db mark, any query fails the test.
    response = server_error(RequestFactory().get("/phones/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


# ---- the phone page -------------------------------------------------------------------------


def test_detail_heading_shows_the_international_number_and_its_region(viewer_client: Client):
    phone = make_phone(3)
    html = viewer_client.get(reverse("phones:detail", args=[phone.id])).content.decode()
    assert (
        '<h1 class="phone-heading"><span class="number">+1 415-555-0003</span> '
        '<abbr class="badge region" title="United States">US</abbr></h1>'
    ) in html
    assert "<title>+1 415-555-0003 · wellui</title>" in html


def test_detail_has_copy_buttons_for_the_number_the_id_and_the_trace_id(
    viewer_client: Client, editor: User
):
    phone = make_phone(4)
    AuditEntry.objects.create(
        actor=editor, action="phone.created", upstream_id=str(phone.id), trace_id="tr-created-1"
    )
    html = viewer_client.get(reverse("phones:detail", args=[phone.id])).content.decode()
    for text, label in [
        ("+14155550004", "Copy E.164"),
        (str(phone.id), "Copy WellApp id"),
        ("tr-created-1", "Copy WellApp trace id"),
    ]:
        button = (
            f'<button type="button" class="copy" data-copy="{text}" aria-label="{label}">'
            "Copy</button>"
        )
        assert html.count(button) == 1, label


def history(html: str) -> list[str]:
    """The history's lines, newest first, as read on the page."""
    block = re.search(r"<ol class=\"timeline\" data-history>(.*?)</ol>", html, re.S).group(1)
    return [text_of(item) for item in re.findall(r"<li [^>]*>(.*?)</li>", block, re.S)]


def test_detail_history_tells_who_queued_sent_created_and_refreshed_it_newest_first(
    viewer_client: Client, editor: User, viewer: User
):
    phone = make_phone(5)
    now = timezone.now()
    entry = OutboxEntry.objects.create(
        id=phone.id,
        document={"data": {"attributes": {"e164_number": phone.e164_number}}},
        author=editor,
        state=OutboxEntry.State.CONFIRMED,
        attempts=2,
    )
    rows = [
        (now - timedelta(minutes=10), editor, "phone.queued", "", {}),
        (now - timedelta(minutes=9), editor, "phone.sent", "", {}),
        (now - timedelta(minutes=8), editor, "phone.sent", "", {}),
        (now - timedelta(minutes=8), editor, "phone.created", "tr-made", {}),
        (
            now - timedelta(minutes=1),
            viewer,
            "phone.refreshed",
            "tr-again",
            {"outcome": "unchanged"},
        ),
    ]
    for at, actor, action, trace_id, detail in rows:
        row = AuditEntry.objects.create(
            actor=actor, action=action, upstream_id=str(entry.pk), trace_id=trace_id, detail=detail
        )
        AuditEntry.objects.filter(pk=row.pk).update(at=at)
    Phone.objects.filter(id=phone.id).update(fetched_at=now - timedelta(minutes=8, seconds=1))

    lines = history(viewer_client.get(reverse("phones:detail", args=[phone.id])).content.decode())

    assert [re.sub(r"^\S+ \S+ UTC ", "", line) for line in lines] == [
        "Refreshed from WellApp by vera.viewer Nothing had changed. WellApp trace id tr-again Copy",
        "Created in WellApp from this portal by eddie.editor "
        "Delivered from the queue after 2 attempts. WellApp trace id tr-made Copy",
        "Sent to WellApp by the queue 2 attempts, the last one at this time.",
        "Queued for WellApp by eddie.editor",
    ]
    assert all(re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC ", line) for line in lines)


def test_detail_history_names_the_sync_that_last_wrote_the_copy(
    viewer_client: Client, editor: User
):
    phone = make_phone(6)
    started = timezone.now() - timedelta(hours=2)
    run = SyncRun.objects.create(full=True, status=SyncRun.Status.SUCCEEDED, requested_by=editor)
    SyncRun.objects.filter(pk=run.pk).update(
        started_at=started, finished_at=started + timedelta(minutes=3)
    )
    SyncRun.objects.create(status=SyncRun.Status.SUCCEEDED, finished_at=timezone.now())
    Phone.objects.filter(id=phone.id).update(fetched_at=started + timedelta(minutes=1))

    lines = history(viewer_client.get(reverse("phones:detail", args=[phone.id])).content.decode())

    assert lines[0].endswith(
        f"Read from WellApp by the full sync of {started:%Y-%m-%d %H:%M:%S} UTC "
        "by eddie.editor The copy here was last written then."
    )
    assert lines[1].endswith("Created in WellApp")  # WellApp's own date: not created here


def test_refresh_records_who_asked_and_wellapps_trace_id(viewer_client: Client, wellapp):
    sync_run()
    phone = Phone.objects.first()

    viewer_client.post(reverse("phones:refresh", args=[phone.id]))

    row = AuditEntry.objects.get(upstream_id=str(phone.id), action="phone.refreshed")
    assert row.actor.username == "vera.viewer"
    assert row.trace_id
    assert row.detail == {"outcome": "unchanged"}
    html = viewer_client.get(reverse("phones:detail", args=[phone.id])).content.decode()
    assert history(html)[0].endswith(
        f"Refreshed from WellApp by vera.viewer Nothing had changed. "
        f"WellApp trace id {row.trace_id} Copy"
    )


# ---- the queue --------------------------------------------------------------------------------


def queued(editor: User, state: str) -> OutboxEntry:
    draft = make_draft()
    entry = OutboxEntry.objects.create(
        id=draft.id,
        document=build_phone_document(draft, now=timezone.now()),
        author=editor,
        state=state,
        last_error="WellApp did not confirm the new phone in time.",
        last_trace_id="tr-queue-7",
    )
    return entry


POLL = 'hx-trigger="every 5s"'


def test_queue_polls_itself_only_while_a_phone_waits(editor_client: Client, editor: User):
    entry = queued(editor, OutboxEntry.State.RETRYING)
    page = editor_client.get(reverse("phones:outbox")).content.decode()
    assert f'hx-get="{reverse("phones:outbox_entries")}" {POLL} hx-swap="outerHTML"' in page
    assert page.count("tr-queue-7") == 2  # shown once, and once as what its Copy button copies
    assert (
        '<button type="button" class="copy" data-copy="tr-queue-7" '
        'aria-label="Copy WellApp trace id">Copy</button>'
    ) in page
    assert (
        f'<form method="post" action="{reverse("phones:outbox_retry", args=[entry.pk])}" '
        'data-busy="Waiting for WellApp">'
    ) in page
    assert 'class="danger" aria-label="Discard +14155550142">Discard</button>' in page

    OutboxEntry.objects.filter(pk=entry.pk).update(state=OutboxEntry.State.FAILED)
    poll = editor_client.get(reverse("phones:outbox_entries"), headers=HTMX)
    fragment = poll.content.decode()
    assert poll.status_code == 200
    assert fragment.lstrip().startswith('<div id="outbox-entries"')
    assert POLL not in fragment  # the answer stops the polling
    assert "Rejected by WellApp" in fragment
    assert "<body" not in fragment
    assert POLL not in editor_client.get(reverse("phones:outbox")).content.decode()


def test_queue_poll_never_writes_the_session(viewer_client: Client, editor: User):
    queued(editor, OutboxEntry.State.QUEUED)
    session = viewer_client.session
    session[SESSION_REFRESHED_AT_KEY] = 0  # due for a refresh on any ordinary request
    session.save()
    with CaptureQueriesContext(connection) as queries:
        response = viewer_client.get(reverse("phones:outbox_entries"), headers=HTMX)
    assert response.status_code == 200
    assert POLL in response.content.decode()
    assert "sessionid" not in response.cookies
    assert not [
        q
        for q in queries.captured_queries
        if "django_session" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]


# ---- a refused create -------------------------------------------------------------------------


def banner(html: str) -> str:
    return re.search(
        r'<div class="banner error" role="alert" id="form-failure".*?</div>', html, re.S
    ).group(0)


def test_unconfirmed_create_shows_wellapps_trace_id_once_with_a_copy_button(
    seed_directory, editor_client: Client, settings
):
    settings.WELL_CREATE_BUDGET = 1.0
    seed_directory.add_fault("status", status=503)

    html = editor_client.post(reverse("phones:new"), create_form_data()).content.decode()

    failure = banner(html)
    trace_id = re.search(r"WellApp trace id <code>([^<]+)</code>", failure).group(1)
    message = re.search(r'<p class="failure-message">(.*?)</p>', failure, re.S).group(1)
    assert message.startswith("WellApp did not confirm the new phone in time")
    assert "submitting again is safe" in message
    assert trace_id not in message
    assert html.count(trace_id) == 2  # the trace line, and what its Copy button copies
    assert (
        f'<button type="button" class="copy" data-copy="{trace_id}" '
        'aria-label="Copy WellApp trace id">Copy</button>'
    ) in failure


def test_person_wellapp_does_not_know_is_named_and_its_chip_marked(
    seed_directory, editor_client: Client
):
    make_person("0b6a7c1e-9f65-4d1c-8c2b-5a3e0f9d1b77", "Gus Ghost")
    data = create_form_data(people=["people1", "0b6a7c1e-9f65-4d1c-8c2b-5a3e0f9d1b77"])

    html = editor_client.post(reverse("phones:new"), data).content.decode()

    sentence = (
        "WellApp rejected the phone because it does not know the person Gus Ghost: remove "
        "Gus Ghost from People (or pick the right one) and create the phone again."
    )
    failure = banner(html)
    assert f'<a href="#people-input">{sentence}</a>' in failure
    assert re.search(r'id="people-errors">\s*' + re.escape(sentence), html)
    assert "0b6a7c1e" not in text_of(failure)
    chips = re.search(r'id="people-chips".*?</ul>', html, re.S).group(0)
    ghost = re.search(r'<li class="chip invalid" data-invalid>(.*?)</li>', chips, re.S).group(1)
    assert '<span class="chip-label">Gus Ghost</span>' in ghost
    assert '<span class="chip-note">not found in WellApp</span>' in ghost
    assert chips.count("chip invalid") == 1  # John Doe is fine
    trace_id = re.search(r"WellApp trace id <code>([^<]+)</code>", failure).group(1)
    assert html.count(trace_id) == 2


def test_queued_phone_rejected_for_an_unknown_person_names_the_person(seed_directory, editor: User):
    ghost = make_person("ghost", "Gus Ghost")
    entry = phone_queue(actor=editor, draft=make_draft(people=(ghost,)), form_data={})
    entry = outbox_deliver(entry_id=str(entry.pk))
    assert entry.last_error == (
        "WellApp rejected the phone because it does not know the person Gus Ghost: remove "
        "Gus Ghost from People (or pick the right one) and create the phone again."
    )
    assert entry.last_trace_id and entry.last_trace_id not in entry.last_error
