"""The model's second reading of yes/no criteria, with a quote checked against the note."""

from __future__ import annotations

import json
import re

from clinreason.backends.fake import FakeBackend
from clinreason.strategies.base import run
from clinreason.strategies.calculator import CalculatorStrategy
from clinreason.strategies.quote_check import PURPOSE, VERIFIER, find_quote
from clinreason.trace import Case, Check, Extraction, GenerateRequest, LLMCall
from clinreason.verify.trust import assess

NOTE = (
    "A 70-year-old man with atrial fibrillation. He had a cerebral infarct two years ago. "
    "His father had diabetes. He is on no regular medication."
)
QUESTION = "What is the patient's CHA2DS2-VASc Score?"


def _reader(readings: dict[str, tuple[str, str]]):
    """A scripted model: for each item whose wording contains a key, that (reading, quote);
    every other item 'not stated'."""

    def reply(request: GenerateRequest) -> str:
        user = request.messages[-1].content
        out = {}
        for key, text in re.findall(r"^(q\d+): (.+)$", user, re.M):
            hit = next((v for k, v in readings.items() if k.lower() in text.lower()), None)
            reading, quote = hit or ("not stated", "")
            out[key] = {"quote": quote, "reading": reading}
        return json.dumps(out)

    return reply


async def _trace(readings: dict[str, tuple[str, str]]):
    strategy = CalculatorStrategy(use_llm=False, quote_check=True)
    backend = FakeBackend(_reader(readings))
    trace = await run(strategy, Case(id="c", question=QUESTION, context=NOTE), backend)
    return trace, backend


def _check(trace, name: str) -> Check:
    step = next(s for s in trace.steps_of(Extraction) if s.name == name)
    return next(c for c in trace.steps_of(Check) if c.verdict.step_id == step.id)


async def test_a_rule_reading_quoted_by_the_model_is_supported() -> None:
    trace, backend = await _trace({"stroke": ("true", "he had a cerebral infarct two years ago")})
    assert trace.error is None and len(backend.requests) == 1
    stroke = next(s for s in trace.steps_of(Extraction) if s.name == "Stroke")
    assert (stroke.value, stroke.method) == (True, "rule")
    check = _check(trace, "Stroke")
    v = check.verdict
    assert (v.verifier, v.status, v.details["agrees"]) == (VERIFIER, "supported", True)
    assert NOTE[slice(*v.details["span"])].lower() == "he had a cerebral infarct two years ago"
    assert "quoting the note" in v.evidence
    call = next(s for s in trace.steps_of(LLMCall) if s.purpose == PURPOSE)
    assert call.id in check.parents
    assert call.id not in trace.ancestors(trace.answer.support)  # off the answer's path
    claims, _ = assess(trace)
    claim = next(c for c in claims if c.step_id == stroke.id)
    assert claim.status == "supported" and VERIFIER in claim.checked_by and claim.independent


async def test_a_criterion_the_rules_assumed_absent_but_the_model_quotes_is_flagged() -> None:
    trace, _ = await _trace({"hypertension": ("true", "He is on no regular medication")})
    step = next(s for s in trace.steps_of(Extraction) if s.name == "Hypertension history")
    assert (step.value, step.method) == (False, "assumed")
    v = _check(trace, "Hypertension history").verdict
    assert (v.status, v.details["ambiguous"], v.details["agrees"]) == ("unverifiable", True, False)
    claims, trust = assess(trace)
    assert next(c for c in claims if c.step_id == step.id).status == "unverifiable"
    assert not trust.fully_verified


async def test_a_quote_not_in_the_note_counts_for_nothing() -> None:
    trace, _ = await _trace({"diabetes": ("true", "long-standing type 2 diabetes on metformin")})
    check = _check(trace, "Diabetes history").verdict
    assert check.status == "unverifiable" and check.details["ambiguous"] is False
    assert "not in the note" in check.evidence


async def test_agreement_supports_a_rule_reading_but_not_an_assumption() -> None:
    trace, _ = await _trace({"diabetes": ("false", "His father had diabetes")})
    check = _check(trace, "Diabetes history").verdict
    assert check.status == "supported"
    claims, trust = assess(trace)
    step = next(s for s in trace.steps_of(Extraction) if s.name == "Diabetes history")
    claim = next(c for c in claims if c.step_id == step.id)
    expected = "assumption" if step.method == "assumed" else "supported"
    assert claim.status == expected
    assert trust.fully_verified is False or expected == "supported"


async def test_nothing_to_read_means_no_call() -> None:
    note = "A 60-year-old man. BP 120/80 mmHg."
    strategy = CalculatorStrategy(use_llm=False, quote_check=True)
    backend = FakeBackend([])  # any call would raise
    trace = await run(strategy, Case(id="m", question="What is the MAP?", context=note), backend)
    assert trace.error is None and backend.requests == [] and not trace.steps_of(Check)


def test_find_quote_ignores_case_and_spacing_only() -> None:
    assert find_quote("Known  HTN.", "known htn").text == "Known  HTN"
    assert find_quote("Known HTN.", "known hypertension") is None
    assert find_quote("x", "  ") is None
