"""GET /v1/phones: keyset pagination in every order, stability, updated-since filters."""

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from sandbox.server import Sandbox
from tests.sandbox.helpers import Api, phone_document, phones_in

ORDERS = ["created_at", "updated_at", "e164_number", "national_number", "country_code"]


def _position(phone: dict[str, Any], order: str) -> tuple[Any, str]:
    return phone["attributes"][order], phone["id"]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("sort", ["asc", "desc"])
@pytest.mark.parametrize("order", ORDERS)
def test_phone_walk_with_limit_37_visits_every_phone_once_in_order(sandbox_api, order, sort):
    pages = sandbox_api.walk("/phones", limit=37, orderBy=order, sort=sort)

    phones = phones_in(pages)
    ids = [phone["id"] for phone in phones]
    positions = [_position(phone, order) for phone in phones]
    assert len(pages) == 28
    assert [page["meta"]["count"] for page in pages] == [37] * 27 + [1]
    assert {page["meta"]["total"] for page in pages} == {1000}
    assert len(ids) == len(set(ids)) == 1000
    assert positions == sorted(positions, reverse=sort == "desc")


def test_phone_walks_in_every_order_cover_the_same_set(sandbox_api):
    sets = {
        order: {
            phone["id"]
            for phone in phones_in(sandbox_api.walk("/phones", limit=200, orderBy=order))
        }
        for order in ORDERS
    }

    assert all(ids == sets["created_at"] for ids in sets.values())


def test_phone_listing_defaults_to_50_created_at_ascending(sandbox_api):
    body = sandbox_api.get("/phones").json()

    created = [phone["attributes"]["created_at"] for phone in body["data"]]
    assert body["meta"] == {"total": 1000, "count": 50}
    assert created == sorted(created)
    assert isinstance(body["links"]["next"], str)


def test_phone_walk_is_stable_when_phones_are_created_between_pages(sandbox_api):
    seen: list[str] = []
    created: list[str] = []
    cursor = None
    totals = []
    while True:
        params = {"limit": 37, "orderBy": "e164_number"} | ({"cursor": cursor} if cursor else {})
        page = sandbox_api.get("/phones", **params).json()
        seen += [phone["id"] for phone in page["data"]]
        totals.append(page["meta"]["total"])
        if len(totals) in (2, 5):
            for code, number in ((1, "00"), (998, "99999999")):  # before / after the cursor
                document = phone_document(
                    country_code=code, national_number=number, e164_number=f"+{code}{number}"
                )
                assert sandbox_api.post("/phones", document).status_code == 201
                created.append(document["data"]["id"])
        cursor = page["links"]["next"]
        if cursor is None:
            break

    assert len(seen) == len(set(seen))
    walked = phones_in(sandbox_api.walk("/phones", limit=200))
    before = {phone["id"] for phone in walked} - set(created)
    assert before <= set(seen)
    assert totals[0] == 1000 and totals[-1] == 1004
    assert len(set(seen) - before) == 2


def test_phone_created_after_the_walk_started_appears_at_the_end_of_created_at_order(sandbox_api):
    first = sandbox_api.get("/phones", limit=100).json()
    document = phone_document()
    sandbox_api.post("/phones", document)

    rest = sandbox_api.walk("/phones", limit=200, cursor=first["links"]["next"])

    ids = [phone["id"] for phone in phones_in(rest)]
    assert ids[-1] == document["data"]["id"]
    assert len(ids) == 901


def test_deleted_and_touched_phones_keep_the_walk_consistent(sandbox_api, sandbox):
    original = phones_in(sandbox_api.walk("/phones", limit=200, orderBy="updated_at"))
    deleted, touched = original[10]["id"], original[20]["id"]
    sandbox.delete_phone(deleted)
    sandbox.touch_phone(touched, label="home")

    phones = phones_in(sandbox_api.walk("/phones", limit=37, orderBy="updated_at"))

    ids = [phone["id"] for phone in phones]
    assert len(ids) == len(set(ids)) == 999
    assert deleted not in ids
    assert ids[-1] == touched
    assert phones[-1]["attributes"]["label"] == "home"


