"""Bounded retries with exponential backoff and jitter, for retryable `BackendError`s only.

Only errors whose class sets `retryable = True` (connection refused, 5xx, 429, timeouts,
malformed bodies) are retried; everything else propagates at once. A server's `Retry-After`
is honoured when it fits within `max_delay`; a longer demand ends the retries immediately
(waiting an hour inside one case is never what the user wants).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from clinreason.errors import BackendError, ConfigError

logger = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry.

    Args:
        max_attempts: Total attempts including the first (>= 1).
        base_delay: Delay before the 2nd attempt; doubles every attempt.
        max_delay: Upper bound of one delay, also the longest `Retry-After` honoured.
        jitter: Fraction of the delay added at random (0.5 -> up to +50%).
        sleep: Awaitable sleep (inject a fake one in tests).
        rng: Random source for the jitter (inject a seeded one in tests).

    >>> RetryPolicy(base_delay=1.0, jitter=0.0).delay(3, None)
    4.0
    >>> RetryPolicy(base_delay=1.0, jitter=0.0).delay(1, 2.5)
    2.5
    """

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 20.0
    jitter: float = 0.5
    sleep: Sleep = field(default=asyncio.sleep, repr=False, compare=False)
    rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigError(f"max_attempts must be >= 1, got {self.max_attempts}")
        if self.base_delay < 0 or self.max_delay < 0 or self.jitter < 0:
            raise ConfigError("retry delays and jitter must be >= 0")

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based).

        A server-provided `retry_after` replaces the exponential delay (no jitter: the
        server asked for that time exactly).
        """
        if retry_after is not None:
            return max(0.0, retry_after)
        backoff = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return min(self.max_delay, backoff * (1.0 + self.jitter * self.rng.random()))


NO_RETRY = RetryPolicy(max_attempts=1)
"""A policy that tries once."""


async def with_retries(call: Callable[[], Awaitable[T]], policy: RetryPolicy) -> T:
    """Await `call()` until it succeeds, fails with a non-retryable error, or attempts run out.

    Args:
        call: Makes one attempt; raises `BackendError` subclasses on failure.
        policy: Attempts and delays.

    Returns:
        The first successful result.

    Raises:
        BackendError: The last error, with the attempt count added to its message when
            retries were made.

    >>> import asyncio
    >>> from clinreason.errors import BackendUnavailable
    >>> outcomes = [BackendUnavailable("down", backend="x", status=503), "ok"]
    >>> async def once():
    ...     item = outcomes.pop(0)
    ...     if isinstance(item, Exception):
    ...         raise item
    ...     return item
    >>> async def no_sleep(seconds): pass
    >>> asyncio.run(with_retries(once, RetryPolicy(sleep=no_sleep)))
    'ok'
    """
    for attempt in range(1, policy.max_attempts + 1):
        try:
            return await call()
        except BackendError as exc:
            if not exc.retryable:
                raise
            if attempt == policy.max_attempts:
                _note_attempts(exc, attempt)
                raise
            if exc.retry_after is not None and exc.retry_after > policy.max_delay:
                exc.args = (
                    f"{exc.args[0]}; the server asks to retry after {exc.retry_after:g} s, "
                    f"longer than the {policy.max_delay:g} s this client waits",
                )
                raise
            wait = policy.delay(attempt, exc.retry_after)
            logger.warning(
                "%s (attempt %d/%d); retrying in %.2f s", exc, attempt, policy.max_attempts, wait
            )
            await policy.sleep(wait)
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


def _note_attempts(exc: BackendError, attempts: int) -> None:
    if attempts > 1 and exc.args:
        exc.args = (f"{exc.args[0]} after {attempts} attempts",)
