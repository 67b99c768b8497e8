"""Fixtures for the harness tests: tiny hand-written data files and scripted backends."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from clinreason.backends.fake import FakeBackend
from clinreason.trace import GenerateRequest

DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.fixture
def data_dir() -> Path:
    """tests/bench/data."""
    return DATA


@pytest.fixture
def shared_dir() -> Path:
    """../shared/data, or skip."""
    if not SHARED.is_dir():
        pytest.skip(f"shared development data not found: {SHARED}")
    return SHARED.resolve()


def answer_by_keyword(
    mapping: dict[str, str], default: str = "A"
) -> Callable[[GenerateRequest], str]:
    """A reply function: JSON with the answer letter of the first keyword found in the prompt."""

    def reply(request: GenerateRequest) -> str:
        text = request.messages[-1].content
        letter = next((v for k, v in mapping.items() if k in text), default)
        return json.dumps({"reasoning": f"Key finding noted. So {letter}.", "answer": letter})

    return reply


@pytest.fixture
def scripted_backend() -> Callable[..., FakeBackend]:
    """FakeBackend factory answering by keyword."""

    def make(
        mapping: dict[str, str] | None = None, *, default: str = "A", **kw: object
    ) -> FakeBackend:
        return FakeBackend(answer_by_keyword(mapping or {}, default), **kw)  # type: ignore[arg-type]

    return make