def test_updated_since_returns_exactly_the_phones_updated_at_or_after_it(sandbox_api):
    everything = phones_in(sandbox_api.walk("/phones", limit=200))
    since = sorted(phone["attributes"]["updated_at"] for phone in everything)[700]
    expected = {p["id"] for p in everything if p["attributes"]["updated_at"] >= since}

    pages = sandbox_api.walk("/phones", limit=37, updated_since=since)

    assert {phone["id"] for phone in phones_in(pages)} == expected
    assert pages[0]["meta"]["total"] == len(expected)


def test_filter_updated_at_gte_is_the_same_filter(sandbox_api):
    since = "2026-01-01T00:00:00Z"

    a = sandbox_api.walk("/phones", limit=200, updated_since=since)
    b = sandbox_api.walk("/phones", limit=200, **{"filter[updated_at][gte]": since})

    assert phones_in(a) == phones_in(b)
    assert a[0]["meta"]["total"] == b[0]["meta"]["total"] > 0


def test_updated_since_finds_a_touched_phone_and_nothing_else(sandbox_api, sandbox):
    now = datetime.now(UTC).replace(microsecond=0)
    phone_id = sandbox_api.get("/phones", limit=1).json()["data"][0]["id"]
    sandbox.touch_phone(phone_id, is_verified=True)

    body = sandbox_api.get("/phones", updated_since=_iso(now)).json()

    assert [phone["id"] for phone in body["data"]] == [phone_id]
    assert body["meta"] == {"total": 1, "count": 1}
    assert body["links"]["next"] is None


def test_updated_since_accepts_offsets_and_rejects_garbage(sandbox_api):
    assert sandbox_api.get("/phones", updated_since="2026-01-01T00:00:00+00:00").status_code == 200

    response = sandbox_api.get("/phones", updated_since="last tuesday")

    assert response.status_code == 400
    assert response.json()["details"] == {"path": "updated_since", "issue": "invalid_format"}


@pytest.mark.parametrize(
    ("params", "path", "issue"),
    [
        ({"limit": 0}, "limit", "invalid_value"),
        ({"limit": 201}, "limit", "invalid_value"),
        ({"limit": "ten"}, "limit", "invalid_type"),
        ({"orderBy": "label"}, "orderBy", "invalid_value"),
        ({"sort": "up"}, "sort", "invalid_value"),
    ],
)
def test_bad_phone_listing_parameter_is_400_schema_validation_error(
    sandbox_api, params, path, issue
):
    response = sandbox_api.get("/phones", **params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "SCHEMA_VALIDATION_ERROR"
    assert body["details"] == {"path": path, "issue": issue}


def _cursor(parts: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor!",
        "e30",
        _cursor(["phones", "created_at", "yesterday", "x"]),
        _cursor(["companies", "company_tenant"]),
    ],
)
def test_bad_cursor_is_400_bad_request_on_cursor(sandbox_api, cursor):
    response = sandbox_api.get("/phones", cursor=cursor)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "BAD_REQUEST"
    assert body["details"]["path"] == "cursor"


def test_cursor_from_another_order_is_400_bad_request(sandbox_api):
    cursor = sandbox_api.get("/phones", limit=5, orderBy="updated_at").json()["links"]["next"]

    response = sandbox_api.get("/phones", limit=5, orderBy="e164_number", cursor=cursor)

    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST"


def test_included_holds_each_linked_record_once(sandbox_api):
    body = sandbox_api.get("/phones", limit=200).json()

    keys = [(record["type"], record["id"]) for record in body["included"]]
    linked = {
        (item["type"], item["id"])
        for phone in body["data"]
        for relationship in phone["relationships"].values()
        for item in relationship["data"]
    }
    assert len(keys) == len(set(keys))
    assert set(keys) == linked


def test_two_sandboxes_with_the_same_seed_serve_identical_first_pages():
    with Sandbox(seed=7) as one, Sandbox(seed=7) as two, Sandbox(seed=8) as other:
        bodies = []
        for sandbox in (one, two, other):
            sandbox_api = Api(sandbox)
            bodies.append(
                [
                    sandbox_api.get(path, limit=20).json()["data"]
                    for path in ("/phones", "/people", "/companies", "/workspaces")
                ]
            )
            bodies[-1].append(sandbox_api.get("/phones", limit=20, orderBy="e164_number").json())
            sandbox_api.session.close()

    assert bodies[0] == bodies[1]
    assert bodies[0][0] != bodies[2][0]
