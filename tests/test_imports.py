"""Bulk create: rows stored with their checked status and nothing sent; an edit re-checks the
row and the rows sharing its number; the confirm queues exactly the ready rows, once, under
ids derived from the import, in a bounded number of queries."""

import itertools
import threading
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from phones.import_rows import ImportUnreadable
from phones.models import AuditEntry, OutboxEntry, PhoneImport, PhoneImportRow
from phones.selectors.imports import (
    ImportProgress,
    ImportSummary,
    import_get,
    import_progress,
    import_row_get,
    import_rows_page,
    import_summary,
    imports_recent,
)
from phones.services.imports import import_confirm, import_row_update
from tests.factories import make_person, make_phone
from tests.import_helpers import (
    FILE_NAME,
    delivery_tasks,
    derived,
    make_import,
    ready_line,
    statuses,
)

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(120)]

READY = PhoneImportRow.Status.READY
ATTENTION = PhoneImportRow.Status.ATTENTION
DUPLICATE = PhoneImportRow.Status.DUPLICATE
EXCLUDED = PhoneImportRow.Status.EXCLUDED


def problems(phone_import: PhoneImport, line: int) -> str:
    return " ".join(phone_import.rows.get(line=line).problems)


def test_create_stores_each_row_with_its_status_and_sends_nothing(seed_directory, editor):
    make_phone(7)  # +1 415 555 0007 is cached already
    phone_import = make_import(
        editor,
        ready_line(100),  # 2
        "12345,,work,,,,,",  # 3: not a number
        "(212) 555-0100,US,home,,,,,",  # 4: line 2's number
        "+1 415 555 0007,,,,,,,",  # 5: a cached phone's number
        "+1 212 555 0101,,work,,,nobody@example.com,,",  # 6: no such person
        "+1 212 555 0102,,work,maybe,,,,",  # 7: primary is yes or no
    )

    assert statuses(phone_import) == {
        2: READY,
        3: ATTENTION,
        4: DUPLICATE,
        5: DUPLICATE,
        6: ATTENTION,
        7: ATTENTION,
    }
    assert "line 2" in problems(phone_import, 4)
    assert "already in the portal" in problems(phone_import, 5)
    assert "nobody@example.com" in problems(phone_import, 6)
    rows = list(phone_import.rows.all())
    assert [row.phone_id for row in rows] == derived(phone_import, 2, 3, 4, 5, 6, 7)
    assert rows[0].e164 == "+12125550100" and rows[1].e164 == ""
    assert import_summary(phone_import=phone_import) == ImportSummary(
        total=6, ready=1, attention=3, duplicates=2, excluded=0
    )
    stored = import_get(import_id=phone_import.id)
    assert stored is not None and stored.state == PhoneImport.State.PREVIEW
    assert (stored.author, stored.row_count, stored.file_name) == (editor, 6, FILE_NAME)
    assert stored.default_region == "US" and len(stored.sha256) == 64
    audit = AuditEntry.objects.get()
    assert (audit.actor, audit.action) == (editor, "phones.import_previewed")
    assert audit.detail == {
        "import": str(phone_import.id),
        "rows": 6,
        "file_name": FILE_NAME,
        "sha256": stored.sha256,
    }
    assert seed_directory.stats()["requests"] == []  # WellApp was not asked anything
    assert not OutboxEntry.objects.exists()
    assert not delivery_tasks()


def test_an_unreadable_line_stores_nothing(seed_directory, editor):
    with pytest.raises(ImportUnreadable):
        make_import(editor, ready_line(100), '"+1 212 555 0101,,work')
    assert not PhoneImport.objects.exists() and not PhoneImportRow.objects.exists()
    assert not AuditEntry.objects.exists()


