"""Leases (named locks that expire with their holder), the delivery claim on queued creates,
and the sync guard built on a lease."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from phones.models import SYNC_LEASE, AuditEntry, Lease, OutboxEntry, Person, SyncRun
from phones.services.leases import (
    lease_acquire,
    lease_holder,
    lease_holder_of,
    lease_release,
    lease_renew,
)
from phones.services.outbox import outbox_deliver, phone_queue
from phones.services.sync import sync_request, sync_run, sync_task
from phones.services.sync_guard import STOPPED, SyncBusy
from phones.upstream.shared import upstream_client
from tests.databases import shared_database_url
from tests.factories import make_draft

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(120)]


def expire(name: str) -> None:
    Lease.objects.filter(name=name).update(expires_at=timezone.now() - timedelta(seconds=1))


def test_a_free_lease_is_taken_and_refused_to_others_while_held():
    assert lease_acquire(name="job", holder="a", seconds=60) is True
    assert lease_acquire(name="job", holder="b", seconds=60) is False
    assert lease_acquire(name="job", holder="a", seconds=60) is True  # its holder again
    assert lease_holder_of(name="job") == "a"
    assert Lease.objects.get(name="job").expires_at > timezone.now() + timedelta(seconds=50)


def test_an_expired_lease_passes_to_the_next_holder_and_the_old_one_cannot_renew_it():
    lease_acquire(name="job", holder="a", seconds=60)
    expire("job")

    assert lease_holder_of(name="job") is None
    assert lease_acquire(name="job", holder="b", seconds=60) is True
    assert lease_renew(name="job", holder="a", seconds=60) is False
    assert lease_release(name="job", holder="a") is False
    assert lease_holder_of(name="job") == "b"


def test_renew_pushes_the_expiry_and_release_frees_the_lease_at_once():
    lease_acquire(name="job", holder="a", seconds=5)

    assert lease_renew(name="job", holder="a", seconds=600) is True
    assert Lease.objects.get(name="job").expires_at > timezone.now() + timedelta(seconds=590)
    assert lease_acquire(name="job", holder="b", seconds=60) is False
    assert lease_release(name="job", holder="a") is True
    assert lease_acquire(name="job", holder="b", seconds=60) is True


def test_holder_ids_name_the_host_and_process_and_are_never_shared():
    first, second = lease_holder(), lease_holder()
    host, pid, _ = first.split(":")
    assert pid.isdigit() and host
    assert first != second


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("existing", [False, True], ids=["new-lease", "expired-lease"])
def test_threads_racing_for_one_lease_exactly_one_wins(existing, tmp_path):
    with shared_database_url(tmp_path):
        race(existing)


def race(existing: bool) -> None:
    if existing:
        lease_acquire(name="race", holder="gone", seconds=60)
        expire("race")
    threads = 6
    start = threading.Barrier(threads)
    won: list[str] = []
    errors: list[Exception] = []

    def contend(n: int) -> None:
        start.wait()
        try:
            if lease_acquire(name="race", holder=f"t{n}", seconds=60):
                won.append(f"t{n}")
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=contend, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert len(won) == 1
    assert Lease.objects.get(name="race").holder == won[0]


def queued(seed_directory, editor) -> OutboxEntry:
    draft = make_draft(people=tuple(Person.objects.filter(id="people1")))
    return phone_queue(actor=editor, draft=draft, form_data={})


def test_an_entry_claimed_by_another_worker_is_not_sent(seed_directory, editor):
    entry = queued(seed_directory, editor)
    claim_until = timezone.now() + timedelta(seconds=60)
    OutboxEntry.objects.filter(pk=entry.pk).update(
        claimed_by="other:1:x", claim_expires_at=claim_until
    )
    posts = seed_directory.stats()["counts"].get("POST /v1/phones", 0)

    result = outbox_deliver(entry_id=str(entry.pk))

    assert result.state == OutboxEntry.State.QUEUED
    assert result.attempts == 0
    assert seed_directory.stats()["counts"].get("POST /v1/phones", 0) == posts
    assert not AuditEntry.objects.filter(upstream_id=str(entry.pk), action="phone.sent").exists()


def test_the_claim_of_a_killed_worker_expires_and_the_entry_is_delivered_once(
    seed_directory, editor
):
    before = seed_directory.stats()["phones"]
    entry = queued(seed_directory, editor)
    # The killed worker had sent the create (WellApp has it) and held an expired claim.
    upstream_client().create_phone_confirmed(entry.document, budget=5)
    OutboxEntry.objects.filter(pk=entry.pk).update(
        claimed_by="dead:1:x", claim_expires_at=timezone.now() - timedelta(seconds=1), attempts=1
    )

    result = outbox_deliver(entry_id=str(entry.pk))

    assert result.state == OutboxEntry.State.CONFIRMED
    assert result.attempts == 2
    result.refresh_from_db()
    assert (result.claimed_by, result.claim_expires_at) == ("", None)
    assert seed_directory.stats()["phones"] == before + 1
    assert seed_directory.stats()["counts"]["POST /v1/phones"] == 2  # the re-send met a 409


def test_a_sync_holding_its_lease_for_over_30_minutes_is_never_started_twice(editor, wellapp):
    holder = lease_holder()
    long_run = SyncRun.objects.create(requested_by=editor, worker=holder, phase="phones")
    SyncRun.objects.filter(pk=long_run.pk).update(started_at=timezone.now() - timedelta(hours=2))
    lease_acquire(name=SYNC_LEASE, holder=holder, seconds=120)

    assert sync_request(actor=editor).pk == long_run.pk
    with pytest.raises(SyncBusy):
        sync_run()
    # Run again by a second worker (the task was taken back), it is left to the first.
    assert sync_task.call(run_id=long_run.pk, full=False) == {
        "run": long_run.pk,
        "status": "skipped",
    }
    long_run.refresh_from_db()
    assert (long_run.status, long_run.worker) == (SyncRun.Status.RUNNING, holder)
    assert SyncRun.objects.count() == 1


def test_a_sync_whose_worker_died_blocks_the_next_only_until_its_lease_expires(editor, wellapp):
    holder = lease_holder()
    dead = SyncRun.objects.create(requested_by=editor, worker=holder, phase="people")
    lease_acquire(name=SYNC_LEASE, holder=holder, seconds=120)
    assert sync_request(actor=editor).pk == dead.pk

    expire(SYNC_LEASE)
    run = sync_request(actor=editor)

    dead.refresh_from_db()
    assert run.pk != dead.pk
    assert (dead.status, dead.error) == (SyncRun.Status.FAILED, STOPPED)
    assert run.status == SyncRun.Status.RUNNING and run.worker == ""


def test_a_finished_sync_frees_the_lease_and_records_its_worker(wellapp):
    run = sync_run()

    assert run.status == SyncRun.Status.SUCCEEDED
    assert run.worker.split(":")[1].isdigit()
    assert lease_holder_of(name=SYNC_LEASE) is None
    assert lease_acquire(name=SYNC_LEASE, holder="next", seconds=60) is True
