"""The `citation` verifier on citations that tell the truth and citations that lie."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clinreason.strategies import run
from clinreason.strategies.rag import NONE, RetrievalAugmented
from clinreason.tools.retrieval import build_index
from clinreason.trace import Citation, Retrieval, Trace
from clinreason.verify import verify_trace
from clinreason.verify.citations import HIGH, LOW, overlap, quote_in
from clinreason.verify.trust import assess
from tests.retrieval.test_rag import AKI_CASE, scripted

TRUE_STATEMENT = "Serum creatinine three times baseline means stage 3 acute kidney injury."


@pytest.fixture
def index_dir(corpus: Path, tmp_path: Path) -> Path:
    out = tmp_path / "ix"
    build_index([corpus], out)
    return out


async def rag_trace(index_dir: Path, statement: str, quote: str, judge: str | None) -> Trace:
    strategy = RetrievalAugmented(index=str(index_dir), judge=judge is not None)
    backend = scripted([(quote, statement)], judge=judge or "yes")
    trace = await run(strategy, AKI_CASE, backend)
    assert trace.error is None
    return trace


def citation_verdict(trace: Trace):
    (v,) = [v for v in verify_trace(trace, ["citation"]) if v.details.get("check") != "uncited"]
    return v


def replace_citation(trace: Trace, **changes: object) -> Trace:
    steps = [s.model_copy(update=changes) if isinstance(s, Citation) else s for s in trace.steps]
    return trace.model_copy(update={"steps": steps})


async def test_a_true_citation_is_supported_from_the_index(index_dir):
    trace = await rag_trace(index_dir, TRUE_STATEMENT, "#three times baseline", judge="yes")
    v = citation_verdict(trace)
    assert v.status == "supported", v.evidence
    assert v.details["passage_from"] == "index" and v.details["judge"] == "supported"
    assert v.step_id == trace.steps_of(Citation)[0].parents[0]  # on the citing sentence
    claims, _trust = assess(trace, verify_trace(trace))
    reasoning = [c for c in claims if c.kind == "reasoning"]
    assert reasoning and reasoning[0].status == "supported" and reasoning[0].independent


async def test_a_fabricated_quote_is_contradicted(index_dir):
    trace = await rag_trace(index_dir, TRUE_STATEMENT, "#three times baseline", judge="yes")
    lie = replace_citation(trace, quote="serum creatinine four times baseline")
    v = citation_verdict(lie)
    assert v.status == "contradicted" and v.details["check"] == "quote"
    # white space, case, curly quotes and dashes are forgiven; a changed word is not
    assert quote_in("STAGE 3 acute  kidney\ninjury", "Stage 3 acute kidney injury: x")
    assert quote_in("“a” – b", '"a" - b')
    assert not quote_in("stage 2 acute kidney injury", "Stage 3 acute kidney injury")
    assert not quote_in("", "anything")


async def test_a_passage_the_index_does_not_hold_is_contradicted(index_dir):
    trace = await rag_trace(index_dir, TRUE_STATEMENT, "#three times baseline", judge="yes")
    v = citation_verdict(replace_citation(trace, passage_id="corpus/aki.md#99"))
    assert v.status == "contradicted" and v.details["check"] == "passage"
    v = citation_verdict(replace_citation(trace, passage_id=""))
    assert v.status == "contradicted"


async def test_a_tampered_copy_of_the_passage_in_the_trace_is_caught(index_dir):
    trace = await rag_trace(index_dir, TRUE_STATEMENT, "#three times baseline", judge="yes")
    retrieval = trace.steps_of(Retrieval)[0]
    doc = retrieval.documents[0].model_copy(update={"text": "Stage 3: made-up criteria."})
    forged = retrieval.model_copy(update={"documents": [doc, *retrieval.documents[1:]]})
    steps = [forged if s.id == retrieval.id else s for s in trace.steps]
    v = citation_verdict(trace.model_copy(update={"steps": steps}))
    assert v.status == "contradicted" and "differs" in v.details["passage_from"]


async def test_without_the_index_the_traces_copy_is_used_and_said_so(index_dir):
    trace = await rag_trace(index_dir, TRUE_STATEMENT, "#three times baseline", judge="yes")
    moved = index_dir.with_name("elsewhere")
    shutil.move(index_dir, moved)
    v = citation_verdict(trace)
    assert v.status == "supported"
    assert (
        v.details["passage_from"].startswith("trace (index")
        and "not on this machine" in (v.details["passage_from"])
    )


async def test_the_judge_saying_no_makes_the_citation_contradicted(index_dir):
    trace = await rag_trace(index_dir, TRUE_STATEMENT, "#three times baseline", judge="no")
    v = citation_verdict(trace)
    assert v.status == "contradicted" and v.details["check"] == "support"
    _claims, trust = assess(trace, verify_trace(trace))
    assert not trust.fully_verified and trust.score <= 0.3


async def test_without_a_judge_only_strong_word_overlap_supports(index_dir):
    trace = await rag_trace(index_dir, TRUE_STATEMENT, "#three times baseline", judge=None)
    v = citation_verdict(trace)
    assert v.details["judge"] is None
    assert v.details["overlap"] >= HIGH and v.status == "supported"
    unrelated = "Warfarin should be stopped before the operation."
    trace = await rag_trace(index_dir, unrelated, "#three times baseline", judge=None)
    v = citation_verdict(trace)
    assert v.details["overlap"] < LOW and v.status == "unverifiable"


async def test_the_judge_saying_yes_to_an_unrelated_sentence_is_not_enough(index_dir):
    unrelated = "Warfarin should be stopped before the operation."
    trace = await rag_trace(index_dir, unrelated, "#three times baseline", judge="yes")
    v = citation_verdict(trace)
    assert v.status == "unverifiable" and v.details["judge"] == "supported"


async def test_a_figure_the_passage_does_not_give_is_contradicted(index_dir):
    invented = "Creatinine three times baseline, in 42% of patients, means stage 3 injury."
    trace = await rag_trace(index_dir, invented, "#three times baseline", judge="yes")
    v = citation_verdict(trace)
    assert v.status == "contradicted" and v.details["check"] == "figures"
    assert "42%" in v.evidence
    # the passage's own figure, a figure from the case, and a category number are not flagged
    sourced = "Urine output below 0.3 mL/kg/h after creatinine of 3.2 mg/dL means stage 3."
    trace = await rag_trace(index_dir, sourced, "#three times baseline", judge="yes")
    assert citation_verdict(trace).details["check"] != "figures"


async def test_an_uncited_sentence_is_unverifiable_and_says_so(index_dir):
    trace = await rag_trace(index_dir, "He has stage 3.", NONE, judge="yes")
    (v,) = verify_trace(trace, ["citation"])
    assert v.status == "unverifiable" and v.evidence == "the sentence cites no source"
    claims, _ = assess(trace, verify_trace(trace))
    assert any(c.evidence == "the sentence cites no source" for c in claims)


async def test_a_supported_citation_earns_more_trust_than_a_lying_one(index_dir):
    honest = await rag_trace(index_dir, TRUE_STATEMENT, "#three times baseline", judge="yes")
    lying = replace_citation(honest, quote="creatinine four times baseline")
    _, honest_trust = assess(honest, verify_trace(honest))
    _, lying_trust = assess(lying, verify_trace(lying))
    assert honest_trust.score > lying_trust.score
    assert lying_trust.counts["contradicted"] == 1


def test_overlap_ignores_words_that_come_from_the_case():
    passage = "Stage 3 acute kidney injury: serum creatinine three times baseline."
    case = "A 70-year-old man after surgery."
    with_case = overlap("The man after surgery: creatinine three times baseline", passage, case)
    without = overlap("The man after surgery: creatinine three times baseline", passage)
    assert with_case == 1.0 and without is not None and without < 1.0
    assert overlap("The 70-year-old man", passage, case) is None


async def test_the_answer_claim_sits_on_the_reasoning_call_not_the_judge(index_dir):
    trace = await rag_trace(index_dir, TRUE_STATEMENT, "#three times baseline", judge="yes")
    claims, _ = assess(trace, verify_trace(trace))
    (answer,) = [c for c in claims if c.kind == "answer"]
    assert trace.step(answer.step_id).purpose == "reason_with_sources"  # type: ignore[union-attr]


async def test_cited_traces_have_their_own_family_and_say_they_are_not_calibrated(index_dir):
    from clinreason.verify.trust import family

    trace = await rag_trace(index_dir, TRUE_STATEMENT, "#three times baseline", judge="yes")
    _, trust = assess(trace, verify_trace(trace))
    assert family(trace) == "cited"
    assert trust.calibration == "default (not fitted)"


def test_a_finding_that_rests_on_an_aim_or_hypothesis_is_caught():
    from clinreason.verify.citations import rests_on_an_aim

    passage = (
        "We hypothesized that inhaled steroids reverse airway inflammation. "
        "Forty patients were studied. Dyspnoea scores fell by 20% with steroids."
    )
    assert rests_on_an_aim("Inhaled steroids reverse airway inflammation.", passage)
    # hedged, or describing what the study did, or resting on a reported result: not caught
    assert rests_on_an_aim("Inhaled steroids may reverse airway inflammation.", passage) is None
    assert rests_on_an_aim("The study examined whether steroids reverse it.", passage) is None
    assert rests_on_an_aim("Dyspnoea scores fell by 20% with steroids.", passage) is None
    question = "Is tailored counselling better than print materials? 1099 women were randomized."
    assert rests_on_an_aim("Tailored counselling is better than print materials.", question)
