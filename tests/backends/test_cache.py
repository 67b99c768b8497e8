"""CachedBackend: SQLite response cache keyed by backend, model and the full request."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from clinreason.backends.cache import CachedBackend, cache_key
from clinreason.backends.fake import FakeBackend
from clinreason.errors import BackendUnavailable, ConfigError
from clinreason.trace import ComponentSpec, GenerateRequest, Message

REQ = GenerateRequest(messages=(Message(role="user", content="q"),), temperature=0.8)


class Counting(FakeBackend):
    """A fake backend whose replies number the calls, so a repeat reveals a cache miss."""

    def __init__(self, model: str = "fake", delay: float = 0.0) -> None:
        super().__init__(script=lambda r: f"reply {len(self.requests)}", model=model)
        self.delay = delay

    async def generate(self, request):
        await asyncio.sleep(self.delay)
        return await super().generate(request)


async def test_hit_returns_the_stored_generation_marked_cached(tmp_path):
    path = tmp_path / "c.sqlite3"
    inner = Counting()
    cached = CachedBackend(inner, path)
    first = await cached.generate(REQ)  # temperature > 0 and no seed: cached all the same
    second = await cached.generate(REQ)
    assert first.texts == second.texts == ["reply 1"]
    assert first.cached is False and second.cached is True
    assert len(inner.requests) == 1 and len(cached) == 1
    await cached.aclose()
    # a new process (new instance) reads the same file
    again = CachedBackend(Counting(), path)
    assert (await again.generate(REQ)).cached is True
    await again.aclose()


async def test_any_change_in_request_or_model_is_a_miss(tmp_path):
    inner = Counting()
    cached = CachedBackend(inner, tmp_path / "c.sqlite3")
    await cached.generate(REQ)
    for variant in (
        REQ.model_copy(update={"seed": 1}),
        REQ.model_copy(update={"n": 2}),
        REQ.model_copy(update={"max_tokens": 5}),
        REQ.model_copy(update={"json_schema": {"type": "object"}}),
        REQ.model_copy(update={"messages": (Message(role="user", content="q "),)}),
    ):
        assert (await cached.generate(variant)).cached is False
    other_model = CachedBackend(Counting(model="other"), tmp_path / "c.sqlite3")
    assert (await other_model.generate(REQ)).cached is False
    assert len(cached) == 7


def test_key_includes_base_url_but_not_other_params():
    a = ComponentSpec(name="openai", params={"model": "m", "base_url": "http://a/v1", "timeout": 1})
    b = ComponentSpec(name="openai", params={"model": "m", "base_url": "http://b/v1", "timeout": 1})
    c = ComponentSpec(name="openai", params={"model": "m", "base_url": "http://a/v1", "timeout": 9})
    assert cache_key(a, REQ) != cache_key(b, REQ)
    assert cache_key(a, REQ) == cache_key(c, REQ)


async def test_errors_are_never_cached(tmp_path):
    inner = FakeBackend([BackendUnavailable("down", backend="fake"), "ok"])
    cached = CachedBackend(inner, tmp_path / "c.sqlite3")
    with pytest.raises(BackendUnavailable):
        await cached.generate(REQ)
    assert len(cached) == 0
    assert (await cached.generate(REQ)).texts == ["ok"]
    assert len(cached) == 1


async def test_concurrent_identical_requests_generate_once(tmp_path):
    inner = Counting(delay=0.05)
    cached = CachedBackend(inner, tmp_path / "c.sqlite3")
    other = REQ.model_copy(update={"seed": 3})
    results = await asyncio.gather(*(cached.generate(r) for r in [REQ] * 5 + [other] * 3))
    assert len(inner.requests) == 2
    assert {tuple(r.texts) for r in results[:5]} == {tuple(results[0].texts)}
    assert sum(not r.cached for r in results) == 2
    assert cached._inflight == {}


async def test_spec_and_concurrency_are_the_inner_backends(tmp_path):
    inner = FakeBackend(["x"], model="mm", max_concurrency=3)
    cached = CachedBackend(inner, tmp_path / "c.sqlite3")
    assert cached.spec == inner.spec and cached.max_concurrency == 3


async def test_unusable_cache_file_is_a_config_error(tmp_path):
    bad = tmp_path / "c.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ConfigError, match="--no-cache"):
        await CachedBackend(FakeBackend(["x"]), bad).generate(REQ)


async def test_corrupt_entry_is_regenerated(tmp_path):
    path = tmp_path / "c.sqlite3"
    inner = Counting()
    cached = CachedBackend(inner, path)
    await cached.generate(REQ)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE responses SET generation = '{broken'")
    assert (await cached.generate(REQ)).cached is False
    assert len(inner.requests) == 2


def test_key_keeps_schema_property_order():
    """Property order decides what a constrained model writes first, so it is part of the key."""
    first = {"type": "object", "properties": {"reasoning": {}, "answer": {}}}
    second = {"type": "object", "properties": {"answer": {}, "reasoning": {}}}
    spec = ComponentSpec(name="embedded", params={"model": "m"})
    a = cache_key(spec, REQ.model_copy(update={"json_schema": first}))
    b = cache_key(spec, REQ.model_copy(update={"json_schema": second}))
    assert a != b
