"""direct / cot / self_consistency on a scripted backend."""

from __future__ import annotations

import json

from clinreason.backends.fake import FakeBackend
from clinreason.errors import BackendUnavailable
from clinreason.strategies import ChainOfThought, Direct, SelfConsistency, run
from clinreason.trace import Check, LLMCall, Thought, Vote


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


async def test_checked_self_consistency_drops_votes_whose_reasoning_the_note_contradicts(mcq_case):
    replies = [
        '{"reasoning": "The patient has no fever. Infection is unlikely.", "answer": "B"}',
        '{"reasoning": "Fever and neck stiffness point to infection.", "answer": "A"}',
        '{"reasoning": "Migraine is likely because the patient denies neck stiffness.", '
        '"answer": "B"}',
    ]
    plain = await run(SelfConsistency(k=3), mcq_case, FakeBackend(replies))
    checked = await run(SelfConsistency(k=3, checked=True), mcq_case, FakeBackend(replies))
    assert plain.answer is not None and plain.answer.value == "B"
    assert checked.answer is not None and checked.answer.value == "A"
    vote = checked.steps_of(Vote)[0]
    assert vote.counts == {"A": 1}
    checks = checked.steps_of(Check)
    assert [c.verdict.details["vote_dropped"] for c in checks] == ["B", "B"]
    assert all(c.verdict.status == "contradicted" for c in checks)
    assert "fever" in checks[0].verdict.claim and "neck stiffness" in checks[1].verdict.claim
    assert {c.id for c in checks} <= set(vote.parents)
    assert checked.answer.confidence == 1.0


async def test_checked_self_consistency_keeps_every_vote_when_all_are_contradicted(mcq_case):
    replies = [
        '{"reasoning": "The patient has no fever.", "answer": "B"}',
        '{"reasoning": "The patient denies neck stiffness.", "answer": "C"}',
    ]
    trace = await run(SelfConsistency(k=2, checked=True), mcq_case, FakeBackend(replies))
    assert trace.steps_of(Vote)[0].counts == {"B": 1, "C": 1}
    assert trace.answer is not None and trace.answer.value == "B"
    assert len(trace.steps_of(Check)) == 2
