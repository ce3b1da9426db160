"""The outbox: creates WellApp could not confirm are kept and delivered later, never twice."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from phones.models import AuditEntry, Company, OutboxEntry, Person, Phone, Workspace
from phones.services import phones as phone_services
from phones.services.outbox import outbox_deliver, phone_queue, retry_delay
from phones.upstream.drafts import PhoneDraft
from tests.factories import create_form_data, make_draft, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(120)]


def draft(people=("people1",)) -> PhoneDraft:
    """+1 415 555 0142 linked to the cached ``people``, the example's company and its sales
    workspace."""
    return make_draft(
        people=tuple(Person.objects.filter(id__in=people)),
        companies=tuple(Company.objects.filter(id="company_tenant")),
        workspaces=tuple(Workspace.objects.filter(id="workspace_sales")),
    )


def queue(editor, people=("people1",)) -> OutboxEntry:
    return phone_queue(actor=editor, draft=draft(people), form_data={"label": ["work"]})


def upstream_phones(wellapp) -> int:
    return wellapp.stats()["phones"]


def test_a_queued_phone_is_delivered_by_the_worker_once_wellapp_answers(
    seed_directory, editor, worker, django_capture_on_commit_callbacks
):
    before = upstream_phones(seed_directory)
    seed_directory.add_fault("status", status=503)
    with django_capture_on_commit_callbacks(execute=True):
        entry = queue(editor)
    assert entry.state == OutboxEntry.State.QUEUED
    seed_directory.clear_faults()

    worker()

    entry.refresh_from_db()
    assert entry.state == OutboxEntry.State.CONFIRMED
    assert entry.attempts == 1
    assert Phone.objects.filter(id=entry.pk).exists()
    assert upstream_phones(seed_directory) == before + 1
    actions = list(
        AuditEntry.objects.filter(upstream_id=str(entry.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["phone.queued", "phone.sent", "phone.created"]


def test_while_wellapp_is_down_the_entry_waits_with_a_growing_delay(seed_directory, editor):
    seed_directory.add_fault("status", status=503)
    entry = queue(editor)

    entry = outbox_deliver(entry_id=str(entry.pk), budget=0.5)

    assert entry.state == OutboxEntry.State.RETRYING
    assert entry.attempts == 1
    assert "nothing is confirmed yet" in entry.last_error
    assert entry.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert retry_delay(1) == timedelta(seconds=30)
    assert retry_delay(3) == timedelta(seconds=120)
    assert retry_delay(20) == timedelta(minutes=15)


def test_a_rejected_phone_is_failed_with_wellapps_message_and_trace_id(seed_directory, editor):
    make_person("ghost", "Gus Ghost")
    entry = queue(editor, people=("ghost",))

    entry = outbox_deliver(entry_id=str(entry.pk))

    assert entry.state == OutboxEntry.State.FAILED
    assert entry.last_error.startswith("WellApp rejected the phone")
    assert entry.last_trace_id
    assert AuditEntry.objects.filter(upstream_id=str(entry.pk), action="phone.rejected").exists()


def test_interrupted_between_sending_and_recording_then_delivered_once(
    seed_directory, editor, monkeypatch
):
    before = upstream_phones(seed_directory)
    entry = queue(editor)

    def killed(**kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(phone_services, "phones_upsert", killed)
    with pytest.raises(SystemExit):
        outbox_deliver(entry_id=str(entry.pk))
    monkeypatch.undo()
    entry.refresh_from_db()
    assert entry.is_open  # nothing was recorded
    assert upstream_phones(seed_directory) == before + 1  # but WellApp has it

    entry = outbox_deliver(entry_id=str(entry.pk))

    assert entry.state == OutboxEntry.State.CONFIRMED
    assert upstream_phones(seed_directory) == before + 1
    assert seed_directory.stats()["counts"]["POST /v1/phones"] == 2  # the re-send met a 409
    assert Phone.objects.filter(id=entry.pk).count() == 1


def test_a_queue_killed_before_any_attempt_is_delivered_by_the_command(seed_directory, editor):
    entry = queue(editor)  # no task ran: as if the worker died at once
    call_command("deliver_outbox", stdout=open("/dev/null", "w"))  # noqa: SIM115
    entry.refresh_from_db()
    assert entry.state == OutboxEntry.State.CONFIRMED


def test_a_confirmed_or_discarded_entry_is_never_sent_again(seed_directory, editor):
    entry = queue(editor)
    outbox_deliver(entry_id=str(entry.pk))
    posts = seed_directory.stats()["counts"]["POST /v1/phones"]
    outbox_deliver(entry_id=str(entry.pk))
    assert seed_directory.stats()["counts"]["POST /v1/phones"] == posts


def test_queue_page_shows_state_error_and_trace_id(seed_directory, editor, viewer_client: Client):
    make_person("ghost", "Gus Ghost")
    failed = outbox_deliver(entry_id=str(queue(editor, people=("ghost",)).pk))
    waiting = queue(editor)
    html = viewer_client.get(reverse("phones:outbox")).content.decode()
    assert f'data-entry="{failed.pk}"' in html and f'data-entry="{waiting.pk}"' in html
    assert "Rejected by WellApp" in html and "Queued" in html
    assert failed.last_trace_id in html
    assert "Retry now" not in html  # a viewer sees, an editor acts


def test_editor_can_retry_and_discard_and_a_viewer_cannot(
    seed_directory, editor, editor_client: Client, viewer_client: Client
):
    entry = queue(editor)
    retry = reverse("phones:outbox_retry", args=[entry.pk])
    discard = reverse("phones:outbox_discard", args=[entry.pk])
    assert viewer_client.post(retry).status_code == 403
    assert viewer_client.post(discard).status_code == 403
    assert editor_client.post(retry).status_code == 302
    assert editor_client.post(discard).status_code == 302
    entry.refresh_from_db()
    assert entry.state == OutboxEntry.State.DISCARDED
    outbox_deliver(entry_id=str(entry.pk))
    assert not Phone.objects.filter(id=entry.pk).exists()


def test_unconfirmed_create_offers_queue_and_retry_and_queueing_keeps_the_same_id(
    seed_directory, editor_client: Client, settings
):
    settings.WELL_CREATE_BUDGET = 1.0
    seed_directory.add_fault("status", status=503)
    data = create_form_data(national_number="(415) 555-0177", label="mobile")
    page = editor_client.post(reverse("phones:new"), data).content.decode()
    assert '<button type="submit" name="queue" value="1">Queue and retry</button>' in page

    response = editor_client.post(reverse("phones:new"), {**data, "queue": "1"})

    assert response.status_code == 302
    assert response["Location"] == reverse("phones:outbox")
    entry = OutboxEntry.objects.get()
    assert str(entry.pk) == data["client_id"]
    assert entry.document["data"]["id"] == data["client_id"]
    assert entry.document["data"]["attributes"]["e164_number"] == "+14155550177"
    assert entry.form_data["national_number"] == ["(415) 555-0177"]
    listing = editor_client.get(reverse("phones:list")).content.decode()
    assert "1 phone is waiting for WellApp to confirm it" in listing


# Queued phones stored before the form's People field was named "people" call it "persons".
@pytest.mark.parametrize("stored_name", ["people", "persons"])
def test_a_rejected_queued_phone_can_be_corrected_and_resubmitted_under_its_id(
    seed_directory, editor, editor_client: Client, stored_name
):
    make_person("ghost", "Gus Ghost")
    stored = create_form_data(people=None, national_number="415 555 0142")
    entry = phone_queue(
        actor=editor, draft=draft(people=("ghost",)), form_data={**stored, stored_name: ["ghost"]}
    )
    entry = outbox_deliver(entry_id=str(entry.pk))
    assert entry.state == OutboxEntry.State.FAILED

    page = editor_client.get(reverse("phones:new") + f"?queued={entry.pk}").content.decode()
    assert f'name="client_id" value="{entry.pk}"' in page
    assert 'value="415 555 0142"' in page
    assert "Gus Ghost" in page  # the picked person comes back as a chip

    fixed = create_form_data(client_id=str(entry.pk), national_number="415 555 0142")
    response = editor_client.post(reverse("phones:new"), fixed)

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.state == OutboxEntry.State.CONFIRMED
    assert list(Phone.objects.get(id=entry.pk).people.values_list("id", flat=True)) == ["people1"]
