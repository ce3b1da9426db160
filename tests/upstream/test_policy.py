"""The one retry policy: how long to wait between tries, and when to stop."""

import time

import pytest

from phones.upstream.policy import RetryPolicy


def test_waits_double_from_the_backoff_with_equal_jitter_up_to_the_cap():
    policy = RetryPolicy(backoff=0.5, cap=2.0)

    for _ in range(200):
        assert 0.25 <= policy.delay(1) <= 0.5
        assert 0.5 <= policy.delay(2) <= 1.0
        assert 1.0 <= policy.delay(3) <= 2.0
        assert 1.0 <= policy.delay(10) <= 2.0


def test_wellapps_retry_after_is_honoured_up_to_its_cap():
    policy = RetryPolicy(retry_after_cap=3.0)

    assert policy.delay(1, retry_after=1.5) == 1.5
    assert policy.delay(1, retry_after=86400) == 3.0
    assert policy.delay(1, retry_after=0.0) == 0.0


def test_a_call_ends_after_the_callers_budget_or_else_the_deadline():
    policy = RetryPolicy(deadline=15.0)
    now = time.monotonic()

    assert now + 14.9 <= policy.give_up_at() <= time.monotonic() + 15.0
    assert now + 59.9 <= policy.give_up_at(60.0) <= time.monotonic() + 60.0
    with pytest.raises(ValueError, match="positive time budget"):
        policy.give_up_at(0)


def test_another_try_follows_only_while_tries_and_time_are_left():
    policy = RetryPolicy(attempts=3)
    later = time.monotonic() + 10

    assert policy.may_retry(1, 0.5, later)
    assert policy.may_retry(2, 0.5, later)
    assert not policy.may_retry(3, 0.5, later)
    assert not policy.may_retry(1, 11.0, later)


@pytest.mark.parametrize(
    "fields",
    [{"attempts": 0}, {"backoff": -1}, {"cap": -1}, {"retry_after_cap": -1}, {"deadline": 0}],
)
def test_a_policy_that_could_not_work_is_refused(fields):
    with pytest.raises(ValueError):
        RetryPolicy(**fields)
