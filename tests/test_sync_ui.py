"""Sync now / Full sync in the background, its status region, deletions, and Refresh of one
phone, against the sandbox over HTTP and the database task backend's own worker."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_tasks_db.models import DBTaskResult

from phones.models import Phone, SyncRun
from phones.services.sync import sync_request, sync_run, sync_task

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(120)]

DIRECTORY_RECORDS = 8 + 60 + 400
ALL_RECORDS = DIRECTORY_RECORDS + 1000
SYNC_URL = "/phones/sync/"
STATUS_URL = "/phones/sync/status/"
POLLING = 'hx-trigger="every 1s"'
HTMX = {"HX-Request": "true"}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def only_run() -> SyncRun:
    return SyncRun.objects.get()


def test_editor_sync_enqueues_one_run_and_a_second_click_while_running_starts_none(
    editor_client: Client, editor, wellapp
):
    response = editor_client.post(SYNC_URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("phones:list")
    run = only_run()
    assert (run.status, run.full, run.requested_by) == (SyncRun.Status.RUNNING, False, editor)
    task = DBTaskResult.objects.get()
    assert task.task_path == "phones.services.sync.sync_task"
    assert task.args_kwargs == {"args": [], "kwargs": {"run_id": run.pk, "full": False}}
    assert messages_of(response) == ["Sync started; its progress shows above the list."]

    again = editor_client.post(SYNC_URL, {"full": "1"})

    assert again.status_code == 302
    assert SyncRun.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    assert messages_of(again)[-1:] == [
        f"A sync is already running (started {run.started_at:%Y-%m-%d %H:%M:%S} UTC by "
        "eddie.editor), so no second one was started."
    ]


def test_htmx_sync_click_answers_with_the_polling_status_region(editor_client: Client, wellapp):
    response = editor_client.post(SYNC_URL, headers=HTMX)

    run = only_run()
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="sync-status"')
    assert "Sync waiting for the background worker to start" in html
    assert f'hx-get="{STATUS_URL}?watch={run.pk}"' in html
    assert POLLING in html
    assert "Sync now" not in html

    editor_client.post(SYNC_URL, headers=HTMX)
    assert SyncRun.objects.count() == 1


def test_viewer_may_not_start_a_sync_and_get_is_refused(
    viewer_client: Client, editor_client: Client
):
    assert viewer_client.post(SYNC_URL).status_code == 403
    assert editor_client.get(SYNC_URL).status_code == 405
    assert not SyncRun.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_status_while_running_shows_phase_pages_and_records_and_polls(
    editor_client: Client, viewer_client: Client, wellapp
):
    editor_client.post(SYNC_URL)
    SyncRun.objects.update(phase="people", pages=3, records=700)

    response = viewer_client.get(STATUS_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Syncing people: 3 pages, 700 records read" in html
    assert POLLING in html
    assert 'hx-swap="outerHTML"' in html
    assert "by eddie.editor" in html
    assert "Sync now" not in html
    assert "no-cache" in response["Cache-Control"]


def test_status_after_the_worker_ran_shows_the_result_and_stops_polling(
    editor_client: Client, viewer_client: Client, wellapp, worker
):
    editor_client.post(SYNC_URL)
    run = only_run()

    worker()

    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.phase == "phones"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert Phone.objects.count() == 1000
    response = viewer_client.get(f"{STATUS_URL}?watch={run.pk}", headers=HTMX)
    html = response.content.decode()
    assert f"Last sync {run.finished_at:%Y-%m-%d %H:%M:%S} UTC (incremental)" in html
    assert ">succeeded</strong>" in html
    assert f"{ALL_RECORDS} records read: {ALL_RECORDS} new, 0 changed." in html
    assert "hx-trigger" not in html
    assert "hx-get" not in html
    assert "Sync now" not in html, "a viewer got the sync buttons"
    assert response["HX-Trigger"] == f'{{"phones-synced": {{"run": {run.pk}}}}}'
    editor_html = editor_client.get(STATUS_URL).content.decode()
    assert "Sync now" in editor_html
    assert "Full sync" in editor_html
    assert "also finds phones deleted in WellApp" in editor_html


def test_sync_now_is_incremental_and_reads_only_what_changed(
    editor_client: Client, wellapp, worker
):
    sync_run()
    phone = Phone.objects.filter(label="work").first()
    wellapp.touch_phone(str(phone.id), label="home")

    editor_client.post(SYNC_URL)
    worker()

    run = SyncRun.objects.first()
    phone.refresh_from_db()
    assert (run.status, run.full) == (SyncRun.Status.SUCCEEDED, False)
    assert (run.created, run.updated, run.deleted) == (0, 1, 0)
    assert run.records - DIRECTORY_RECORDS < 10
    assert phone.label == "home"


def test_full_sync_marks_exactly_the_phone_deleted_upstream_and_it_leaves_the_list(
    editor_client: Client, viewer_client: Client, wellapp, worker
):
    sync_run()
    first_page = viewer_client.get(reverse("phones:list")).context["page"].phones
    gone = Phone.objects.get(id=first_page[0].id)
    assert wellapp.delete_phone(str(gone.id))

    editor_client.post(SYNC_URL, {"full": "1"})
    worker()

    run = SyncRun.objects.first()
    assert (run.status, run.full, run.deleted) == (SyncRun.Status.SUCCEEDED, True, 1)
    assert run.records == ALL_RECORDS - 1
    assert list(Phone.objects.filter(deleted_at__isnull=False).values_list("id", flat=True)) == [
        gone.id
    ]
    listed = viewer_client.get(reverse("phones:list")).context["page"].phones
    assert gone.id not in {p.id for p in listed}
    assert listed[0].id == first_page[1].id
    detail = viewer_client.get(reverse("phones:detail", args=[gone.id]))
    assert detail.status_code == 200
    gone.refresh_from_db()
    assert (
        f"Deleted in WellApp (found missing by the sync of "
        f"{gone.deleted_at:%Y-%m-%d %H:%M:%S} UTC)" in detail.content.decode()
    )
    status = viewer_client.get(STATUS_URL).content.decode()
    assert f"{ALL_RECORDS - 1} records read: 0 new, 0 changed, 1 deleted." in status


def test_failed_sync_shows_the_error_with_its_trace_id_and_marks_nothing_deleted(
    editor_client: Client, viewer_client: Client, wellapp, worker
):
    sync_run()
    wellapp.delete_phone(str(Phone.objects.first().id))
    wellapp.add_fault("status", status=500, path="/v1/phones", method="GET", after=1)

    editor_client.post(SYNC_URL, {"full": "1"})
    worker()

    run = SyncRun.objects.first()
    assert run.status == SyncRun.Status.FAILED
    assert run.phase == "phones"
    assert run.error.startswith("Reading phones from WellApp failed: ")
    assert run.trace_id
    assert run.deleted == 0
    assert not Phone.objects.filter(deleted_at__isnull=False).exists()
    task = DBTaskResult.objects.get()
    assert (task.status, task.exception_class_path) == (
        "FAILED",
        "phones.services.sync.SyncFailed",
    )
    html = viewer_client.get(STATUS_URL).content.decode()
    assert ">failed</strong>" in html
    assert escape(run.error) in html
    # The trace id is shown once, on its own line with a copy button, not inside the sentence.
    assert run.trace_id not in run.error
    assert html.count(f"<code>{run.trace_id}</code>") == 1
    assert f'data-copy="{run.trace_id}"' in html
    assert "hx-trigger" not in html


def test_a_run_left_running_for_over_30_minutes_is_given_up_for_a_new_one(editor, wellapp):
    stuck = SyncRun.objects.create(requested_by=editor)
    SyncRun.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - timedelta(minutes=31))

    run = sync_request(actor=editor, full=True)

    stuck.refresh_from_db()
    assert run.pk != stuck.pk
    assert (run.status, run.full) == (SyncRun.Status.RUNNING, True)
    assert stuck.status == SyncRun.Status.FAILED
    assert stuck.error == "This sync gave no result within 30 minutes and was given up."


def test_task_leaves_a_run_that_is_no_longer_running_alone(wellapp):
    run = SyncRun.objects.create(status=SyncRun.Status.FAILED)
    assert sync_task.call(run_id=run.pk, full=False) == {"run": run.pk, "status": "skipped"}
    assert not Phone.objects.exists()


def test_refresh_picks_up_an_upstream_change_and_says_so(viewer_client: Client, wellapp):
    sync_run()
    phone = Phone.objects.filter(label="work").first()
    wellapp.touch_phone(str(phone.id), label="mobile", is_primary=not phone.is_primary)

    response = viewer_client.post(reverse("phones:refresh", args=[phone.id]))

    assert response.status_code == 302
    assert response["Location"] == reverse("phones:detail", args=[phone.id])
    assert messages_of(response) == ["Refreshed from WellApp: the copy here is now updated."]
    was_primary = phone.is_primary
    phone.refresh_from_db()
    assert (phone.label, phone.is_primary) == ("mobile", not was_primary)

    again = viewer_client.post(reverse("phones:refresh", args=[phone.id]), headers=HTMX)
    assert again.status_code == 200
    assert again["HX-Redirect"] == reverse("phones:detail", args=[phone.id])
    assert messages_of(again)[-1:] == ["Refreshed from WellApp: nothing had changed."]


def test_refresh_of_a_phone_deleted_upstream_marks_it_deleted(viewer_client: Client, wellapp):
    sync_run()
    phone = Phone.objects.first()
    wellapp.delete_phone(str(phone.id))

    response = viewer_client.post(reverse("phones:refresh", args=[phone.id]), follow=True)

    phone.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 200
    assert phone.deleted_at is not None
    assert "WellApp no longer has this phone. It is marked deleted here" in html
    assert "Deleted in WellApp (found missing by the sync of" in html
    assert list(Phone.objects.filter(deleted_at__isnull=False)) == [phone]


def test_refresh_during_an_outage_shows_a_message_with_the_trace_id(viewer_client: Client, wellapp):
    sync_run()
    phone = Phone.objects.first()
    before = (phone.fetched_at, phone.raw)
    wellapp.add_fault("status", status=500, path="/v1/phones/*", method="GET")

    response = viewer_client.post(reverse("phones:refresh", args=[phone.id]))

    assert response.status_code == 302
    [message] = messages_of(response)
    assert message.startswith(
        "The phone could not be read from WellApp, so the copy here is unchanged: "
    )
    assert "(INTERNAL_ERROR, HTTP 500)" in message
    # The trace id travels beside the sentence and is shown once, with a copy button.
    assert "trace id" not in message
    page = viewer_client.get(response["Location"]).content.decode()
    [trace] = re.findall(r"WellApp trace id <code>([^<]+)</code>", page)
    assert f'data-copy="{trace}"' in page
    assert page.count(trace) == 2  # the code and the copy button's text to copy
    phone.refresh_from_db()
    assert (phone.fetched_at, phone.raw) == before
    assert phone.deleted_at is None


def test_refresh_needs_post_with_csrf_and_a_cached_phone(viewer, wellapp):
    sync_run()
    phone = Phone.objects.first()
    url = reverse("phones:refresh", args=[phone.id])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(viewer)

    assert strict.post(url).status_code == 403
    assert strict.get(url).status_code == 405
    missing = reverse("phones:refresh", args=["00000000-0000-4000-8000-000000000000"])
    client = Client()
    client.force_login(viewer)
    assert client.post(missing).status_code == 404
