import copy
import logging
import re
import socket
import time
import traceback
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests

from phones.upstream.client import WellAppClient
from phones.upstream.errors import (
    AuthRejected,
    BadResponse,
    Conflict,
    NotFound,
    Rejected,
    Timeout,
    Unavailable,
    UpstreamError,
)
from phones.upstream.failures import parse_retry_after
from phones.upstream.policy import RetryPolicy
from phones.upstream.records import PersonRecord, WorkspaceRef
from phones.upstream.shared import upstream_client
from sandbox.seed import SEED_MARKETING, SEED_PHONE_ID, seed_request
from tests.waits import wait_answered

SEED_REQUEST = seed_request()
DEFAULT_PHONES = 1000
DEFAULT_PEOPLE = 400
HEX_TRACE = re.compile(r"[0-9a-f]{4,}")

pytestmark = pytest.mark.timeout(30)


def seed_document(phone_id=SEED_PHONE_ID):
    document = copy.deepcopy(SEED_REQUEST)
    document["data"]["id"] = phone_id
    return document


def requests_seen(sandbox, method, path):
    return [
        entry
        for entry in sandbox.stats()["requests"]
        if entry["method"] == method and entry["path"] == path
    ]


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Create


def test_create_phone_with_seed_document_returns_parsed_201_answer(wellapp_client, sandbox):
    before = datetime.now(UTC).replace(microsecond=0)

    phone = wellapp_client.create_phone(seed_document())

    assert phone.id == SEED_PHONE_ID
    assert (phone.country_code, phone.national_number, phone.e164_number) == (
        1,
        "4155552671",
        "+14155552671",
    )
    assert (phone.label, phone.is_primary, phone.is_verified) == ("work", True, True)
    assert phone.person_ids == ["people1"]
    assert phone.company_ids == ["company_tenant"]
    assert phone.workspaces == [
        WorkspaceRef(id=None, external_id="fygr_123"),
        WorkspaceRef(id=SEED_MARKETING.id, external_id=None),
    ]
    assert before <= phone.created_at <= datetime.now(UTC)
    assert phone.related.people == [
        PersonRecord(
            id="people1",
            first_name="John",
            last_name="Doe",
            full_name="John Doe",
            email="john.doe@example.com",
        )
    ]
    assert [(c.id, c.name, c.website) for c in phone.related.companies] == [
        ("company_tenant", "Acme Corporation", "https://acme.com")
    ]
    assert HEX_TRACE.fullmatch(phone.related.trace_id)
    assert [e["status"] for e in requests_seen(sandbox, "POST", "/v1/phones")] == [201]


def test_created_phone_can_be_read_back_by_id(wellapp_client):
    wellapp_client.create_phone(seed_document())

    page = wellapp_client.get_phone(SEED_PHONE_ID)

    phone = page.items[0]
    assert phone.id == SEED_PHONE_ID
    assert phone.national_number == "4155552671"
    assert phone.person_ids == ["people1"]
    assert phone.workspaces == [
        WorkspaceRef(id="workspace_sales", external_id="fygr_123"),
        WorkspaceRef(id=SEED_MARKETING.id, external_id="mkt_workspace_001"),
    ]
    assert [p.email for p in page.people] == ["john.doe@example.com"]


def test_creating_the_same_phone_twice_raises_conflict(wellapp_client):
    wellapp_client.create_phone(seed_document())

    with pytest.raises(Conflict) as caught:
        wellapp_client.create_phone(seed_document())

    error = caught.value
    assert (error.status, error.code, error.sent) == (409, "PHONE_ALREADY_EXISTS", True)
    assert HEX_TRACE.fullmatch(error.trace_id)
    assert error.trace_id in str(error)


# Error classes from real sandbox answers


def test_wrong_token_raises_auth_rejected_401(make_client):
    stranger = make_client(token="not-the-token", policy=RetryPolicy(attempts=1))

    with pytest.raises(AuthRejected) as caught:
        stranger.get_phone(SEED_PHONE_ID)

    assert (caught.value.status, caught.value.code) == (401, "UNAUTHORIZED")
    assert HEX_TRACE.fullmatch(caught.value.trace_id)


def test_unknown_workspace_scope_raises_auth_rejected_403(wellapp_client):
    with pytest.raises(AuthRejected) as caught:
        next(wellapp_client.iter_phone_pages(workspace_id=str(uuid.uuid4())))

    assert (caught.value.status, caught.value.code) == (403, "FORBIDDEN")


