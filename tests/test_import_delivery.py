"""Bulk create, after the confirm: the queued creates go out through the outbox, whatever
WellApp does on the way (rate limits, outages, dropped answers, a killed worker), and each row
ends as exactly one phone; a rate limit holds the rest of the import back; a rejected row is
corrected in the queue's form under its own id, or discarded."""

import itertools
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from phones.models import OutboxEntry, Phone, PhoneImport
from phones.selectors.imports import ImportProgress, import_progress
from phones.services import phones as phone_services
from phones.services.imports import import_confirm
from phones.services.outbox import outbox_deliver, outbox_deliver_task, outbox_discard
from phones.upstream.shared import upstream_client
from tests.factories import make_person
from tests.import_helpers import deliver_all, delivery_tasks, make_import, ready_line
from tests.waits import wait_answered

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(180)]

POST = {"method": "POST", "path": "/v1/phones"}


@pytest.fixture
def wellapp_fast(seed_directory, settings):
    """WellApp's example records cached, and a 1 s timeout for each call to WellApp."""
    settings.WELL_API_TIMEOUT = 1.0
    upstream_client.cache_clear()
    yield seed_directory
    upstream_client.cache_clear()


def confirmed(editor, *lines: str) -> tuple[PhoneImport, list[OutboxEntry]]:
    """An import of ``lines``, confirmed; its entries in the order they are due."""
    phone_import = make_import(editor, *lines)
    assert import_confirm(actor=editor, phone_import=phone_import) == len(lines)
    entries = OutboxEntry.objects.filter(phone_import=phone_import).order_by("next_attempt_at")
    return phone_import, list(entries)


def posts(wellapp) -> int:
    return wellapp.stats()["counts"].get("POST /v1/phones", 0)


def test_through_rate_limits_outages_dropped_answers_and_a_killed_worker_each_row_is_created_once(
    wellapp_fast, editor, monkeypatch
):
    wellapp = wellapp_fast
    before = wellapp.stats()["phones"]
    phone_import, entries = confirmed(editor, *(ready_line(n) for n in range(100, 110)))
    ids = [str(entry.id) for entry in entries]

    # The worker dies after WellApp created the first phone, before the portal recorded it.
    def killed(**kwargs: object) -> None:
        raise SystemExit("worker killed")

    monkeypatch.setattr(phone_services, "phones_upsert", killed)
    with pytest.raises(SystemExit):
        outbox_deliver(entry_id=ids[0])
    monkeypatch.undo()
    # Then WellApp rate limits, fails and drops answers to creates it did make.
    wellapp.add_fault("rate_limit", retry_after=1, count=2, **POST)
    wellapp.add_fault("status", status=503, count=3, **POST)
    wellapp.add_fault("create_then_drop", count=3, **POST)

    deliver_all(phone_import, budget=5.0)

    stats = wait_answered(wellapp)
    assert not wellapp.faults()  # every fault was met
    assert sum(1 for phone_id in ids if wellapp.phone(phone_id)) == len(ids)
    assert stats["phones"] == before + len(ids)  # and no other phone
    assert Phone.objects.filter(id__in=ids).count() == len(ids)
    progress = import_progress(phone_import=phone_import)
    assert progress == ImportProgress(queued=0, sending=0, created=10, failed=0, discarded=0)
    assert progress.done

    # Confirming again, or a late delivery task, sends nothing more.
    sent = posts(wellapp)
    assert import_confirm(actor=editor, phone_import=phone_import) == 0
    for phone_id in ids:
        outbox_deliver_task.call(entry_id=phone_id)
    assert posts(wellapp) == sent


def test_the_task_worker_delivers_the_confirmed_rows(wellapp_fast, editor, settings, worker):
    settings.WELL_IMPORT_SENDS_PER_SECOND = 1_000_000  # all due by the time the worker runs
    phone_import, entries = confirmed(editor, *(ready_line(n) for n in range(100, 104)))

    worker()

    assert import_progress(phone_import=phone_import) == ImportProgress(
        queued=0, sending=0, created=4, failed=0, discarded=0
    )
    assert all(wellapp_fast.phone(str(entry.id)) for entry in entries)


