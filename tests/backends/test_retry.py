"""Bounded retries: only retryable errors, exponential backoff with jitter, Retry-After."""

from __future__ import annotations

import random

import pytest

from clinreason.backends.retry import RetryPolicy, with_retries
from clinreason.errors import (
    BackendBadResponse,
    BackendRateLimited,
    BackendRequestError,
    BackendTimeout,
    BackendUnavailable,
    ConfigError,
)


class Script:
    """Raises the scripted errors in order, then returns 'ok'; counts calls."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def policy(sleeps: list[float], **kw) -> RetryPolicy:
    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return RetryPolicy(sleep=fake_sleep, rng=random.Random(0), **kw)


def unavailable() -> BackendUnavailable:
    return BackendUnavailable("down", backend="t", status=503)


async def test_retryable_errors_are_retried_with_growing_jittered_delays():
    sleeps: list[float] = []
    call = Script(
        unavailable(), BackendTimeout("slow", backend="t"), BackendBadResponse("x", backend="t")
    )
    assert await with_retries(call, policy(sleeps, base_delay=1.0, jitter=0.5)) == "ok"
    assert call.calls == 4
    # attempt k waits base * 2**(k-1) plus up to 50% jitter
    for k, slept in enumerate(sleeps, start=1):
        assert 2 ** (k - 1) <= slept <= 1.5 * 2 ** (k - 1)
    assert sleeps[0] != 1.0 or sleeps[1] != 2.0  # jitter was applied


async def test_gives_up_after_max_attempts_and_says_so():
    sleeps: list[float] = []
    call = Script(*(unavailable() for _ in range(10)))
    with pytest.raises(BackendUnavailable, match=r"t: down \(HTTP 503\) after 4 attempts"):
        await with_retries(call, policy(sleeps))
    assert call.calls == 4 and len(sleeps) == 3


async def test_non_retryable_error_is_raised_at_once():
    sleeps: list[float] = []
    call = Script(BackendRequestError("bad", backend="t", status=400))
    with pytest.raises(BackendRequestError):
        await with_retries(call, policy(sleeps))
    assert call.calls == 1 and sleeps == []


async def test_retry_after_is_honoured_exactly():
    sleeps: list[float] = []
    call = Script(BackendRateLimited("slow down", backend="t", status=429, retry_after=3.0))
    assert await with_retries(call, policy(sleeps, base_delay=0.1)) == "ok"
    assert sleeps == [3.0]


async def test_retry_after_longer_than_max_delay_fails_fast_with_reason():
    sleeps: list[float] = []
    call = Script(BackendRateLimited("slow down", backend="t", status=429, retry_after=3600))
    with pytest.raises(BackendRateLimited, match="retry after 3600 s"):
        await with_retries(call, policy(sleeps, max_delay=30))
    assert call.calls == 1 and sleeps == []


async def test_delays_are_capped_and_seeded_jitter_is_reproducible():
    a = [RetryPolicy(rng=random.Random(7)).delay(k, None) for k in range(1, 10)]
    b = [RetryPolicy(rng=random.Random(7)).delay(k, None) for k in range(1, 10)]
    assert a == b and max(a) <= 20.0


@pytest.mark.parametrize("kw", [{"max_attempts": 0}, {"base_delay": -1}, {"jitter": -0.1}])
def test_bad_policy_is_a_config_error(kw):
    with pytest.raises(ConfigError):
        RetryPolicy(**kw)