def test_missing_phone_raises_not_found(wellapp_client):
    with pytest.raises(NotFound) as caught:
        wellapp_client.get_phone(str(uuid.uuid4()))

    assert (caught.value.status, caught.value.code) == (404, "PHONE_NOT_FOUND")
    assert HEX_TRACE.fullmatch(caught.value.trace_id)


def test_invalid_national_number_raises_rejected_with_path_and_trace_id(wellapp_client):
    document = seed_document(str(uuid.uuid4()))
    document["data"]["attributes"]["national_number"] = "41555x2671"

    with pytest.raises(Rejected) as caught:
        wellapp_client.create_phone(document)

    error = caught.value
    assert (error.status, error.code) == (400, "SCHEMA_VALIDATION_ERROR")
    assert error.path == "data.attributes.national_number"
    assert HEX_TRACE.fullmatch(error.trace_id)
    assert f"WellApp trace id: {error.trace_id}." in str(error)
    assert "field data.attributes.national_number" in str(error)


def test_unknown_person_on_create_raises_rejected_not_not_found(wellapp_client):
    document = seed_document(str(uuid.uuid4()))
    document["data"]["relationships"]["persons"]["data"] = [{"type": "people", "id": "nobody"}]

    with pytest.raises(Rejected) as caught:
        wellapp_client.create_phone(document)

    assert (caught.value.status, caught.value.code) == (404, "PERSON_NOT_FOUND")
    assert caught.value.path == "data.relationships.persons"


@pytest.mark.parametrize(
    "mode", ["malformed", "wrong_content_type", "empty_body", "unexpected_shape"]
)
def test_unreadable_answer_raises_bad_response(wellapp_client, sandbox, mode):
    sandbox.add_fault(mode, method="GET")

    with pytest.raises(BadResponse) as caught:
        next(wellapp_client.iter_phone_pages())

    assert caught.value.status == 200
    assert len(requests_seen(sandbox, "GET", "/v1/phones")) == 1


def test_malformed_create_answer_raises_bad_response_marked_sent(wellapp_client, sandbox):
    sandbox.add_fault("malformed", method="POST", count=1)

    with pytest.raises(BadResponse) as caught:
        wellapp_client.create_phone(seed_document())

    assert (caught.value.status, caught.value.sent) == (201, True)


@pytest.mark.parametrize("mode", ["drop", "reset"])
def test_dropped_connection_raises_unavailable_after_retries(wellapp_client, sandbox, mode):
    sandbox.add_fault(mode, method="GET")

    with pytest.raises(Unavailable) as caught:
        wellapp_client.get_phone(SEED_PHONE_ID)

    assert type(caught.value) is Unavailable
    assert caught.value.code == "CONNECTION_ERROR"
    assert (caught.value.status, caught.value.sent) == (None, True)
    assert isinstance(caught.value.__cause__, requests.ConnectionError)
    assert len(requests_seen(sandbox, "GET", f"/v1/phones/{SEED_PHONE_ID}")) == 4


def test_refused_connection_raises_unavailable_not_sent(make_client):
    wellapp_client = make_client(
        base_url=f"http://127.0.0.1:{closed_port()}/v1",
        policy=RetryPolicy(attempts=2, backoff=0.01),
    )

    with pytest.raises(Unavailable) as caught:
        wellapp_client.create_phone(seed_document())

    assert (caught.value.code, caught.value.sent) == ("CONNECTION_ERROR", False)


# Retries


def test_get_is_retried_after_one_503_then_succeeds(wellapp_client, sandbox):
    sandbox.add_fault("status", status=503, count=1, method="GET")

    page = next(wellapp_client.iter_phone_pages(limit=10))

    assert len(page.items) == 10
    assert [e["status"] for e in requests_seen(sandbox, "GET", "/v1/phones")] == [503, 200]
    assert sandbox.stats()["counts"]["GET /v1/phones"] == 2


def test_get_gives_up_after_configured_retries(wellapp_client, sandbox):
    sandbox.add_fault("status", status=502, method="GET")

    with pytest.raises(Unavailable) as caught:
        next(wellapp_client.iter_phone_pages(limit=10))

    assert (caught.value.status, caught.value.code) == (502, "BAD_GATEWAY")
    assert "after 4 attempts" in str(caught.value)
    assert len(requests_seen(sandbox, "GET", "/v1/phones")) == 4