def test_a_rate_limit_holds_the_rest_of_the_import_back_by_retry_after(
    wellapp_fast, editor, settings
):
    wellapp = wellapp_fast
    settings.WELL_IMPORT_SENDS_PER_SECOND = 2
    phone_import, entries = confirmed(editor, *(ready_line(n) for n in range(100, 105)))
    first, rest = entries[0], entries[1:]
    wellapp.add_fault("rate_limit", retry_after=120, **POST)
    started = timezone.now()

    attempted = outbox_deliver(entry_id=str(first.id), budget=1.0)

    assert attempted is not None and attempted.state == OutboxEntry.State.RETRYING
    assert attempted.next_attempt_at >= started + timedelta(seconds=120)
    held = list(OutboxEntry.objects.filter(id__in=[e.id for e in rest]).order_by("next_attempt_at"))
    assert held[0].next_attempt_at >= started + timedelta(seconds=120)
    # Moved together: still half a second apart.
    gaps = [b.next_attempt_at - a.next_attempt_at for a, b in itertools.pairwise(held)]
    assert gaps == [timedelta(seconds=0.5)] * 3
    assert import_progress(phone_import=phone_import) == ImportProgress(
        queued=4, sending=1, created=0, failed=0, discarded=0
    )

    # The next entry's delivery task, run at its old time, sends nothing and waits for the
    # new one.
    sent = posts(wellapp)
    result = outbox_deliver_task.call(entry_id=str(held[0].id))
    assert result["state"] == "held"
    assert posts(wellapp) == sent
    assert delivery_tasks()[str(held[0].id)].run_after == held[0].next_attempt_at


def test_a_rate_limit_holds_back_only_its_own_import(wellapp_fast, editor):
    """Another import's creates keep their pace."""
    wellapp = wellapp_fast
    _, limited = confirmed(editor, ready_line(100), ready_line(101))
    _, other = confirmed(editor, ready_line(200), ready_line(201))
    wellapp.add_fault("rate_limit", retry_after=120, **POST)

    outbox_deliver(entry_id=str(limited[0].id), budget=1.0)

    untouched = OutboxEntry.objects.get(id=other[1].id)
    assert untouched.next_attempt_at == other[1].next_attempt_at


def form_fields(data: dict[str, list[str]], *, without: str) -> dict[str, list[str]]:
    return {name: values for name, values in data.items() if name != without}


def test_a_rejected_row_is_corrected_in_the_queue_form_under_its_own_id(
    wellapp_fast, editor, editor_client: Client
):
    wellapp = wellapp_fast
    make_person("ghost", "Gus Ghost", "gus@example.com")  # cached, but WellApp has no Gus
    phone_import, entries = confirmed(
        editor,
        "+1 212 555 0300,,home,yes,,ghost,acme.com,Sales Team Workspace",
        "+1 212 555 0301,,work,,,ghost,,",
    )
    rejected, dropped = entries

    deliver_all(phone_import, budget=5.0)

    assert import_progress(phone_import=phone_import) == ImportProgress(
        queued=0, sending=0, created=0, failed=2, discarded=0
    )
    rejected.refresh_from_db()
    assert rejected.state == OutboxEntry.State.FAILED
    assert "Gus Ghost" in rejected.last_error

    # The queue's Correct link opens the form filled in as the row was, under its id.
    page = editor_client.get(reverse("phones:new") + f"?queued={rejected.id}")
    html = page.content.decode()
    assert f'name="client_id" value="{rejected.id}"' in html
    assert 'value="+1 212-555-0300"' in html
    assert '<option value="home" selected>Home</option>' in html
    assert re.search(r'<input[^>]*name="is_primary"[^>]*checked', html)
    assert not re.search(r'<input[^>]*name="is_verified"[^>]*checked', html)
    assert "Gus Ghost" in html and "Acme Corporation" in html and "Sales Team Workspace" in html

    # Gus removed, the same form creates the phone under the row's id.
    response = editor_client.post(
        reverse("phones:new"), form_fields(rejected.form_data, without="people")
    )

    assert response.status_code == 302
    assert wellapp.phone(str(rejected.id)) is not None
    phone = Phone.objects.get(id=rejected.id)
    assert (phone.e164_number, phone.label, phone.is_primary) == ("+12125550300", "home", True)
    rejected.refresh_from_db()
    assert rejected.state == OutboxEntry.State.CONFIRMED
    assert rejected.phone_import == phone_import  # still counted with its import

    # The other row is given up on.
    outbox_discard(entry_id=str(dropped.id), actor=editor)
    progress = import_progress(phone_import=phone_import)
    assert progress == ImportProgress(queued=0, sending=0, created=1, failed=0, discarded=1)
    assert progress.done
