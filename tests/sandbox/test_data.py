"""The generated demo data: valid numbers, id formats, link counts, timestamps, sizes."""

import re
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import phonenumbers
import pytest

from sandbox.server import Sandbox
from tests.sandbox.helpers import Api

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
ISO_Z = "%Y-%m-%dT%H:%M:%SZ"


@pytest.fixture
def demo_phones(sandbox_api):
    """Every phone of the sandbox's demo data, as its listing gives them."""
    pages = sandbox_api.walk("/phones", limit=200)
    return [phone for page in pages for phone in page["data"]]


def test_generated_numbers_are_valid_and_consistent(demo_phones):
    for phone in demo_phones:
        attributes = phone["attributes"]
        parsed = phonenumbers.parse(attributes["e164_number"])
        assert phonenumbers.is_valid_number(parsed), attributes
        assert parsed.country_code == attributes["country_code"]
        assert phonenumbers.national_significant_number(parsed) == attributes["national_number"]
        assert attributes["e164_number"] == (
            f"+{attributes['country_code']}{attributes['national_number']}"
        )


def test_generated_numbers_use_the_demo_patterns(demo_phones):
    patterns = {
        1: r"(415|212|646)55501\d\d",
        44: r"2079460\d{3}",
        39: r"06\d{8}",
        33: r"1\d{8}",
        49: r"30\d{8}",
    }
    codes = Counter(phone["attributes"]["country_code"] for phone in demo_phones)

    assert set(codes) == set(patterns)
    for phone in demo_phones:
        pattern = patterns[phone["attributes"]["country_code"]]
        assert re.fullmatch(pattern, phone["attributes"]["national_number"])


def test_generated_ids_have_the_documented_formats(demo_phones):
    persons = {i["id"] for p in demo_phones for i in p["relationships"]["persons"]["data"]}
    companies = {i["id"] for p in demo_phones for i in p["relationships"]["companies"]["data"]}

    assert all(UUID4.fullmatch(phone["id"]) for phone in demo_phones)
    assert all(i == "people1" or re.fullmatch(r"person_\d{6}", i) for i in persons)
    assert all(i == "company_tenant" or re.fullmatch(r"company_\d{5}", i) for i in companies)


def test_every_phone_links_0_to_2_people_0_to_1_company_1_to_2_workspaces(demo_phones):
    def counts(name):
        return Counter(len(phone["relationships"][name]["data"]) for phone in demo_phones)

    assert set(counts("persons")) == {0, 1, 2}
    assert set(counts("companies")) == {0, 1}
    assert set(counts("workspaces")) == {1, 2}
    for phone in demo_phones:
        workspaces = [item["id"] for item in phone["relationships"]["workspaces"]["data"]]
        assert len(workspaces) == len(set(workspaces))


def test_generated_timestamps_are_utc_z_and_spread_over_two_years(demo_phones):
    now = datetime.now(UTC)
    created = []
    for phone in demo_phones:
        attributes = phone["attributes"]
        made = datetime.strptime(attributes["created_at"], ISO_Z).replace(tzinfo=UTC)
        changed = datetime.strptime(attributes["updated_at"], ISO_Z).replace(tzinfo=UTC)
        assert made <= changed <= now
        created.append(made)

    assert max(created) - min(created) > timedelta(days=700)
    assert now - min(created) < timedelta(days=800)
    assert len({phone["attributes"]["label"] for phone in demo_phones}) == 4


def test_explicit_counts_override_the_size_but_keep_the_seed_records():
    with Sandbox(people=3, companies=1, workspaces=1, phones=5) as sandbox:
        sandbox_api = Api(sandbox)
        people = sandbox_api.get("/people").json()
        workspaces = sandbox_api.get("/workspaces").json()
        phones = sandbox_api.get("/phones").json()
        sandbox_api.session.close()

    assert people["meta"]["total"] == 3
    assert people["data"][0]["id"] == "people1"
    assert [w["id"] for w in workspaces["data"]] == [
        "workspace_sales",
        "550e8400-e29b-41d4-a716-446655440000",
    ]
    assert phones["meta"] == {"total": 5, "count": 5}


def test_unknown_size_is_rejected():
    with pytest.raises(ValueError, match="unknown size"):
        Sandbox(size="huge")


def test_large_size_starts_in_seconds_and_serves_deep_pages():
    started = time.monotonic()
    sandbox = Sandbox(size="large").start()
    ready_in = time.monotonic() - started
    sandbox_api = Api(sandbox)
    try:
        newest = sandbox_api.get("/phones", limit=200, sort="desc").json()
        after = sandbox_api.get(
            "/phones", limit=200, sort="desc", cursor=newest["links"]["next"]
        ).json()
        phone = sandbox_api.get(f"/phones/{after['data'][-1]['id']}").json()
        people = sandbox_api.get("/people", page=1000, limit=100).json()
        companies = sandbox_api.get("/companies", limit=200).json()
        scoped = sandbox_api.get("/phones", limit=50, workspaceId="workspace_sales").json()
        served_in = time.monotonic() - started
    finally:
        sandbox_api.session.close()
        sandbox.stop()

    assert ready_in < 10
    assert served_in < 15
    assert newest["meta"] == {"total": 1_000_000, "count": 200}
    created = [p["attributes"]["created_at"] for p in newest["data"] + after["data"]]
    assert created == sorted(created, reverse=True)
    assert phone["data"]["id"] == after["data"][-1]["id"]
    assert people["meta"] == {"total": 100_000, "page": 1000, "limit": 100}
    assert people["data"][-1]["id"] == "person_099999"
    assert companies["meta"]["total"] == 20_000
    assert 0 < scoped["meta"]["total"] < 1_000_000


def test_an_abandoned_background_build_caches_nothing():
    orders = Sandbox().state.orders
    stop = threading.Event()
    stop.set()

    abandoned = (list(orders.order("updated_at", stop)), list(orders.workspace_members(0, stop)))
    built = orders.order("updated_at")

    assert abandoned == ([], [])
    assert sorted(built) == list(range(1000))
    assert len(orders.workspace_members(0)) > 0