def test_retry_after_one_second_is_honoured(wellapp_client, sandbox):
    sandbox.add_fault("rate_limit", retry_after=1, count=1, method="GET")
    started = time.monotonic()

    page = next(wellapp_client.iter_phone_pages(limit=5))

    assert time.monotonic() - started >= 1.0
    assert len(page.items) == 5
    assert [e["status"] for e in requests_seen(sandbox, "GET", "/v1/phones")] == [429, 200]


def test_huge_retry_after_is_capped(sandbox, make_client):
    sandbox.add_fault("rate_limit", retry_after=86400, method="GET")
    wellapp_client = make_client(policy=RetryPolicy(attempts=4, retry_after_cap=0.5))
    started = time.monotonic()

    with pytest.raises(Unavailable) as caught:
        next(wellapp_client.iter_phone_pages())

    elapsed = time.monotonic() - started
    assert 1.5 <= elapsed < 3.0
    assert (caught.value.status, caught.value.code) == (429, "RATE_LIMITED")
    assert caught.value.retry_after == 86400.0
    assert len(requests_seen(sandbox, "GET", "/v1/phones")) == 4


def test_huge_retry_after_is_capped_then_succeeds(sandbox, make_client):
    sandbox.add_fault("rate_limit", retry_after=86400, count=1, method="GET")
    wellapp_client = make_client(policy=RetryPolicy(retry_after_cap=0.5))
    started = time.monotonic()

    page = next(wellapp_client.iter_phone_pages(limit=3))

    assert 0.5 <= time.monotonic() - started < 2.0
    assert len(page.items) == 3


def test_slow_get_is_cut_off_by_the_overall_deadline(sandbox, make_client):
    sandbox.add_fault("latency", seconds=3, method="GET")
    wellapp_client = make_client(timeout=(1.0, 10.0), policy=RetryPolicy(deadline=1.0))
    started = time.monotonic()

    with pytest.raises(Timeout) as caught:
        wellapp_client.get_phone(SEED_PHONE_ID)

    assert time.monotonic() - started < 1.5
    assert caught.value.sent is True


# POST is never re-sent


def test_timed_out_post_raises_timeout_sent_and_is_not_resent(sandbox, make_client):
    sandbox.add_fault("slow", seconds=1.5, method="POST")
    wellapp_client = make_client(timeout=(1.0, 0.3), policy=RetryPolicy(attempts=4))

    with pytest.raises(Timeout) as caught:
        wellapp_client.create_phone(seed_document())

    assert caught.value.sent is True
    assert caught.value.code == "READ_TIMEOUT"
    assert isinstance(caught.value.__cause__, requests.ReadTimeout)
    wait_answered(sandbox)  # every send, the slow one included, is answered and logged
    assert len(requests_seen(sandbox, "POST", "/v1/phones")) == 1


def test_post_answered_503_is_not_resent(wellapp_client, sandbox):
    sandbox.add_fault("status", status=503, method="POST", count=1)

    with pytest.raises(Unavailable) as caught:
        wellapp_client.create_phone(seed_document())

    assert (caught.value.status, caught.value.sent) == (503, True)
    assert len(requests_seen(sandbox, "POST", "/v1/phones")) == 1


def test_create_then_drop_raises_sent_and_stores_exactly_one_phone(wellapp_client, sandbox):
    sandbox.add_fault("create_then_drop", method="POST", count=1)

    with pytest.raises(Unavailable) as caught:
        wellapp_client.create_phone(seed_document())

    assert caught.value.sent is True
    assert sandbox.stats()["phones"] == DEFAULT_PHONES + 1
    assert sandbox.stats()["counts"]["POST /v1/phones"] == 1
    assert wellapp_client.get_phone(SEED_PHONE_ID).items[0].id == SEED_PHONE_ID
    with pytest.raises(Conflict):
        wellapp_client.create_phone(seed_document())
    assert sandbox.stats()["phones"] == DEFAULT_PHONES + 1


# The token never leaks


