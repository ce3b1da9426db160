"""The create the product makes: the same document, re-sent until WellApp confirms it, with a
lookup by id whenever a send's outcome is unknown; never a second phone, never longer than
the budget it is given."""

import copy
import time
import uuid

import pytest

from phones.upstream.errors import AuthRejected, Rejected, Unavailable
from phones.upstream.policy import RetryPolicy
from sandbox.seed import seed_request
from tests.waits import wait_until

SEED_REQUEST = seed_request()
DEFAULT_PHONES = 1000

pytestmark = pytest.mark.timeout(30)


def new_document() -> dict:
    """WellApp's example request under a new id."""
    document = copy.deepcopy(SEED_REQUEST)
    document["data"]["id"] = str(uuid.uuid4())
    return document


def posts(sandbox) -> int:
    return sandbox.stats()["counts"].get("POST /v1/phones", 0)


def lookups(sandbox) -> int:
    return sandbox.stats()["counts"].get("GET /v1/phones/{id}", 0)


def test_a_created_phone_is_returned_with_the_answer_it_came_in(wellapp_client, sandbox):
    document = new_document()

    phone = wellapp_client.create_phone_confirmed(document)

    assert phone.id == document["data"]["id"]
    assert phone.e164_number == "+14155552671"
    assert phone.related is not None and phone.related.trace_id
    assert (posts(sandbox), lookups(sandbox)) == (1, 0)
    assert sandbox.stats()["phones"] == DEFAULT_PHONES + 1


def test_error_answers_are_resent_until_wellapp_creates_the_phone(wellapp_client, sandbox):
    sandbox.add_fault("status", status=503, method="POST", count=2)
    document = new_document()

    phone = wellapp_client.create_phone_confirmed(document)

    assert phone.id == document["data"]["id"]
    assert (posts(sandbox), lookups(sandbox)) == (3, 0)  # a 503 is an answer: nothing created
    assert sandbox.stats()["phones"] == DEFAULT_PHONES + 1


def test_a_dropped_answer_is_settled_by_a_lookup_without_a_second_send(wellapp_client, sandbox):
    sandbox.add_fault("create_then_drop", method="POST", count=1)
    document = new_document()

    phone = wellapp_client.create_phone_confirmed(document)

    assert phone.id == document["data"]["id"]
    assert phone.related is not None and phone.related.trace_id
    assert (posts(sandbox), lookups(sandbox)) == (1, 1)
    assert sandbox.stats()["phones"] == DEFAULT_PHONES + 1


def test_an_unreadable_answer_is_looked_up_before_the_same_document_is_sent_again(
    wellapp_client, sandbox
):
    sandbox.add_fault("malformed", method="POST", count=1)  # a 201 that stored nothing
    document = new_document()

    phone = wellapp_client.create_phone_confirmed(document)

    assert phone.id == document["data"]["id"]
    assert (posts(sandbox), lookups(sandbox)) == (2, 1)
    assert sandbox.stats()["phones"] == DEFAULT_PHONES + 1


def test_a_timed_out_send_is_looked_up_then_resent_once_with_the_same_id(sandbox, make_client):
    sandbox.add_fault("slow", seconds=1.5, method="POST", count=1)
    wellapp_client = make_client(timeout=(1.0, 0.3), policy=RetryPolicy(backoff=0.05))
    document = new_document()

    phone = wellapp_client.create_phone_confirmed(document)

    assert phone.id == document["data"]["id"]
    assert lookups(sandbox) == 1
    # The slow first send lands late: it must not make a second phone.
    wait_until(lambda: posts(sandbox) == 2, timeout=5, what="the slow first send to land")
    assert sandbox.stats()["phones"] == DEFAULT_PHONES + 1


def test_a_phone_an_earlier_send_created_is_confirmed_by_the_409(wellapp_client, sandbox):
    document = new_document()
    wellapp_client.create_phone(document)

    phone = wellapp_client.create_phone_confirmed(document)

    assert phone.id == document["data"]["id"]
    assert (posts(sandbox), lookups(sandbox)) == (2, 1)
    assert sandbox.stats()["phones"] == DEFAULT_PHONES + 1


def test_a_rejection_is_raised_after_one_send(wellapp_client, sandbox):
    document = new_document()
    document["data"]["attributes"]["national_number"] = "41555x2671"

    with pytest.raises(Rejected) as caught:
        wellapp_client.create_phone_confirmed(document)

    assert caught.value.path == "data.attributes.national_number"
    assert (posts(sandbox), lookups(sandbox)) == (1, 0)


def test_a_refused_token_is_raised_after_one_send(sandbox, make_client):
    stranger = make_client(token="not-the-token")

    with pytest.raises(AuthRejected):
        stranger.create_phone_confirmed(new_document())

    assert (posts(sandbox), lookups(sandbox)) == (1, 0)


def test_a_lasting_fault_is_raised_once_the_policys_attempts_are_spent(sandbox, make_client):
    sandbox.add_fault("status", status=503, method="POST")
    wellapp_client = make_client(policy=RetryPolicy(attempts=3, backoff=0.05))

    with pytest.raises(Unavailable) as caught:
        wellapp_client.create_phone_confirmed(new_document())

    assert caught.value.status == 503
    assert (posts(sandbox), lookups(sandbox)) == (3, 0)
    assert sandbox.stats()["phones"] == DEFAULT_PHONES


def test_a_lasting_fault_is_raised_when_the_budget_runs_out(sandbox, make_client):
    sandbox.add_fault("status", status=503, method="POST")
    wellapp_client = make_client(policy=RetryPolicy(attempts=1000, backoff=0.1, cap=0.2))
    started = time.monotonic()

    with pytest.raises(Unavailable):
        wellapp_client.create_phone_confirmed(new_document(), budget=1.0)

    assert 0.5 <= time.monotonic() - started < 1.5
    assert posts(sandbox) >= 3


def test_a_budget_longer_than_the_policys_deadline_is_honoured(sandbox, make_client):
    sandbox.add_fault("latency", seconds=1.0, method="POST", count=1)
    wellapp_client = make_client(timeout=(1.0, 3.0), policy=RetryPolicy(deadline=0.5))
    document = new_document()

    phone = wellapp_client.create_phone_confirmed(document, budget=3.0)

    assert phone.id == document["data"]["id"]
    assert (posts(sandbox), lookups(sandbox)) == (1, 0)


def test_a_long_retry_after_is_waited_out_only_up_to_the_cap(sandbox, make_client):
    sandbox.add_fault("rate_limit", retry_after=86400, method="POST", count=1)
    wellapp_client = make_client(policy=RetryPolicy(retry_after_cap=0.5))
    started = time.monotonic()

    phone = wellapp_client.create_phone_confirmed(new_document(), budget=5.0)

    assert 0.5 <= time.monotonic() - started < 2.0
    assert phone.related is not None
    assert posts(sandbox) == 2
