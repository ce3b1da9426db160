"""When WellApp answers again after an outage, the creates queued during it are sent now, not
each at the end of its own backoff (up to 15 minutes after a long outage)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from phones.models import OutboxEntry, UpstreamStatus
from phones.services.health import upstream_status_record
from phones.services.outbox import outbox_deliver, outbox_deliver_task, phone_queue
from phones.services.schedule_jobs import upstream_probe_job
from tests.factories import make_draft

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(120)]


def failed_in_outage(seed_directory, editor, count: int) -> list[OutboxEntry]:
    """``count`` creates queued while WellApp does not answer, each tried and waiting for
    its next attempt; WellApp's last-seen status says it is down."""
    seed_directory.add_fault("status", status=503)
    entries = []
    for n in range(count):
        draft = make_draft(national_number=f"41555501{n:02d}", e164_number=f"+141555501{n:02d}")
        entry = phone_queue(actor=editor, draft=draft, form_data={})
        entries.append(outbox_deliver(entry_id=str(entry.pk), budget=0.5, schedule=False))
    seed_directory.clear_faults()
    assert UpstreamStatus.objects.get().ok is False
    return entries


def delivery_tasks(entry: OutboxEntry) -> list[DBTaskResult]:
    return [
        task
        for task in DBTaskResult.objects.filter(task_path=outbox_deliver_task.module_path)
        if task.args_kwargs["kwargs"] == {"entry_id": str(entry.pk)}
    ]


def test_the_probe_seeing_wellapp_back_makes_every_create_queued_in_the_outage_due_now(
    seed_directory, editor
):
    entries = failed_in_outage(seed_directory, editor, 3)
    for entry in entries:
        assert entry.state == OutboxEntry.State.RETRYING
        assert entry.next_attempt_at > timezone.now() + timedelta(seconds=20)
    DBTaskResult.objects.all().delete()

    line = upstream_probe_job()

    assert line.startswith("WellApp ok")
    assert line.endswith("back after an outage: 3 queued create(s) due now")
    for entry in entries:
        entry.refresh_from_db()
        assert entry.next_attempt_at <= timezone.now()
        (task,) = delivery_tasks(entry)
        assert task.run_after is None or task.run_after <= timezone.now()
    # WellApp was up already at the next probe: nothing more to wake.
    assert upstream_probe_job().startswith("WellApp ok (")
    assert "outage" not in upstream_probe_job()


def test_a_delivery_seeing_wellapp_back_wakes_the_rest_but_not_a_wait_asked_before_it(
    seed_directory, editor
):
    # A create held back by a rate limit while WellApp still answered keeps its wait.
    held = phone_queue(
        actor=editor,
        draft=make_draft(national_number="4155550199", e164_number="+14155550199"),
        form_data={},
    )
    later = timezone.now() + timedelta(minutes=10)
    OutboxEntry.objects.filter(pk=held.pk).update(
        state=OutboxEntry.State.RETRYING,
        next_attempt_at=later,
        updated_at=timezone.now() - timedelta(minutes=5),
    )
    upstream_status_record(ok=True, source=UpstreamStatus.Source.PROBE)
    UpstreamStatus.objects.update(last_ok_at=timezone.now() - timedelta(minutes=2))
    first, second = failed_in_outage(seed_directory, editor, 2)
    OutboxEntry.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())

    delivered = outbox_deliver(entry_id=str(first.pk), schedule=False)

    assert delivered.state == OutboxEntry.State.CONFIRMED
    second.refresh_from_db()
    assert second.next_attempt_at <= timezone.now()
    held.refresh_from_db()
    assert held.next_attempt_at == later
    assert UpstreamStatus.objects.get().ok is True
