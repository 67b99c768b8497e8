"""direct / cot / self_consistency on a scripted backend."""

from __future__ import annotations

import json

from clinreason.backends.fake import FakeBackend
from clinreason.errors import BackendUnavailable
from clinreason.strategies import ChainOfThought, Direct, SelfConsistency, run
from clinreason.trace import LLMCall, Thought, Vote


async def test_direct_records_call_and_answer(mcq_case):
    backend = FakeBackend(['{"answer": "A"}'])
    trace = await run(Direct(), mcq_case, backend)
    assert trace.answer is not None and trace.answer.value == "A"
    assert trace.answer.support == ["s1"]
    call = trace.steps_of(LLMCall)[0]
    assert call.request.json_schema is not None
    assert call.request.json_schema["properties"]["answer"]["enum"] == ["A", "B", "C"]
    assert "CSF shows neutrophils" in call.request.messages[-1].content


async def test_cot_keeps_reasoning_as_thoughts(mcq_case):
    reply = json.dumps({"reasoning": "Fever and neck stiffness. CSF neutrophils.", "answer": "A"})
    trace = await run(ChainOfThought(), mcq_case, FakeBackend([reply]))
    thoughts = trace.steps_of(Thought)
    assert [t.text for t in thoughts] == ["Fever and neck stiffness.", "CSF neutrophils."]
    assert trace.answer is not None and trace.answer.support == [t.id for t in thoughts]


async def test_unparseable_output_gives_no_answer_not_a_guess(mcq_case):
    trace = await run(ChainOfThought(), mcq_case, FakeBackend(["I am not sure, maybe A or B."]))
    assert trace.error is None
    assert trace.answer is not None and trace.answer.value is None


async def test_backend_error_is_a_trace_error_never_an_answer(mcq_case):
    backend = FakeBackend([BackendUnavailable("connection refused", backend="openai")])
    trace = await run(ChainOfThought(), mcq_case, backend)
    assert trace.answer is None
    assert trace.error is not None and trace.error.retryable
    assert trace.error.step_id == "s1"
    assert trace.steps_of(LLMCall)[0].error


async def test_self_consistency_votes_with_agreement_as_confidence(mcq_case):
    replies = ['{"reasoning": "r", "answer": "B"}', '{"answer": "C"}', "garbage", '{"answer": "B"}']
    backend = FakeBackend(replies)
    trace = await run(SelfConsistency(k=4), mcq_case, backend)
    vote = trace.steps_of(Vote)[0]
    assert vote.counts == {"B": 2, "C": 1} and vote.abstained == 1
    assert trace.answer is not None and trace.answer.value == "B"
    assert trace.answer.confidence == 0.5
    assert vote.id in trace.answer.support
    assert backend.requests[0].n == 4 and backend.requests[0].temperature == 0.7


async def test_self_consistency_tie_goes_to_first_seen(mcq_case):
    trace = await run(
        SelfConsistency(k=2), mcq_case, FakeBackend(['{"answer": "C"}', '{"answer": "A"}'])
    )
    assert trace.answer is not None and trace.answer.value == "C"
