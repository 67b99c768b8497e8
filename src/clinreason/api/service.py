"""What the HTTP API and the MCP server do, independent of either transport.

Each operation takes a validated request model and returns JSON-ready data or a `Trace`. Bad
input raises a `ClinReasonError` (`ConfigError`, `InputError`, `TraceFormatError`) with a one-line
message; the transports turn it into a 4xx response or a tool error. Deterministic operations
(calculators without the model, the differential) run without any backend.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from clinreason.backends.base import Backend
from clinreason.backends.fake import FakeBackend
from clinreason.errors import ClinReasonError, ConfigError, InputError
from clinreason.tools.calculators import CALCULATORS, Calculator, by_slug
from clinreason.tools.calculators.references import reference_of
from clinreason.tools.kg.base import KnowledgeGraph
from clinreason.trace import Case, Extraction, KGLink, Step, ToolCall, Trace, trace_from_dict

MAX_TEXT = 200_000
"""Longest note or question accepted (characters); the request-size limit applies as well."""


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExplainRequest(_Request):
    """A case to answer, with the strategy to use."""

    case: Case
    """The case in the Case schema (`id`, `question`, `context`, `options`, ...)."""
    strategy: str = "auto"
    """A strategy name (see `clinreason explain --help`) or 'auto'."""
    params: dict[str, JsonValue] = {}
    """Strategy parameters, as `-S key=value` on the command line."""
    verify: bool = True
    """Attach verifier verdicts, the claim ledger and the trust assessment."""


class CalculateRequest(_Request):
    """A calculator with structured inputs, or a note to read the inputs from."""

    calculator: str | int | None = None
    """Calculator slug (e.g. 'egfr_ckd_epi_2021') or MedCalc-Bench id; see /v1/calculators."""
    inputs: dict[str, JsonValue] | None = None
    """Entity values: measurements as [value, unit], findings as true/false, choices as text."""
    note: str | None = Field(default=None, max_length=MAX_TEXT)
    """A patient note to extract the inputs from (each with its evidence span)."""
    question: str | None = Field(default=None, max_length=MAX_TEXT)
    """With a note and no calculator: the question naming the calculation."""
    use_llm: bool = False
    """With a note: let the model judge yes/no items the rules cannot decide."""

    @model_validator(mode="after")
    def _one_source(self) -> CalculateRequest:
        if (self.inputs is None) == (self.note is None):
            raise ValueError("give either 'inputs' or 'note'")
        if self.inputs is not None and self.calculator is None:
            raise ValueError("'inputs' needs 'calculator'")
        if self.note is not None and self.calculator is None and not self.question:
            raise ValueError("a 'note' needs 'calculator' or 'question'")
        return self


class DifferentialRequest(_Request):
    """Findings as HPO ids, or a free-text note to recognise them in."""

    hpo_ids: list[str] | None = Field(default=None, max_length=500)
    """Observed phenotype terms, e.g. ['HP:0001250']."""
    excluded: list[str] = Field(default=[], max_length=500)
    """Terms reported absent (with hpo_ids)."""
    text: str | None = Field(default=None, max_length=MAX_TEXT)
    """A note; findings are recognised with negation."""
    top_k: int = Field(default=10, ge=1, le=100)

    @model_validator(mode="after")
    def _one_source(self) -> DifferentialRequest:
        if (self.hpo_ids is None) == (self.text is None):
            raise ValueError("give either 'hpo_ids' or 'text'")
        if self.text is not None and not self.text.strip():
            raise ValueError("'text' is empty")
        return self


def calculator_info(calc: Calculator) -> dict[str, Any]:
    """A calculator's id, names, inputs and reference as JSON."""
    return {
        "id": calc.id,
        "slug": calc.slug,
        "name": calc.name,
        "aliases": list(calc.aliases),
        "category": calc.category,
        "output_type": calc.output_type,
        "inputs": [
            {
                "name": p.name,
                "kind": p.kind,
                "unit": p.unit,
                "choices": list(p.choices),
                "required": p.required,
                "default": p.default,
                "description": p.description,
                "bounds": list(p.bounds) if p.bounds else None,
            }
            for p in calc.params
        ],
        "reference": reference_of(calc).to_json(),
    }


