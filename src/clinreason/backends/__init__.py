"""Language-model backends: one protocol (`Backend.generate`), three implementations.

- `embedded`: llama-cpp-python in-process, model from a PyPI package (default
  `qwen2.5-coder-1.5b`; `smollm2-135m` is the small fast one);
- `openai`: any OpenAI-compatible `/v1/chat/completions` server, or several serving one model
  (`FanoutBackend`: per-endpoint concurrency, health checks, failover);
- `fake`: scripted replies for tests and offline demos.

`make_backend` is what the CLI and API use; Python users construct the classes directly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from clinreason.backends.base import Backend
from clinreason.backends.cache import CachedBackend, default_cache_path
from clinreason.backends.fake import FakeBackend
from clinreason.backends.fanout import FanoutBackend
from clinreason.backends.llama_cpp import EmbeddedBackend
from clinreason.backends.models import (
    DEFAULT_MODEL,
    MODELS,
    TEST_MODEL,
    check_model_name,
    list_models,
)
from clinreason.backends.openai_http import OpenAIBackend
from clinreason.backends.retry import RetryPolicy
from clinreason.errors import ConfigError
from clinreason.trace import GenerateRequest

BACKENDS: dict[str, type] = {
    "embedded": EmbeddedBackend,
    "openai": OpenAIBackend,
    "fake": FakeBackend,
}
"""Backend name -> class, for the CLI and the API."""

_OPTIONS: dict[str, set[str]] = {
    "embedded": {"n_threads", "n_ctx", "seed", "logprobs", "prompt_cache", "cache_dir"},
    "openai": {
        "base_url",
        "api_key_env",
        "timeout",
        "max_concurrency",
        "schema_mode",
        "retry",
        "per_endpoint",
    },
    "fake": {"script"},
}


def demo_reply(request: GenerateRequest) -> str:
    """The `fake` backend's reply: schema-shaped JSON that says no model was called.

    It picks the first allowed answer when the schema lists them, so offline demos run end to
    end; the reasoning text makes plain that nothing was inferred.

    >>> from clinreason.trace import Message
    >>> schema = {"type": "object", "properties": {"answer": {"type": "string", "enum": ["A"]}}}
    >>> demo_reply(GenerateRequest(messages=(Message(role="user", content="q"),),
    ...                            json_schema=schema))
    '{"answer": "A"}'
    """
    note = "fake backend: no language model was called"
    schema = request.json_schema or {}
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return f"{note}. ANSWER: unknown"
    reply: dict[str, Any] = {}
    for key, sub in properties.items():
        enum = sub.get("enum") if isinstance(sub, dict) else None
        if isinstance(enum, list) and enum:
            reply[key] = enum[0]
        elif isinstance(sub, dict) and sub.get("type") in ("number", "integer"):
            reply[key] = 0
        else:
            reply[key] = note if key != "answer" else "unknown"
    return json.dumps(reply)


def make_backend(
    name: str,
    *,
    model: str | None = None,
    cache: bool = True,
    cache_path: Path | None = None,
    **options: Any,
) -> Backend:
    """A backend by name, wrapped in the response cache unless `cache=False`.

    Args:
        name: `embedded`, `openai` or `fake`.
        model: Model name; default `qwen2.5-coder-1.5b` for `embedded` (required for
            `openai`).
        cache: Put a `CachedBackend` in front (never for `fake`).
        cache_path: SQLite file of the cache; default in the user cache dir.
        **options: Backend options (embedded: n_threads, n_ctx, seed, logprobs,
            prompt_cache; openai: base_url (a URL, or a list of them for a fan-out),
            api_key_env, timeout, max_concurrency, schema_mode, per_endpoint).

    Raises:
        ConfigError: Unknown backend name or option, or a missing required option.

    >>> make_backend("fake", cache=False).spec.name
    'fake'
    """
    if name not in BACKENDS:
        raise ConfigError(f"unknown backend {name!r}; choose from {', '.join(BACKENDS)}")
    unknown = sorted(set(options) - _OPTIONS[name])
    if unknown:
        allowed = ", ".join(sorted(_OPTIONS[name]))
        raise ConfigError(
            f"option(s) {', '.join(unknown)} do not apply to the {name} backend "
            f"(it takes: {allowed})"
        )
    backend: Backend
    if name == "embedded":
        check_model_name(model or DEFAULT_MODEL)
        backend = EmbeddedBackend(model=model or DEFAULT_MODEL, **options)
    elif name == "openai":
        if not options.get("base_url"):
            raise ConfigError("the openai backend needs a base URL (--base-url)")
        if not model:
            raise ConfigError("the openai backend needs a model name (--model)")
        urls = options.pop("base_url")
        urls = [urls] if isinstance(urls, str) else list(urls)
        per_endpoint = options.pop("per_endpoint", None)
        if len(urls) > 1:
            if "max_concurrency" in options or "retry" in options:
                raise ConfigError("with several base URLs, set per_endpoint (not max_concurrency)")
            extra = {"per_endpoint": per_endpoint} if per_endpoint is not None else {}
            backend = FanoutBackend(urls, model, **extra, **options)
        else:
            if per_endpoint is not None:
                options.setdefault("max_concurrency", per_endpoint)
            backend = OpenAIBackend(urls[0], model=model, **options)
    else:
        script = options.get("script", demo_reply)
        return FakeBackend(script=script, model=model or "fake")
    if cache:
        return CachedBackend(backend, cache_path)
    return backend


__all__ = [
    "BACKENDS",
    "DEFAULT_MODEL",
    "MODELS",
    "TEST_MODEL",
    "Backend",
    "CachedBackend",
    "EmbeddedBackend",
    "FakeBackend",
    "FanoutBackend",
    "OpenAIBackend",
    "RetryPolicy",
    "default_cache_path",
    "list_models",
    "make_backend",
]
