"""`FanoutBackend`: one backend over several OpenAI-compatible endpoints serving the same model
(e.g. vLLM or SGLang replicas), with per-endpoint concurrency, health checks and failover.

- Each request goes to the healthy endpoint with the fewest requests in flight (at most
  `per_endpoint` each).
- Health: every endpoint is checked (`GET /models`) before the first request; one that
  cannot be reached, times out or answers 5xx is marked *down*, its request is retried on
  another endpoint at once, and it is checked again every `recheck_s` seconds (back *up*
  when it answers).
- An endpoint that returns garbage (a body that is not a chat completion) `quarantine_after`
  times in a row is *quarantined* for the rest of the run, with a warning saying why.
- A 4xx answer (a bad request, not a bad endpoint) is raised as it is; when no endpoint has
  been up for `wait_s` seconds, or a request has failed 3 × (number of endpoints) times, it
  fails with a `BackendError` (the case is recorded as an error, which `--resume` retries).
- `stats()` gives requests, failures and throughput per endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import httpx

from clinreason.backends.openai_http import OpenAIBackend, SchemaMode, safe_url
from clinreason.backends.retry import NO_RETRY
from clinreason.errors import (
    BackendBadResponse,
    BackendError,
    BackendRequestError,
    BackendUnavailable,
    ConfigError,
)
from clinreason.trace import ComponentSpec, GenerateRequest, Generation

log = logging.getLogger(__name__)
State = Literal["up", "down", "quarantined"]


@dataclass
class Endpoint:
    """One server and what the fan-out knows about it."""

    backend: OpenAIBackend
    state: State = "up"
    reason: str = ""
    in_flight: int = 0
    ok: int = 0
    failed: int = 0
    garbage_in_a_row: int = 0
    checked_at: float = 0.0
    probing: bool = False

    @property
    def url(self) -> str:
        """The server URL without credentials."""
        return safe_url(self.backend.base_url)


@dataclass
class FanoutBackend:
    """Chat completions spread over several OpenAI-compatible servers of one model.

    Args:
        base_urls: Server roots including `/v1` (two or more; duplicates are refused).
        model: Model name every server knows.
        per_endpoint: Requests in flight per server.
        recheck_s: Seconds between health checks of a down server.
        quarantine_after: Garbage responses in a row that quarantine a server.
        wait_s: How long a request waits while no server is up before failing.
        api_key_env, timeout, schema_mode, transport: As for `OpenAIBackend`.
    """

    name: ClassVar[str] = "openai"

    base_urls: list[str]
    model: str
    per_endpoint: int = 4
    recheck_s: float = 2.0
    quarantine_after: int = 2
    wait_s: float = 30.0
    api_key_env: str = "OPENAI_API_KEY"
    timeout: float = 120.0
    schema_mode: SchemaMode = "json_schema"
    transport: httpx.AsyncBaseTransport | None = field(default=None, repr=False)
    endpoints: list[Endpoint] = field(init=False, repr=False)
    _changed: asyncio.Condition | None = field(default=None, init=False, repr=False)
    _checked: asyncio.Task[list[Endpoint]] | None = field(default=None, init=False, repr=False)
    _started: float | None = field(default=None, init=False, repr=False)
    _loop: asyncio.AbstractEventLoop | None = field(default=None, init=False, repr=False)
    _none_up_since: float | None = field(default=None, init=False, repr=False)
    """Since when no endpoint has been up (shared: once waited out, requests fail at once)."""

    def __post_init__(self) -> None:
        urls = [u.rstrip("/") for u in self.base_urls]
        if len(set(urls)) != len(urls):
            raise ConfigError("the same --base-url is given twice")
        if not urls:
            raise ConfigError("the fan-out needs at least one --base-url")
        if self.per_endpoint < 1 or self.quarantine_after < 1 or self.recheck_s <= 0:
            raise ConfigError("per_endpoint and quarantine_after must be >= 1, recheck_s > 0")
        self.endpoints = [
            Endpoint(
                OpenAIBackend(
                    url,
                    self.model,
                    api_key_env=self.api_key_env,
                    timeout=self.timeout,
                    max_concurrency=self.per_endpoint,
                    schema_mode=self.schema_mode,
                    retry=NO_RETRY,
                    transport=self.transport,
                )
            )
            for url in urls
        ]

    @property
    def max_concurrency(self) -> int:
        """Requests in flight over all endpoints."""
        return self.per_endpoint * len(self.endpoints)

    @property
    def spec(self) -> ComponentSpec:
        """As an `OpenAIBackend`'s, with the sorted list of server URLs as `base_url`."""
        one = self.endpoints[0].backend.spec
        urls = sorted(e.url for e in self.endpoints)
        return one.model_copy(update={"params": {**one.params, "base_url": urls}})

    def _condition(self) -> asyncio.Condition:
        loop = asyncio.get_running_loop()
        if self._changed is None or self._loop is not loop:  # one per event loop
            self._changed, self._loop = asyncio.Condition(), loop
        return self._changed

    def _set(self, endpoint: Endpoint, state: State, reason: str) -> None:
        if endpoint.state == "quarantined":  # final for this run
            return
        if endpoint.state != state:
            level = logging.INFO if state == "up" else logging.WARNING
            log.log(level, "endpoint %s is %s%s", endpoint.url, state, f": {reason}" * bool(reason))
        endpoint.state, endpoint.reason = state, reason
        endpoint.checked_at = time.monotonic()

    async def _probe(self, endpoint: Endpoint) -> None:
        """Health check: up when `GET /models` answers with a JSON object."""
        endpoint.probing = True
        try:
            await endpoint.backend.models()
        except BackendError as exc:
            self._set(endpoint, "down", str(exc))
        else:
            self._set(endpoint, "up", "")
        finally:
            endpoint.probing = False
            async with self._condition():
                self._condition().notify_all()

    async def check(self) -> list[Endpoint]:
        """Check every endpoint now (done once before the first request)."""
        await asyncio.gather(*(self._probe(e) for e in self.endpoints))
        return self.endpoints

    async def _acquire(self) -> Endpoint:
        """The healthy endpoint with the fewest requests in flight, waiting for a free slot."""
        changed = self._condition()
        async with changed:
            while True:
                now = time.monotonic()
                for e in self.endpoints:
                    if e.state == "down" and not e.probing and now - e.checked_at >= self.recheck_s:
                        e.probing = True
                        asyncio.get_running_loop().create_task(self._probe(e))
                up = [e for e in self.endpoints if e.state == "up"]
                free = [e for e in up if e.in_flight < self.per_endpoint]
                if free:
                    chosen = min(free, key=lambda e: e.in_flight)
                    chosen.in_flight += 1
                    return chosen
                if up:
                    self._none_up_since = None
                elif self._none_up_since is None:
                    self._none_up_since = now
                if not up and (
                    all(e.state == "quarantined" for e in self.endpoints)
                    or now - (self._none_up_since or now) >= self.wait_s
                ):
                    raise BackendUnavailable(
                        "no endpoint is up: "
                        + "; ".join(f"{e.url} {e.state} ({e.reason})" for e in self.endpoints),
                        backend=self.label,
                    )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), timeout=min(self.recheck_s, 0.5))

    async def _release(self, endpoint: Endpoint) -> None:
        endpoint.in_flight -= 1
        async with self._condition():
            self._condition().notify_all()

    @property
    def label(self) -> str:
        """How errors name this backend."""
        return f"openai fan-out over {len(self.endpoints)} endpoints"

    async def generate(self, request: GenerateRequest) -> Generation:
        """Generate on one endpoint; on a down or garbage-returning endpoint, on another."""
        if self._checked is None:  # the first request checks; requests started with it wait
            self._checked = asyncio.get_running_loop().create_task(self.check())
        await self._checked
        if self._started is None:
            self._started = time.monotonic()
        tries = 3 * len(self.endpoints)
        last: BackendError | None = None
        for _ in range(tries):
            endpoint = await self._acquire()
            try:
                generation = await endpoint.backend.generate(request)
            except BackendRequestError:
                endpoint.failed += 1
                raise
            except BackendBadResponse as exc:
                last = exc
                endpoint.failed += 1
                endpoint.garbage_in_a_row += 1
                quarantined = endpoint.state == "quarantined"
                if not quarantined and endpoint.garbage_in_a_row >= self.quarantine_after:
                    self._set(
                        endpoint,
                        "quarantined",
                        f"{endpoint.garbage_in_a_row} garbage responses in a row (last: {exc}); "
                        "its requests go to the other endpoints",
                    )
            except BackendError as exc:  # unreachable, timed out, 5xx, rate limited
                last = exc
                endpoint.failed += 1
                self._set(endpoint, "down", str(exc))
            else:
                endpoint.ok += 1
                endpoint.garbage_in_a_row = 0
                return generation
            finally:
                await self._release(endpoint)
        # every endpoint failed this request several times (e.g. one that crashes servers)
        assert last is not None
        raise type(last)(
            f"failed on {tries} tries over the endpoints; last: {last}", backend=self.label
        )

    def stats(self) -> list[dict[str, Any]]:
        """Per endpoint: state, reason, requests answered and failed, answers per second."""
        wall = time.monotonic() - self._started if self._started is not None else 0.0
        return [
            {
                "url": e.url,
                "state": e.state,
                "reason": e.reason,
                "ok": e.ok,
                "failed": e.failed,
                "per_s": e.ok / wall if wall > 0 else None,
            }
            for e in self.endpoints
        ]

    async def aclose(self) -> None:
        """Close every endpoint's connections."""
        for endpoint in self.endpoints:
            await endpoint.backend.aclose()


__all__ = ["Endpoint", "FanoutBackend"]
