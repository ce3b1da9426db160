"""`sync_wellapp` against the sandbox over HTTP: first load, no-op re-run, changes, failures."""

import io

import pytest
import requests
from django.core.management import CommandError, call_command

from phones.models import Company, Person, Phone, SyncRun, SyncState, Workspace
from phones.services.sync import SyncFailed, sync_run

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(120)]

DEFAULT_SIZES = {"workspaces": 8, "companies": 60, "people": 400, "phones": 1000}


def upstream_phone(wellapp, phone_id: str) -> dict:
    response = requests.get(
        f"{wellapp.url}/phones/{phone_id}",
        headers={"Authorization": f"Bearer {wellapp.token}"},
        timeout=5,
    )
    response.raise_for_status()
    return response.json()["data"]


def cached_matches_upstream(wellapp, phone: Phone) -> None:
    doc = upstream_phone(wellapp, str(phone.id))
    attrs, rels = doc["attributes"], doc["relationships"]
    assert phone.e164_number == attrs["e164_number"]
    assert phone.national_number == attrs["national_number"]
    assert phone.country_code == attrs["country_code"]
    assert phone.label == attrs["label"]
    assert phone.is_primary is attrs["is_primary"]
    assert phone.is_verified is attrs["is_verified"]
    assert set(phone.people.values_list("id", flat=True)) == {
        item["id"] for item in rels["persons"]["data"]
    }
    assert set(phone.companies.values_list("id", flat=True)) == {
        item["id"] for item in rels["companies"]["data"]
    }
    assert set(phone.workspaces.values_list("id", flat=True)) == {
        item["id"] for item in rels["workspaces"]["data"]
    }


def test_first_sync_loads_every_record_with_its_links(wellapp):
    run = sync_run()

    assert run.status == SyncRun.Status.SUCCEEDED
    assert Workspace.objects.count() == DEFAULT_SIZES["workspaces"]
    assert Company.objects.count() == DEFAULT_SIZES["companies"]
    assert Person.objects.count() == DEFAULT_SIZES["people"]
    assert Phone.objects.count() == DEFAULT_SIZES["phones"]
    assert run.created == sum(DEFAULT_SIZES.values())
    assert Person.objects.get(id="people1").full_name == "John Doe"
    assert Company.objects.get(id="company_tenant").name == "Acme Corporation"
    assert Workspace.objects.get(id="workspace_sales").external_workspace_id == "fygr_123"
    for phone in Phone.objects.order_by("?")[:10]:
        cached_matches_upstream(wellapp, phone)
    linked = Phone.objects.filter(workspaces__isnull=False).distinct().count()
    assert linked == DEFAULT_SIZES["phones"]


def test_second_sync_in_a_row_changes_nothing(wellapp):
    sync_run()
    before = {p.id: (p.fetched_at, p.raw) for p in Phone.objects.all()}

    again = sync_run()

    assert again.status == SyncRun.Status.SUCCEEDED
    assert (again.created, again.updated) == (0, 0)
    assert {p.id: (p.fetched_at, p.raw) for p in Phone.objects.all()} == before


def test_incremental_sync_picks_up_a_phone_changed_upstream(wellapp):
    sync_run()
    phone = Phone.objects.filter(label="work").first()
    wellapp.touch_phone(str(phone.id), label="home", is_verified=not phone.is_verified)

    run = sync_run()

    phone.refresh_from_db()
    assert (run.created, run.updated) == (0, 1)
    assert phone.label == "home"
    cached_matches_upstream(wellapp, phone)
    directory = sum(v for k, v in DEFAULT_SIZES.items() if k != "phones")
    assert run.records - directory < 10, "an incremental run re-read the whole phone list"


def test_full_sync_rereads_every_phone_and_changes_nothing_when_nothing_changed(wellapp):
    sync_run()
    run = sync_run(full=True)
    assert run.records == sum(DEFAULT_SIZES.values())
    assert (run.created, run.updated) == (0, 0)


def test_failure_part_way_keeps_whole_pages_and_the_next_run_completes(wellapp):
    wellapp.add_fault("status", status=500, path="/v1/phones", method="GET", after=2)

    with pytest.raises(SyncFailed) as failure:
        sync_run()

    run = SyncRun.objects.get()
    assert run.status == SyncRun.Status.FAILED
    assert failure.value.trace_id
    assert run.trace_id == failure.value.trace_id
    assert "phones" in run.error
    cached = Phone.objects.count()
    assert 0 < cached < DEFAULT_SIZES["phones"]
    assert cached % 200 == 0, "a page was written in part"
    for phone in Phone.objects.order_by("?")[:10]:
        cached_matches_upstream(wellapp, phone)
    assert not SyncState.objects.filter(resource="phones").exists()

    wellapp.clear_faults()
    sync_run()
    assert Phone.objects.count() == DEFAULT_SIZES["phones"]


def test_command_prints_plain_progress_and_a_summary_off_a_terminal(wellapp):
    out = io.StringIO()
    call_command("sync_wellapp", stdout=out)
    text = out.getvalue()
    assert "phones: " in text
    assert "\r" not in text
    assert "Incremental sync finished: 1468 records read" in text


def test_command_failure_names_the_problem_and_the_trace_id(wellapp):
    wellapp.add_fault("status", status=500, path="/v1/people")
    with pytest.raises(CommandError) as failure:
        call_command("sync_wellapp", stdout=io.StringIO())
    message = str(failure.value)
    run = SyncRun.objects.get()
    assert "Reading people from WellApp failed" in message
    assert f"trace id {run.trace_id}" in message
    assert wellapp.token not in message


def test_every_sync_leaves_an_audit_entry_with_its_outcome(wellapp):
    from phones.models import AuditEntry

    sync_run()
    wellapp.add_fault("status", status=500, path="/v1/people")
    with pytest.raises(SyncFailed):
        sync_run()
    entries = list(AuditEntry.objects.order_by("id").values_list("action", "trace_id"))
    assert [action for action, _ in entries] == ["sync.succeeded", "sync.failed"]
    assert entries[1][1] == SyncRun.objects.order_by("id").last().trace_id != ""
