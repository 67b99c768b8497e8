"""`--strategy rag` on a scripted backend over a small real index, and on the embedded model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clinreason.backends.fake import FakeBackend
from clinreason.cli._common import make_strategy, parse_params
from clinreason.errors import BackendUnavailable, ConfigError
from clinreason.strategies import run
from clinreason.strategies.rag import (
    NONE,
    RetrievalAugmented,
    parse_statements,
    quotable,
    retrieval_query,
)
from clinreason.tools.retrieval import MAX_QUERY_CHARS, build_index
from clinreason.trace import Case, Check, Citation, GenerateRequest, Retrieval, Thought

AKI_CASE = Case(
    id="aki1",
    context="A 70-year-old man's serum creatinine rose from 1.0 to 3.2 mg/dL after surgery.",
    question="Which stage of acute kidney injury does he have?",
    options={"A": "Stage 1", "B": "Stage 2", "C": "Stage 3"},
)


@pytest.fixture
def index_dir(corpus: Path, tmp_path: Path) -> Path:
    out = tmp_path / "ix"
    build_index([corpus], out)
    return out


def quote_options(request: GenerateRequest) -> list[str]:
    items = request.json_schema["properties"]["statements"]["items"]  # type: ignore[index]
    return list(items["properties"]["quote"]["enum"])


def scripted(statements: list[tuple[str, str]], answer: str = "C", judge: str = "yes"):
    """A backend that answers the reasoning call with `statements`, where a quote "#word"
    stands for the first offered source sentence containing `word`; the judge says `judge`."""

    def reply(request: GenerateRequest) -> str:
        if request.messages[-1].content.startswith("Passages:"):
            n = request.json_schema["properties"]["verdicts"]["minItems"]  # type: ignore[index]
            return json.dumps({"verdicts": [judge] * n})
        properties = request.json_schema["properties"]  # type: ignore[index]
        if "statements" not in properties:  # `answer_first`: cot's own answer call
            return json.dumps(
                {"reasoning": "Creatinine tripled. That is stage 3.", "answer": answer}
            )
        items = []
        for quote, statement in statements:
            if quote.startswith("#"):
                quote = next(q for q in quote_options(request) if quote[1:] in q)
            items.append({"quote": quote, "statement": statement})
        if "answer" not in properties:
            return json.dumps({"statements": items})
        if "reasoning" in properties:
            reasoning = "The sources stage AKI by creatinine. His rose threefold."
            return json.dumps({"reasoning": reasoning, "answer": answer, "statements": items})
        return json.dumps({"statements": items, "answer": answer})

    return FakeBackend(reply)


async def test_rag_cites_retrieved_passages_and_marks_uncited_sentences(index_dir):
    backend = scripted(
        [
            ("#three times baseline", "Creatinine three times baseline is stage 3."),
            (NONE, "So he has stage 3."),
        ]
    )
    trace = await run(RetrievalAugmented(index=str(index_dir)), AKI_CASE, backend)
    assert trace.error is None and trace.answer and trace.answer.value == "C"
    retrieval = trace.steps_of(Retrieval)[0]
    assert retrieval.documents[0].id == "corpus/aki.md#1"  # the staging passage ranks first
    assert "acute kidney injury" in retrieval.query.lower()
    title = retrieval.documents[0].title
    assert title and f"[1] {title[:40]}" in retrieval.summary()  # titles, not only ids
    (citation,) = trace.steps_of(Citation)
    assert citation.passage_id == "corpus/aki.md#1" and citation.marker == 1
    assert "three times baseline" in citation.quote
    assert citation.quote in retrieval.documents[0].text
    thoughts = trace.steps_of(Thought)
    assert [t.cited for t in thoughts] == [True, False]
    assert citation.parents == [thoughts[0].id, retrieval.id]
    assert "[no citation]" in thoughts[1].summary()
    (judge,) = trace.steps_of(Check)
    assert judge.verdict.verifier == "citation_judge" and judge.verdict.status == "supported"
    assert judge.verdict.step_id == citation.id
    # the judge saw the passage and the statement, not the question or the answer
    judge_prompt = backend.requests[1].messages[-1].content
    assert "three times baseline" in judge_prompt and AKI_CASE.question not in judge_prompt
    assert AKI_CASE.context not in judge_prompt
    assert set(trace.answer.support) >= {thoughts[0].id, citation.id, judge.id, thoughts[1].id}


async def test_the_prompt_numbers_the_passages_and_the_schema_offers_their_sentences(index_dir):
    backend = scripted([(NONE, "Stage 3.")])
    await run(RetrievalAugmented(index=str(index_dir), k=2, judge=False), AKI_CASE, backend)
    (request,) = backend.requests
    prompt = request.messages[-1].content
    assert prompt.index("[1] ") < prompt.index("[2] ") < prompt.index("Patient note:")
    offered = quote_options(request)
    assert offered[-1] == NONE
    assert all(q.startswith(("[1] ", "[2] ")) for q in offered[:-1])
    schema = request.json_schema
    assert schema["properties"]["answer"]["enum"] == ["A", "B", "C"]  # type: ignore[index]


async def test_reason_first_reasons_and_answers_before_citing(index_dir):
    backend = scripted([("#three times baseline", "Threefold creatinine is stage 3.")])
    strategy = RetrievalAugmented(index=str(index_dir), reason_first=True)
    trace = await run(strategy, AKI_CASE, backend)
    request = backend.requests[0]
    assert list(request.json_schema["properties"]) == ["reasoning", "answer", "statements"]  # type: ignore[index]
    assert "Think step by step" in request.messages[-1].content
    assert trace.answer and trace.answer.value == "C"
    reasoning, statement = trace.steps_of(Thought)[:2], trace.steps_of(Thought)[2]
    assert [t.text for t in reasoning] == [
        "The sources stage AKI by creatinine.",
        "His rose threefold.",
    ]
    assert all(t.cited is None for t in reasoning) and statement.cited is True
    (citation,) = trace.steps_of(Citation)
    assert citation.parents[0] == statement.id
    assert {t.id for t in trace.steps_of(Thought)} | {citation.id} <= set(trace.answer.support)
    default = scripted([(NONE, "Stage 3.")])
    await run(RetrievalAugmented(index=str(index_dir), judge=False), AKI_CASE, default)
    assert list(default.requests[0].json_schema["properties"]) == ["statements", "answer"]  # type: ignore[index]


async def test_answer_first_answers_as_cot_does_then_cites_that_answer(index_dir):
    backend = scripted([("#three times baseline", "Threefold creatinine is stage 3.")], "B")
    strategy = RetrievalAugmented(index=str(index_dir), answer_first=True)
    trace = await run(strategy, AKI_CASE, backend)
    answer_call, citing_call, judge_call = backend.requests
    assert list(answer_call.json_schema["properties"]) == ["reasoning", "answer"]  # type: ignore[index]
    assert answer_call.logprobs and "Think step by step" in answer_call.messages[-1].content
    assert answer_call.messages[-1].content.startswith("Sources:\n[1] ")
    assert list(citing_call.json_schema["properties"]) == ["statements"]  # type: ignore[index]
    assert "Answer given: B. Stage 2" in citing_call.messages[-1].content
    assert "Creatinine tripled." in citing_call.messages[-1].content
    assert judge_call.messages[-1].content.startswith("Passages:")
    assert trace.answer and trace.answer.value == "B"  # the first call's, not re-read later
    assert "Creatinine tripled." in trace.answer.raw  # the answering reply, not the citing one
    texts = [t.text for t in trace.steps_of(Thought)]
    assert texts == ["Creatinine tripled.", "That is stage 3.", "Threefold creatinine is stage 3."]
    (citation,) = trace.steps_of(Citation)
    assert citation.passage_id == "corpus/aki.md#1"
    assert {t.id for t in trace.steps_of(Thought)} | {citation.id} <= set(trace.answer.support)
    with pytest.raises(ConfigError, match="not both"):
        RetrievalAugmented(answer_first=True, reason_first=True)


async def test_neighbours_show_the_passages_beside_each_hit_once_and_unscored(index_dir):
    backend = scripted([("#nephrotoxic", "Avoid NSAIDs in AKI.")], "C")
    strategy = RetrievalAugmented(index=str(index_dir), k=1, neighbours=1, judge=False)
    trace = await run(strategy, AKI_CASE, backend)
    (retrieval,) = trace.steps_of(Retrieval)
    shown = [(d.id, d.score is None) for d in retrieval.documents]
    assert shown == [("corpus/aki.md#1", False), ("corpus/aki.md#2", True)]
    assert "[2] " in backend.requests[0].messages[-1].content  # the neighbour is a source too
    (citation,) = trace.steps_of(Citation)
    assert citation.passage_id == "corpus/aki.md#2" and citation.marker == 2
    two_hits = RetrievalAugmented(index=str(index_dir), k=2, neighbours=1, judge=False)
    trace = await run(two_hits, AKI_CASE, scripted([(NONE, "Stage 3.")]))
    ids = [d.id for d in trace.steps_of(Retrieval)[0].documents]
    assert len(ids) == len(set(ids)) and ids[:2] == ["corpus/aki.md#1", "corpus/aki.md#2"]
    with pytest.raises(ConfigError):
        RetrievalAugmented(neighbours=5)


async def test_a_marker_beyond_the_retrieved_passages_is_recorded_without_a_passage(index_dir):
    backend = scripted([("[9] invented", "Dialysis is stage 3.")], judge="yes")
    trace = await run(RetrievalAugmented(index=str(index_dir), judge=True), AKI_CASE, backend)
    (citation,) = trace.steps_of(Citation)
    assert citation.marker == 9 and citation.passage_id == ""
    assert not trace.steps_of(Check)  # nothing to judge without a passage
    assert len(backend.requests) == 1


async def test_one_judge_call_for_all_citations_and_a_short_reply_leaves_the_rest_unjudged(
    index_dir,
):
    statements = [
        ("#three times baseline", "Creatinine three times baseline is stage 3."),
        ("#nephrotoxic", "NSAIDs harm the kidneys."),
    ]
    backend = scripted(statements)
    trace = await run(RetrievalAugmented(index=str(index_dir)), AKI_CASE, backend)
    checks = trace.steps_of(Check)
    assert [c.verdict.status for c in checks] == ["supported", "supported"]
    assert len(backend.requests) == 2  # the reasoning call and one judge call
    judge_prompt = backend.requests[1].messages[-1].content
    assert "1. (cites [" in judge_prompt and "2. (cites [" in judge_prompt

    def short_judge(request: GenerateRequest) -> str:
        if request.messages[-1].content.startswith("Passages:"):
            return json.dumps({"verdicts": ["no"]})
        return scripted(statements)._reply(request)

    trace = await run(RetrievalAugmented(index=str(index_dir)), AKI_CASE, FakeBackend(short_judge))
    assert [c.verdict.status for c in trace.steps_of(Check)] == ["contradicted", "unverifiable"]


async def test_no_passages_found_still_answers_without_citations(tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "x.txt").write_text("Warfarin needs INR monitoring.", encoding="utf-8")
    build_index([tmp_path / "c"], tmp_path / "ix")
    backend = scripted([(NONE, "Zebras are not quaggas.")], answer="B")
    case = Case(id="z", question="Zebra quagga?", options={"A": "yes", "B": "no"})
    trace = await run(RetrievalAugmented(index=str(tmp_path / "ix")), case, backend)
    assert trace.steps_of(Retrieval)[0].documents == []
    assert "Sources: none found." in backend.requests[0].messages[-1].content
    assert trace.answer and trace.answer.value == "B"
    assert [t.cited for t in trace.steps_of(Thought)] == [False]


async def test_backend_error_is_a_trace_error(index_dir):
    backend = FakeBackend([BackendUnavailable("server down", backend="fake")])
    trace = await run(RetrievalAugmented(index=str(index_dir)), AKI_CASE, backend)
    assert trace.answer is None and trace.error and "server down" in trace.error.message


async def test_a_missing_index_is_a_config_error_in_the_trace(tmp_path):
    trace = await run(RetrievalAugmented(index=str(tmp_path / "nope")), AKI_CASE, FakeBackend([]))
    assert trace.answer is None and trace.error and "index" in trace.error.message.lower()


def test_parameters_are_checked_and_settable_from_the_cli(index_dir):
    strategy = make_strategy("rag", parse_params([f"index={index_dir}", "k=2", "judge=false"]))
    assert strategy.k == 2 and strategy.judge is False
    with pytest.raises(ConfigError):
        RetrievalAugmented(k=0)
    with pytest.raises(ConfigError):
        RetrievalAugmented(statements=20)


def test_query_quotables_and_reply_parsing():
    assert retrieval_query(AKI_CASE).startswith("Which stage")
    findings = Case(id="f", question="Diagnosis?", context="Fever and a seizure; no rash.")
    query = retrieval_query(findings)
    assert query.startswith("Diagnosis? ") and "Fever" in query and "Seizure" in query
    assert "rash" not in query.lower()  # an absent finding is not searched for
    unrecognised = Case(id="u", question="Dose?", context="Weight 70 kg.")
    assert retrieval_query(unrecognised) == "Dose? Weight 70 kg."
    huge = Case(id="h", question="creatinine " * 5000, context="x " * 5000)
    assert len(retrieval_query(huge)) == MAX_QUERY_CHARS
    assert quotable("First one.\n\n| a | b |\n| 1 | 2 |") == [
        "First one.",
        "| a | b |",
        "| 1 | 2 |",
    ]
    assert all(len(q) <= 240 for q in quotable("word " * 200))
    reply = (
        '{"statements": [{"quote": "none", "statement": "x"}, {"statement": ""}], "answer": "A"}'
    )
    assert parse_statements(reply) == [("none", "x")]
    assert parse_statements("not json") == []


@pytest.mark.embedded
async def test_rag_on_the_embedded_model_records_checkable_citations(index_dir):
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    import jsonschema

    from clinreason.backends import make_backend
    from clinreason.trace import trace_json_schema
    from clinreason.verify import verify_trace
    from clinreason.verify.citations import quote_in

    backend = make_backend("embedded", model="smollm2-135m", cache=False, n_ctx=2048)
    try:
        trace = await run(RetrievalAugmented(index=str(index_dir), k=2), AKI_CASE, backend)
    finally:
        await backend.aclose()
    assert trace.error is None, trace.error
    assert trace.answer is not None and trace.answer.value in AKI_CASE.options
    thoughts = trace.steps_of(Thought)
    assert thoughts and all(t.cited is not None for t in thoughts)
    documents = {d.id: d.text for d in trace.steps_of(Retrieval)[0].documents}
    for citation in trace.steps_of(Citation):
        # the grammar offers only the passages' own sentences, so every quote is verbatim
        assert quote_in(citation.quote, documents[citation.passage_id])
    verdicts = verify_trace(trace, ["citation"])
    assert len(verdicts) == len(thoughts)
    assert all(v.details.get("check") != "quote" for v in verdicts)
    jsonschema.validate(trace.model_dump(mode="json"), trace_json_schema())


def test_explain_with_rag_from_the_cli_and_a_bad_index_in_one_line(index_dir, tmp_path):
    from click.testing import CliRunner

    from clinreason.cli import main

    case = tmp_path / "case.json"
    case.write_text(AKI_CASE.model_dump_json(), encoding="utf-8")
    common = ["explain", str(case), "--strategy", "rag", "--backend", "fake"]
    result = CliRunner().invoke(main, [*common, "-S", f"index={index_dir}"])
    assert result.exit_code == 0, result.output
    assert "retrieved 3 documents" in result.output and "corpus/aki.md#1" in result.output
    result = CliRunner().invoke(main, [*common, "-S", f"index={tmp_path / 'missing'}"])
    assert result.exit_code != 0
    assert "no index at" in result.output and "Traceback" not in result.output
