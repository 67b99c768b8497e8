"""Claim-level re-asking (`strategies.claim_check`): selection, orders, grading, trust, errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from clinreason.backends.fake import FakeBackend
from clinreason.backends.scripted_server import scripted_server_thread
from clinreason.bench.rundir import read_results
from clinreason.cli import main
from clinreason.cli._common import make_strategy, parse_params
from clinreason.errors import BackendUnavailable
from clinreason.strategies import ChainOfThought, run
from clinreason.strategies.claim_check import (
    PURPOSE,
    VERIFIER,
    add_claim_checks,
    select_statements,
)
from clinreason.trace import (
    Case,
    Check,
    GenerateRequest,
    Generation,
    LLMCall,
    Thought,
    TokenLogprob,
    component_spec,
)
from clinreason.verify.trust import assess, features, lowest_claim_probability

DATA = Path(__file__).resolve().parents[1] / "bench" / "data"
FACT = "The patient has fever and neck stiffness."
KNOWLEDGE = "Neutrophils in the CSF suggest a bacterial infection."
REJECTS = "Migraine does not cause fever, so B is unlikely."
WRONG = "Tension headache typically causes neck stiffness."
REASONING = f"{FACT} {KNOWLEDGE} {REJECTS} Therefore, the answer is A."


def statement_of(request: GenerateRequest) -> str:
    return request.messages[-1].content.split('Statement: "', 1)[1].split('"\n', 1)[0]


def true_label(request: GenerateRequest) -> str:
    """The letter the prompt shows "True" under."""
    lines = request.messages[-1].content.splitlines()
    return next(line[0] for line in lines if line.endswith(". True"))


def is_claim_check(request: GenerateRequest) -> bool:
    return 'Statement: "' in request.messages[-1].content


def scripted(verdicts: dict[str, bool | None], reasoning: str = REASONING, answer: str = "A"):
    """cot reasons `reasoning` and answers `answer`; a claim check answers by `verdicts`
    (statement -> true/false; None: always the letter A, whatever it means)."""

    def reply(request: GenerateRequest) -> str:
        if not is_claim_check(request):
            return json.dumps({"reasoning": reasoning, "answer": answer})
        truth = verdicts[statement_of(request)]
        if truth is None:
            return '{"answer": "A"}'
        label = true_label(request) if truth else "AB".replace(true_label(request), "")
        return json.dumps({"answer": label})

    return reply


class ProbableBackend(FakeBackend):
    """A fake whose claim checks return token alternatives: P(true) per statement, whatever
    letter "True" is shown under."""

    def __init__(self, script, p_true: dict[str, float]) -> None:
        super().__init__(script)
        self.p_true = p_true

    async def generate(self, request: GenerateRequest) -> Generation:
        generation = await super().generate(request)
        if not (is_claim_check(request) and request.logprobs):
            return generation
        p = self.p_true[statement_of(request)]
        yes = true_label(request)
        no = "AB".replace(yes, "")
        top = {yes: math.log(p), no: math.log(1 - p), '"}': math.log(1e-4)}
        letter = json.loads(generation.texts[0])["answer"]
        tokens = [
            TokenLogprob(token='{"answer": "', logprob=0.0),
            TokenLogprob(token=letter, logprob=top[letter], top=top),
        ]
        return generation.model_copy(update={"logprobs": [tokens]})


def claim_checks(trace) -> list[Check]:
    return [s for s in trace.steps_of(Check) if s.verdict.verifier == VERIFIER]


def test_selection_splits_keeps_reasoning_and_puts_named_options_first(mcq_case):
    steps = [
        Thought(id="s2", text=f"{FACT} {KNOWLEDGE}"),  # two sentences in one thought
        Thought(id="s3", text="Fever with a stiff neck is typical of bacterial meningitis."),
        Thought(id="s4", text=f"{REJECTS} Therefore, the answer is A."),
    ]
    picked = select_statements(steps, mcq_case, limit=9)
    assert [text for _, text in picked] == [
        "Fever with a stiff neck is typical of bacterial meningitis.",  # names A by its text
        REJECTS,  # names option B, rejected
        KNOWLEDGE,  # names no option: after those that do
    ]  # the restated fact and the bare "the answer is A" are not re-asked
    assert [step.id for step, _ in picked] == ["s3", "s4", "s2"]
    assert [text for _, text in select_statements(steps, mcq_case, limit=2)] == [
        "Fever with a stiff neck is typical of bacterial meningitis.",
        REJECTS,
    ]
    assert select_statements(steps, mcq_case, limit=0) == []


async def test_each_statement_is_asked_alone_in_both_label_orders(mcq_case):
    verdicts = {KNOWLEDGE: True, REJECTS: True}
    backend = FakeBackend(scripted(verdicts))
    trace = await run(ChainOfThought(claim_check=4), mcq_case, backend)
    checks = claim_checks(trace)
    assert [c.verdict.claim for c in checks] == [REJECTS, KNOWLEDGE]
    asks = [r for r in backend.requests if is_claim_check(r)]
    assert len(asks) == 4
    assert [true_label(r) for r in asks] == ["B", "A", "B", "A"]  # both orders, per statement
    for request in asks:
        user = request.messages[-1].content
        assert "CSF shows neutrophils" in user and "Most likely diagnosis?" in user
        assert "A. Bacterial meningitis" in user  # the options, to read "B is unlikely"
        others = {FACT, KNOWLEDGE, REJECTS} - {statement_of(request)}
        assert not any(o in user for o in others)  # not the rest of the reasoning
        assert "answer is A" not in user  # nor the model's answer
        assert request.temperature == 0.0 and request.max_tokens <= 16
        assert request.json_schema["properties"]["answer"]["enum"] == ["A", "B"]
    prefix = asks[0].messages[-1].content.split("Statement:")[0]
    assert all(r.messages[-1].content.startswith(prefix) for r in asks)  # shared prefix
    calls = [s for s in trace.steps_of(LLMCall) if s.purpose == PURPOSE]
    assert len(calls) == 4 and all(c.parents == [] for c in calls)
    thought = next(t for t in trace.steps_of(Thought) if t.text == REJECTS)
    assert checks[0].verdict.step_id == thought.id and checks[0].parents[0] == thought.id
    assert set(checks[0].parents[1:]) == {c.id for c in calls[:2]}
    assert trace.answer.value == "A" and not set(trace.answer.support) & {c.id for c in checks}


async def test_votes_without_token_probabilities(mcq_case):
    backend = FakeBackend(scripted({KNOWLEDGE: True, REJECTS: False}))
    trace = await run(ChainOfThought(claim_check=4), mcq_case, backend)
    by_claim = {c.verdict.claim: c.verdict for c in claim_checks(trace)}
    assert by_claim[KNOWLEDGE].status == "supported" and by_claim[KNOWLEDGE].score == 1.0
    assert by_claim[KNOWLEDGE].details["answers"] == ["true", "true"]
    assert by_claim[KNOWLEDGE].details["probability_true"] is None
    assert by_claim[REJECTS].status == "contradicted" and by_claim[REJECTS].score == 0.0
    assert "the model asked again, without its reasoning" in by_claim[REJECTS].evidence
    assert lowest_claim_probability(trace) == 0.0

    # always the letter A: the two orders disagree, so nothing is decided
    backend = FakeBackend(scripted({KNOWLEDGE: None, REJECTS: None}))
    trace = await run(ChainOfThought(claim_check=4), mcq_case, backend)
    for check in claim_checks(trace):
        v = check.verdict
        assert v.status == "unverifiable" and v.score == 0.5
        assert sorted(v.details["answers"]) == ["false", "true"]


@pytest.mark.parametrize(
    ("p", "status"),
    [(0.9, "supported"), (0.7, "supported"), (0.55, "unverifiable"), (0.2, "contradicted")],
)
async def test_token_probabilities_grade_the_statement(mcq_case, p, status):
    reply = scripted({KNOWLEDGE: p > 0.5, REJECTS: True})
    backend = ProbableBackend(reply, {KNOWLEDGE: p, REJECTS: 0.95})
    trace = await run(ChainOfThought(claim_check=4), mcq_case, backend)
    v = next(c.verdict for c in claim_checks(trace) if c.verdict.claim == KNOWLEDGE)
    assert v.details["p_true"] == pytest.approx([p, p])  # mapped back in both orders
    assert v.details["probability_true"] == pytest.approx(p) and v.score == pytest.approx(p)
    assert v.status == status
    assert f"probability of true: {p:.2f}" in v.evidence
    assert lowest_claim_probability(trace) == pytest.approx(min(p, 0.95))


async def test_trust_takes_the_verdict_for_the_reasoning_claim(mcq_case):
    backend = FakeBackend(scripted({KNOWLEDGE: True, REJECTS: False}))
    trace = await run(ChainOfThought(claim_check=4), mcq_case, backend)
    claims, trust = assess(trace, [])
    reasoning = {c.text: c for c in claims if c.kind == "reasoning"}
    assert reasoning[KNOWLEDGE].status == "supported" and reasoning[KNOWLEDGE].independent
    assert reasoning[KNOWLEDGE].checked_by == [VERIFIER]
    assert reasoning[REJECTS].status == "contradicted"
    assert "asked again" in reasoning[REJECTS].evidence
    assert not any(c.kind == "patient_fact" and VERIFIER in c.checked_by for c in claims)
    # the model's own judgement asked again: graded, it does not cap trust as evidence does
    assert features(trace, claims)["contradicted"] == 0.0
    assert not trust.fully_verified

    plain = await run(ChainOfThought(), mcq_case, FakeBackend(scripted({})))
    before = {c.text: c.status for c in assess(plain, [])[0] if c.kind == "reasoning"}
    assert before[KNOWLEDGE] == before[REJECTS] == "unverifiable"
    assert lowest_claim_probability(plain) == 0.5


async def test_a_backend_error_in_a_claim_check_is_a_trace_error(mcq_case):
    replies = [
        json.dumps({"reasoning": REASONING, "answer": "A"}),
        '{"answer": "A"}',
        BackendUnavailable("connection refused", backend="openai"),
    ]
    trace = await run(ChainOfThought(claim_check=2), mcq_case, FakeBackend(replies))
    assert trace.answer is None and trace.error is not None and trace.error.retryable
    failed = trace.steps_of(LLMCall)[-1]
    assert failed.purpose == PURPOSE and failed.error and trace.error.step_id == failed.id
    assert claim_checks(trace) == []


async def test_no_reasoning_sentence_no_call(mcq_case):
    backend = FakeBackend(scripted({}, reasoning=f"{FACT} So the answer is A."))
    trace = await run(ChainOfThought(claim_check=4), mcq_case, backend)
    assert len(backend.requests) == 1 and claim_checks(trace) == []
    backend = FakeBackend(scripted({}))
    await run(ChainOfThought(), mcq_case, backend)  # off by default
    assert len(backend.requests) == 1
    free = Case(id="f", context="Na 140.", question="Sodium?")
    backend = FakeBackend(['{"reasoning": "Low sodium suggests SIADH.", "answer": "140"}'])
    await run(ChainOfThought(claim_check=4), free, backend)
    assert len(backend.requests) == 1  # not a choice


async def test_post_hoc_checks_extend_a_stored_trace(mcq_case):
    stored = await run(ChainOfThought(), mcq_case, FakeBackend(scripted({})))
    backend = FakeBackend(scripted({KNOWLEDGE: True, REJECTS: True}))
    extended = await add_claim_checks(stored, backend, limit=1)
    assert extended.steps[: len(stored.steps)] == stored.steps
    new = extended.steps[len(stored.steps) :]
    n = len(stored.steps)
    assert [s.id for s in new] == [f"s{n + 1}", f"s{n + 2}", f"s{n + 3}"]  # 2 calls, 1 check
    assert [c.verdict.claim for c in claim_checks(extended)] == [REJECTS]
    assert extended.answer == stored.answer and len(backend.requests) == 2

    free = stored.model_copy(update={"case": Case(id="f", question="?")})
    assert await add_claim_checks(free, FakeBackend([]), limit=4) is free


def test_settable_from_the_cli_and_recorded_in_the_spec():
    strategy = make_strategy("cot", parse_params(("claim_check=2",)))
    assert strategy == ChainOfThought(claim_check=2)
    assert component_spec(strategy).params["claim_check"] == 2
    assert component_spec(ChainOfThought()).params["claim_check"] == 0


def test_eval_with_claim_checks_over_an_openai_compatible_server(tmp_path):
    """`clinreason eval --strategy cot -S claim_check=2` against the scripted server: each
    answer gets at most two claim checks, graded from the server's replies."""

    def reply(body: dict) -> str:
        fmt = body.get("response_format") or {}
        schema = fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema") or {}
        user = body["messages"][-1]["content"]
        if "reasoning" in schema.get("properties", {}):
            if "neck stiffness" in user:
                reasoning = "Lumbar puncture is the next test. Urinalysis is not indicated here."
            else:
                reasoning = "Vitamin C deficiency causes scurvy. Vitamin D is not the cause."
            return json.dumps({"reasoning": reasoning, "answer": "A"})
        yes = next(line[0] for line in user.splitlines() if line.endswith(". True"))
        false = " not " in user.split('Statement: "', 1)[1].split('"', 1)[0]
        return json.dumps({"answer": "AB".replace(yes, "") if false else yes})

    out = tmp_path / "run"
    with scripted_server_thread(reply) as base:
        args = ["eval", "mirage", str(DATA / "mirage_tiny.json"), "--strategy", "cot"]
        args += ["-S", "claim_check=2", "--backend", "openai", "--base-url", base, "--model"]
        args += ["scripted", "--no-cache", "--no-progress", "--out", str(out)]
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    results = read_results(out)
    assert len(results) == 3  # two MedQA items and one PubMedQA item
    for r in results:
        checks = claim_checks(r.trace)
        assert len(checks) == 2
        statuses = {c.verdict.claim: c.verdict.status for c in checks}
        assert sorted(statuses.values()) == ["contradicted", "supported"]
        assert all((" not " in claim) == (s == "contradicted") for claim, s in statuses.items())
        calls = [s for s in r.trace.steps_of(LLMCall) if s.purpose == PURPOSE]
        assert len(calls) == 4 and all(c.error is None for c in calls)
        assert r.trust is not None and r.fully_verified is False
    spec = json.loads((out / "run.json").read_text())
    assert spec["strategy"]["params"]["claim_check"] == 2


@pytest.mark.embedded
async def test_claim_checks_on_the_embedded_model(mcq_case):
    """The real SmolLM2-135M re-asks a fixed reasoning (scripted cot, so there is always a
    sentence to ask; no token probabilities: graded by the replies); a few seconds."""
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    from clinreason.backends import make_backend

    stored = await run(ChainOfThought(), mcq_case, FakeBackend(scripted({})))
    backend = make_backend("embedded", model="smollm2-135m", cache=False, n_ctx=1024)
    try:
        trace = await add_claim_checks(stored, backend, limit=2)
    finally:
        await backend.aclose()
    checks = claim_checks(trace)
    assert [c.verdict.claim for c in checks] == [REJECTS, KNOWLEDGE]
    for check in checks:
        v = check.verdict
        assert v.status in ("supported", "contradicted", "unverifiable")
        assert len(v.details["answers"]) == 2
        assert all(a in ("true", "false", None) for a in v.details["answers"])
        assert sorted(o[0] for o in v.details["orders"]) == ["false", "true"]  # both orders
    calls = [s for s in trace.steps_of(LLMCall) if s.purpose == PURPOSE]
    assert len(calls) == 4 and all(c.response is not None and c.error is None for c in calls)
