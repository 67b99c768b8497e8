"""MedCalc benchmark: loader on a hand-written CSV, scoring rules, failure stages, summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clinreason.backends.fake import FakeBackend
from clinreason.bench import BENCHMARKS
from clinreason.bench.medcalc import MedCalcBenchmark, gold_ceiling, load, record_to_case
from clinreason.bench.medcalc_entities import values_match
from clinreason.bench.report import summary_rows
from clinreason.bench.runner import run_eval
from clinreason.errors import DatasetError
from clinreason.strategies.base import run
from clinreason.strategies.calculator import CalculatorStrategy
from clinreason.trace import Answer, Case, ComponentSpec, Extraction, ToolCall, TraceBuilder

TINY = Path(__file__).with_name("tiny_medcalc.csv")

ROW = {
    "Row Number": "7",
    "Calculator ID": "6",
    "Calculator Name": "Body Mass Index (BMI)",
    "Category": "physical",
    "Output Type": "decimal",
    "Note ID": "x",
    "Note Type": "Extracted",
    "Patient Note": "Weight 80 kg, height 160 cm.",
    "Question": "What is the patient's BMI?",
    "Relevant Entities": "{'weight': [80, 'kg'], 'height': [160, 'cm']}",
    "Ground Truth Answer": "31.25",
    "Lower Limit": "29.688",
    "Upper Limit": "32.812",
}


def test_registered() -> None:
    assert BENCHMARKS["medcalc"] is MedCalcBenchmark


def test_load_tiny_csv() -> None:
    ds = load(TINY)
    assert [c.id for c in ds.cases] == ["1", "2", "3", "4"]
    first = ds.cases[0]
    assert "\nHis blood pressure" in first.context  # quoted field with a newline
    assert first.answer_type == "number" and first.gold_range == (89.3, 98.7)
    md = first.metadata
    assert md["calculator_id"] == 5 and md["category"] == "physical" and md["note_id"] == "n1"
    assert md["relevant_entities"] == {
        "Systolic Blood Pressure": [120, "mm Hg"],
        "Diastolic Blood Pressure": [81, "mm Hg"],
    }
    assert ds.cases[1].answer_type == "date" and ds.cases[1].gold_range is None
    assert ds.cases[2].gold == "('5 weeks', '0 days')"
    assert len(ds.sha256) == 64


def test_record_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="missing column"):
        record_to_case({k: v for k, v in ROW.items() if k != "Question"})
    with pytest.raises(DatasetError, match="literal"):
        record_to_case({**ROW, "Relevant Entities": "{'a': __import__('os')}"})
    with pytest.raises(DatasetError, match="not a dict"):
        record_to_case({**ROW, "Relevant Entities": "[1, 2]"})
    with pytest.raises(DatasetError, match="not found"):
        load(tmp_path / "absent.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("Row Number,Question\n1,q\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="header lacks"):
        load(bad)


def _trace(case: Case, value: str | None, calc_slug: str, extracted: dict) -> object:
    tb = TraceBuilder(case, ComponentSpec(name="test"))
    ids = []
    for name, (v, unit) in extracted.items():
        ids.append(tb.add(Extraction(name=name, value=v, unit=unit, method="rule")).id)
    call = tb.add(
        ToolCall(tool=f"calculator.{calc_slug}", arguments={}, result={"value": value}, parents=ids)
    )
    return tb.finish(Answer(value=value, support=[call.id]))


def test_scoring_rules_and_failure_stages() -> None:
    bench = MedCalcBenchmark()
    case = record_to_case(ROW)
    good = {"weight": (80, "kg"), "height": (160, "cm")}
    assert bench.score(case, _trace(case, "31.25", "bmi", good)).correct is True
    assert bench.score(case, _trace(case, "29.688", "bmi", good)).correct is True  # inclusive
    wrong_calc = bench.score(case, _trace(case, "1.9", "body_surface_area", good))
    assert (
        wrong_calc.correct is False and wrong_calc.details["failure_stage"] == "calculator_choice"
    )
    bad_height = {"weight": (80, "kg"), "height": (150, "cm")}
    scored = bench.score(case, _trace(case, "35.6", "bmi", bad_height))
    assert scored.details["failure_stage"] == "extraction:height"
    assert scored.details["extraction_correct"] == 1 and scored.details["extraction_total"] == 2
    # inputs right, answer wrong -> computation
    scored = bench.score(case, _trace(case, "40", "bmi", good))
    assert scored.details["failure_stage"] == "computation"


def test_date_and_gestational_age_must_match_exactly() -> None:
    ds = load(TINY)
    bench = MedCalcBenchmark()
    due, ga = ds.cases[1], ds.cases[2]
    assert bench.score(due, _trace(due, "10/16/2020", "estimated_due_date", {})).correct
    assert not bench.score(due, _trace(due, "10/17/2020", "estimated_due_date", {})).correct
    assert bench.score(ga, _trace(ga, "(5 weeks, 0 days)", "gestational_age", {})).correct
    assert not bench.score(ga, _trace(ga, "(5 weeks, 1 days)", "gestational_age", {})).correct


def test_values_match_units_and_defaults() -> None:
    assert values_match("creatinine", [124, "µmol/L"], [1.4, "mg/dL"])
    assert not values_match("creatinine", [2.0, "mg/dL"], [1.4, "mg/dL"])
    assert values_match("Temperature", [101.3, "degrees fahrenheit"], [38.5, "degrees celsius"])
    assert values_match("Hemoptysis", None, False, default=False)
    assert not values_match("Hemoptysis", True, False)
    assert values_match("Platelet count", [150000, "µL"], [150000.0, "µL"])


def test_ceiling_uses_gold_entities() -> None:
    case = record_to_case(ROW)
    assert gold_ceiling(case.metadata, case.gold) is True
    assert gold_ceiling({**case.metadata, "relevant_entities": {}}, case.gold) is False


async def test_eval_end_to_end_writes_summary(tmp_path: Path) -> None:
    bench = MedCalcBenchmark()
    ds = bench.load(TINY)
    strategy = bench.default_strategy()
    assert isinstance(strategy, CalculatorStrategy)
    summary = await run_eval(
        bench,
        ds,
        strategy,
        FakeBackend([]),
        out_dir=tmp_path / "run",
        concurrency=1,
        progress=False,
    )
    for key in (
        "accuracy",
        "n",
        "ci95",
        "by_category",
        "by_calculator",
        "extraction_accuracy",
        "ceiling",
    ):
        assert key in summary
    assert summary["n"] == 4 and summary["accuracy"] == 1.0 and summary["ceiling"] == 1.0
    lo, hi = summary["ci95"]
    assert 0 < lo < 1.0 and hi == pytest.approx(1.0)
    # the harness's generic keys, so `clinreason eval` and `report` print the interval
    assert summary["ci_wilson"] == summary["ci95"] and summary["n_scored"] == 4
    assert dict(summary_rows(summary))["accuracy"].endswith(f"(95% CI {lo * 100:.1f}–100.0)")
    assert summary["by_category"]["physical"]["n"] == 2
    lines = [json.loads(x) for x in (tmp_path / "run" / "results.jsonl").read_text().splitlines()]
    assert {x["case_id"] for x in lines} == {"1", "2", "3", "4"}
    assert all(x["details"]["extraction_total"] >= 1 for x in lines)
    assert all(x["latency_s"] is not None for x in lines)


async def test_summary_counts_errors_as_wrong_with_a_stage() -> None:
    bench = MedCalcBenchmark(rules_only=True)
    case = record_to_case({**ROW, "Patient Note": "Weight 80 kg. Height not recorded."})
    trace = await run(bench.default_strategy(), case, FakeBackend([]))
    assert trace.error is not None
    from clinreason.bench.runner import make_result

    result = make_result(bench, case, trace, 0.01)
    summary = bench.summarize([result])
    assert summary["accuracy"] == 0.0 and summary["n_errors"] == 1
    assert summary["failure_stages"] == {"extraction": 1}
    assert summary["extraction_failures_by_parameter"] == {"height": 1}
