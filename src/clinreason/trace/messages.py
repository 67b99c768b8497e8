"""Wire types shared by backends and `llm_call` steps."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, JsonValue

from clinreason.trace._base import DataModel


class Message(DataModel, frozen=True):
    """One chat message."""

    role: Literal["system", "user", "assistant"]
    content: str


class GenerateRequest(DataModel, frozen=True):
    """Everything a backend needs for one generation call; also the response-cache key."""

    messages: tuple[Message, ...] = Field(min_length=1)
    max_tokens: int = Field(default=512, ge=1)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    top_p: float | None = None
    stop: tuple[str, ...] = ()
    seed: int | None = None
    n: int = Field(default=1, ge=1, le=64)
    """Samples wanted; backends without native n loop internally."""
    json_schema: dict[str, JsonValue] | None = None
    """Constrain the output to this JSON Schema (OpenAI response_format / llama.cpp grammar)."""
    logprobs: bool = False
    """Return per-token log-probabilities where the backend has them."""
    top_logprobs: int = Field(default=0, ge=0, le=20)
    """With `logprobs`: also the this-many most likely tokens at each position (0 = none)."""


class Usage(DataModel):
    """Token counts."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class TokenLogprob(DataModel, frozen=True):
    """One generated token and its log-probability."""

    token: str
    logprob: float
    top: dict[str, float] = {}
    """The most likely tokens at this position and their log-probabilities, when requested
    (`GenerateRequest.top_logprobs`) and the backend returns them."""


def parse_openai_logprobs(value: object) -> list[TokenLogprob] | None:
    """OpenAI-style `choice.logprobs` (`{"content": [{"token", "logprob", "top_logprobs"}]}`, as
    OpenAI-compatible servers and llama-cpp-python return it) -> tokens, None when absent.

    >>> parse_openai_logprobs({"content": [{"token": "A", "logprob": -0.1,
    ...     "top_logprobs": [{"token": "A", "logprob": -0.1}, {"token": "B", "logprob": -2.4}]}]})
    [TokenLogprob(token='A', logprob=-0.1, top={'A': -0.1, 'B': -2.4})]
    >>> parse_openai_logprobs(None) is None
    True
    """
    content = value.get("content") if isinstance(value, dict) else None
    if not isinstance(content, list):
        return None
    tokens = []
    for item in content:
        if not isinstance(item, dict) or "token" not in item or item.get("logprob") is None:
            continue
        top: dict[str, float] = {}
        for alt in item.get("top_logprobs") or ():
            if isinstance(alt, dict) and "token" in alt and alt.get("logprob") is not None:
                top.setdefault(str(alt["token"]), float(alt["logprob"]))
        logprob = float(item["logprob"])
        tokens.append(TokenLogprob(token=str(item["token"]), logprob=logprob, top=top))
    return tokens


class Generation(DataModel):
    """A backend's answer to a `GenerateRequest`."""

    texts: list[str]
    """One text per sample (len == request.n)."""
    finish_reasons: list[str] = []
    model: str
    usage: Usage = Usage()
    logprobs: list[list[TokenLogprob]] | None = None
    """Per sample, the generated tokens with log-probabilities (None if unavailable)."""
    cached: bool = False
    """True when served from the response cache."""
