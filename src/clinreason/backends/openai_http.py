"""`OpenAIBackend`: any OpenAI-compatible `/v1/chat/completions` server over httpx.

Works with vLLM, Ollama, llama.cpp's server (and llama-cpp-python's), LM Studio and hosted
APIs. The API key is read from an environment variable at request time and never stored
in the spec or a trace. Failures map to `clinreason.errors` classes and are retried only
when retryable (see `clinreason.backends.retry`):

- connection refused / reset, 5xx            -> BackendUnavailable (retried)
- 429 (honours Retry-After)                  -> BackendRateLimited (retried)
- timeout, 408                               -> BackendTimeout (retried)
- body not JSON, no choices, no content      -> BackendBadResponse (retried)
- any other 4xx                              -> BackendRequestError (never retried)

Inside `backends.streaming.stream_text(sink)`, a request for one completion is asked with
`"stream": true` (server-sent events, `stream_options.include_usage`) and its text reaches the
sink as it arrives; the `Generation` is the one the plain call gives: text, finish reason,
logprobs (each chunk's `logprobs.content`, joined), and usage when the server sends its usage
chunk (OpenAI, vLLM, Ollama and llama.cpp's llama-server do; llama-cpp-python's server does
not, and such a call records no token counts, as a server that reports none). Several samples
use the plain call. A stream that breaks off is `BackendUnavailable` (retried: the sink starts
again from `""`).
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit, urlunsplit

import httpx

from clinreason.backends.retry import RetryPolicy, with_retries
from clinreason.backends.streaming import TextStream, wants_stream
from clinreason.errors import (
    BackendBadResponse,
    BackendRateLimited,
    BackendRequestError,
    BackendTimeout,
    BackendUnavailable,
    ConfigError,
)
from clinreason.trace import (
    ComponentSpec,
    GenerateRequest,
    Generation,
    TokenLogprob,
    Usage,
    parse_openai_logprobs,
)

logger = logging.getLogger(__name__)

SchemaMode = Literal["json_schema", "json_object"]
_SNIPPET = 300


def safe_url(url: str) -> str:
    """`url` without user:password (never record credentials).

    >>> safe_url("http://user:secret@host:8000/v1/")
    'http://host:8000/v1'
    """
    parts = urlsplit(url.rstrip("/"))
    netloc = parts.hostname or ""
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or an HTTP date); None if absent/bad.

    >>> parse_retry_after("2.5"), parse_retry_after(None), parse_retry_after("soon")
    (2.5, None, None)
    """
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _error_detail(response: httpx.Response) -> str:
    """The server's error message (OpenAI `{"error": {"message"}}`, FastAPI `detail`, text)."""
    text = response.text
    try:
        data = json.loads(text)
    except ValueError:
        return text[:_SNIPPET].strip()
    if isinstance(data, dict):
        err = data.get("error", data.get("detail"))
        if isinstance(err, dict) and "message" in err:
            err = err["message"]
        if err is not None:
            return str(err)[:_SNIPPET]
    return text[:_SNIPPET].strip()


