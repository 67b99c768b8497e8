"""`make_backend`: names, options and the cache wrapper the CLI relies on."""

from __future__ import annotations

import json

import pytest

from clinreason.backends import BACKENDS, CachedBackend, make_backend
from clinreason.backends.base import Backend
from clinreason.backends.fake import FakeBackend
from clinreason.backends.llama_cpp import EmbeddedBackend
from clinreason.backends.openai_http import OpenAIBackend
from clinreason.errors import ConfigError
from clinreason.trace import GenerateRequest, Message


def test_unknown_backend_lists_the_valid_names():
    with pytest.raises(
        ConfigError, match="unknown backend 'vllm'; choose from embedded, openai, fake"
    ):
        make_backend("vllm")
    assert set(BACKENDS) == {"embedded", "openai", "fake"}


def test_options_that_do_not_apply_are_named():
    with pytest.raises(ConfigError, match=r"n_threads do not apply to the openai backend"):
        make_backend("openai", model="m", base_url="http://h/v1", n_threads=2)
    with pytest.raises(ConfigError, match="base URL"):
        make_backend("openai", model="m")
    with pytest.raises(ConfigError, match="model name"):
        make_backend("openai", base_url="http://h/v1")


def test_embedded_defaults_to_the_main_model_and_is_cached_lazily(tmp_path):
    be = make_backend("embedded", model=None, cache_path=tmp_path / "c.sqlite3", n_threads=1)
    assert isinstance(be, CachedBackend) and isinstance(be.inner, EmbeddedBackend)
    assert be.spec.params["model"] == "qwen2.5-coder-1.5b" and be.max_concurrency == 1
    assert not (tmp_path / "c.sqlite3").exists()  # nothing happens until a request
    plain = make_backend("embedded", model="smollm2-135m", cache=False)
    assert isinstance(plain, EmbeddedBackend) and isinstance(plain, Backend)


def test_openai_backend_options_pass_through():
    be = make_backend(
        "openai", model="m", base_url="http://h/v1", cache=False, timeout=3, max_concurrency=2,
        schema_mode="json_object", api_key_env="K",
    )  # fmt: skip
    assert isinstance(be, OpenAIBackend) and be.max_concurrency == 2 and be.timeout == 3
    assert be.spec.params["api_key_env"] == "K"


async def test_fake_is_never_cached_and_replies_in_the_schema_shape():
    be = make_backend("fake", cache=True)
    assert isinstance(be, FakeBackend)
    schema = {
        "type": "object",
        "properties": {
            "reasoning": {"type": "string"},
            "answer": {"type": "string", "enum": ["B", "C"]},
            "dose": {"type": "number"},
        },
    }
    gen = await be.generate(
        GenerateRequest(messages=(Message(role="user", content="q"),), json_schema=schema)
    )
    reply = json.loads(gen.texts[0])
    assert reply["answer"] == "B" and reply["dose"] == 0
    assert "no language model was called" in reply["reasoning"]
