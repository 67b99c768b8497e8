"""Gold is blinded: strategies and verifiers get the case without its gold; scoring sees it.

A spy strategy and a spy verifier record the case they receive, through `strategies.run`, the
harness (`run_eval`), re-scoring (`rescore`) and the importer.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pytest

from clinreason.backends.fake import FakeBackend
from clinreason.bench import MirageBenchmark
from clinreason.bench.datasets.casimedicos import load as load_casimedicos
from clinreason.bench.importer import ImportSpec, import_predictions
from clinreason.bench.medcalc import MedCalcBenchmark
from clinreason.bench.medcalc import load as load_medcalc
from clinreason.bench.phenopackets import record_to_case as phenopacket_case
from clinreason.bench.rundir import RESULTS, read_results, records
from clinreason.bench.runner import make_result, rescore, run_eval
from clinreason.strategies import run
from clinreason.trace import Answer, Case, ComponentSpec, Thought, Trace, TraceBuilder, Verdict
from clinreason.trace.case import GOLD_METADATA_KEYS
from clinreason.verify import VERIFIERS
from clinreason.verify.consistency import ConsistencyCheck

ROOT = Path(__file__).resolve().parents[1]
TINY_MEDCALC = ROOT / "medcalc" / "tiny_medcalc.csv"
BENCH_DATA = ROOT / "bench" / "data"

MEDCALC_ANSWERS = {"1": "94.0", "2": "10/17/2020", "3": "(5 weeks, 0 days)", "4": "40"}
"""The spy's answers on tiny_medcalc.csv: rows 1 and 3 right, 2 (a day late) and 4 wrong."""
MEDCALC_CORRECT = {"1": True, "2": False, "3": True, "4": False}
WITH_STATEMENTS = ("1", "2")
"""Rows whose reference rationale has statements to recall (the others are too short)."""


def assert_blind(case: Case) -> None:
    """Nothing gold-derived is left in `case`."""
    assert case.gold is None and case.gold_range is None and case.rationale is None
    leaked = sorted(k for k in case.metadata if k in GOLD_METADATA_KEYS)
    assert not leaked, f"gold-derived metadata reached a strategy or verifier: {leaked}"
    assert case.is_blinded


@dataclass(frozen=True)
class Spy:
    """Records the case it is given and answers from a table keyed by case id."""

    name: ClassVar[str] = "spy"
    version: ClassVar[int] = 1
    answers: dict[str, str] = field(default_factory=dict)
    seen: list[Case] = field(default_factory=list, repr=False, compare=False)

    async def solve(self, case: Case, backend: Any, tb: TraceBuilder) -> Answer:
        self.seen.append(case)
        value = self.answers.get(case.id, "0")
        step = tb.add(Thought(text=f"The mean arterial pressure is {value}."))
        return Answer(value=value, support=[step.id])


class SpyVerifier:
    """Records the case (and the trace's case) every verifier call gets."""

    name: ClassVar[str] = "spy"
    seen: ClassVar[list[Case]] = []

    def verify(self, trace: Trace, case: Case) -> list[Verdict]:
        SpyVerifier.seen.extend([case, trace.case])
        return []


@pytest.fixture
def spy_verifier(monkeypatch: pytest.MonkeyPatch) -> type[SpyVerifier]:
    """`SpyVerifier` registered among the default verifiers, with an empty record."""
    monkeypatch.setitem(VERIFIERS, "spy", SpyVerifier)
    monkeypatch.setattr(SpyVerifier, "seen", [])
    return SpyVerifier


def test_blinded_removes_gold_and_gold_derived_metadata() -> None:
    medcalc = load_medcalc(TINY_MEDCALC).cases[0]
    assert medcalc.gold and medcalc.gold_range and medcalc.rationale  # the fixture has them
    for key in ("relevant_entities", "lower_limit", "upper_limit", "calculator_id"):
        assert key in medcalc.metadata
    blind = medcalc.blinded()
    assert_blind(blind)
    assert (blind.id, blind.question, blind.context, blind.answer_type) == (
        medcalc.id,
        medcalc.question,
        medcalc.context,
        medcalc.answer_type,
    )
    assert blind.metadata["note_id"] == medcalc.metadata["note_id"]
    assert not medcalc.is_blinded and medcalc.gold == "94.0"  # the original is untouched

    packet = phenopacket_case(
        {
            "id": "PMID_1_family_1",
            "cohort": "FBN1",
            "refs": ["PMID:1"],
            "sex": "FEMALE",
            "observed": ["HP:0001166"],
            "excluded": ["HP:0001250"],
            "diagnosis": ["OMIM:154700"],
            "genes": ["FBN1"],
        },
        "test",
    )
    blind = packet.blinded()
    assert_blind(blind)
    assert blind.metadata["observed"] == ["HP:0001166"]  # the `diagnose` strategy's input
    assert blind.metadata["excluded"] == ["HP:0001250"] and blind.metadata["sex"] == "FEMALE"
    assert "FBN1" not in json.dumps(blind.metadata)


