"""`Trace`: what a strategy did for a case, step by step, and the answer those steps support."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from pydantic import AwareDatetime, Field, JsonValue

from clinreason.trace._base import DataModel, utcnow
from clinreason.trace.case import Case
from clinreason.trace.claims import Claim, Trust
from clinreason.trace.messages import Usage
from clinreason.trace.steps import LLMCall, Step, StepBase
from clinreason.trace.verdict import Verdict

SCHEMA_VERSION = "1.4"
"""MAJOR.MINOR of the trace format. Readers refuse a newer MAJOR; see docs/trace-format.md."""

S = TypeVar("S", bound=StepBase)


class Answer(DataModel):
    """The final answer and the steps that justify it."""

    value: str | None
    """Normalized answer ('C', '42.5', '03/14/2024', free text); None = no answer could be given."""
    unit: str | None = None
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    support: list[str] = []
    """Ids of the steps that justify the answer: the root of the explanation."""
    raw: str = ""
    """The model text the answer was extracted from, if any."""


class ErrorInfo(DataModel):
    """Why a trace has no answer. Errors are never encoded as answer text."""

    type: str
    message: str
    retryable: bool = False
    step_id: str | None = None


class ComponentSpec(DataModel, frozen=True):
    """Name, version and configuration of a strategy or backend (never secrets)."""

    name: str
    version: int = 1
    params: dict[str, JsonValue] = {}


def _jsonable(value: Any) -> JsonValue:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return component_spec(value).model_dump(mode="json")
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return repr(value)


def component_spec(obj: Any) -> ComponentSpec:
    """Spec of a dataclass component from its `name`, `version` and public fields.

    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Demo:
    ...     name = "demo"
    ...     k: int = 3
    >>> component_spec(Demo()).params
    {'k': 3}
    """
    params: dict[str, JsonValue] = {}
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            if not f.name.startswith("_") and f.repr:
                params[f.name] = _jsonable(getattr(obj, f.name))
    return ComponentSpec(
        name=str(getattr(obj, "name", type(obj).__name__)),
        version=int(getattr(obj, "version", 1)),
        params=params,
    )


class Trace(DataModel):
    """An answer to a case with every step that led to it; self-contained and re-checkable."""

    schema_version: str = SCHEMA_VERSION
    case: Case
    """The case answered, embedded so the trace can be re-verified on its own."""
    strategy: ComponentSpec
    backend: ComponentSpec | None = None
    """Backend and model used (None for strategies that call no model)."""
    steps: list[Step] = []
    answer: Answer | None = None
    error: ErrorInfo | None = None
    """Set when the run failed; the answer is then None."""
    usage: Usage = Usage()
    started_at: AwareDatetime = Field(default_factory=utcnow)
    finished_at: AwareDatetime | None = None
    verdicts: list[Verdict] = []
    """Verifier verdicts attached after generation (recomputed by `clinreason verify`)."""
    claims: list[Claim] = []
    """The claims the answer depends on, each with its status (since 1.1; see `Claim`)."""
    trust: Trust | None = None
    """The calibrated trust assessment built from `claims` (since 1.1)."""

    @property
    def duration_s(self) -> float | None:
        """Wall-clock seconds from start to finish."""
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    def step(self, step_id: str) -> Step:
        """The step with this id.

        Raises:
            KeyError: no such step.
        """
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(f"no step {step_id!r} in trace of case {self.case.id!r}")

    def steps_of(self, kind: type[S]) -> list[S]:
        """All steps of one type, in order."""
        return [s for s in self.steps if isinstance(s, kind)]

    def ancestors(self, step_ids: list[str]) -> list[str]:
        """The given steps and every step they build on, in trace order."""
        by_id = {s.id: s for s in self.steps}
        seen: set[str] = set()
        todo = [i for i in step_ids if i in by_id]
        while todo:
            sid = todo.pop()
            if sid not in seen:
                seen.add(sid)
                todo.extend(p for p in by_id[sid].parents if p in by_id)
        return [s.id for s in self.steps if s.id in seen]


class TraceBuilder:
    """Records steps with ids s1, s2, ... and finishes a `Trace`.

    >>> from clinreason.trace.steps import Thought
    >>> tb = TraceBuilder(Case(id="c", question="q?"), ComponentSpec(name="demo"))
    >>> tb.add(Thought(text="because")).id
    's1'
    >>> tb.finish(Answer(value="A", support=["s1"])).answer.value
    'A'
    """

    def __init__(
        self,
        case: Case,
        strategy: ComponentSpec,
        backend: ComponentSpec | None = None,
        *,
        on_add: Callable[[Step], None] | None = None,
    ) -> None:
        self.case = case
        self.strategy = strategy
        self.backend = backend
        self.steps: list[Step] = []
        self.started_at: datetime = utcnow()
        self.on_add = on_add
        """Called with each step as it is added (e.g. to stream steps to a web page)."""

    def add(self, step: S) -> S:
        """Assign the next id to `step`, record it, tell `on_add`, and return it."""
        step.id = f"s{len(self.steps) + 1}"
        self.steps.append(step)  # type: ignore[arg-type]
        if self.on_add is not None:
            self.on_add(step)  # type: ignore[arg-type]
        return step

    def _trace(self, answer: Answer | None, error: ErrorInfo | None) -> Trace:
        usage = Usage()
        for s in self.steps:
            if isinstance(s, LLMCall):
                usage = usage + s.usage
        return Trace(
            case=self.case,
            strategy=self.strategy,
            backend=self.backend,
            steps=list(self.steps),
            answer=answer,
            error=error,
            usage=usage,
            started_at=self.started_at,
            finished_at=utcnow(),
        )

    def finish(self, answer: Answer) -> Trace:
        """The finished trace with its answer."""
        return self._trace(answer, None)

    def fail(self, exc: BaseException, *, retryable: bool = False) -> Trace:
        """The finished trace of a failed run: the error is recorded, the answer is None."""
        failed = [s.id for s in self.steps if isinstance(s, LLMCall) and s.error]
        info = ErrorInfo(
            type=type(exc).__name__,
            message=str(exc) or type(exc).__name__,
            retryable=retryable,
            step_id=failed[-1] if failed else None,
        )
        return self._trace(None, info)