@dataclass
class OpenAIBackend:
    """Chat completions from an OpenAI-compatible server.

    Args:
        base_url: Server root including `/v1`, e.g. `http://127.0.0.1:8000/v1`.
        model: Model name the server knows.
        api_key_env: Environment variable holding the API key (unset -> no auth header).
        timeout: Seconds for one HTTP request.
        max_concurrency: Requests in flight at once (enforced here too).
        schema_mode: How a `json_schema` constraint is sent: OpenAI's
            `{"type": "json_schema", ...}` (vLLM, OpenAI, Ollama) or llama.cpp's
            `{"type": "json_object", "schema": ...}` (llama-cpp-python's server ignores the
            first form).
        retry: Retry policy for retryable failures.
        transport: Optional httpx transport (tests use `httpx.MockTransport`).

    >>> OpenAIBackend("http://127.0.0.1:8000/v1", "m").spec.params["base_url"]
    'http://127.0.0.1:8000/v1'
    """

    name: ClassVar[str] = "openai"

    base_url: str
    model: str
    api_key_env: str = "OPENAI_API_KEY"
    timeout: float = 120.0
    max_concurrency: int = 4
    schema_mode: SchemaMode = "json_schema"
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    transport: httpx.AsyncBaseTransport | None = field(default=None, repr=False)
    _client: httpx.AsyncClient | None = field(default=None, init=False, repr=False)
    _semaphore: asyncio.Semaphore | None = field(default=None, init=False, repr=False)
    _loop: asyncio.AbstractEventLoop | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"base URL must start with http:// or https://, got {self.base_url!r}"
            )
        if not self.model:
            raise ConfigError("the openai backend needs a model name (--model)")
        if self.max_concurrency < 1 or self.timeout <= 0:
            raise ConfigError("max_concurrency must be >= 1 and timeout > 0")
        if self.schema_mode not in ("json_schema", "json_object"):
            raise ConfigError(f"schema_mode must be json_schema or json_object: {self.schema_mode}")
        self.base_url = self.base_url.rstrip("/")

    @property
    def label(self) -> str:
        """How errors name this backend: `openai at <url without credentials>`."""
        return f"openai at {safe_url(self.base_url)}"

    @property
    def spec(self) -> ComponentSpec:
        """Model, URL (without credentials), key variable name and options; never the key."""
        return ComponentSpec(
            name=self.name,
            params={
                "model": self.model,
                "base_url": safe_url(self.base_url),
                "api_key_env": self.api_key_env,
                "timeout": self.timeout,
                "schema_mode": self.schema_mode,
            },
        )

    def body(self, request: GenerateRequest, *, n: int, seed: int | None) -> dict[str, Any]:
        """The JSON body for one `/chat/completions` call (pure; unit-tested)."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if n > 1:
            body["n"] = n
        if request.top_p is not None:
            body["top_p"] = request.top_p
        if request.stop:
            body["stop"] = list(request.stop)
        if seed is not None:
            body["seed"] = seed
        if request.json_schema is not None:
            if self.schema_mode == "json_object":
                body["response_format"] = {"type": "json_object", "schema": request.json_schema}
            else:
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": "response", "schema": request.json_schema},
                }
        if request.logprobs:
            # at least 1: llama.cpp's server returns no logprobs without top_logprobs.
            body.update(logprobs=True, top_logprobs=max(1, request.top_logprobs))
        return body

    def _ensure_client(self) -> tuple[httpx.AsyncClient, asyncio.Semaphore]:
        loop = asyncio.get_running_loop()
        if self._client is None or self._semaphore is None or self._loop is not loop:
            # A client and semaphore belong to one event loop; make new ones for a new loop.
            self._client = httpx.AsyncClient(timeout=self.timeout, transport=self.transport)
            self._semaphore = asyncio.Semaphore(self.max_concurrency)
            self._loop = loop
        return self._client, self._semaphore

    def _headers(self) -> dict[str, str]:
        key = os.environ.get(self.api_key_env, "")
        return {"Authorization": f"Bearer {key}"} if key else {}

    async def _post_once(self, body: dict[str, Any], *, stream: bool = False) -> dict[str, Any]:
        client, semaphore = self._ensure_client()
        url = f"{self.base_url}/chat/completions"
        async with semaphore:
            try:
                if stream:
                    return await self._streamed(client, url, body)
                response = await client.post(url, json=body, headers=self._headers())
            except httpx.TimeoutException:
                raise BackendTimeout(
                    f"no response within {self.timeout:g} s", backend=self.label
                ) from None
            except httpx.TransportError as exc:
                raise BackendUnavailable(
                    f"cannot reach the server ({type(exc).__name__}: {exc})", backend=self.label
                ) from None
        return self._check(response)

    async def _streamed(
        self, client: httpx.AsyncClient, url: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        """One streamed completion, its text sent to the sink as it arrives; returned in the
        shape of a plain response (message content, finish reason, logprobs, usage)."""
        body = {**body, "stream": True, "stream_options": {"include_usage": True}}
        async with client.stream("POST", url, json=body, headers=self._headers()) as response:
            if "text/event-stream" not in response.headers.get("content-type", ""):
                await response.aread()  # an error, or a server that does not stream
                return self._check(response)
            text = TextStream()
            reason: str | None = None
            usage: Any = None
            choices = 0
            tokens: list[Any] | None = None  # the logprobs of the chunks that carry them
            async for line in response.aiter_lines():
                if not line.startswith("data:"):
                    continue
                payload = line[5:].strip()
                if payload == "[DONE]":
                    break
                chunk = self._chunk(payload)
                usage = chunk.get("usage") or usage
                for choice in chunk.get("choices") or []:
                    if not isinstance(choice, dict):
                        continue
                    choices += 1
                    delta = choice.get("delta")
                    piece = delta.get("content") if isinstance(delta, dict) else None
                    text.add(piece if isinstance(piece, str) else "")
                    reason = choice.get("finish_reason") or reason
                    logprobs = choice.get("logprobs")
                    if isinstance(logprobs, dict) and isinstance(logprobs.get("content"), list):
                        tokens = tokens if tokens is not None else []
                        tokens.extend(logprobs["content"])
        if not choices:
            raise BackendBadResponse("the stream has no choices", backend=self.label, status=200)
        choice = {
            "index": 0,
            "message": {"role": "assistant", "content": text.text},
            "finish_reason": reason,
            "logprobs": None if tokens is None else {"content": tokens},
        }
        return {"choices": [choice], "usage": usage}

    def _chunk(self, payload: str) -> dict[str, Any]:
        """One server-sent event's JSON; an error event or a broken one is a retryable error."""
        try:
            chunk = json.loads(payload)
        except ValueError:
            # no snippet: an event holds the model's words, which may quote the note
            raise BackendBadResponse(
                "a stream event is not JSON", backend=self.label, status=200
            ) from None
        if not isinstance(chunk, dict):
            raise BackendBadResponse("a stream event is not an object", backend=self.label)
        if "error" in chunk:
            detail = chunk["error"]
            if isinstance(detail, dict):
                detail = detail.get("message", detail)
            raise BackendUnavailable(
                f"the server failed while streaming: {str(detail)[:_SNIPPET]}", backend=self.label
            )
        return chunk

    async def models(self) -> list[str]:
        """The model ids the server lists (`GET /models`): a health check.

        Raises:
            BackendError: unreachable, timed out, an error status, or a body that is not a
                JSON object.
        """
        client, _ = self._ensure_client()
        try:
            response = await client.get(
                f"{self.base_url}/models", headers=self._headers(), timeout=min(self.timeout, 10)
            )
        except httpx.TimeoutException:
            raise BackendTimeout("no answer to GET /models", backend=self.label) from None
        except httpx.TransportError as exc:
            raise BackendUnavailable(
                f"cannot reach the server ({type(exc).__name__}: {exc})", backend=self.label
            ) from None
        items = self._check(response).get("data")
        if not isinstance(items, list):
            return []
        return [str(item.get("id")) for item in items if isinstance(item, dict)]

    def _check(self, response: httpx.Response) -> dict[str, Any]:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if status == 429:
            raise BackendRateLimited(
                "rate limited", backend=self.label, status=status, retry_after=retry_after
            )
        if status == 408:
            raise BackendTimeout("the server timed out", backend=self.label, status=status)
        if status >= 500:
            raise BackendUnavailable(
                f"server error: {_error_detail(response)}",
                backend=self.label,
                status=status,
                retry_after=retry_after,
            )
        if status >= 300:
            raise BackendRequestError(
                f"request rejected: {_error_detail(response)}", backend=self.label, status=status
            )
        try:
            data = response.json()
        except ValueError:
            snippet = response.text[:80].strip()
            raise BackendBadResponse(
                f"response body is not JSON: {snippet!r}", backend=self.label, status=status
            ) from None
        if not isinstance(data, dict):
            raise BackendBadResponse(
                "response body is not a JSON object", backend=self.label, status=status
            )
        return data

    async def _completion(
        self, request: GenerateRequest, *, n: int, seed: int | None
    ) -> tuple[list[tuple[str, str, list[TokenLogprob] | None]], Usage]:
        stream = n == 1 and wants_stream(request)

        async def attempt() -> tuple[list[tuple[str, str, list[TokenLogprob] | None]], Usage]:
            data = await self._post_once(self.body(request, n=n, seed=seed), stream=stream)
            return self._parse(data), _usage(data)

        return await with_retries(attempt, self.retry)

    def _parse(self, data: dict[str, Any]) -> list[tuple[str, str, list[TokenLogprob] | None]]:
        choices = data.get("choices")
        if not isinstance(choices, list) or not choices:
            raise BackendBadResponse("response has no choices", backend=self.label, status=200)
        ordered = sorted(choices, key=lambda c: c.get("index", 0) if isinstance(c, dict) else 0)
        parsed = []
        for position, choice in enumerate(ordered):
            message = choice.get("message") if isinstance(choice, dict) else None
            content = message.get("content") if isinstance(message, dict) else None
            if not isinstance(content, str):
                raise BackendBadResponse(
                    f"choice {position} has no message content", backend=self.label, status=200
                )
            reason = choice.get("finish_reason") or "unknown"
            parsed.append((content, str(reason), parse_openai_logprobs(choice.get("logprobs"))))
        return parsed

    async def generate(self, request: GenerateRequest) -> Generation:
        """`request.n` completions; servers that return fewer choices get extra calls."""
        samples, usage = await self._completion(request, n=request.n, seed=request.seed)
        samples = samples[: request.n]
        while len(samples) < request.n:
            # Ollama and llama.cpp's server ignore `n`: ask for the rest one by one, with
            # distinct seeds so seeded sampling does not repeat the first sample.
            index = len(samples)
            seed = None if request.seed is None else request.seed + index
            extra, extra_usage = await self._completion(request, n=1, seed=seed)
            samples.append(extra[0])
            usage = usage + extra_usage
        logprobs: list[list[TokenLogprob]] | None = None
        if request.logprobs and all(s[2] is not None for s in samples):
            logprobs = [s[2] or [] for s in samples]
        return Generation(
            texts=[s[0] for s in samples],
            finish_reasons=[s[1] for s in samples],
            model=self.model,
            usage=usage,
            logprobs=logprobs,
        )

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        if self._client is not None:
            client, self._client = self._client, None
            try:
                await client.aclose()
            except RuntimeError:  # pragma: no cover - its event loop is already closed
                logger.debug("HTTP client belonged to a closed event loop")


def _usage(data: dict[str, Any]) -> Usage:
    usage = data.get("usage")
    if not isinstance(usage, dict):
        return Usage()
    return Usage(
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
    )


__all__ = ["OpenAIBackend", "SchemaMode", "parse_retry_after", "safe_url"]
