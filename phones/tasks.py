"""Background work, run by the task worker (``manage.py db_worker``)."""

from django.tasks import task

from phones.models import SyncRun
from phones.services.outbox import outbox_deliver
from phones.services.sync import sync_run


@task
def sync_task(run_id: int, full: bool) -> dict[str, int | str]:
    """Run the sync recorded as ``run_id`` (created by ``sync_request``).

    A run that is no longer running (given up meanwhile, or already done) is left as it is.
    When WellApp fails, the run records the error and its trace id and the task fails too.
    """
    run = SyncRun.objects.filter(pk=run_id).first()
    if run is None or run.status != SyncRun.Status.RUNNING:
        return {"run": run_id, "status": "skipped"}
    run = sync_run(full=full, run=run)
    return {
        "run": run.pk,
        "status": run.status,
        "records": run.records,
        "created": run.created,
        "updated": run.updated,
        "deleted": run.deleted,
    }


@task
def outbox_deliver_task(entry_id: str) -> dict[str, str | int]:
    """One delivery attempt of a queued phone create (it schedules its own retry)."""
    entry = outbox_deliver(entry_id=entry_id)
    if entry is None:
        return {"entry": entry_id, "state": "missing"}
    return {"entry": entry_id, "state": entry.state, "attempts": entry.attempts}
