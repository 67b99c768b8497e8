"""Does the model's quoted second reading (`strategies.quote_check`) catch the extractor's errors?

Reads a MedCalc-Bench run made with `bench/medcalc_eval.py --quote-check` (the embedded model
reads each yes/no criterion again, quoting the note) and judges every `quote_reader` verdict
against the row's gold `Relevant Entities` (scoring only; the strategy and the check never see
them):

- per extracted criterion: its verdict (flagged = the model disagrees with a quote from the note;
  supported = it agrees with a quote; unverifiable = no usable quote or "not stated") against
  whether the gold calls the extracted value wrong or right;
- the share of wrong criteria flagged (recall) and of right ones flagged (false flags), with
  Wilson intervals, and how often the model's quote was not in the note.

Trust with and without these checks: `bench/trust_eval.py RUN --table TABLE [--without
quote_reader]`.

Usage:
    .venv/bin/python bench/quote_check_eval.py runs/frozen-quote [--show 10]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from clinreason.bench.medcalc_entities import input_judgement
from clinreason.bench.rundir import read_results
from clinreason.bench.stats import wilson_interval
from clinreason.strategies.quote_check import VERIFIER
from clinreason.tools.calculators import CALCULATORS
from clinreason.trace import Check, Extraction


def _cls(details: dict) -> str:
    if details.get("ambiguous"):
        return "flagged (model disagrees, quoting the note)"
    if details.get("agrees"):
        return "supported (model agrees, quoting the note)"
    return "unverifiable (not stated, or quote not in the note)"


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=Path)
    ap.add_argument("--show", type=int, default=10)
    args = ap.parse_args()
    if not (args.run / "results.jsonl").is_file():
        sys.exit(f"not a run directory (no results.jsonl): {args.run}")
    table: Counter[tuple[str, str]] = Counter()
    examples: dict[tuple[str, str], list[str]] = {}
    not_in_note = readings = traces = 0
    for r in read_results(args.run):
        trace = r.trace
        if trace is None:
            continue
        calc = CALCULATORS.get(int(r.metadata.get("calculator_id", -1)))  # type: ignore[arg-type]
        gold = r.metadata.get("relevant_entities") or {}
        steps = {s.id: s for s in trace.steps_of(Extraction)}
        checks = [c.verdict for c in trace.steps_of(Check) if c.verdict.verifier == VERIFIER]
        traces += bool(checks)
        for v in checks:
            step = steps.get(v.step_id or "")
            if step is None:
                continue
            judged = input_judgement(calc, gold, step)  # type: ignore[arg-type]
            key = (_cls(v.details), judged)
            table[key] += 1
            readings += v.details.get("reading") != "not stated"
            not_in_note += bool(v.details.get("quote")) and v.details.get("span") is None
            examples.setdefault(key, []).append(f"row {r.case_id}: {v.claim} — {v.evidence}")
    print(f"Run: {args.run}; traces with quote checks: {traces}")
    print("| quote reader verdict | gold: wrong | gold: right | gold silent |")
    print("|---|---|---|---|")
    for cls in sorted({k[0] for k in table}):
        print(
            f"| {cls} | {table[cls, 'wrong']} | {table[cls, 'right']} | {table[cls, 'unknown']} |"
        )
    for side in ("wrong", "right"):
        n = sum(v for (c, j), v in table.items() if j == side)
        k = sum(v for (c, j), v in table.items() if j == side and c.startswith("flagged"))
        ci = wilson_interval(k, n)
        what = "recall (wrong criteria flagged)" if side == "wrong" else "false flags (right ones)"
        share = f"{100 * k / n:.1f}%" if n else "n/a"
        print(f"{what}: {k}/{n} = {share} (95% CI {100 * ci.low:.1f}–{100 * ci.high:.1f})")
    print(
        f"readings other than 'not stated': {readings}; quotes not found in the note: {not_in_note}"
    )
    for key in sorted(examples):
        print(f"\n{key[0]}, gold {key[1]} ({len(examples[key])}), up to {args.show}:")
        for line in examples[key][: args.show]:
            print("  -", line)


if __name__ == "__main__":
    main()