def list_calculators() -> list[dict[str, Any]]:
    """Every calculator with its inputs and reference, by MedCalc-Bench id."""
    return [calculator_info(CALCULATORS[i]) for i in sorted(CALCULATORS)]


def find(calculator: str | int) -> Calculator:
    """A calculator by slug or MedCalc-Bench id (an id may be given as text).

    Raises:
        InputError: no such calculator.
    """
    if isinstance(calculator, int) or calculator.strip().isdigit():
        calc = CALCULATORS.get(int(calculator))
        if calc is None:
            raise InputError(f"unknown calculator id {calculator!r}; see /v1/calculators")
        return calc
    return by_slug(calculator.strip())


def _offline(coro_factory: Any) -> Any:
    """Run a deterministic strategy in a worker thread, so the server's event loop stays free."""
    return asyncio.to_thread(lambda: asyncio.run(coro_factory()))


def _failed(trace: Trace) -> None:
    if trace.error is not None:
        raise InputError(trace.error.message)


async def calculate(req: CalculateRequest, backend: Backend | None = None) -> dict[str, Any]:
    """Compute a calculator from structured inputs, or from a note (with evidence spans)."""
    if req.inputs is not None:
        calc = find(req.calculator)  # type: ignore[arg-type]
        comp = calc.compute(req.inputs)
        value = list(comp.value) if isinstance(comp.value, tuple) else comp.value
        return {
            "calculator": calculator_info(calc),
            "value": value,
            "unit": comp.unit,
            "steps": list(comp.steps),
            "inputs": comp.inputs,
            "assumptions": list(comp.assumptions),
            "reference": reference_of(calc).to_json(),
        }
    return await _calculate_note(req, backend)


async def _calculate_note(req: CalculateRequest, backend: Backend | None) -> dict[str, Any]:
    from clinreason.strategies import run
    from clinreason.strategies.calculator import CalculatorStrategy

    calc = find(req.calculator) if req.calculator is not None else None
    question = req.question or f"What is the patient's {calc.name}?"  # type: ignore[union-attr]
    case = Case(id="api", question=question, context=req.note or "")
    strategy = CalculatorStrategy(use_llm=req.use_llm)
    if req.use_llm and backend is not None:
        trace = await run(strategy, case, backend)
    else:
        trace = await _offline(lambda: run(strategy, case, FakeBackend([])))
    trace = await asyncio.to_thread(attach_verdicts, trace)
    _failed(trace)
    call = next(s for s in reversed(trace.steps) if isinstance(s, ToolCall))
    used = by_slug(call.tool.removeprefix("calculator."))
    if calc is not None and used.slug != calc.slug:
        raise InputError(f"the question names {used.name}, not {calc.name}")
    result = call.result if isinstance(call.result, dict) else {}
    return {
        "calculator": calculator_info(used),
        "value": result.get("value"),
        "unit": result.get("unit"),
        "steps": list(call.explanation),
        "inputs": call.arguments,
        "extractions": [
            s.model_dump(
                mode="json", include={"id", "name", "value", "unit", "span", "method", "note"}
            )
            for s in trace.steps_of(Extraction)
        ],
        "reference": reference_of(used).to_json(),
        "trust": trace.trust.model_dump(mode="json") if trace.trust else None,
        "trace": trace.model_dump(mode="json"),
    }


async def differential(
    req: DifferentialRequest, graph: KnowledgeGraph | None = None
) -> dict[str, Any]:
    """The ranked differential with HPO paths for the findings."""
    from clinreason.strategies import run
    from clinreason.strategies.diagnose import TOOL, Diagnose

    metadata: dict[str, JsonValue] = {}
    if req.hpo_ids is not None:
        metadata = {"observed": list(req.hpo_ids), "excluded": list(req.excluded)}
    case = Case(
        id="api", question="Differential diagnosis?", context=req.text or "", metadata=metadata
    )
    strategy = Diagnose(top_k=req.top_k, graph=graph)
    trace = await _offline(lambda: run(strategy, case, FakeBackend([])))
    _failed(trace)
    call = next(s for s in trace.steps_of(ToolCall) if s.tool == TOOL)
    result = call.result if isinstance(call.result, dict) else {}
    return {
        "graph": result.get("graph"),
        "differential": result.get("differential", []),
        "findings": [
            s.model_dump(
                mode="json", include={"id", "mention", "span", "entity", "label", "negated"}
            )
            for s in trace.steps_of(KGLink)
        ],
        "dropped": result.get("dropped", []),
        "summary": list(call.explanation),
    }


