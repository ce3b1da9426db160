"""Background tasks moved next to the services they run: stored tasks that have not run yet
name the new import path, so a worker started after this release can still load them."""

from django.db import migrations

MOVED = {
    "phones.tasks.outbox_deliver_task": "phones.services.outbox.outbox_deliver_task",
    "phones.tasks.sync_task": "phones.services.sync.sync_task",
}


def _rename(apps, schema_editor, renames: dict[str, str]) -> None:
    task_result = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in renames.items():
        task_result.objects.filter(task_path=old).update(task_path=new)


def forwards(apps, schema_editor) -> None:
    _rename(apps, schema_editor, MOVED)


def backwards(apps, schema_editor) -> None:
    _rename(apps, schema_editor, {new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("phones", "0008_phone_imports"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
