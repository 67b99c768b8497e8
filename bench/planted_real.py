"""Checks of the verifiers on real, third-party text.

Honesty note: the MedCalc-Bench dev explanations were used for error analysis while the
false-alarm rules were written (derived values, operands, unit remarks), so their figures are
in-sample. The one-shot worked examples (`one_shot_examples.json`, other notes, same explanation
style) are the closer-to-held-out check; they were run four times during that work, and one
rule (unlabelled equal numbers) was adjusted after seeing them. docs/benchmarks/verifiers.md
has the figures.

- MedCalc-Bench dev rows: the real patient note + the benchmark's own step-by-step
  'Ground Truth Explanation' as the reasoning (one thought per line) + its answer. Clean
  traces give the false-alarm rate on real notes and real explanation text (v1.0 labels and
  explanations contain some known errors, so a contradiction here is not always false);
  planted copies (a changed result of an '= number' in the explanation, a changed restated
  lab value, a changed final answer) give recall on real text.
- The same dev notes through the `calculator` strategy with the fake backend (rule
  extraction, no model): false alarms on those clean traces; recall on a changed calculator
  result and a changed extracted value.
- MIRAGE published GPT-3.5/GPT-4 chain-of-thought replies (development questions): the
  question as the case text and the model's reasoning as thoughts; the share of replies with
  a contradicted verdict (no gold for the reasoning, so these are inspected, not scored).

    .venv/bin/python bench/planted_real.py [--data ../shared/data] [--seed 0] [--show 5]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clinreason.trace import Answer, Case, ComponentSpec, Extraction, Thought, ToolCall, Trace
from clinreason.verify import verify_trace

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
_RESULT = re.compile(r"(?<=[\d)]) ?= (-?\d+(?:\.\d+)?)(?![\d.eE])")
"""'= number' right after an expression (not a parameter assignment like 'A = 0.7')."""
_UNIT_VALUE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?) (mg/dL|mmol/L|mEq/L|µmol/L|g/dL|kg|cm|mm Hg|mmHg)"
)


def _medcalc_trace(row: dict[str, str]) -> Trace | None:
    lines = [ln.strip() for ln in row["Ground Truth Explanation"].splitlines() if ln.strip()]
    answer = row["Ground Truth Answer"].strip()
    if not lines or not re.fullmatch(r"-?\d+(?:\.\d+)?", answer):
        return None
    case = Case(
        id=f"medcalc-{row['Row Number']}",
        question=row["Question"] or "?",
        context=row["Patient Note"],
        answer_type="number",
    )
    steps = [Thought(id=f"s{i + 1}", text=t) for i, t in enumerate(lines)]
    return Trace(
        case=case,
        strategy=ComponentSpec(name="medcalc_explanation"),
        steps=steps,
        answer=Answer(value=answer, support=[s.id for s in steps]),
    )


def _changed(text: str, rng: random.Random) -> str:
    value = float(text)
    dec = len(text.split(".")[1]) if "." in text else 0
    delta = max(abs(value) * rng.uniform(0.15, 0.4), 3 * 10.0**-dec)
    return f"{value + rng.choice([-1, 1]) * delta:.{dec}f}"


def _plant(trace: Trace, kind: str, rng: random.Random) -> Trace | None:
    out = trace.model_copy(deep=True)
    if kind == "conclusion":
        assert out.answer is not None and out.answer.value is not None
        out.answer.value = _changed(out.answer.value, rng)
        return out
    regex = _RESULT if kind == "arithmetic" else _UNIT_VALUE
    note = trace.case.context
    spots = []
    for step in out.steps:
        assert isinstance(step, Thought)
        for m in regex.finditer(step.text):
            if kind == "lab_value" and f"{m.group(1)} {m.group(2)}" not in note:
                continue  # only values the note states in the same form
            if kind == "arithmetic" and not re.search(
                r"[-+*/×]", step.text[max(0, m.start() - 40) : m.start()]
            ):
                continue  # an operator must precede the result
            spots.append((step, m))
    if not spots:
        return None
    step, m = rng.choice(spots)
    new = _changed(m.group(1), rng)
    step.text = step.text[: m.start(1)] + new + step.text[m.end(1) :]
    return out


def one_shot_rows(path: Path, dev_rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """MedCalc-Bench's one-shot worked examples as rows shaped like dev.csv rows.

    These notes and explanations were never looked at while writing the verifiers: they are the
    held-out check (the question text comes from a dev row of the same calculator).
    """
    questions = {r["Calculator ID"]: r["Question"] for r in dev_rows}
    out = []
    for cid, entry in json.loads(path.read_text(encoding="utf-8")).items():
        response = entry["Response"]
        out.append(
            {
                "Row Number": f"oneshot-{cid}",
                "Question": questions.get(cid, ""),
                "Patient Note": entry["Patient Note"],
                "Ground Truth Explanation": str(response["step_by_step_thinking"]),
                "Ground Truth Answer": str(response["answer"]),
            }
        )
    return out


def medcalc(rows: list[dict[str, str]], rng: random.Random, show: int) -> dict[str, Any]:
    """False alarms on clean rows and recall on planted copies (by expected verifier)."""
    traces = [t for t in (_medcalc_trace(r) for r in rows) if t is not None]
    expected = {
        "arithmetic": {"calculation"},
        "lab_value": {"numbers"},
        "conclusion": {"consistency"},
    }
    return _evaluate(traces, _plant, expected, rng, show)


def _evaluate(
    traces: list[Trace],
    plant: Callable[[Trace, str, random.Random], Trace | None],
    expected: dict[str, set[str]],
    rng: random.Random,
    show: int,
) -> dict[str, Any]:
    """False alarms on the clean `traces`; recall of each planted error kind, counted as caught
    when one of its expected verifiers contradicts something in the planted copy."""
    alarms: Counter[str] = Counter()
    any_alarm = 0
    examples = []
    for t in traces:
        bad = [v for v in verify_trace(t) if v.status == "contradicted"]
        any_alarm += bool(bad)
        alarms.update({v.verifier for v in bad})
        if bad and len(examples) < show:
            examples.append(f"{t.case.id}: {bad[0].verifier} {bad[0].claim!r} — {bad[0].evidence}")
    recall: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for t in traces:
        for kind, verifiers in expected.items():
            planted = plant(t, kind, rng)
            if planted is None:
                continue
            got = {v.verifier for v in verify_trace(planted) if v.status == "contradicted"}
            recall[kind][0] += 1
            recall[kind][1] += bool(got & verifiers)
    return {
        "traces": len(traces),
        "false_alarm_any": any_alarm / len(traces),
        "false_alarm_by_verifier": {k: v / len(traces) for k, v in sorted(alarms.items())},
        "recall": {
            k: {"planted": n, "expected_verifier": hit / n} for k, (n, hit) in recall.items()
        },
        "examples": examples,
    }


def _plant_calculator(trace: Trace, kind: str, rng: random.Random) -> Trace | None:
    out = trace.model_copy(deep=True)
    if kind == "tool_result":
        calls = [s for s in out.steps if isinstance(s, ToolCall) and isinstance(s.result, dict)]
        value = calls[-1].result.get("value") if calls else None  # type: ignore[union-attr]
        if not isinstance(value, int | float) or isinstance(value, bool):
            return None
        assert isinstance(calls[-1].result, dict)
        calls[-1].result["value"] = round(value * rng.choice([0.7, 0.8, 1.25, 1.4]) + 1, 3)
        return out
    numeric = [
        s
        for s in out.steps
        if isinstance(s, Extraction)
        and s.span is not None
        and isinstance(s.value, int | float)
        and not isinstance(s.value, bool)
    ]
    if not numeric:
        return None
    step = rng.choice(numeric)
    assert isinstance(step.value, int | float)
    step.value = round(float(step.value) * rng.choice([0.75, 0.85, 1.2, 1.3]) + 1, 1)
    return out


def calculator_runs(path: Path, rng: random.Random, show: int) -> dict[str, Any]:
    """The `calculator` strategy on the dev notes with the fake backend (rule extraction only,
    no language model): false alarms on its clean traces, recall on a changed calculator result
    and on a changed extracted value."""
    import asyncio

    from clinreason.backends import make_backend
    from clinreason.bench.medcalc import MedCalcBenchmark
    from clinreason.strategies import run

    bench = MedCalcBenchmark()
    cases = bench.load(path).cases
    strategy = bench.default_strategy()
    backend = make_backend("fake", cache=False)

    async def solve() -> list[Trace]:
        return [await run(strategy, case, backend) for case in cases]

    traces = [t for t in asyncio.run(solve()) if t.error is None]
    expected = {"tool_result": {"calculation"}, "extraction": {"numbers", "calculation"}}
    return {"cases": len(cases), **_evaluate(traces, _plant_calculator, expected, rng, show)}


def mirage(path: Path, questions: Path, show: int) -> dict[str, Any]:
    """Share of published chain-of-thought replies with any contradicted verdict."""
    qs = json.loads(questions.read_text(encoding="utf-8"))
    counts: Counter[str] = Counter()
    n = 0
    examples = []
    for line in path.open(encoding="utf-8"):
        rec = json.loads(line)
        if rec["method"] != "cot":
            continue
        item = qs[rec["dataset"]][rec["qid"]]
        try:
            obj = json.loads(rec["raw"][0])
        except json.JSONDecodeError:
            continue
        reasoning = str(obj.get("step_by_step_thinking", ""))
        letter = str(obj.get("answer_choice", "")).strip()[:1]
        case = Case(
            id=f"{rec['dataset']}-{rec['qid']}", question=item["question"], options=item["options"]
        )
        steps = [
            Thought(id=f"s{i + 1}", text=s)
            for i, s in enumerate(re.split(r"(?<=[.!?])\s+", reasoning))
            if s
        ]
        trace = Trace(
            case=case,
            strategy=ComponentSpec(name=rec["model"]),
            steps=steps,
            answer=Answer(
                value=letter if letter in item["options"] else None,
                support=[s.id for s in steps],
                raw=rec["raw"][0],
            ),
        )
        bad = [v for v in verify_trace(trace) if v.status == "contradicted"]
        n += 1
        counts.update({v.verifier for v in bad})
        counts["any"] += bool(bad)
        if bad and len(examples) < show:
            examples.append(
                f"{case.id} {rec['model']}: {bad[0].verifier} {bad[0].claim!r} — {bad[0].evidence}"
            )
    return {
        "replies": n,
        "contradicted_share": {k: v / n for k, v in sorted(counts.items())},
        "examples": examples,
    }


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=5)
    args = ap.parse_args()
    medcalc_path = args.data / "medcalc-bench" / "dev.csv"
    if not medcalc_path.is_file():
        sys.exit(f"MedCalc-Bench dev data not found: {medcalc_path}")
    dev_rows = list(csv.DictReader(medcalc_path.open(encoding="utf-8")))
    res = {"medcalc": medcalc(dev_rows, random.Random(args.seed), args.show)}
    one_shot = args.data / "medcalc-bench" / "one_shot_examples.json"
    if one_shot.is_file():
        rows = one_shot_rows(one_shot, dev_rows)
        res["medcalc_one_shot"] = medcalc(rows, random.Random(args.seed), args.show)
    res["calculator_strategy"] = calculator_runs(medcalc_path, random.Random(args.seed), args.show)
    preds = args.data / "mirage" / "published_predictions.jsonl"
    if preds.is_file():
        res["mirage"] = mirage(preds, args.data / "mirage" / "dev.json", args.show)
    print(json.dumps(res, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
