"""Planted-error benchmark for the verifiers: detection recall and false-alarm rate.

Generates correct traces from a seeded generator with many templates (patient notes with vital
signs, labs in varied units and layouts, present and denied findings, distractor numbers such
as doses, durations, dates and reference ranges; reasoning that restates values, converts
units, compares, computes, hedges and concludes), optionally also clean calculator traces built
with `clinreason.tools.calculators`, and plants one known error per copy:

    lab_value    a stated lab / vital value changed             -> numbers
    unit_swap    a stated value's unit swapped, number kept     -> numbers
    comparison   a comparison direction flipped                 -> numbers
    negation     a finding the note denies asserted as present  -> grounding
    arithmetic   a stated arithmetic result changed             -> calculation
    tool_result  a calculator call's stored result changed      -> calculation
    extraction   an extracted calculator input changed          -> numbers / calculation
    conclusion   the final answer changed against the reasoning -> consistency

Recall = share of planted traces where the expected verifier contradicts something; a false
alarm = a clean trace with any contradicted verdict (per verifier and overall).

    .venv/bin/python bench/planted_errors.py [--n 400] [--seed 0] [--calculators 200] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from clinreason.trace import (  # noqa: E402
    Answer,
    Case,
    ComponentSpec,
    Extraction,
    Span,
    Thought,
    ToolCall,
    Trace,
)
from clinreason.verify import VERIFIERS, verify_trace  # noqa: E402
from planted_templates import Patient, make_patient, note_text, reasoning  # noqa: E402

EXPECTED = {
    "lab_value": {"numbers"},
    "unit_swap": {"numbers"},
    "comparison": {"numbers"},
    "negation": {"grounding"},
    "arithmetic": {"calculation"},
    "tool_result": {"calculation"},
    "extraction": {"numbers", "calculation"},
    "conclusion": {"consistency"},
}


@dataclass
class Clean:
    """A correct trace plus what the generator knows about where errors can be planted."""

    trace: Trace
    patient: Patient | None = None
    slots: dict[str, Any] = field(default_factory=dict)


def _trace(case: Case, thoughts: list[str], answer: str, options_answer: bool) -> Trace:
    steps = [Thought(id=f"s{i + 1}", text=t) for i, t in enumerate(thoughts)]
    support = [s.id for s in steps]
    return Trace(
        case=case,
        strategy=ComponentSpec(name="planted"),
        steps=steps,
        answer=Answer(value=answer, support=support, raw=""),
    )


def make_clean_text(rng: random.Random, index: int) -> Clean:
    """A clean chain-of-thought trace over a generated note."""
    p = make_patient(rng)
    note, facts = note_text(p, rng)
    r = reasoning(p, facts, rng)
    case = Case(
        id=f"planted-{index}",
        question=r.question,
        context=note,
        options=r.options,
        answer_type="choice" if r.options else "number",
    )
    trace = _trace(case, r.thoughts, r.answer, bool(r.options))
    return Clean(trace, p, r.slots)


def make_clean_calculator(rng: random.Random, index: int) -> Clean | None:
    """A clean calculator trace: extractions with spans, the call, the answer."""
    from clinreason.tools.calculators import by_slug

    p = make_patient(rng)
    note, facts = note_text(p, rng)
    choices = [
        ("bmi", {"weight": "weight", "height": "height"}),
        (
            "mean_arterial_pressure",
            {"Systolic Blood Pressure": "sbp", "Diastolic Blood Pressure": "dbp"},
        ),
        ("body_surface_area", {"weight": "weight", "height": "height"}),
        ("ideal_body_weight", {"height": "height", "sex": "sex"}),
    ]
    slug, inputs = rng.choice(choices)
    calc = by_slug(slug)
    steps: list[Any] = []
    entities: dict[str, Any] = {}
    for key, fact_name in inputs.items():
        fact = facts.get(fact_name)
        if fact is None:
            return None
        value, unit, text = fact
        start = note.find(text)
        if start < 0:
            return None
        span = Span(start=start, end=start + len(text), text=text)
        sid = f"s{len(steps) + 1}"
        if fact_name == "sex":
            entities[key] = value
            steps.append(Extraction(id=sid, name=key, value=value, span=span))
        else:
            entities[key] = [value, unit]
            steps.append(Extraction(id=sid, name=key, value=value, unit=unit, span=span))
    comp = calc.compute(entities)
    call = ToolCall(
        id=f"s{len(steps) + 1}",
        tool=f"calculator.{slug}",
        arguments=entities,
        result={"value": comp.value, "unit": comp.unit},
        explanation=list(comp.steps),
        parents=[s.id for s in steps],
    )
    steps.append(call)
    case = Case(id=f"calc-{index}", question=f"What is the patient's {calc.name}?", context=note)
    value = f"{float(comp.value):.{rng.choice([1, 2, 3])}f}"
    trace = Trace(
        case=case,
        strategy=ComponentSpec(name="calculator"),
        steps=steps,
        answer=Answer(value=value, unit=comp.unit, support=[call.id]),
    )
    return Clean(trace, p, {"calculator": True})


def _replace_in_step(trace: Trace, step_id: str, old: str, new: str) -> Trace | None:
    out = trace.model_copy(deep=True)
    for step in out.steps:
        if step.id == step_id and isinstance(step, Thought) and old in step.text:
            step.text = step.text.replace(old, new, 1)
            return out
    return None


def plant(clean: Clean, kind: str, rng: random.Random) -> Trace | None:
    """A copy of the clean trace with one error of `kind`, or None if it does not apply."""
    t = clean.trace
    slots = clean.slots.get(kind) or []
    if kind in ("lab_value", "unit_swap", "comparison", "negation", "arithmetic"):
        if not slots:
            return None
        step_id, old, new = rng.choice(slots)
        return _replace_in_step(t, step_id, old, new)
    if kind == "conclusion":
        if t.answer is None or t.answer.value is None:
            return None
        out = t.model_copy(deep=True)
        assert out.answer is not None and out.answer.value is not None
        if t.case.options:
            others = [k for k in t.case.options if k != out.answer.value]
            out.answer.value = rng.choice(others)
        else:
            value = float(out.answer.value)
            decimals = len(out.answer.value.split(".")[1]) if "." in out.answer.value else 0
            delta = max(abs(value) * rng.uniform(0.1, 0.5), 2 * 10.0**-decimals)
            out.answer.value = f"{value + rng.choice([-1, 1]) * delta:.{decimals}f}"
        return out
    calls = [s for s in t.steps if isinstance(s, ToolCall)]
    if kind == "tool_result" and calls:
        out = t.model_copy(deep=True)
        call = next(s for s in out.steps if isinstance(s, ToolCall))
        assert isinstance(call.result, dict)
        value = float(call.result["value"])  # type: ignore[arg-type]
        call.result["value"] = round(value * rng.choice([0.7, 0.8, 1.25, 1.4]) + 1, 3)
        return out
    if kind == "extraction" and calls:
        out = t.model_copy(deep=True)
        numeric = [s for s in out.steps if isinstance(s, Extraction) and s.unit]
        if not numeric:
            return None
        ext = rng.choice(numeric)
        assert isinstance(ext.value, int | float)
        ext.value = round(float(ext.value) * rng.choice([0.75, 0.85, 1.2, 1.3]), 1)
        return out
    return None


def _contradicting(verdicts: list[Any]) -> set[str]:
    return {v.verifier for v in verdicts if v.status == "contradicted"}


def run(n: int, calculators: int, seed: int) -> dict[str, Any]:
    """Generate, plant and verify; return the figures."""
    rng = random.Random(seed)
    cleans: list[Clean] = [make_clean_text(rng, i) for i in range(n)]
    made = 0
    tries = 0
    while made < calculators and tries < calculators * 5:
        tries += 1
        c = make_clean_calculator(rng, tries)
        if c is not None:
            cleans.append(c)
            made += 1
    started = time.perf_counter()
    false_alarm: dict[str, int] = defaultdict(int)
    any_alarm = 0
    examples: list[dict[str, Any]] = []
    for c in cleans:
        got = _contradicting(verify_trace(c.trace))
        any_alarm += bool(got)
        for name in got:
            false_alarm[name] += 1
        if got and len(examples) < 5:
            examples.append({"case": c.trace.case.id, "verifiers": sorted(got)})
    detected: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for c in cleans:
        for kind in EXPECTED:
            planted = plant(c, kind, rng)
            if planted is None:
                continue
            got = _contradicting(verify_trace(planted))
            row = detected[kind]
            row[0] += 1
            row[1] += bool(got & EXPECTED[kind])
            row[2] += bool(got)
    elapsed = time.perf_counter() - started
    n_clean = len(cleans)
    return {
        "seed": seed,
        "clean_traces": n_clean,
        "text_traces": n,
        "calculator_traces": made,
        "verifiers": sorted(VERIFIERS),
        "false_alarm_any": any_alarm / n_clean if n_clean else None,
        "false_alarm_by_verifier": {k: false_alarm[k] / n_clean for k in sorted(VERIFIERS)},
        "false_alarm_examples": examples,
        "recall": {
            kind: {
                "planted": row[0],
                "expected_verifier": row[1] / row[0],
                "any_verifier": row[2] / row[0],
            }
            for kind, row in detected.items()
        },
        "seconds": round(elapsed, 2),
    }


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=400, help="clean chain-of-thought traces")
    ap.add_argument("--calculators", type=int, default=200, help="clean calculator traces")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    res = run(args.n, args.calculators, args.seed)
    if args.json:
        print(json.dumps(res, indent=2))
        return
    print(
        f"clean traces: {res['clean_traces']} ({res['text_traces']} text, "
        f"{res['calculator_traces']} calculator), seed {res['seed']}, {res['seconds']} s"
    )
    print(
        f"false alarms (clean traces with any contradicted verdict): {res['false_alarm_any']:.1%}"
    )
    for name, rate in res["false_alarm_by_verifier"].items():
        print(f"  {name:<12} {rate:.1%}")
    print("detection recall by planted error (expected verifier / any verifier):")
    for kind, row in res["recall"].items():
        print(
            f"  {kind:<12} n={row['planted']:<4} {row['expected_verifier']:.1%} / "
            f"{row['any_verifier']:.1%}   ({', '.join(sorted(EXPECTED[kind]))})"
        )
    if res["false_alarm_examples"]:
        print("first false alarms:", res["false_alarm_examples"])


if __name__ == "__main__":
    main()
