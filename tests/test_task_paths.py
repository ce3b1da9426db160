"""A task stored before the tasks moved next to their services still runs after a release."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("phones", "0008_phone_imports")]
AFTER = [("phones", "0009_task_paths")]


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture
def migrated_back():
    """The database at BEFORE for the test, then at the latest migrations again."""
    _migrate(BEFORE)
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_stored_tasks_under_the_old_paths_are_renamed_by_the_migration(migrated_back):
    stored = {
        "phones.tasks.outbox_deliver_task": "phones.services.outbox.outbox_deliver_task",
        "phones.tasks.sync_task": "phones.services.sync.sync_task",
        "other.app.task": "other.app.task",
    }
    ids = {}
    for path in stored:
        ids[path] = DBTaskResult.objects.create(
            task_path=path,
            queue_name="default",
            backend_name="default",
            run_after=timezone.now(),
            args_kwargs={"args": [], "kwargs": {}},
        ).pk

    _migrate(AFTER)

    for old, new in stored.items():
        assert DBTaskResult.objects.get(pk=ids[old]).task_path == new
    assert DBTaskResult.objects.get(pk=ids["phones.tasks.sync_task"]).task.name == "sync_task"