def test_an_edit_rechecks_the_row_and_the_rows_sharing_its_number(seed_directory, editor):
    phone_import = make_import(
        editor,
        "+1 212 555 0100,,,,,,,",  # 2
        "+1 212 555 0100,,,,,,,",  # 3: line 2's number
        "+1 212 555 0100,,,,,,,",  # 4: line 2's number
        "oops,,,,,,,",  # 5
    )
    assert statuses(phone_import) == {2: READY, 3: DUPLICATE, 4: DUPLICATE, 5: ATTENTION}

    row = import_row_update(phone_import=phone_import, line=2, cells={"number": "212 555 0200"})

    assert (row.status, row.e164, row.cells["number"]) == (READY, "+12125550200", "212 555 0200")
    assert statuses(phone_import) == {2: READY, 3: READY, 4: DUPLICATE, 5: ATTENTION}
    assert "line 3" in problems(phone_import, 4)

    import_row_update(phone_import=phone_import, line=5, cells={"number": "+1 212 555 0200"})
    assert statuses(phone_import) == {2: READY, 3: READY, 4: DUPLICATE, 5: DUPLICATE}
    assert "line 2" in problems(phone_import, 5)

    import_row_update(phone_import=phone_import, line=2, excluded=True)
    assert statuses(phone_import) == {2: EXCLUDED, 3: READY, 4: DUPLICATE, 5: READY}

    import_row_update(phone_import=phone_import, line=2, excluded=False)
    assert statuses(phone_import) == {2: READY, 3: READY, 4: DUPLICATE, 5: DUPLICATE}
    assert import_summary(phone_import=phone_import) == ImportSummary(
        total=4, ready=2, attention=0, duplicates=2, excluded=0
    )


def test_a_pick_settles_an_ambiguous_link_and_picks_given_replace_the_rows(seed_directory, editor):
    make_person("ann_a", "Ann Able", "ann@example.com")
    make_person("ann_b", "Ann Baker", "ann@example.com")
    phone_import = make_import(editor, "+1 212 555 0100,,,,,ann@example.com,,")
    assert statuses(phone_import) == {2: ATTENTION}
    assert "choose one" in problems(phone_import, 2)

    row = import_row_update(
        phone_import=phone_import, line=2, picks={"people": {"ann@example.com": "ann_b"}}
    )

    assert row.status == READY and row.problems == []
    view = import_row_get(phone_import=phone_import, line=2)
    assert view is not None and view.outcome is None
    picked = view.preview.links["people"][0].record
    assert picked is not None and picked.pk == "ann_b"

    row = import_row_update(phone_import=phone_import, line=2, picks={})
    assert row.status == ATTENTION and row.picks == {}
    assert import_row_get(phone_import=phone_import, line=99) is None


def test_confirm_queues_exactly_the_ready_rows_under_their_derived_ids(
    seed_directory, editor, settings
):
    settings.WELL_IMPORT_SENDS_PER_SECOND = 4
    phone_import = make_import(
        editor,
        ready_line(100),  # 2
        ready_line(101, label="home"),  # 3
        "oops,,,,,,,",  # 4
        ready_line(102),  # 5
        ready_line(100),  # 6: line 2's number
        ready_line(103),  # 7: left out below
    )
    import_row_update(phone_import=phone_import, line=7, excluded=True)

    queued = import_confirm(actor=editor, phone_import=phone_import)

    assert queued == 3
    entries = list(OutboxEntry.objects.filter(phone_import=phone_import))
    entries.sort(key=lambda entry: entry.next_attempt_at)
    assert [entry.id for entry in entries] == derived(phone_import, 2, 3, 5)
    first = entries[0]
    data = first.document["data"]
    assert data["id"] == str(first.id)
    assert data["attributes"]["e164_number"] == "+12125550100"
    assert data["attributes"]["is_primary"] is True
    assert data["relationships"]["persons"]["data"] == [{"type": "people", "id": "people1"}]
    assert data["relationships"]["companies"]["data"] == [
        {"type": "company", "id": "company_tenant"}
    ]
    assert data["relationships"]["workspaces"]["data"] == [
        {"type": "workspace", "id": "workspace_sales"}
    ]
    assert entries[1].document["data"]["attributes"]["label"] == "home"
    assert all(entry.state == OutboxEntry.State.QUEUED for entry in entries)
    assert all(entry.author == editor and entry.attempts == 0 for entry in entries)
    # Paced: a quarter of a second apart, each delivery task due with its entry.
    gaps = [b.next_attempt_at - a.next_attempt_at for a, b in itertools.pairwise(entries)]
    assert gaps == [timedelta(seconds=0.25)] * 2
    tasks = delivery_tasks()
    assert set(tasks) == {str(entry.id) for entry in entries}
    assert all(tasks[str(entry.id)].run_after == entry.next_attempt_at for entry in entries)
    phone_import.refresh_from_db()
    assert phone_import.state == PhoneImport.State.CONFIRMED
    assert phone_import.confirmed_at is not None
    audit = AuditEntry.objects.get(action="phones.imported")
    assert audit.actor == editor
    assert audit.detail == {
        "import": str(phone_import.id),
        "rows": 3,
        "file_name": FILE_NAME,
        "sha256": phone_import.sha256,
    }
    assert not AuditEntry.objects.filter(action="phone.queued").exists()  # no row per phone
    assert seed_directory.stats()["requests"] == []  # the worker sends, not the confirm
    assert import_progress(phone_import=phone_import) == ImportProgress(
        queued=3, sending=0, created=0, failed=0, discarded=0
    )
    assert not import_progress(phone_import=phone_import).done
    with pytest.raises(ValueError, match="confirmed"):
        import_row_update(phone_import=phone_import, line=4, cells={"number": "+12125550199"})


