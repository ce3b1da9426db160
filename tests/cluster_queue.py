"""Queue creates in a running cluster's database as if their delivery tasks were lost and they
are long overdue (only the scheduler takes them up then).

Run with the environment of one of the cluster's processes:
``python -m tests.cluster_queue USERNAME COUNT``. Each create is queued by the outbox service
under a request id of its own; prints ``[{"id", "request_id", "e164_number"}, ...]`` as JSON.
"""

import json
import os
import sys
import uuid
from datetime import timedelta

import django

OVERDUE_BY = timedelta(minutes=5)


def queue_overdue(username: str, count: int) -> list[dict[str, str]]:
    """Queue ``count`` creates by ``username``, linked to the first cached person, due
    OVERDUE_BY ago and with no delivery task: all in one transaction, so no worker sees
    them before that."""
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from phones.models import OutboxEntry, Person
    from phones.request_ids import new_request_id, request_id_scope
    from phones.services.outbox import outbox_deliver_task, phone_queue
    from phones.upstream.drafts import PhoneDraft

    author = User.objects.get(username=username)
    person = Person.objects.order_by("id").first()
    assert person is not None, "the cluster's directory cache is empty"
    queued = []
    with transaction.atomic():
        for n in range(count):
            national = f"3125557{n:03d}"
            draft = PhoneDraft(
                id=uuid.uuid4(),
                country_code=1,
                national_number=national,
                e164_number=f"+1{national}",
                label="work",
                people=(person,),
            )
            with request_id_scope(new_request_id()):
                entry = phone_queue(actor=author, draft=draft, form_data={})
            queued.append(
                {
                    "id": str(entry.pk),
                    "request_id": entry.request_id,
                    "e164_number": f"+1{national}",
                }
            )
        ids = [item["id"] for item in queued]
        OutboxEntry.objects.filter(id__in=ids).update(next_attempt_at=timezone.now() - OVERDUE_BY)
        DBTaskResult.objects.filter(
            task_path=outbox_deliver_task.module_path,
            args_kwargs__kwargs__entry_id__in=ids,
        ).delete()
    return queued


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wellui.settings")
    django.setup()
    print(json.dumps(queue_overdue(sys.argv[1], int(sys.argv[2]))))
