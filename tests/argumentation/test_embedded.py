"""The argumentation strategy end to end on the real embedded model (SmolLM2-135M)."""

from __future__ import annotations

import jsonschema
import pytest

from clinreason.strategies.argumentation import Argumentation
from clinreason.strategies.base import run
from clinreason.tools.argumentation import explain_lines, export_graph
from clinreason.trace import ArgumentStep, LLMCall, trace_json_schema


@pytest.mark.embedded
async def test_argumentation_runs_end_to_end_on_the_embedded_model(mcq_case, tmp_path):
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    from clinreason.backends import make_backend

    backend = make_backend("embedded", model="smollm2-135m", cache=False)
    strategy = Argumentation(max_arguments=3, max_attacks=2, max_tokens=96)
    try:
        trace = await run(strategy, mcq_case, backend)
    finally:
        await backend.aclose()
    assert trace.error is None, trace.error
    calls = trace.steps_of(LLMCall)
    assert 1 <= len(calls) <= 2
    assert all(c.response is not None and c.request.json_schema for c in calls)
    step = trace.steps_of(ArgumentStep)[0]
    assert trace.answer is not None and trace.answer.support[0] == step.id
    # whatever the small model said, the decision is the one the solved graph accepts
    decided = [
        a.option for a in step.graph.arguments if a.scheme == "decision" and a.id in step.accepted
    ]
    assert decided == ([trace.answer.value] if trace.answer.value else [])
    assert explain_lines(step, options=mcq_case.options)
    export_graph(trace, tmp_path / "graph.dot")
    jsonschema.validate(trace.model_dump(mode="json"), trace_json_schema())
