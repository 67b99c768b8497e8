"""A check of the `calculator` strategy on notes it was not developed on: MedCalc-Bench's
one-shot worked examples (`one_shot_examples.json`, 49 calculators, one note each).

The rule extractors were improved by reading failures on the dev rows, so the dev figures are
in-sample. These 49 notes were not read during that work; they give a small, closer-to-held-out
check, to be kept unread: do not tune extractors on it. Each example has the benchmark's own
answer (labels from the same code as v1.0, so the same label errors apply); limits follow the
benchmark's rule (integers and dates exact, decimals within 5%). The question is the dev set's
question for the same calculator (the steroid conversion's names its target steroid, taken from
the example's parameters). No model: rules and defaults only, so the figure is deterministic.
The examples' input parameters use the `medcalc-bench` package's own key names, so no ceiling
is computed here.

With `--trust`, each trace is also verified and given its trust assessment with the shipped
calibration table (fitted on the dev rows by `bench/trust_eval.py --write`), so the trust
score's AUROC and the fully-verified share are measured on notes the table never saw.

    .venv/bin/python bench/medcalc_oneshot.py [--data ../shared/data/medcalc-bench] [--trust]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from pathlib import Path

from clinreason.backends.fake import FakeBackend
from clinreason.bench.stats import auroc
from clinreason.strategies.base import run
from clinreason.strategies.calculator import CalculatorStrategy
from clinreason.tools.calculators import CALCULATORS, is_correct
from clinreason.trace import Case
from clinreason.verify import verify_trace
from clinreason.verify.trust import with_assessment

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared/data/medcalc-bench"


def _row(cid: int, answer: object) -> dict[str, str]:
    """A pseudo dataset row with the benchmark's limits for `answer`."""
    calc = CALCULATORS[cid]
    truth = str(answer)
    lower = upper = truth
    if calc.output_type == "decimal":
        lower, upper = str(float(answer) * 0.95), str(float(answer) * 1.05)
        lower, upper = min(lower, upper, key=float), max(lower, upper, key=float)
    return {
        "Calculator ID": str(cid),
        "Ground Truth Answer": truth,
        "Lower Limit": lower,
        "Upper Limit": upper,
    }


async def evaluate(data: Path, *, trust: bool = False) -> dict:
    examples = json.loads((data / "one_shot_examples.json").read_text(encoding="utf-8"))
    with (data / "dev.csv").open(newline="", encoding="utf-8") as fh:
        questions = {int(r["Calculator ID"]): r["Question"] for r in csv.DictReader(fh)}
    strategy = CalculatorStrategy(use_llm=False)
    by_category: dict[str, list[int]] = {}
    misses = []
    assessed: list[tuple[float, bool, bool]] = []  # (trust, fully verified, right)
    for key, ex in examples.items():
        cid = int(key)
        if cid not in CALCULATORS or cid not in questions:
            continue
        params = ex["input_parameters"]
        question = questions[cid]
        if "input steroid" in params:
            question = (
                f"Based on the patient's dose of {params['input steroid'][0]}, what is the "
                f"equivalent dosage in mg of {params['target steroid']}?"
            )
        row = _row(cid, ex["Response"]["answer"])
        case = Case(id=key, question=question, context=ex["Patient Note"])
        trace = await run(strategy, case, FakeBackend([]))
        answer = trace.answer.value if trace.answer is not None else None
        ok = is_correct(answer, row)
        if trust and answer is not None:
            checked = with_assessment(trace.model_copy(update={"verdicts": verify_trace(trace)}))
            assert checked.trust is not None
            assessed.append((checked.trust.score, checked.trust.fully_verified, bool(ok)))
        tally = by_category.setdefault(CALCULATORS[cid].category, [0, 0])
        tally[0], tally[1] = tally[0] + 1, tally[1] + ok
        if not ok:
            label = row["Ground Truth Answer"]
            misses.append(f"{cid} {CALCULATORS[cid].name}: ours {answer}, label {label}")
    n = sum(t[0] for t in by_category.values())
    correct = sum(t[1] for t in by_category.values())
    out: dict = {}
    if assessed:
        fully = [a for a in assessed if a[1]]
        wrong = [a for a in assessed if not a[2]]
        out["trust"] = {
            "n": len(assessed),
            "auroc": auroc([a[0] for a in assessed], [a[2] for a in assessed]),
            "fully_verified_coverage": len(fully) / len(assessed),
            "fully_verified_accuracy": sum(a[2] for a in fully) / len(fully) if fully else None,
            "wrong_fully_verified": sum(a[1] for a in wrong) / len(wrong) if wrong else None,
        }
    return {
        **out,
        "n": n,
        "correct": correct,
        "accuracy": correct / n if n else None,
        "by_category": {c: {"n": t[0], "correct": t[1]} for c, t in sorted(by_category.items())},
        "misses": misses,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--trust", action="store_true", help="also verify and assess trust")
    args = ap.parse_args()
    if not (args.data / "one_shot_examples.json").is_file():
        sys.exit(f"MedCalc-Bench data not found in {args.data} (needs one_shot_examples.json)")
    out = asyncio.run(evaluate(args.data, trust=args.trust))
    print(f"one-shot notes: {out['n']}; accuracy {100 * out['accuracy']:.1f}% ({out['correct']})")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