def test_a_second_confirm_queues_nothing(seed_directory, editor):
    phone_import = make_import(editor, ready_line(100), ready_line(101))
    page_before = PhoneImport.objects.get(pk=phone_import.pk)  # a second tab, or a double click

    assert import_confirm(actor=editor, phone_import=phone_import) == 2
    tasks = set(delivery_tasks())

    assert import_confirm(actor=editor, phone_import=page_before) == 0
    assert import_confirm(actor=editor, phone_import=phone_import) == 0
    assert page_before.state == PhoneImport.State.CONFIRMED
    assert OutboxEntry.objects.count() == 2
    assert set(delivery_tasks()) == tasks
    assert AuditEntry.objects.filter(action="phones.imported").count() == 1


def test_a_row_queued_already_is_not_queued_again(seed_directory, editor):
    """A row whose create is in the outbox already (under its derived id) is left alone."""
    phone_import = make_import(editor, ready_line(100), ready_line(101))
    existing_id = derived(phone_import, 2)[0]
    OutboxEntry.objects.create(id=existing_id, document={"data": {"id": str(existing_id)}})

    assert import_confirm(actor=editor, phone_import=phone_import) == 1

    assert set(delivery_tasks()) == {str(derived(phone_import, 3)[0])}
    assert OutboxEntry.objects.get(id=existing_id).phone_import is None


@pytest.mark.django_db(transaction=True)
def test_two_confirms_at_the_same_moment_queue_each_row_once(seed_directory, editor):
    phone_import = make_import(editor, *(ready_line(n) for n in range(100, 140)))
    start = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def confirm() -> None:
        try:
            stale = PhoneImport.objects.get(pk=phone_import.pk)
            start.wait(timeout=10)
            results.append(import_confirm(actor=editor, phone_import=stale))
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    if connection.vendor == "sqlite":
        # SQLite's in-memory test database refuses the second writer at once ("table is
        # locked") where PostgreSQL makes it wait for the row lock: either way, once.
        assert all(isinstance(error, OperationalError) for error in errors)
        assert sorted(results) in ([40], [0, 40])
    else:
        assert errors == []
        assert sorted(results) == [0, 40]
    assert OutboxEntry.objects.filter(phone_import=phone_import).count() == 40
    assert len(delivery_tasks()) == 40
    assert AuditEntry.objects.filter(action="phones.imported").count() == 1


def confirm_queries(editor, count: int) -> int:
    phone_import = make_import(editor, *(ready_line(n) for n in range(count)))
    with CaptureQueriesContext(connection) as queries:
        assert import_confirm(actor=editor, phone_import=phone_import) == count
    return len(queries)


def test_confirming_2000_rows_takes_a_bounded_number_of_queries(seed_directory, editor):
    few = confirm_queries(editor, 20)
    many = confirm_queries(editor, 2000)

    assert many <= 30
    # Rows are written 1,000 at a time: two more inserts for each of entries and tasks.
    assert many - few <= 4


def test_rows_page_by_page_with_a_status_filter(seed_directory, editor):
    lines = [ready_line(n) if n % 3 else "oops,,,,,,," for n in range(1, 26)]
    phone_import = make_import(editor, *lines)

    page = import_rows_page(phone_import=phone_import, page=2, size=10)
    assert (page.page, page.pages, page.total) == (2, 3, 25)
    assert [view.row.line for view in page.rows] == list(range(12, 22))
    assert all(view.preview.line == view.row.line for view in page.rows)

    attention = import_rows_page(phone_import=phone_import, page=9, size=5, status=ATTENTION)
    assert (attention.page, attention.pages, attention.total) == (2, 2, 8)
    assert [view.row.line for view in attention.rows] == [19, 22, 25]
    assert all(view.preview.problems for view in attention.rows)

    assert import_confirm(actor=editor, phone_import=phone_import) == 17
    after = import_rows_page(phone_import=phone_import, page=1, size=3)
    outcomes = [view.outcome.id if view.outcome else None for view in after.rows]
    assert outcomes == [*derived(phone_import, 2, 3), None]
    assert imports_recent(limit=5) == [phone_import]