def test_token_never_appears_in_logs_errors_or_reprs(sandbox, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    wellapp_client = make_client(timeout=(1.0, 0.3), policy=RetryPolicy(attempts=2, backoff=0.01))
    stranger = make_client(token="wrong-token-value")
    failures = []

    def attempt(call):
        try:
            call()
        except UpstreamError as error:
            failures.append(error)

    attempt(lambda: stranger.get_phone(SEED_PHONE_ID))
    attempt(lambda: next(wellapp_client.iter_phone_pages(workspace_id="no-such-workspace")))
    attempt(lambda: wellapp_client.get_phone("missing"))
    bad = seed_document(str(uuid.uuid4()))
    bad["data"]["attributes"]["label"] = "pager"
    attempt(lambda: wellapp_client.create_phone(bad))
    attempt(lambda: wellapp_client.create_phone(seed_document()))
    attempt(lambda: wellapp_client.create_phone(seed_document()))
    for mode, method, params in [
        ("malformed", "GET", {}),
        ("drop", "GET", {}),
        ("rate_limit", "GET", {"retry_after": 0}),
        ("status", "GET", {"status": 500}),
        ("slow", "POST", {"seconds": 0.6}),
        ("create_then_drop", "POST", {}),
    ]:
        sandbox.clear_faults()
        sandbox.add_fault(mode, method=method, **params)
        attempt(lambda: next(wellapp_client.iter_phone_pages(limit=1)))
        attempt(lambda: wellapp_client.create_phone(seed_document(str(uuid.uuid4()))))
    sandbox.clear_faults()

    token = sandbox.token
    assert len(failures) == 11
    assert {type(error) for error in failures} >= {
        AuthRejected,
        NotFound,
        Rejected,
        Conflict,
        BadResponse,
        Unavailable,
        Timeout,
    }
    assert any(record.name.startswith("urllib3") for record in caplog.records)
    assert any(record.name == "phones.upstream" for record in caplog.records)
    for record in caplog.records:
        assert token not in record.getMessage()
    assert token not in caplog.text
    for error in failures:
        assert token not in str(error)
        assert token not in repr(error)
        assert token not in "".join(traceback.format_exception(error))
    assert token not in repr(wellapp_client)
    assert token not in repr(wellapp_client._auth)


def test_one_info_line_per_request_with_method_path_status_time_and_trace(wellapp_client, caplog):
    caplog.set_level(logging.INFO, logger="phones.upstream")

    page = next(wellapp_client.iter_phone_pages(limit=2))

    lines = [r for r in caplog.records if r.name == "phones.upstream"]
    assert len(lines) == 1
    assert lines[0].levelno == logging.INFO
    assert re.fullmatch(
        rf"WellApp GET /v1/phones -> 200 in \d+ ms \(trace {page.trace_id}, attempt 1\)",
        lines[0].getMessage(),
    )


def test_requests_carry_bearer_json_headers_user_agent_and_timeouts(sandbox, make_client):
    seen = []
    session = requests.Session()
    session.hooks["response"].append(lambda r, *args, **kwargs: seen.append((r, kwargs)))
    wellapp_client = make_client(timeout=(1.5, 4.0), session=session)

    with session:
        wellapp_client.ping()

    ((response, kwargs),) = seen
    headers = response.request.headers
    assert headers["Authorization"] == f"Bearer {sandbox.token}"
    assert headers["Accept"] == "application/json"
    assert headers["Content-Type"] == "application/json"
    assert re.fullmatch(r"wellui/\d+\.\d+\.\d+\S*", headers["User-Agent"])
    assert kwargs["timeout"] == (1.5, 4.0)


# Pagination


def test_iterating_all_phone_pages_yields_every_phone_once(wellapp_client):
    pages = list(wellapp_client.iter_phone_pages(limit=137))

    ids = [phone.id for page in pages for phone in page.items]
    assert pages[0].total == DEFAULT_PHONES
    assert len(ids) == DEFAULT_PHONES
    assert len(set(ids)) == DEFAULT_PHONES
    assert len(pages) == 8
    assert pages[-1].next_cursor is None
    created = [phone.created_at for page in pages for phone in page.items]
    assert created == sorted(created)


def test_phone_pages_since_return_only_phones_updated_after(wellapp_client, sandbox):
    since = datetime.now(UTC).replace(microsecond=0)
    first, second = [p.id for p in next(wellapp_client.iter_phone_pages(limit=2)).items]
    sandbox.touch_phone(second, label="home")
    sandbox.touch_phone(first, label="mobile")

    pages = list(wellapp_client.iter_phone_pages(since=since))

    phones = [phone for page in pages for phone in page.items]
    assert {phone.id for phone in phones} == {first, second}
    assert {phone.id: phone.label for phone in phones} == {first: "mobile", second: "home"}
    assert all(phone.updated_at >= since for phone in phones)
    assert pages[0].total == 2


def test_phone_pages_since_an_old_time_are_ordered_by_update(wellapp_client):
    since = datetime.now(UTC) - timedelta(days=90)

    phones = [
        phone for page in wellapp_client.iter_phone_pages(since=since) for phone in page.items
    ]

    assert phones
    assert all(phone.updated_at >= since.replace(microsecond=0) for phone in phones)
    updated = [phone.updated_at for phone in phones]
    assert updated == sorted(updated)


def test_people_are_paged_by_number_until_a_short_page(wellapp_client, sandbox):
    pages = list(wellapp_client.iter_people_pages(limit=30))

    ids = [person.id for page in pages for person in page.items]
    assert len(ids) == DEFAULT_PEOPLE
    assert len(set(ids)) == DEFAULT_PEOPLE
    assert [len(page.items) for page in pages] == [30] * 13 + [10]
    assert pages[0].people == pages[0].items
    assert len(requests_seen(sandbox, "GET", "/v1/people")) == 14
    john = next(person for page in pages for person in page.items if person.id == "people1")
    assert (john.full_name, john.email) == ("John Doe", "john.doe@example.com")


def test_company_and_workspace_pages_follow_cursors(wellapp_client):
    companies = [c for page in wellapp_client.iter_company_pages(limit=25) for c in page.items]
    workspaces = [w for page in wellapp_client.iter_workspace_pages(limit=3) for w in page.items]

    assert len({c.id for c in companies}) == len(companies) == 60
    assert len({w.id for w in workspaces}) == len(workspaces) == 8
    acme = next(c for c in companies if c.id == "company_tenant")
    assert (acme.name, acme.domain, acme.website) == (
        "Acme Corporation",
        "acme.com",
        "https://acme.com",
    )
    sales = next(w for w in workspaces if w.id == "workspace_sales")
    assert (sales.name, sales.external_workspace_id) == ("Sales Team Workspace", "fygr_123")


def test_single_phone_reads_the_same_as_in_the_listing(wellapp_client):
    listed = next(wellapp_client.iter_phone_pages(limit=1)).items[0]

    assert wellapp_client.get_phone(listed.id).items == [listed]


# Configuration


def test_ping_is_true_for_the_sandbox_and_false_when_unreachable(wellapp_client, make_client):
    unreachable = make_client(base_url=f"http://127.0.0.1:{closed_port()}/v1")

    assert wellapp_client.ping() is True
    assert unreachable.ping() is False


def test_shared_client_is_one_per_process_configured_from_settings(sandbox, settings):
    settings.WELL_API_URL = sandbox.url
    settings.WELL_API_TOKEN = sandbox.token
    settings.WELL_API_TIMEOUT = 7.5
    upstream_client.cache_clear()
    try:
        wellapp_client = upstream_client()
        assert upstream_client() is wellapp_client
        assert wellapp_client.base_url == sandbox.url
        assert wellapp_client.timeout == (3.05, 7.5)
        assert wellapp_client.policy == RetryPolicy()
        assert wellapp_client.ping() is True
        settings.WELL_API_TIMEOUT = 2.0
        upstream_client.cache_clear()
        assert upstream_client().timeout == (2.0, 2.0)
    finally:
        upstream_client.cache_clear()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("1", 1.0),
        (" 120 ", 120.0),
        ("0.5", 0.5),
        ("-3", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("", None),
        (None, None),
        ("soon", None),
        ("nan", None),
    ],
)
def test_retry_after_reads_seconds_and_past_http_dates(header, expected):
    assert parse_retry_after(header) == expected


def test_retry_after_reads_future_http_date_as_seconds_from_now():
    when = datetime.now(UTC) + timedelta(seconds=90)

    seconds = parse_retry_after(format_datetime(when, usegmt=True))

    assert 88.0 <= seconds <= 90.0


def test_malformed_token_is_refused_without_echoing_it():
    with pytest.raises(ValueError) as caught:
        WellAppClient("http://127.0.0.1:1/v1", "secret\nvalue")

    assert "secret" not in str(caught.value)
