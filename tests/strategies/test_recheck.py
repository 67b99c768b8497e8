"""The independent re-ask check (`strategies.recheck`) on a scripted backend and the real model."""

from __future__ import annotations

import json
import math

import pytest

from clinreason.backends.fake import FakeBackend
from clinreason.cli._common import make_strategy, parse_params
from clinreason.errors import BackendUnavailable, ConfigError
from clinreason.strategies import ChainOfThought, Direct, SelfConsistency, run
from clinreason.strategies.recheck import orders, recheck_choice
from clinreason.trace import (
    Case,
    Check,
    ComponentSpec,
    GenerateRequest,
    Generation,
    LLMCall,
    TokenLogprob,
    TraceBuilder,
    component_spec,
)
from clinreason.verify.trust import assess, features

COT_REPLY = {"reasoning": "Fever and neck stiffness. CSF neutrophils.", "answer": "{}"}


def shown_options(request: GenerateRequest) -> dict[str, str]:
    """Label -> text of the options as the prompt shows them (lines after 'Options:')."""
    text = request.messages[-1].content
    lines = text.split("Options:\n", 1)[1].splitlines()
    return {line.split(". ", 1)[0]: line.split(". ", 1)[1] for line in lines if ". " in line}


def is_recheck(request: GenerateRequest) -> bool:
    return "reasoning" not in (request.json_schema or {}).get("properties", {})


def scripted(cot_answer: str, picks: list[str | None]):
    """cot answers `cot_answer`; re-ask i answers the letter now showing the text `picks[i]`
    (None: an unparseable reply)."""
    remaining = list(picks)

    def reply(request: GenerateRequest) -> str:
        if not is_recheck(request):
            return json.dumps({**COT_REPLY, "answer": cot_answer})
        text = remaining.pop(0)
        if text is None:
            return "I cannot tell."
        letter = next(k for k, v in shown_options(request).items() if v == text)
        return json.dumps({"answer": letter})

    return reply


MENINGITIS, MIGRAINE, TENSION = "Bacterial meningitis", "Migraine", "Tension headache"


def the_check(trace) -> Check:
    checks = trace.steps_of(Check)
    assert len(checks) == 1
    return checks[0]


async def test_majority_agreeing_is_supported_and_joins_the_support(mcq_case):
    backend = FakeBackend(scripted("A", [MENINGITIS] * 3))
    trace = await run(ChainOfThought(recheck=3), mcq_case, backend)
    assert trace.error is None and trace.answer is not None and trace.answer.value == "A"
    check = the_check(trace)
    v = check.verdict
    assert (v.verifier, v.status, v.step_id) == ("reask", "supported", None)
    assert v.claim == "the answer is A (Bacterial meningitis)"
    assert v.evidence == "re-asked 3 times with shuffled options, without the reasoning: A, A, A"
    assert v.details["votes"] == {"A": 3}
    assert v.details["agreement"] == 1.0 and v.score == 1.0
    assert v.details["samples"] == 3 and v.details["valid"] == 3
    thoughts = trace.answer.support[:-1]
    assert trace.answer.support[-1] == check.id and len(thoughts) == 2
    calls = [s for s in trace.steps_of(LLMCall) if s.purpose == "recheck"]
    assert len(calls) == 3 and all(c.parents == [] for c in calls)  # never sees the reasoning
    assert check.parents == [*thoughts, *(c.id for c in calls)]


