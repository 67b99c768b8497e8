"""The claim ledger and the trust score (clinreason.verify.trust)."""

from __future__ import annotations

import json

import pytest

from clinreason.backends.fake import FakeBackend
from clinreason.bench.stats import auroc
from clinreason.bench.trust_fit import cross_fit, fit_logistic
from clinreason.strategies import ChainOfThought, run
from clinreason.strategies.calculator import CalculatorStrategy
from clinreason.trace import (
    SCHEMA_VERSION,
    Answer,
    Candidate,
    Case,
    Check,
    ComponentSpec,
    Extraction,
    Span,
    ToolCall,
    Trace,
    Verdict,
    explain,
    trace_from_dict,
)
from clinreason.verify import verify_trace
from clinreason.verify.trust import (
    assess,
    claims_of,
    features,
    predict,
    trust_of,
    with_assessment,
)

STEMI = Case(
    id="stemi",
    context="A 58-year-old man has crushing chest pain. ECG shows ST elevation in II, III and aVF.",
    question="Which coronary artery is most likely occluded?",
    options={"A": "Left anterior descending artery", "C": "Right coronary artery"},
)


def _calc_trace(*, stroke_method: str = "assumed", verdicts: list[Verdict] | None = None) -> Trace:
    note = "Age 70. History of a stroke in 2019."
    case = Case(id="c", question="What is the patient's HAS-BLED score?", context=note)
    stroke_span = Span(start=8, end=35, text=note[8:35]) if stroke_method == "rule" else None
    steps = [
        Extraction(id="s1", name="age", value=70, span=Span(start=4, end=6, text="70")),
        Extraction(
            id="s2",
            name="stroke",
            value=stroke_method == "rule",
            method=stroke_method,  # type: ignore[arg-type]
            span=stroke_span,
            note="not mentioned -> absent" if stroke_method == "assumed" else "",
        ),
        ToolCall(id="s3", tool="calculator.has_bled", result={"value": 1}, parents=["s1", "s2"]),
    ]
    trace = Trace(
        case=case,
        strategy=ComponentSpec(name="calculator"),
        steps=steps,
        answer=Answer(value="1", support=["s3"], confidence=0.7),
    )
    return trace.model_copy(update={"verdicts": verdicts or []})


def _v(step: str, status: str, verifier: str = "numbers", **details: object) -> Verdict:
    return Verdict(
        verifier=verifier,
        status=status,
        step_id=step,
        claim="c",
        evidence="e",  # type: ignore[arg-type]
        details=details,
    )


def test_statuses_follow_method_and_verdicts() -> None:
    supported = [_v("s1", "supported"), _v("s3", "supported", "calculation")]
    claims = claims_of(_calc_trace(), supported)
    assert [(c.step_id, c.status) for c in claims] == [
        ("s1", "supported"),
        ("s2", "assumption"),
        ("s3", "supported"),
    ]
    assert claims[0].checked_by == ["numbers"] and not claims[0].independent


def test_a_supported_verdict_does_not_turn_an_assumption_into_evidence() -> None:
    claims = claims_of(_calc_trace(), [_v("s2", "supported", "second_reader")])
    assert claims[1].status == "assumption"


def test_second_reader_contradicting_an_assumption_is_independent_evidence() -> None:
    verdict = _v("s2", "contradicted", "second_reader")
    claims = claims_of(_calc_trace(), [verdict])
    assert claims[1].status == "contradicted" and claims[1].independent


def test_ambiguity_keeps_a_supported_value_unverifiable() -> None:
    verdicts = [_v("s1", "supported"), _v("s1", "unverifiable", "second_reader", ambiguous=True)]
    assert claims_of(_calc_trace(), verdicts)[0].status == "unverifiable"


def test_a_value_chosen_among_several_counts_as_ambiguous_until_read_again() -> None:
    trace = _calc_trace()
    other = Candidate(value=75, span=Span(start=0, end=3, text="Age"))
    chosen = trace.steps[0].model_copy(update={"candidates": [other], "selection": "first"})
    trace = trace.model_copy(update={"steps": [chosen, *trace.steps[1:]]})
    claims = claims_of(trace, [])
    assert "the first of 2 values in the note" in claims[0].evidence
    assert features(trace, claims)["ambiguous"] == 1.0
    read = [_v("s1", "supported", "second_reader")]  # e.g. decided by the note's time words
    assert features(trace, claims_of(trace, read), read)["ambiguous"] == 0.0
    assert features(_calc_trace(), claims_of(_calc_trace(), []))["ambiguous"] == 0.0