def test_casimedicos_claim_count_is_blinded() -> None:
    case = load_casimedicos(BENCH_DATA / "casimedicos" / "EN" / "dev.tsv").cases[0]
    assert "n_claims" in case.metadata and case.rationale
    blind = case.blinded()
    assert_blind(blind)
    assert blind.metadata["n_premises"] == case.metadata["n_premises"]


def test_strategy_run_gives_the_strategy_and_the_trace_the_blinded_case() -> None:
    spy = Spy(MEDCALC_ANSWERS)
    cases = load_medcalc(TINY_MEDCALC).cases
    for case in cases:
        trace = asyncio.run(run(spy, case, FakeBackend([])))
        assert spy.seen[-1].id == case.id
        assert_blind(spy.seen[-1])
        assert_blind(trace.case)  # the verifiers read `trace.case`
        assert trace.answer is not None and trace.answer.value == MEDCALC_ANSWERS[case.id]
    assert len(spy.seen) == len(cases)


def test_harness_blinds_the_strategy_and_verifiers_but_scores_against_gold(
    tmp_path: Path, spy_verifier: type[SpyVerifier]
) -> None:
    bench = MedCalcBenchmark()
    dataset = bench.load(TINY_MEDCALC)
    spy = Spy(MEDCALC_ANSWERS)
    out = tmp_path / "run"
    asyncio.run(run_eval(bench, dataset, spy, FakeBackend([]), out_dir=out, progress=False))

    assert sorted(c.id for c in spy.seen) == sorted(MEDCALC_ANSWERS)
    for case in spy.seen:
        assert_blind(case)
    assert len(spy_verifier.seen) == 2 * len(dataset)  # the verifiers ran on every case
    for case in spy_verifier.seen:
        assert_blind(case)

    full = {c.id: c for c in dataset.cases}
    results = {r.case_id: r for r in read_results(out)}
    assert {k: r.correct for k, r in results.items()} == MEDCALC_CORRECT
    for case_id, result in results.items():
        assert result.trace is not None
        assert_blind(result.trace.case)  # what is stored is what the strategy saw
        assert result.gold == full[case_id].gold and result.gold_range == full[case_id].gold_range
        assert result.rationale == full[case_id].rationale
        assert result.metadata == full[case_id].metadata  # breakdowns keep the labels
        assert result.full_case() == full[case_id]
    for case_id in WITH_STATEMENTS:  # compared with the reference rationale
        assert results[case_id].details["quality"]["recall_lexical"] is not None  # type: ignore[index]
    assert results["4"].details["ceiling_correct"] is True  # scoring saw the gold entities

    spy_verifier.seen.clear()
    rescore(out)  # `clinreason score`: no strategy; gold from the result lines
    rescored = {r.case_id: r for r in read_results(out)}
    assert {k: r.correct for k, r in rescored.items()} == MEDCALC_CORRECT
    assert all(r.trace is not None and r.trace.case.is_blinded for r in rescored.values())
    for case_id in WITH_STATEMENTS:
        assert rescored[case_id].details["quality"]["recall_lexical"] is not None  # type: ignore[index]
    assert len(spy_verifier.seen) == 2 * len(dataset)
    for case in spy_verifier.seen:
        assert_blind(case)


def test_rescore_reads_files_written_before_blinding(
    tmp_path: Path, spy_verifier: type[SpyVerifier]
) -> None:
    """Old lines: the trace holds the full case and the line has no gold_range/rationale."""
    bench = MedCalcBenchmark()
    dataset = bench.load(TINY_MEDCALC)
    out = tmp_path / "run"
    spy = Spy(MEDCALC_ANSWERS)
    asyncio.run(run_eval(bench, dataset, spy, FakeBackend([]), out_dir=out, progress=False))
    full = {c.id: c for c in dataset.cases}
    lines = []
    for obj in records(out):  # rewritten inline, as files before gold blinding were
        obj["trace"]["case"] = full[obj["case_id"]].model_dump(mode="json")
        del obj["gold_range"], obj["rationale"]
        lines.append(json.dumps(obj))
    (out / RESULTS).write_text("\n".join(lines) + "\n")
    old = {r.case_id: r for r in read_results(out)}
    assert all(r.full_case() == full[k] for k, r in old.items())

    spy_verifier.seen.clear()
    rescore(out)
    rescored = {r.case_id: r for r in read_results(out)}
    assert {k: r.correct for k, r in rescored.items()} == MEDCALC_CORRECT
    assert all(r.rationale == full[k].rationale for k, r in rescored.items())
    for case in spy_verifier.seen[::2]:  # the case passed to the verifiers
        assert_blind(case)


