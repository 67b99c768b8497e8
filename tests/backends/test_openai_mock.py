"""OpenAIBackend request mapping and error handling over `httpx.MockTransport` (no sockets)."""

from __future__ import annotations

import json
import random

import httpx
import pytest

from clinreason.backends.openai_http import OpenAIBackend, parse_retry_after, safe_url
from clinreason.backends.retry import RetryPolicy
from clinreason.errors import (
    BackendBadResponse,
    BackendRateLimited,
    BackendRequestError,
    BackendTimeout,
    BackendUnavailable,
    ConfigError,
)
from clinreason.trace import GenerateRequest, Message

REQUEST = GenerateRequest(
    messages=(Message(role="system", content="Be brief."), Message(role="user", content="Hi?"))
)


def ok_body(*texts: str, logprobs: bool = False) -> dict:
    choices = []
    for i, text in enumerate(texts):
        choice = {
            "index": i,
            "message": {"role": "assistant", "content": text},
            "finish_reason": "stop",
        }
        if logprobs:
            choice["logprobs"] = {
                "content": [{"token": text[:1], "logprob": -0.5, "top_logprobs": []}]
            }
        choices.append(choice)
    return {
        "choices": choices,
        "usage": {"prompt_tokens": 7, "completion_tokens": 3},
        "model": "/secret/path.gguf",
    }


class Recorder:
    """A MockTransport handler replying from a list of responses; records request bodies."""

    def __init__(self, *replies: httpx.Response | Exception) -> None:
        self.replies = list(replies)
        self.bodies: list[dict] = []
        self.headers: list[httpx.Headers] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        self.headers.append(request.headers)
        assert request.url.path == "/v1/chat/completions"
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def backend(handler: Recorder, sleeps: list[float] | None = None, **kw) -> OpenAIBackend:
    async def fake_sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)

    retry = RetryPolicy(sleep=fake_sleep, rng=random.Random(0), jitter=0.0, base_delay=0.5)
    return OpenAIBackend(
        "http://127.0.0.1:9/v1/", "m", transport=httpx.MockTransport(handler), retry=retry, **kw
    )


async def test_request_mapping_with_every_field(monkeypatch):
    monkeypatch.setenv("MY_KEY", "sk-secret")
    rec = Recorder(httpx.Response(200, json=ok_body("a", "b", "c", logprobs=True)))
    be = backend(rec, api_key_env="MY_KEY")
    request = REQUEST.model_copy(
        update={
            "n": 3,
            "temperature": 0.7,
            "seed": 11,
            "stop": ("\n\n",),
            "max_tokens": 9,
            "top_p": 0.9,
            "json_schema": {"type": "object"},
            "logprobs": True,
        }
    )
    gen = await be.generate(request)
    body = rec.bodies[0]
    assert body == {
        "model": "m",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi?"},
        ],
        "max_tokens": 9,
        "temperature": 0.7,
        "n": 3,
        "top_p": 0.9,
        "stop": ["\n\n"],
        "seed": 11,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "response", "schema": {"type": "object"}},
        },
        "logprobs": True,
        "top_logprobs": 1,
    }
    assert rec.headers[0]["authorization"] == "Bearer sk-secret"
    assert gen.texts == ["a", "b", "c"] and gen.finish_reasons == ["stop"] * 3
    assert gen.usage.prompt_tokens == 7 and gen.usage.completion_tokens == 3
    assert gen.logprobs is not None and gen.logprobs[1][0].token == "b"
    assert gen.model == "m"  # the configured name, not the server's (a file path here)
    assert "sk-secret" not in json.dumps(be.spec.model_dump())
    await be.aclose()