def test_fully_verified_only_when_every_claim_is_supported() -> None:
    everything = [
        _v("s1", "supported"),
        _v("s2", "supported", "grounding"),
        _v("s3", "supported", "calculation"),
    ]
    trace = _calc_trace(stroke_method="rule")
    _claims, trust = assess(trace, everything)
    assert trust.fully_verified and trust.summary.startswith("Fully verified")
    _claims, trust = assess(_calc_trace(), everything)
    assert not trust.fully_verified
    assert "1 assumption" in trust.summary and "stroke" in trust.summary


def test_contradiction_lowers_trust() -> None:
    good = [_v("s1", "supported"), _v("s3", "supported", "calculation")]
    bad = [_v("s1", "contradicted"), _v("s3", "supported", "calculation")]
    t_good = assess(_calc_trace(), good)[1]
    t_bad = assess(_calc_trace(), bad)[1]
    assert t_bad.score < t_good.score
    assert t_bad.counts.get("contradicted") == 1


def test_unanswered_trace_has_no_claims() -> None:
    trace = _calc_trace().model_copy(update={"answer": None})
    assert claims_of(trace, []) == []
    assert with_assessment(trace).trust is None


async def test_cot_answer_is_a_model_judgement_never_fully_verified() -> None:
    reply = "ST elevation in II, III and aVF. This suggests the left anterior descending. Answer: A"
    trace = await run(ChainOfThought(), STEMI, FakeBackend([reply]))
    trace = with_assessment(trace.model_copy(update={"verdicts": verify_trace(trace)}))
    assert trace.trust is not None and not trace.trust.fully_verified
    kinds = {c.kind: c.status for c in trace.claims}
    assert kinds["answer"] == "judgement"
    assert kinds["reasoning"] == "unverifiable"
    text = explain(trace)
    assert "Trust:" in text and "model judgement" in text and "not checked" in text


async def test_reask_check_decides_the_answer_claim() -> None:
    trace = await run(ChainOfThought(), STEMI, FakeBackend(["Answer: A"]))
    check = Check(
        id="s9",
        verdict=Verdict(
            verifier="reask",
            status="contradicted",
            claim="the answer is A",
            evidence="re-asked 3 times: C, C, C",
            details={"agreement": 0.0},
        ),
    )
    support = [*trace.answer.support, "s9"]  # type: ignore[union-attr]
    trace = trace.model_copy(
        update={
            "steps": [*trace.steps, check],
            "answer": trace.answer.model_copy(update={"support": support}),  # type: ignore[union-attr]
        }
    )
    claims, _trust = assess(trace, [])
    answer = next(c for c in claims if c.kind == "answer")
    assert answer.status == "contradicted" and answer.independent
    assert "C, C, C" in answer.evidence


async def test_calculator_trace_end_to_end_reports_its_assumptions() -> None:
    case = Case(
        id="chads",
        question="What is the patient's CHA2DS2-VASc score?",
        context="A 72-year-old woman with hypertension and atrial fibrillation.",
    )
    trace = await run(CalculatorStrategy(use_llm=False), case, FakeBackend([]))
    trace = with_assessment(trace.model_copy(update={"verdicts": verify_trace(trace)}))
    assert trace.trust is not None
    statuses = {c.status for c in trace.claims}
    assert "assumption" in statuses and not trace.trust.fully_verified
    method = next(c for c in trace.claims if c.kind == "method")
    assert method.status == "supported" and "CHA2DS2-VASc" in method.evidence


def test_trace_with_claims_round_trips_and_old_traces_read() -> None:
    trace = with_assessment(_calc_trace(verdicts=[_v("s1", "supported")]))
    data = json.loads(trace.model_dump_json())
    assert data["schema_version"] == SCHEMA_VERSION and data["trust"]["fully_verified"] is False
    assert trace_from_dict(data).claims == trace.claims
    data.update(schema_version="1.0")
    del data["claims"], data["trust"]
    old = trace_from_dict(data)
    assert old.claims == [] and old.trust is None


def test_default_score_is_labelled_when_no_table_is_fitted(monkeypatch: pytest.MonkeyPatch) -> None:
    import clinreason.verify.trust as trust_module

    monkeypatch.setattr(trust_module, "calibration_tables", lambda: {})
    trust = trust_of(_calc_trace(), claims_of(_calc_trace(), []))
    assert trust.calibration == "default (not fitted)" and 0 <= trust.score <= 1


