"""Trace data model: construction, JSON round-trip, schema export and versioning."""

from __future__ import annotations

import json

import jsonschema
import pytest

from clinreason.errors import TraceFormatError
from clinreason.trace import (
    SCHEMA_VERSION,
    Answer,
    Argument,
    ArgumentGraph,
    ArgumentStep,
    Attack,
    Case,
    Check,
    ComponentSpec,
    Extraction,
    GenerateRequest,
    Generation,
    KGLink,
    LLMCall,
    Message,
    Retrieval,
    Span,
    Thought,
    ToolCall,
    TraceBuilder,
    Triple,
    Usage,
    Verdict,
    Vote,
    read_trace,
    trace_from_dict,
    trace_json_schema,
    write_trace,
)
from clinreason.trace.evidence import Document


def full_trace():
    """A trace with one step of every kind."""
    note = "72-year-old man, creatinine 1.6 mg/dL."
    case = Case(id="c1", context=note, question="CrCl?", answer_type="number", gold="45")
    tb = TraceBuilder(case, ComponentSpec(name="demo", params={"k": 1}), ComponentSpec(name="fake"))
    req = GenerateRequest(
        messages=(Message(role="user", content="hi"),), json_schema={"type": "object"}
    )
    llm = tb.add(
        LLMCall(
            purpose="x",
            request=req,
            response=Generation(texts=["{}"], model="m", usage=Usage(prompt_tokens=3)),
            usage=Usage(prompt_tokens=3, completion_tokens=1),
        )
    )
    th = tb.add(Thought(text="Renal function matters.", parents=[llm.id]))
    ex = tb.add(
        Extraction(
            name="creatinine",
            value=1.6,
            unit="mg/dL",
            span=Span(start=26, end=37, text=note[26:37]),
        )
    )
    tool = tb.add(
        ToolCall(
            tool="calculator.crcl",
            arguments={"creatinine": [1.6, "mg/dL"]},
            result={"value": 45.1},
            parents=[ex.id],
        )
    )
    tb.add(Retrieval(query="crcl", documents=[Document(id="d1", text="...")]))
    tb.add(
        KGLink(
            mention="fever",
            entity="HP:0001945",
            facts=[Triple(subject="a", relation="is_a", object="b")],
        )
    )
    graph = ArgumentGraph(
        arguments=[
            Argument(id="a1", claim="A", scheme="s"),
            Argument(id="a2", claim="not A", scheme="cq"),
        ],
        attacks=[Attack(source="a2", target="a1")],
    )
    tb.add(ArgumentStep(graph=graph, accepted=["a2"], rejected=["a1"]))
    tb.add(Vote(counts={"A": 2}, winner="A"))
    tb.add(Check(verdict=Verdict(verifier="numbers", status="supported", step_id=ex.id)))
    return tb.finish(Answer(value="45.1", unit="mL/min", confidence=0.8, support=[tool.id, th.id]))


def test_builder_assigns_sequential_ids_and_sums_usage():
    trace = full_trace()
    assert [s.id for s in trace.steps] == [f"s{i}" for i in range(1, 10)]
    assert trace.usage == Usage(prompt_tokens=3, completion_tokens=1)
    assert trace.ancestors(["s4"]) == ["s3", "s4"]


def test_json_round_trip_is_lossless(tmp_path):
    trace = full_trace()
    path = tmp_path / "t.json"
    write_trace(trace, path)
    again = read_trace(path)
    assert again == trace
    assert again.model_dump_json() == trace.model_dump_json()


def test_trace_validates_against_exported_schema():
    schema = trace_json_schema()
    assert schema["x-schema-version"] == SCHEMA_VERSION
    jsonschema.validate(json.loads(full_trace().model_dump_json()), schema)


def test_schema_file_in_docs_is_current():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "docs" / "schema" / "trace.schema.json"
    assert json.loads(path.read_text()) == trace_json_schema(), (
        "docs/schema/trace.schema.json is stale: run python -m clinreason.trace.export_schema"
    )


@pytest.mark.parametrize(
    ("version", "ok"),
    [("1.0", True), ("1.9", True), ("0.5", True), ("2.0", False), ("x", False)],
)
def test_newer_major_version_is_refused_with_clear_message(version, ok):
    data = json.loads(full_trace().model_dump_json())
    data["schema_version"] = version
    if ok:
        assert trace_from_dict(data).case.id == "c1"
    else:
        with pytest.raises(TraceFormatError, match="schema_version"):
            trace_from_dict(data)


@pytest.mark.parametrize(
    ("content", "message"),
    [("{", "not valid JSON"), ("[]", "JSON object"), ('{"case": 1}', "not a valid trace")],
)
def test_bad_trace_files_give_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(TraceFormatError, match=message):
        read_trace(path)


def test_unknown_step_kind_is_rejected():
    data = json.loads(full_trace().model_dump_json())
    data["steps"][0]["kind"] = "telepathy"
    with pytest.raises(TraceFormatError):
        trace_from_dict(data)


def test_failed_trace_has_error_and_no_answer():
    tb = TraceBuilder(Case(id="c", question="q?"), ComponentSpec(name="d"))
    trace = tb.fail(RuntimeError("server down"), retryable=True)
    assert trace.answer is None
    assert (
        trace.error is not None and trace.error.retryable and "server down" in trace.error.message
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"id": "c", "question": "   "},
        {"id": "", "question": "q"},
        {"id": "c", "question": "q", "gold_range": [5, 1]},
        {"id": "c", "question": "q", "surprise": 1},
    ],
)
def test_invalid_cases_are_rejected(bad):
    with pytest.raises(ValueError):
        Case.model_validate(bad)


def test_span_end_before_start_is_rejected():
    with pytest.raises(ValueError):
        Span(start=5, end=2, text="")


def test_argument_graph_rejects_dangling_attack():
    with pytest.raises(ValueError, match="unknown argument"):
        ArgumentGraph(
            arguments=[Argument(id="a", claim="x", scheme="s")],
            attacks=[Attack(source="a", target="b")],
        )
