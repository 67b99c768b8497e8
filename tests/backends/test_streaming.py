"""Streaming a generation's text (`backends.streaming`): the fake backend, the cache, retries and
the fan-out, and the HTTP backend over a real scripted OpenAI-compatible server on loopback."""

from __future__ import annotations

import asyncio
import json
import time
from itertools import pairwise

import httpx
import pytest

from clinreason.backends import CachedBackend, FakeBackend, FanoutBackend, OpenAIBackend
from clinreason.backends.retry import RetryPolicy
from clinreason.backends.scripted_server import scripted_server_thread
from clinreason.backends.streaming import current_sink, stream_text, wants_stream
from clinreason.errors import BackendBadResponse, BackendRequestError, BackendUnavailable
from clinreason.trace import GenerateRequest, Message

REQUEST = GenerateRequest(messages=(Message(role="user", content="Is it sepsis?"),))
REPLY = "The lactate is 4.1 mmol/L and the pressure is low. ANSWER: yes"


class Seen:
    """A sink recording (seconds since it was made, text so far)."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.calls: list[tuple[float, str]] = []

    def __call__(self, text: str) -> None:
        self.calls.append((time.perf_counter() - self.start, text))

    @property
    def texts(self) -> list[str]:
        return [text for _, text in self.calls]


def grows(texts: list[str]) -> bool:
    """Each text extends the one before it."""
    return all(b.startswith(a) and len(b) > len(a) for a, b in pairwise(texts))


async def test_the_fake_backend_streams_word_by_word_and_returns_the_same_generation():
    seen = Seen()
    with stream_text(seen):
        streamed = await FakeBackend([REPLY]).generate(REQUEST)
    plain = await FakeBackend([REPLY]).generate(REQUEST)
    assert streamed == plain
    assert seen.texts[0] == "" and seen.texts[-1] == REPLY and grows(seen.texts)
    assert len(seen.texts) == len(REPLY.split()) + 1


async def test_no_sink_outside_the_block_and_none_after_it():
    assert current_sink() is None and not wants_stream(REQUEST)
    with stream_text(print):
        assert current_sink() is print and wants_stream(REQUEST)
        assert not wants_stream(REQUEST.model_copy(update={"n": 2}))
    assert current_sink() is None


async def test_a_failing_sink_is_dropped_and_the_generation_goes_on(caplog):
    calls = []

    def broken(text: str) -> None:
        calls.append(text)
        if text:
            raise RuntimeError("display gone")

    with stream_text(broken):
        generation = await FakeBackend([REPLY]).generate(REQUEST)
    assert generation.texts == [REPLY] and calls == ["", "The "]
    assert "the sink failed (RuntimeError)" in caplog.text


async def test_concurrent_tasks_keep_their_own_sinks():
    a, b = Seen(), Seen()
    backend = FakeBackend(lambda r: r.messages[-1].content * 3, stream_delay=0.01)

    async def ask(sink: Seen, word: str) -> None:
        with stream_text(sink):
            await backend.generate(GenerateRequest(messages=(Message(role="user", content=word),)))

    await asyncio.gather(ask(a, "alpha "), ask(b, "beta "))
    assert a.texts[-1] == "alpha " * 3 and b.texts[-1] == "beta " * 3
    assert all("beta" not in t for t in a.texts) and all("alpha" not in t for t in b.texts)


async def test_a_cached_answer_arrives_whole_at_once_and_the_key_is_unchanged(tmp_path):
    inner = FakeBackend([REPLY])
    cached = CachedBackend(inner, tmp_path / "c.sqlite3")
    first, second = Seen(), Seen()
    with stream_text(first):
        made = await cached.generate(REQUEST)
    with stream_text(second):
        hit = await cached.generate(REQUEST)
    assert len(inner.requests) == 1 and hit.cached and hit.texts == made.texts
    assert grows(first.texts) and len(first.texts) > 2
    assert second.texts == ["", REPLY]
    assert (await cached.generate(REQUEST)).cached  # no sink: the same entry
    await cached.aclose()


async def test_http_tokens_arrive_over_loopback_before_the_call_ends():
    with scripted_server_thread(lambda body: REPLY, latency=0.05, token_delay=0.05) as url:
        backend = OpenAIBackend(url, "scripted")
        seen = Seen()
        with stream_text(seen):
            streamed = await backend.generate(REQUEST)
        ended = time.perf_counter() - seen.start
        plain = await backend.generate(REQUEST)
        await backend.aclose()
    assert streamed == plain  # text, finish reason and usage as the plain call
    assert streamed.usage.completion_tokens == len(REPLY.split())
    texts = seen.texts
    assert texts[0] == "" and texts[-1] == REPLY and grows(texts)
    assert len(texts) == len(REPLY.split()) + 1
    first_word = next(t for t, text in seen.calls if text)
    # 12 words 0.05 s apart: the first arrives about 0.5 s before the answer
    assert ended - first_word > 0.3
    stamps = [t for t, _ in seen.calls[1:]]
    assert stamps == sorted(stamps) and stamps[-1] - stamps[0] > 0.3


async def test_logprobs_are_joined_from_the_chunks_as_the_plain_call_gives_them():
    request = REQUEST.model_copy(update={"logprobs": True})
    with scripted_server_thread(lambda body: REPLY) as url:
        backend = OpenAIBackend(url, "scripted")
        seen = Seen()
        with stream_text(seen):
            streamed = await backend.generate(request)
        plain = await backend.generate(request)
        await backend.aclose()
    assert streamed == plain and seen.texts[-1] == REPLY
    assert streamed.logprobs and "".join(t.token for t in streamed.logprobs[0]) == REPLY


async def test_several_samples_use_the_plain_call():
    bodies: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        bodies.append(body)
        choice = {"index": 0, "message": {"content": "x"}, "finish_reason": "stop"}
        return httpx.Response(200, json={"choices": [choice] * body.get("n", 1)})

    backend = OpenAIBackend("http://h/v1", "m", transport=httpx.MockTransport(handler))
    seen = Seen()
    with stream_text(seen):
        await backend.generate(REQUEST.model_copy(update={"n": 2}))
        await backend.generate(REQUEST)
    assert [b.get("stream", False) for b in bodies] == [False, True]
    assert bodies[1]["stream_options"] == {"include_usage": True}
    assert seen.texts == []  # a server that ignores "stream" answers plain JSON: nothing streams


def _sse(*events: object) -> bytes:
    return b"".join(f"data: {json.dumps(e)}\n\n".encode() for e in events) + b"data: [DONE]\n\n"


def _delta(text: str, reason: str | None = None) -> dict:
    return {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": reason}]}


class BreaksOnce(httpx.AsyncByteStream):
    """A stream body that sends one word and then loses the connection."""

    async def __aiter__(self):
        yield _sse(_delta("Half "))[: -len(b"data: [DONE]\n\n")]
        raise httpx.ReadError("connection lost")


async def test_a_stream_broken_off_is_retried_and_the_sink_starts_again():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        headers = {"content-type": "text/event-stream"}
        if len(calls) == 1:
            return httpx.Response(200, headers=headers, stream=BreaksOnce())
        return httpx.Response(
            200, headers=headers, content=_sse(_delta("Whole "), _delta("answer", "stop"))
        )

    async def no_sleep(_: float) -> None:
        pass

    backend = OpenAIBackend(
        "http://h/v1",
        "m",
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(sleep=no_sleep),
    )
    seen = Seen()
    with stream_text(seen):
        generation = await backend.generate(REQUEST)
    assert generation.texts == ["Whole answer"] and generation.finish_reasons == ["stop"]
    assert seen.texts == ["", "Half ", "", "Whole ", "Whole answer"]


async def test_an_error_status_or_event_while_streaming_is_a_backend_error():
    def rejected(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": {"message": "prompt too long"}})

    backend = OpenAIBackend("http://h/v1", "m", transport=httpx.MockTransport(rejected))
    with stream_text(Seen()), pytest.raises(BackendRequestError, match="prompt too long"):
        await backend.generate(REQUEST)

    def fails(request: httpx.Request) -> httpx.Response:
        body = _sse(_delta("So "), {"error": {"message": "out of memory"}})
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    async def no_sleep(_: float) -> None:
        pass

    backend = OpenAIBackend(
        "http://h/v1",
        "m",
        transport=httpx.MockTransport(fails),
        retry=RetryPolicy(max_attempts=2, sleep=no_sleep),
    )
    failed = pytest.raises(BackendUnavailable, match="out of memory after 2 attempts")
    with stream_text(Seen()), failed:
        await backend.generate(REQUEST)

    def garbled(request: httpx.Request) -> httpx.Response:
        body = b'data: {"choices": [{"delta": {"content": "creatinine 2.4 mg/dL'
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    backend = OpenAIBackend(
        "http://h/v1",
        "m",
        transport=httpx.MockTransport(garbled),
        retry=RetryPolicy(max_attempts=1),
    )
    with stream_text(Seen()), pytest.raises(BackendBadResponse) as caught:
        await backend.generate(REQUEST)
    assert "not JSON" in str(caught.value) and "creatinine" not in str(caught.value)


async def test_the_fan_out_passes_the_sink_to_its_endpoint():
    with scripted_server_thread(lambda body: REPLY, token_delay=0.01) as url:
        backend = FanoutBackend([url], "scripted")
        seen = Seen()
        with stream_text(seen):
            generation = await backend.generate(REQUEST)
        await backend.aclose()
    assert generation.texts == [REPLY] and seen.texts[-1] == REPLY and grows(seen.texts)