def test_fitted_table_predicts_and_cross_fit_is_out_of_sample() -> None:
    rows = [{"a": float(i % 3 == 0), "b": float(i % 5)} for i in range(60)]
    labels = [i % 3 == 0 for i in range(60)]
    table = fit_logistic(rows, labels, ("a", "b"))
    assert predict(table, {"a": 1.0, "b": 0.0}) > 0.5 > predict(table, {"a": 0.0, "b": 0.0})
    scores = cross_fit([str(i) for i in range(60)], rows, labels, ("a", "b"))
    assert auroc(scores, labels) == pytest.approx(1.0)


def test_auroc_edge_cases() -> None:
    assert auroc([0.1, 0.2], [True, True]) is None
    assert auroc([0.5, 0.5], [True, False]) == 0.5


def test_harness_lines_carry_trust_and_the_summary_and_report_show_it(tmp_path) -> None:
    import asyncio
    from pathlib import Path

    from clinreason.bench.medcalc import MedCalcBenchmark
    from clinreason.bench.report import build_report, summary_rows
    from clinreason.bench.rundir import read_results
    from clinreason.bench.runner import run_eval

    tiny = Path(__file__).resolve().parents[1] / "medcalc" / "tiny_medcalc.csv"
    bench = MedCalcBenchmark()
    dataset = bench.load(tiny)
    out = tmp_path / "run"
    strategy = CalculatorStrategy(use_llm=False)
    summary = asyncio.run(
        run_eval(bench, dataset, strategy, FakeBackend([]), out_dir=out, progress=False)
    )
    results = read_results(out)
    answered = [r for r in results if r.answer is not None]
    assert answered
    for r in answered:
        assert r.trust is not None and 0 <= r.trust <= 1
        assert isinstance(r.fully_verified, bool)
        assert r.trace is not None and r.trace.trust is not None and r.trace.claims
        assert r.trace.trust.fully_verified == r.fully_verified
    assert summary["trust"]["n"] == len(answered)
    assert any(label == "fully verified" for label, _ in summary_rows(summary))
    page = build_report([out])
    assert "Trust AUROC" in page and "claims" in page


def test_shipped_calibration_table_matches_the_features() -> None:
    from clinreason.verify.trust import FAMILY_FEATURES, calibration_tables

    tables = calibration_tables()
    assert "calculator" in tables
    for family, table in tables.items():
        names = FAMILY_FEATURES[family]
        assert tuple(table["features"]) == names
        assert len(table["coef"]) == len(table["mean"]) == len(table["scale"]) == len(names)
    trust = trust_of(_calc_trace(), claims_of(_calc_trace(), []))
    assert trust.calibration == "calculator@1"


def test_a_contradiction_or_an_assumption_never_raises_the_fitted_trust() -> None:
    """Sign-bounded fit: even data in which contradicted traces happen to be right cannot make
    a contradiction raise trust, and a contradicted answer is capped."""
    from clinreason.verify.trust import CONTRADICTED_CAP, FEATURES, calibrated

    rows, labels = [], []
    for i in range(80):
        bad = i % 4 == 0
        rows.append(
            {f: 0.0 for f in FEATURES} | {"contradicted": float(bad), "assumptions": float(bad)}
        )
        labels.append(bad or i % 3 == 0)  # contradicted and assumed traces all "right"
    table = fit_logistic(rows, labels, FEATURES)
    coef = dict(zip(table["features"], table["coef"], strict=True))
    assert coef["contradicted"] <= 0 and coef["assumptions"] <= 0
    clean = {f: 0.0 for f in FEATURES}
    assert calibrated(table, clean | {"contradicted": 1.0}) <= min(
        calibrated(table, clean), CONTRADICTED_CAP
    )


async def test_the_answer_claim_sits_on_the_deciding_call_not_a_reask() -> None:
    from clinreason.strategies import ChainOfThought as Cot

    replies = ["ST elevation in II, III and aVF suggests the LAD. Answer: A"] + [
        '{"answer": "B"}'
    ] * 3
    trace = await run(Cot(recheck=2), STEMI, FakeBackend(replies))
    claims, _ = assess(trace, verify_trace(trace))
    answer = next(c for c in claims if c.kind == "answer")
    assert trace.step(answer.step_id).purpose != "recheck"  # type: ignore[union-attr]
    assert any(s.kind == "check" and s.verdict.verifier == "reask" for s in trace.steps)