def attach_verdicts(trace: Trace) -> Trace:
    """The trace with verifier verdicts, the claim ledger and trust (as `clinreason explain`)."""
    from clinreason.verify import verify_trace
    from clinreason.verify.trust import with_assessment

    return with_assessment(trace.model_copy(update={"verdicts": verify_trace(trace)}))


def make_explain_strategy(req: ExplainRequest, graph: KnowledgeGraph | None) -> Any:
    """The strategy an explain request names ('auto' picks one by the question)."""
    from clinreason.cli._common import make_strategy
    from clinreason.cli.explain_cmd import choose_strategy

    name = choose_strategy(req.case) if req.strategy == "auto" else req.strategy
    if "graph" in req.params:
        raise ConfigError(
            "parameter 'graph' cannot be set over the API (the server's graph is used)"
        )
    params = dict(req.params)
    if name == "diagnose" and graph is not None:
        params.setdefault("graph", graph)  # type: ignore[arg-type]
    return make_strategy(name, params)


async def explain(
    req: ExplainRequest,
    backend: Backend,
    graph: KnowledgeGraph | None,
    *,
    strategy: Any = None,
    on_step: Callable[[Step], None] | None = None,
) -> Trace:
    """Answer a case: the trace, verified. A failed run keeps its `error` (never an answer).

    `strategy`: the one `make_explain_strategy` made for `req` (default: made here);
    `on_step`: called with each step as it is added (from a worker thread for `diagnose`).

    Raises:
        ConfigError: unknown strategy or bad parameters.
    """
    from clinreason.strategies import run

    if strategy is None:
        # in a worker thread: opening an index or loading the HPO graph takes seconds
        strategy = await asyncio.to_thread(make_explain_strategy, req, graph)
    try:
        if getattr(strategy, "name", "") == "diagnose":  # CPU-bound, calls no model
            trace = await _offline(lambda: run(strategy, req.case, backend, on_step=on_step))
        else:
            trace = await run(strategy, req.case, backend, on_step=on_step)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:  # a bad parameter, at run time
        if not req.params:
            raise
        raise ConfigError(f"bad parameters for strategy {req.strategy!r}: {exc}") from None
    return await asyncio.to_thread(attach_verdicts, trace) if req.verify else trace


def verify(data: Any, verifiers: list[str] | None = None) -> dict[str, Any]:
    """Re-check a trace (JSON): verdicts, summary, claims and trust, as `clinreason verify`."""
    from clinreason.verify import summarize, verify_trace
    from clinreason.verify.trust import assess

    trace = trace_from_dict(data)
    verdicts = verify_trace(trace, verifiers or None, case=trace.case.blinded())
    claims, trust = assess(trace, verdicts)
    return {
        "case_id": trace.case.id,
        "summary": summarize(verdicts),
        "trust": trust.model_dump(mode="json"),
        "claims": [c.model_dump(mode="json") for c in claims],
        "verdicts": [v.model_dump(mode="json") for v in verdicts],
    }


ErrorKind = Literal["input", "backend"]


def error_kind(trace: Trace) -> ErrorKind | None:
    """Whether a failed trace failed on its input or on the backend (None: it has an answer)."""
    from clinreason.errors import BackendError

    if trace.error is None:
        return None
    names: set[str] = {"MissingDependencyError"}  # the server's backend cannot run here
    todo: list[type] = [BackendError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return "backend" if trace.error.type in names else "input"


__all__ = [
    "CalculateRequest",
    "ClinReasonError",
    "DifferentialRequest",
    "ExplainRequest",
    "attach_verdicts",
    "calculate",
    "calculator_info",
    "differential",
    "explain",
    "list_calculators",
    "verify",
]
