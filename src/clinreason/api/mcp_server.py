"""`clinreason mcp`: the calculators (with "what if?"), the differential, explain, verify and
"why?" as MCP tools (stdio).

Built with the official `mcp` SDK (`MCPServer`). Every tool returns JSON (structured content);
every calculator result and listing carries the calculator's published reference (citation,
DOI or PMID where known). Bad input is a tool error with a one-line message, never an answer.
Nothing is written to stdout except the protocol, and nothing from a request is logged.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field, JsonValue

from clinreason.api import service
from clinreason.api.whatif import WhatIfRequest, what_if
from clinreason.api.why import WhyRequest, why
from clinreason.backends.base import Backend
from clinreason.errors import ClinReasonError
from clinreason.tools.kg.base import KnowledgeGraph

INSTRUCTIONS = (
    "clinreason: clinical calculators with their published sources, a phenotype-driven "
    "differential (HPO), and answers to clinical questions as verifiable traces. A research and "
    "decision-support tool, not a medical device: check every step against the patient record."
)


def _contained(tool: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Bad input -> a tool error with one line; anything else -> a tool error naming its type.

    The SDK logs an unexpected exception with its traceback, which can quote the patient's
    text; contained here, the client sees the type and nothing is logged.
    """

    @functools.wraps(tool)
    async def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return await tool(*args, **kwargs)
        except ToolError:
            raise
        except ClinReasonError as exc:
            raise ToolError(str(exc).splitlines()[0] or type(exc).__name__) from None
        except Exception as exc:
            raise ToolError(f"internal error ({type(exc).__name__})") from None

    return run


def build_server(
    backend_factory: Callable[[], Backend], *, graph: KnowledgeGraph | None = None
) -> Any:
    """The MCP server; `backend_factory` is called once, on the first tool that needs a model."""
    from mcp.server.mcpserver import MCPServer

    server = MCPServer("clinreason", instructions=INSTRUCTIONS, log_level="WARNING")
    held: list[Backend] = []

    def backend() -> Backend:
        if not held:
            held.append(backend_factory())
        return held[0]

    @server.tool()
    @_contained
    async def list_calculators() -> dict[str, Any]:
        """Every clinical calculator: id, slug, name, inputs (kind, unit, choices) and reference."""
        return {"calculators": service.list_calculators()}

    @server.tool()
    @_contained
    async def calculate(
        calculator: Annotated[
            str | int | None,
            Field(description="Calculator slug or MedCalc-Bench id (list_calculators)"),
        ] = None,
        inputs: Annotated[
            dict[str, JsonValue] | None,
            Field(description="Entity values: [value, unit], true/false, or a choice"),
        ] = None,
        note: Annotated[
            str | None, Field(description="A patient note to extract the inputs from")
        ] = None,
        question: Annotated[
            str | None, Field(description="With a note and no calculator: the question")
        ] = None,
    ) -> dict[str, Any]:
        """Compute a calculator from structured inputs, or from a note with evidence spans.

        The result has the value, unit, the steps of the formula, the inputs used and the
        calculator's published reference (DOI/PMID where known).
        """
        req = _validated(
            service.CalculateRequest,
            calculator=calculator,
            inputs=inputs,
            note=note,
            question=question,
        )
        result = await service.calculate(req)
        result.pop("trace", None)  # the full trace is long; explain returns one
        return result

    @server.tool()
    @_contained
    async def whatif(
        changes: Annotated[
            dict[str, JsonValue],
            Field(
                description="Input name -> new value: [value, unit], true/false, a choice; "
                "null for not given (the calculator's default)"
            ),
        ],
        trace: Annotated[
            dict[str, JsonValue] | None, Field(description="A trace with a calculator answer")
        ] = None,
        calculator: Annotated[
            str | int | None, Field(description="Instead of a trace: calculator slug or id")
        ] = None,
        inputs: Annotated[
            dict[str, JsonValue] | None, Field(description="With calculator: the inputs used")
        ] = None,
    ) -> dict[str, Any]:
        """What if an input were different? Recompute a calculator answer (no model).

        The result has the new and old values, every input (old, new, changed), the formula's
        steps old against new, and the trace steps the change touches. Changed inputs are the
        caller's assumptions, not read from the note.
        """
        req = _validated(
            WhatIfRequest, trace=trace, calculator=calculator, inputs=inputs, changes=changes
        )
        return what_if(req)

    @server.tool()
    @_contained
    async def differential(
        hpo_ids: Annotated[list[str] | None, Field(description="Observed HPO ids")] = None,
        excluded: Annotated[list[str] | None, Field(description="HPO ids reported absent")] = None,
        text: Annotated[str | None, Field(description="A note to recognise findings in")] = None,
        top_k: int = 10,
    ) -> dict[str, Any]:
        """Ranked differential diagnosis (HPO) with the ontology paths explaining each disease."""
        req = _validated(
            service.DifferentialRequest,
            hpo_ids=hpo_ids,
            excluded=excluded or [],
            text=text,
            top_k=top_k,
        )
        return await service.differential(req, graph)

    @server.tool()
    @_contained
    async def explain(
        case: Annotated[
            dict[str, JsonValue],
            Field(description="A case: id, question, context (the note), options, metadata"),
        ],
        strategy: str = "auto",
        params: dict[str, JsonValue] | None = None,
    ) -> dict[str, Any]:
        """Answer a clinical question with a strategy: the verified trace, claims and trust."""
        req = _validated(service.ExplainRequest, case=case, strategy=strategy, params=params or {})
        trace = await service.explain(req, backend(), graph)
        if trace.error is not None:
            raise ToolError(f"no answer: {trace.error.message}")
        return trace.model_dump(mode="json")

    @server.tool(name="why")
    @_contained
    async def why_tool(
        trace: Annotated[dict[str, JsonValue], Field(description="A trace in the trace schema")],
        step: Annotated[str, Field(description="The id of the step to explain, e.g. 's3'")],
        question: Annotated[
            str, Field(description="The question about the step (a follow-up, or 'Why?')")
        ] = "Why?",
    ) -> dict[str, Any]:
        """Ask the model why a step of a trace holds; its answer rests only on that step, the
        steps it builds on and the note. Each sentence comes back with its status: supported
        or contradicted by a check, or unverifiable (said by the model, not checked)."""
        req = _validated(WhyRequest, trace=trace, step=step, question=question)
        return await why(req, backend())

    @server.tool()
    @_contained
    async def verify(
        trace: Annotated[dict[str, JsonValue], Field(description="A trace in the trace schema")],
        verifiers: list[str] | None = None,
    ) -> dict[str, Any]:
        """Re-check a trace: verdicts per step, summary, claim ledger and trust."""
        return service.verify(trace, verifiers)

    return server


def _validated(model: Any, **fields: Any) -> Any:
    from pydantic import ValidationError

    from clinreason.errors import InputError

    try:
        return model(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "input"
        raise InputError(f"{where}: {first['msg']}") from None


def serve_stdio(backend_factory: Callable[[], Backend]) -> None:
    """Run the MCP server on stdin/stdout until the client closes it."""
    build_server(backend_factory).run("stdio")
