"""The `Strategy` protocol and the one place where strategy failures become trace errors."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar, Protocol, runtime_checkable

from clinreason.backends.base import Backend
from clinreason.errors import BackendError, ClinReasonError
from clinreason.trace import (
    Answer,
    Case,
    GenerateRequest,
    Generation,
    LLMCall,
    Step,
    Trace,
    TraceBuilder,
    component_spec,
)


@runtime_checkable
class Strategy(Protocol):
    """A reasoning recipe. Configuration lives in the (frozen dataclass) fields."""

    name: ClassVar[str]
    version: ClassVar[int]

    async def solve(self, case: Case, backend: Backend, tb: TraceBuilder) -> Answer:
        """Record steps in `tb` and return the answer they support.

        Raise a `ClinReasonError` when no answer can be given; `run` records it as the
        trace's error.
        """
        ...


async def run(
    strategy: Strategy,
    case: Case,
    backend: Backend,
    *,
    on_step: Callable[[Step], None] | None = None,
) -> Trace:
    """Run `strategy` on `case`; failures become `Trace.error`, never an answer.

    `on_step` is called with each step as the strategy adds it (`TraceBuilder.on_add`).

    Gold is blinded: the strategy, and the trace (`trace.case`, hence the verifiers), get
    `case.blinded()` (no gold, gold range, rationale or gold-derived metadata). Score the
    trace against the full `case` you passed in.
    """
    blind = case.blinded()
    tb = TraceBuilder(blind, component_spec(strategy), backend.spec, on_add=on_step)
    try:
        answer = await strategy.solve(blind, backend, tb)
    except BackendError as exc:
        return tb.fail(exc, retryable=exc.retryable)
    except ClinReasonError as exc:
        return tb.fail(exc)
    return tb.finish(answer)


async def call_llm(
    tb: TraceBuilder,
    backend: Backend,
    request: GenerateRequest,
    *,
    purpose: str,
    parents: list[str] | None = None,
) -> tuple[LLMCall, Generation]:
    """Call the backend and record an `llm_call` step (also when the call fails, then re-raise)."""
    started = time.perf_counter()
    try:
        generation = await backend.generate(request)
    except BackendError as exc:
        tb.add(
            LLMCall(
                purpose=purpose,
                request=request,
                error=str(exc),
                parents=parents or [],
                duration_s=time.perf_counter() - started,
            )
        )
        raise
    step = tb.add(
        LLMCall(
            purpose=purpose,
            request=request,
            response=generation,
            usage=generation.usage,
            parents=parents or [],
            duration_s=time.perf_counter() - started,
        )
    )
    return step, generation