async def test_reask_prompt_shuffles_options_last_and_constrains_one_letter(mcq_case):
    backend = FakeBackend(scripted("A", [MENINGITIS] * 3))
    await run(ChainOfThought(recheck=3), mcq_case, backend)
    rechecks = [r for r in backend.requests if is_recheck(r)]
    shown = [shown_options(r) for r in rechecks]
    assert all(set(s) == {"A", "B", "C"} for s in shown)  # letters re-assigned
    assert all(sorted(s.values()) == sorted(mcq_case.options.values()) for s in shown)
    assert len({tuple(s.values()) for s in shown}) == 3  # three different orders
    assert list(shown[0].values()) != list(mcq_case.options.values())  # original never first
    # the meningitis option sits at a different letter each time: the un-shuffling matters
    assert len({next(k for k, v in s.items() if v == MENINGITIS) for s in shown}) == 3
    for request in rechecks:
        user = request.messages[-1].content
        assert user.index("CSF shows neutrophils") < user.index("Most likely diagnosis?")
        assert user.index("Most likely diagnosis?") < user.index("Options:")
        assert user.rstrip().endswith(list(shown_options(request).values())[-1])
        assert request.json_schema == {
            "type": "object",
            "properties": {"answer": {"type": "string", "enum": ["A", "B", "C"]}},
            "required": ["answer"],
        }
        assert request.temperature == 0.0 and request.max_tokens <= 16
    # the prompts share the note-and-question prefix (cheap with llama.cpp prefix reuse)
    prefix = rechecks[0].messages[-1].content.split("Options:")[0]
    assert all(r.messages[-1].content.startswith(prefix) for r in rechecks)


async def test_majority_for_another_option_is_contradicted_with_the_original_label(mcq_case):
    backend = FakeBackend(scripted("B", [MENINGITIS, MENINGITIS, MIGRAINE]))
    trace = await run(ChainOfThought(recheck=3), mcq_case, backend)
    assert trace.answer is not None and trace.answer.value == "B"  # the answer is not changed
    v = the_check(trace).verdict
    assert v.status == "contradicted"
    assert v.claim == "the answer is B (Migraine)"
    assert v.details["votes"] == {"A": 2, "B": 1}
    assert v.details["answers"] == ["A", "A", "B"]
    assert v.details["agreement"] == pytest.approx(1 / 3)
    assert v.evidence.endswith("without the reasoning: A, A, B")


async def test_split_votes_are_unverifiable(mcq_case):
    backend = FakeBackend(scripted("A", [MENINGITIS, MIGRAINE, TENSION]))
    v = the_check(await run(ChainOfThought(recheck=3), mcq_case, backend)).verdict
    assert v.status == "unverifiable"
    assert v.details["votes"] == {"A": 1, "B": 1, "C": 1}
    assert v.details["agreement"] == pytest.approx(1 / 3) and v.details["valid"] == 3

    backend = FakeBackend(scripted("A", [MENINGITIS, None, MIGRAINE]))
    v = the_check(await run(ChainOfThought(recheck=3), mcq_case, backend)).verdict
    assert v.status == "unverifiable" and v.details["valid"] == 2
    assert v.details["agreement"] == 0.5
    assert v.evidence.endswith("A, no answer, B")


async def test_garbage_replies_are_unverifiable_with_no_valid_reply(mcq_case):
    backend = FakeBackend(scripted("A", [None, None, None]))
    trace = await run(ChainOfThought(recheck=3), mcq_case, backend)
    v = the_check(trace).verdict
    assert v.status == "unverifiable"
    assert v.details["valid"] == 0 and v.details["samples"] == 3
    assert v.details["votes"] == {} and v.details["agreement"] is None and v.score is None
    assert trace.answer is not None and trace.answer.value == "A"


async def test_backend_error_in_a_reask_is_a_trace_error_not_an_answer(mcq_case):
    replies = [
        json.dumps({**COT_REPLY, "answer": "A"}),
        '{"answer": "B"}',
        BackendUnavailable("connection refused", backend="openai"),
    ]
    trace = await run(ChainOfThought(recheck=3), mcq_case, FakeBackend(replies))
    assert trace.answer is None
    assert trace.error is not None and trace.error.retryable
    failed = trace.steps_of(LLMCall)[-1]
    assert failed.purpose == "recheck" and failed.error and trace.error.step_id == failed.id
    assert trace.steps_of(Check) == []


async def test_recheck_zero_makes_no_extra_call(mcq_case):
    backend = FakeBackend(scripted("A", []))
    trace = await run(ChainOfThought(), mcq_case, backend)
    assert len(backend.requests) == 1 and trace.steps_of(Check) == []
    backend = FakeBackend(['{"answer": "A"}'])
    trace = await run(Direct(recheck=0), mcq_case, backend)
    assert len(backend.requests) == 1 and trace.steps_of(Check) == []