def test_runner_fallback_trace_of_a_crashing_strategy_is_blinded(tmp_path: Path) -> None:
    @dataclass(frozen=True)
    class Crash:
        name: ClassVar[str] = "crash"
        version: ClassVar[int] = 1

        async def solve(self, case: Case, backend: Any, tb: TraceBuilder) -> Answer:
            raise RuntimeError("bug")

    bench = MedCalcBenchmark()
    dataset = bench.load(TINY_MEDCALC)
    out = tmp_path / "run"
    asyncio.run(run_eval(bench, dataset, Crash(), FakeBackend([]), out_dir=out, progress=False))
    results = read_results(out)
    assert results and all(r.status == "error" for r in results)
    for r in results:
        assert r.trace is not None
        assert_blind(r.trace.case)
        assert r.gold is not None


def test_imported_traces_hold_the_blinded_case(tmp_path: Path) -> None:
    spec = ImportSpec(
        id_field="{subset}/{qid}", output_field="raw", where={"system": "alpha"}, system="alpha"
    )
    import_predictions(
        BENCH_DATA / "predictions_tiny.jsonl",
        benchmark=MirageBenchmark(),
        data=BENCH_DATA / "mirage_tiny.json",
        out_dir=tmp_path / "imp",
        spec=spec,
    )
    results = {r.case_id: r for r in read_results(tmp_path / "imp")}
    assert results["medqa/0000"].correct is True and results["medqa/0000"].gold == "A"
    for r in results.values():
        assert r.trace is not None
        assert_blind(r.trace.case)


def test_make_result_gives_verifiers_the_blinded_case(spy_verifier: type[SpyVerifier]) -> None:
    case = load_medcalc(TINY_MEDCALC).cases[0]
    trace = Trace(
        case=case,  # even a trace that (wrongly) embeds the full case
        strategy=ComponentSpec(name="x"),
        steps=[Thought(id="s1", text="MAP is 94.0 mm Hg.")],
        answer=Answer(value="94.0", support=["s1"]),
    )
    result = make_result(MedCalcBenchmark(), case, trace, None)
    assert result.correct is True
    assert spy_verifier.seen and all(c.is_blinded for c in spy_verifier.seen[::2])


def _trace(case: Case, text: str, answer: str) -> Trace:
    return Trace(
        case=case,
        strategy=ComponentSpec(name="x"),
        steps=[Thought(id="s1", text=text)],
        answer=Answer(value=answer, support=["s1"]),
    )


CONSISTENCY_CASES = [
    # free text with a numeric gold: the gold must not decide whether a phrase is an answer
    (Case(id="t1", question="Renal function?", gold="52"), "The answer is reduced.", "52"),
    (
        Case(id="t2", question="Diagnosis?", gold="OMIM:154700"),
        "The answer is Marfan syndrome.",
        "OMIM:154700",
    ),
    (
        Case(id="n1", question="CrCl?", answer_type="number", gold="52.1", gold_range=(50, 54)),
        "The answer is reduced clearance.",
        "52.1",
    ),
    (
        Case(id="n2", question="CrCl?", answer_type="number", gold="52.1"),
        "So the CrCl is 48 mL/min.",
        "52.1",
    ),
    (
        Case(id="d1", question="Due date?", answer_type="date", gold="10/16/2020"),
        "The answer is mid October.",
        "10/16/2020",
    ),
    (
        Case(id="c1", question="Which?", options={"A": "Lumbar puncture", "B": "CT"}, gold="A"),
        "Therefore the answer is B.",
        "A",
    ),
    (
        Case(id="g1", question="Gestational age?", gold="('5 weeks', '0 days')"),
        "The answer is 5 weeks and 0 days.",
        "(5 weeks, 0 days)",
    ),
]


@pytest.mark.parametrize(
    ("case", "text", "answer"), CONSISTENCY_CASES, ids=[c.id for c, _, _ in CONSISTENCY_CASES]
)
def test_consistency_verdicts_do_not_depend_on_gold(case: Case, text: str, answer: str) -> None:
    check = ConsistencyCheck()
    with_gold = check.verify(_trace(case, text, answer), case)
    blind = case.blinded()
    without_gold = check.verify(_trace(blind, text, answer), blind)
    assert with_gold == without_gold


def test_consistency_reads_a_phrase_only_for_free_text_questions() -> None:
    text = Case(id="t", question="Diagnosis?")
    number = Case(id="n", question="CrCl?", answer_type="number")
    verdicts = ConsistencyCheck().verify(_trace(text, "The answer is migraine.", "tension"), text)
    assert [v.status for v in verdicts] == ["contradicted"]
    assert ConsistencyCheck().verify(_trace(number, "The answer is reduced.", "52"), number) == []