async def test_minimal_request_and_llama_cpp_schema_mode(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    rec = Recorder(httpx.Response(200, json=ok_body("x")))
    be = backend(rec, schema_mode="json_object")
    await be.generate(REQUEST.model_copy(update={"json_schema": {"type": "string"}}))
    body = rec.bodies[0]
    assert "n" not in body and "seed" not in body and "stop" not in body and "logprobs" not in body
    assert body["response_format"] == {"type": "json_object", "schema": {"type": "string"}}
    assert "authorization" not in rec.headers[0]


async def test_server_ignoring_n_gets_one_call_per_missing_sample_with_distinct_seeds():
    rec = Recorder(*(httpx.Response(200, json=ok_body(t)) for t in "abc"))
    gen = await backend(rec).generate(REQUEST.model_copy(update={"n": 3, "seed": 5}))
    assert gen.texts == ["a", "b", "c"]
    assert [b.get("seed") for b in rec.bodies] == [5, 6, 7]
    assert [b.get("n") for b in rec.bodies] == [3, None, None]
    assert gen.usage.prompt_tokens == 21


async def test_429_with_retry_after_then_success():
    sleeps: list[float] = []
    rec = Recorder(
        httpx.Response(429, headers={"Retry-After": "2"}, json={"error": {"message": "busy"}}),
        httpx.Response(503, text="overloaded"),
        httpx.Response(200, json=ok_body("fine")),
    )
    gen = await backend(rec, sleeps).generate(REQUEST)
    assert gen.texts == ["fine"] and sleeps == [2.0, 1.0]


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (
            httpx.Response(503, json={"error": {"message": "loading"}}),
            BackendUnavailable,
            "server error: loading (HTTP 503)",
        ),
        (httpx.Response(429, json={}), BackendRateLimited, "rate limited (HTTP 429)"),
        (httpx.Response(200, text="<html>proxy</html>"), BackendBadResponse, "not JSON"),
        (httpx.Response(200, json={"choices": []}), BackendBadResponse, "no choices"),
        (
            httpx.Response(200, json={"choices": [{"message": {}}]}),
            BackendBadResponse,
            "no message content",
        ),
        (httpx.Response(200, json=[1, 2]), BackendBadResponse, "not a JSON object"),
        (httpx.ConnectError("refused"), BackendUnavailable, "cannot reach the server"),
        (httpx.ReadTimeout("slow"), BackendTimeout, "no response within"),
    ],
)
async def test_retryable_failures_are_retried_4_times_then_named(reply, error, message):
    sleeps: list[float] = []
    rec = Recorder(*(reply for _ in range(4)))
    with pytest.raises(error) as info:
        await backend(rec, sleeps).generate(REQUEST)
    text = str(info.value)
    assert text.startswith("openai at http://127.0.0.1:9/v1: ")
    assert message in text and text.endswith("after 4 attempts")
    assert len(rec.bodies) == 4 and sleeps == [0.5, 1.0, 2.0]


@pytest.mark.parametrize("status", [400, 401, 404, 422])
async def test_other_4xx_is_not_retried_and_quotes_the_server(status):
    rec = Recorder(httpx.Response(status, json={"error": {"message": "model 'm' not found"}}))
    with pytest.raises(
        BackendRequestError, match=rf"request rejected: model 'm' not found \(HTTP {status}\)"
    ):
        await backend(rec).generate(REQUEST)
    assert len(rec.bodies) == 1


def test_retry_after_forms():
    from datetime import UTC, datetime

    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:05 GMT", now=now) == 5.0
    assert parse_retry_after("-3") == 0.0 and parse_retry_after("") is None


def test_spec_and_url_never_hold_credentials():
    be = OpenAIBackend("https://user:pw@api.example.org/v1", "gpt")
    assert be.spec.params["base_url"] == "https://api.example.org/v1"
    assert "pw" not in be.label and safe_url("http://h/v1/") == "http://h/v1"


@pytest.mark.parametrize(
    "kw",
    [
        {"base_url": "localhost:8000"},
        {"model": ""},
        {"max_concurrency": 0},
        {"schema_mode": "grammar"},
    ],
)
def test_bad_configuration_is_a_config_error(kw):
    args = {"base_url": "http://h/v1", "model": "m", **kw}
    with pytest.raises(ConfigError):
        OpenAIBackend(**args)


async def test_max_concurrency_bounds_requests_in_flight():
    import asyncio

    in_flight = peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return httpx.Response(200, json=ok_body("x"))

    be = OpenAIBackend(
        "http://h/v1", "m", max_concurrency=2, transport=httpx.MockTransport(handler)
    )
    await asyncio.gather(*(be.generate(REQUEST) for _ in range(6)))
    assert peak == 2
    await be.aclose()