async def test_no_recheck_without_options_or_without_an_answer(mcq_case):
    free = Case(id="f", context="Na 140.", question="Sodium?")
    backend = FakeBackend(['{"reasoning": "Read it.", "answer": "140"}'])
    trace = await run(ChainOfThought(recheck=3), free, backend)
    assert len(backend.requests) == 1 and trace.answer.value == "140"
    backend = FakeBackend(["no idea"])
    trace = await run(ChainOfThought(recheck=3), mcq_case, backend)
    assert len(backend.requests) == 1 and trace.answer.value is None


async def test_direct_and_self_consistency_record_the_check(mcq_case):
    def reply(request: GenerateRequest) -> str:
        if request.n > 1 or "reasoning" in (request.json_schema or {}).get("properties", {}):
            return '{"reasoning": "r", "answer": "C"}'
        if "without explanation" not in request.messages[-1].content:
            return '{"answer": "C"}'  # direct's own call
        letter = next(k for k, v in shown_options(request).items() if v == TENSION)
        return json.dumps({"answer": letter})

    trace = await run(Direct(recheck=2), mcq_case, FakeBackend(reply))
    check = the_check(trace)
    assert trace.answer.support == ["s1", check.id] and check.verdict.status == "supported"
    assert check.verdict.details["samples"] == 2

    trace = await run(SelfConsistency(k=2, recheck=3), mcq_case, FakeBackend(reply))
    check = the_check(trace)
    assert trace.answer.value == "C" and trace.answer.support[-1] == check.id
    assert check.verdict.details["votes"] == {"C": 3}
    assert trace.answer.confidence == 1.0  # the vote's agreement, unchanged


def test_settable_from_the_cli_and_recorded_in_the_spec():
    strategy = make_strategy("cot", parse_params(("recheck=3",)))
    assert strategy == ChainOfThought(recheck=3)
    assert component_spec(strategy).params["recheck"] == 3
    assert component_spec(ChainOfThought()).params["recheck"] == 0
    for name in ("direct", "self_consistency"):
        assert component_spec(make_strategy(name, {"recheck": 2})).params["recheck"] == 2


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("samples", [1, 2, 3, 7])
def test_orders_are_distinct_deterministic_and_never_start_with_the_original(n, samples):
    labels = [chr(ord("A") + i) for i in range(n)]
    for case_id in ("a", "b", "pubmedqa-17", "medqa-3"):
        got = orders(case_id, labels, samples)
        assert got == orders(case_id, labels, samples)
        assert len(got) == min(samples, math.factorial(n))
        assert len({tuple(o) for o in got}) == len(got)
        assert all(sorted(o) == labels for o in got)
        if n > 1:
            assert got[0] != labels
        if samples <= n:  # rotations: the same option never twice at one position
            assert all(len({o[i] for o in got}) == len(got) for i in range(n))


async def test_recheck_choice_rejects_what_it_cannot_check(mcq_case):
    tb = TraceBuilder(mcq_case, ComponentSpec(name="t"))
    with pytest.raises(ConfigError):
        await recheck_choice(mcq_case, "Z", FakeBackend([]), tb)
    with pytest.raises(ConfigError):
        await recheck_choice(mcq_case, "A", FakeBackend([]), tb, samples=0)
    with pytest.raises(ConfigError):
        await recheck_choice(Case(id="f", question="?"), "A", FakeBackend([]), tb)


@pytest.mark.embedded
async def test_cot_with_recheck_on_the_embedded_model(mcq_case):
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    import jsonschema

    from clinreason.backends import make_backend
    from clinreason.trace import trace_json_schema

    backend = make_backend("embedded", model="smollm2-135m", cache=False, n_ctx=1024)
    try:
        trace = await run(ChainOfThought(recheck=2), mcq_case, backend)
    finally:
        await backend.aclose()
    assert trace.error is None, trace.error
    if trace.answer is None or trace.answer.value is None:
        pytest.skip("the 135M model gave no answer, so there is nothing to re-check")
    check = the_check(trace)
    v = check.verdict
    assert v.verifier == "reask" and v.status in ("supported", "contradicted", "unverifiable")
    assert v.details["samples"] == 2 and 0 <= v.details["valid"] <= 2
    assert set(v.details["votes"]) <= set(mcq_case.options)
    calls = [s for s in trace.steps_of(LLMCall) if s.purpose == "recheck"]
    assert len(calls) == 2 and all(c.response is not None for c in calls)
    # the grammar keeps the reply to one option letter
    assert v.details["valid"] == 2
    assert check.id in trace.answer.support
    jsonschema.validate(trace.model_dump(mode="json"), trace_json_schema())


