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
