"""Self-consistency agreement as a trust signal for `cot` answers (issue 12's baseline).

Issue 12 asks the trust score of `cot` traces to be reported against "self-consistency
agreement" in the same run. `bash bench/mcq_trust_runs.sh SET sc` samples k = 4 chains of
thought at temperature 0.7 on the items of each trust set (runs/sc-SET/<run>); this script joins
them, item by item, to the stored `cot -S recheck=3` runs of the same set (runs/trust-SET/<run>)
and prints, per set and pooled, AUROC for right vs wrong `cot` answers (95% bootstrap CI) of:

- **agreement** (declared before the runs, in `bench/mcq_trust_runs.sh`, not fitted): the share
  of the k samples whose answer equals the `cot` answer; a sample without an answer disagrees;
- the trust the `cot` run recorded (the table of its day) and the re-ask agreement of the same
  traces;
- the mean of agreement and re-ask agreement (reported as a combination, not fitted);

and, for the `self_consistency` answer itself: accuracy paired with `cot` (exact McNemar) and
AUROC of its vote share (its own `confidence`); plus the sampling's model time against the
`cot` strategy's own (trace timings). Gold is used only as the label.

Usage:
    .venv/bin/python bench/consistency_eval.py frozen frozen2 dev [--runs runs]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
from pathlib import Path
from typing import Any

from clinreason.bench.rundir import read_results
from clinreason.bench.stats import auroc, auroc_interval, mcnemar_exact
from clinreason.trace import LLMCall, Trace, Vote
from clinreason.verify.trust import CHECK_PURPOSES, reask_details


def own_model_seconds(trace: Trace) -> float:
    """The strategy's own model time (checks such as the re-ask left out)."""
    calls = trace.steps_of(LLMCall)
    return sum(c.duration_s or 0.0 for c in calls if c.purpose not in CHECK_PURPOSES)


def sample_answers(trace: Trace) -> list[str | None]:
    """Each sample's answer, from the thoughts the vote counted (None: no answer)."""
    votes = trace.steps_of(Vote)
    if not votes:
        return []
    answers: list[str | None] = []
    for step_id in votes[-1].parents:
        text = getattr(trace.step(step_id), "text", "")
        if not text.startswith("sample "):
            continue
        label = text.split("-> ", 1)[1].split(":", 1)[0]
        answers.append(None if label == "no answer" else label)
    return answers


def rows_for(runs: Path, name: str) -> list[dict[str, Any]]:
    """One row per item answered by `cot` and sampled by `self_consistency`."""
    rows = []
    for cot_dir in sorted((runs / f"trust-{name}").iterdir()):
        sc_dir = runs / f"sc-{name}" / cot_dir.name
        if not (sc_dir / "results.jsonl").is_file():
            print(f"skipped: {sc_dir} not run yet", file=sys.stderr)
            continue
        sc = {r.case_id: r for r in read_results(sc_dir)}
        for r in read_results(cot_dir):
            s = sc.get(r.case_id)
            if r.trace is None or r.correct is None or s is None or s.trace is None:
                continue
            cot_answer = r.trace.answer.value if r.trace.answer else None
            if cot_answer is None:
                continue
            samples = sample_answers(s.trace)
            if not samples:
                continue
            reask = (reask_details(r.trace) or {}).get("agreement")
            rows.append(
                {
                    "set": name,
                    "correct": bool(r.correct),
                    "agreement": sum(a == cot_answer for a in samples) / len(samples),
                    "trust": r.trust,
                    "reask": reask,
                    "sc_correct": bool(s.correct),
                    "sc_confidence": s.trace.answer.confidence if s.trace.answer else None,
                    "cot_s": own_model_seconds(r.trace),
                    "sc_s": own_model_seconds(s.trace),
                }
            )
    return rows


def _auc(rows: list[dict[str, Any]], key: str, correct: str = "correct") -> str:
    kept = [r for r in rows if r[key] is not None]
    scores, y = [r[key] for r in kept], [r[correct] for r in kept]
    value = auroc(scores, y)
    if value is None:
        return "n/a"
    ci = auroc_interval(scores, y)
    missing = f", {len(rows) - len(kept)} without" if len(kept) < len(rows) else ""
    return f"{value:.3f}" + (f" (95% CI {ci[0]:.2f}-{ci[1]:.2f}{missing})" if ci else missing)


def report(label: str, rows: list[dict[str, Any]]) -> None:
    right = sum(r["correct"] for r in rows)
    print(f"\n{label}: {len(rows)} items, cot right {right}")
    if not rows:
        return
    for r in rows:
        r["combined"] = None if r["reask"] is None else (r["agreement"] + r["reask"]) / 2
    print(f"  AUROC self-consistency agreement (declared): {_auc(rows, 'agreement')}")
    print(f"  AUROC trust as the cot run recorded it:       {_auc(rows, 'trust')}")
    print(f"  AUROC re-ask agreement:                      {_auc(rows, 'reask')}")
    print(f"  AUROC mean of the two agreements:            {_auc(rows, 'combined')}")
    sc_right = sum(r["sc_correct"] for r in rows)
    test = mcnemar_exact([r["sc_correct"] for r in rows], [r["correct"] for r in rows])
    print(
        f"  accuracy cot {right / len(rows):.1%}, self_consistency {sc_right / len(rows):.1%} "
        f"(paired McNemar p = {test.p_value:.3g}); AUROC of its vote share for its own answer: "
        f"{_auc(rows, 'sc_confidence', 'sc_correct')}"
    )
    cot_s = [r["cot_s"] for r in rows if r["cot_s"]]
    ratios = [r["sc_s"] / r["cot_s"] for r in rows if r["cot_s"]]
    if ratios:
        print(
            f"  sampling model time / cot's own: median {statistics.median(ratios):.2f} "
            f"(cot median {statistics.median(cot_s):.1f} s per item; cot ran with token "
            "probabilities, which slow every token, the samples without)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", help="trust sets: dev, frozen, frozen2")
    parser.add_argument("--runs", type=Path, default=Path("runs"))
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    pooled: list[dict[str, Any]] = []
    for name in args.sets:
        if not (args.runs / f"trust-{name}").is_dir():
            print(f"skipped: {args.runs / f'trust-{name}'} not found", file=sys.stderr)
            continue
        rows = rows_for(args.runs, name)
        report(name, rows)
        pooled += rows
    if len(args.sets) > 1:
        report("pooled", pooled)


if __name__ == "__main__":
    main()