class ProbableBackend(FakeBackend):
    """A fake whose re-asks also return token alternatives: the model's belief is over option
    *texts* (`belief`), whatever letter each text is shown under, so a correct reader of the
    alternatives gets the same probabilities back for every order."""

    def __init__(self, script, belief: dict[str, float]) -> None:
        super().__init__(script)
        self.belief = belief

    async def generate(self, request: GenerateRequest) -> Generation:
        generation = await super().generate(request)
        if not (is_recheck(request) and request.logprobs):
            return generation
        assert request.top_logprobs >= len(self.belief)
        shown = shown_options(request)
        letter = json.loads(generation.texts[0])["answer"]
        top = {label: math.log(self.belief[text]) for label, text in shown.items()}
        top['"}'] = math.log(1e-4)  # not a letter: left out
        tokens = [
            TokenLogprob(token='{"answer": "', logprob=0.0),
            TokenLogprob(token=letter, logprob=top[letter], top=top),
            TokenLogprob(token='"}', logprob=0.0),
        ]
        return generation.model_copy(update={"logprobs": [tokens]})


async def test_token_alternatives_grade_the_agreement_whatever_the_order(mcq_case):
    belief = {MENINGITIS: 0.6, MIGRAINE: 0.3, TENSION: 0.1}
    backend = ProbableBackend(scripted("B", [MENINGITIS, MENINGITIS, MIGRAINE]), belief)
    trace = await run(ChainOfThought(recheck=3), mcq_case, backend)
    v = the_check(trace).verdict
    assert v.status == "contradicted" and v.details["agreement"] == pytest.approx(1 / 3)
    probabilities = v.details["probabilities"]
    assert len(probabilities) == 3 and len({tuple(o) for o in v.details["orders"]}) == 3
    for p in probabilities:  # mapped back to the original labels under every shown order
        assert p == pytest.approx({"A": 0.6, "B": 0.3, "C": 0.1})
    assert v.details["answer_probability"] == pytest.approx(0.3, abs=1e-3)
    assert "probability given to B: 0.30" in v.evidence
    claims, _ = assess(trace, [v])
    assert features(trace, claims, [v])["reask_agreement"] == pytest.approx(0.3, abs=1e-3)


async def test_without_token_alternatives_the_agreement_is_the_share_of_votes(mcq_case):
    backend = FakeBackend(scripted("A", [MENINGITIS, MENINGITIS, MIGRAINE]))
    trace = await run(ChainOfThought(recheck=3), mcq_case, backend)
    v = the_check(trace).verdict
    assert v.details["probabilities"] == [None, None, None]
    assert v.details["answer_probability"] is None
    assert all(r.logprobs and r.top_logprobs == 10 for r in backend.requests if is_recheck(r))
    claims, _ = assess(trace, [v])
    assert features(trace, claims, [v])["reask_agreement"] == pytest.approx(2 / 3)


@pytest.mark.embedded
async def test_recheck_reads_option_probabilities_from_the_embedded_model(mcq_case):
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    from clinreason.backends import make_backend

    backend = make_backend("embedded", model="smollm2-135m", cache=False, n_ctx=1024, logprobs=True)
    tb = TraceBuilder(mcq_case.blinded(), component_spec(ChainOfThought()), backend.spec)
    try:
        check = await recheck_choice(mcq_case, "A", backend, tb, samples=3)
    finally:
        await backend.aclose()
    details = check.verdict.details
    assert details["valid"] == 3  # the grammar keeps each reply to one letter
    for reply, p in zip(details["answers"], details["probabilities"], strict=True):
        assert p is not None and set(p) == {"A", "B", "C"}
        assert sum(p.values()) == pytest.approx(1.0) and p[reply] > 0
    mean = sum(p["A"] for p in details["probabilities"]) / 3
    assert details["answer_probability"] == pytest.approx(mean)
