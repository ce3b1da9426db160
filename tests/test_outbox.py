"""The outbox: creates WellApp could not confirm are kept and delivered later, never twice."""

import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from phones.models import AuditEntry, OutboxEntry, Phone
from phones.services import phones as phone_services
from phones.services.outbox import outbox_deliver, outbox_enqueue, retry_delay
from phones.services.phones import phone_document
from tests.factories import make_person

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(120)]


@pytest.fixture
def directory(seed_directory):
    return seed_directory


def document(phone_id: str, persons=("people1",)) -> dict:
    from phones.models import Company, Person, Workspace

    return phone_document(
        phone_id=uuid.UUID(phone_id),
        country_code=1,
        national_number="4155550142",
        e164_number="+14155550142",
        label="work",
        is_primary=False,
        is_verified=False,
        people=list(Person.objects.filter(id__in=persons)),
        companies=list(Company.objects.filter(id="company_tenant")),
        workspaces=list(Workspace.objects.filter(id="workspace_sales")),
    )


def queue(editor, phone_id: str | None = None, **kwargs) -> OutboxEntry:
    phone_id = phone_id or str(uuid.uuid4())
    return outbox_enqueue(
        actor=editor, document=document(phone_id, **kwargs), form_data={"label": ["work"]}
    )


def upstream_phones(wellapp) -> int:
    return wellapp.stats()["phones"]


def test_a_queued_phone_is_delivered_by_the_worker_once_wellapp_answers(
    directory, editor, worker, django_capture_on_commit_callbacks
):
    before = upstream_phones(directory)
    directory.add_fault("status", status=503)
    with django_capture_on_commit_callbacks(execute=True):
        entry = queue(editor)
    assert entry.state == OutboxEntry.State.QUEUED
    directory.clear_faults()

    worker()

    entry.refresh_from_db()
    assert entry.state == OutboxEntry.State.CONFIRMED
    assert entry.attempts == 1
    assert Phone.objects.filter(id=entry.pk).exists()
    assert upstream_phones(directory) == before + 1
    actions = list(
        AuditEntry.objects.filter(upstream_id=str(entry.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["phone.queued", "phone.sent", "phone.created"]


def test_while_wellapp_is_down_the_entry_waits_with_a_growing_delay(directory, editor):
    directory.add_fault("status", status=503)
    entry = queue(editor)

    entry = outbox_deliver(entry_id=str(entry.pk), budget=0.5)

    assert entry.state == OutboxEntry.State.RETRYING
    assert entry.attempts == 1
    assert "nothing is confirmed yet" in entry.last_error
    assert entry.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert retry_delay(1) == timedelta(seconds=30)
    assert retry_delay(3) == timedelta(seconds=120)
    assert retry_delay(20) == timedelta(minutes=15)


def test_a_rejected_phone_is_failed_with_wellapps_message_and_trace_id(directory, editor):
    make_person("ghost", "Gus Ghost")
    entry = queue(editor, persons=("ghost",))

    entry = outbox_deliver(entry_id=str(entry.pk))

    assert entry.state == OutboxEntry.State.FAILED
    assert entry.last_error.startswith("WellApp rejected the phone")
    assert entry.last_trace_id
    assert AuditEntry.objects.filter(upstream_id=str(entry.pk), action="phone.rejected").exists()


def test_interrupted_between_sending_and_recording_then_delivered_once(
    directory, editor, monkeypatch
):
    before = upstream_phones(directory)
    entry = queue(editor)

    def killed(**kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(phone_services, "phones_upsert", killed)
    with pytest.raises(SystemExit):
        outbox_deliver(entry_id=str(entry.pk))
    monkeypatch.undo()
    entry.refresh_from_db()
    assert entry.is_open  # nothing was recorded
    assert upstream_phones(directory) == before + 1  # but WellApp has it

    entry = outbox_deliver(entry_id=str(entry.pk))

    assert entry.state == OutboxEntry.State.CONFIRMED
    assert upstream_phones(directory) == before + 1
    assert directory.stats()["counts"]["POST /v1/phones"] == 2  # the re-send met a 409
    assert Phone.objects.filter(id=entry.pk).count() == 1


def test_a_queue_killed_before_any_attempt_is_delivered_by_the_command(directory, editor):
    entry = queue(editor)  # no task ran: as if the worker died at once
    call_command("deliver_outbox", stdout=open("/dev/null", "w"))  # noqa: SIM115
    entry.refresh_from_db()
    assert entry.state == OutboxEntry.State.CONFIRMED


def test_a_confirmed_or_discarded_entry_is_never_sent_again(directory, editor):
    entry = queue(editor)
    outbox_deliver(entry_id=str(entry.pk))
    posts = directory.stats()["counts"]["POST /v1/phones"]
    outbox_deliver(entry_id=str(entry.pk))
    assert directory.stats()["counts"]["POST /v1/phones"] == posts


def test_queue_page_shows_state_error_and_trace_id(directory, editor, viewer_client: Client):
    make_person("ghost", "Gus Ghost")
    failed = outbox_deliver(entry_id=str(queue(editor, persons=("ghost",)).pk))
    waiting = queue(editor)
    html = viewer_client.get(reverse("phones:outbox")).content.decode()
    assert f'data-entry="{failed.pk}"' in html and f'data-entry="{waiting.pk}"' in html
    assert "Rejected by WellApp" in html and "Queued" in html
    assert failed.last_trace_id in html
    assert "Retry now" not in html  # a viewer sees, an editor acts


def test_editor_can_retry_and_discard_and_a_viewer_cannot(
    directory, editor, editor_client: Client, viewer_client: Client
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


def form_data(**overrides) -> dict:
    data = {
        "client_id": str(uuid.uuid4()),
        "country": "US",
        "national_number": "(415) 555-0177",
        "label": "mobile",
        "persons": ["people1"],
        "companies": ["company_tenant"],
        "workspaces": ["workspace_sales"],
    }
    data.update(overrides)
    return data


def test_unconfirmed_create_offers_queue_and_retry_and_queueing_keeps_the_same_id(
    directory, editor_client: Client, settings
):
    settings.WELL_CREATE_BUDGET = 1.0
    directory.add_fault("status", status=503)
    data = form_data()
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


def test_a_rejected_queued_phone_can_be_corrected_and_resubmitted_under_its_id(
    directory, editor, editor_client: Client
):
    make_person("ghost", "Gus Ghost")
    entry = outbox_enqueue(
        actor=editor,
        document=document(str(uuid.uuid4()), persons=("ghost",)),
        form_data=form_data(persons=["ghost"], national_number="415 555 0142"),
    )
    entry = outbox_deliver(entry_id=str(entry.pk))
    assert entry.state == OutboxEntry.State.FAILED

    page = editor_client.get(reverse("phones:new") + f"?queued={entry.pk}").content.decode()
    assert f'name="client_id" value="{entry.pk}"' in page
    assert 'value="415 555 0142"' in page
    assert "Gus Ghost" in page  # the picked person comes back as a chip

    fixed = form_data(client_id=str(entry.pk), persons=["people1"], national_number="415 555 0142")
    response = editor_client.post(reverse("phones:new"), fixed)

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.state == OutboxEntry.State.CONFIRMED
    assert list(Phone.objects.get(id=entry.pk).people.values_list("id", flat=True)) == ["people1"]
