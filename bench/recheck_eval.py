"""How well the independent re-ask check separates right from wrong answers in a stored run.

Reads RUN_DIR/results.jsonl (no model; several run directories are pooled, e.g. one run per
sub-dataset) and, for the cases with an answer and a re-ask `check`
step (`strategies.recheck`, verifier "reask"), prints overall and per sub-dataset:

- AUROC of the re-ask `agreement` (share of valid re-asks equal to the answer; no valid re-ask
  counts as 0) for right vs wrong answers, with a 95% bootstrap interval;
- the share of wrong answers whose check is "supported" (the check's miss rate);
- accuracy when the check says supported / contradicted / unverifiable;
- the accuracy of the re-asks' own strict-majority answer (no majority counts as wrong);
- the same AUROC and supported-vs-not accuracy for the strategy's own `confidence` when the
  run has it (token probability for direct/cot with logprobs, vote agreement for
  self_consistency);
- time: mean seconds per case of the strategy's own model calls and of the re-ask calls
  (`duration_s` of the `llm_call` steps), the ratio of the means, and the median and largest
  per-case ratio (both measured in the same process, so a shared machine's load affects them
  alike).

    .venv/bin/python bench/recheck_eval.py runs/mirage-cot-recheck3 [MORE_RUN_DIRS] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from clinreason.bench import rundir
from clinreason.bench.base import CaseResult
from clinreason.bench.stats import auroc, auroc_interval
from clinreason.trace import Check, LLMCall


def read_results(run_dir: Path) -> list[CaseResult]:
    """The last result per case, with its trace (any run-directory layout)."""
    return rundir.read_results(run_dir)


def row(result: CaseResult) -> dict[str, Any]:
    """What this script needs from one result line."""
    trace = result.trace
    checks = [s for s in trace.steps_of(Check) if s.verdict.verifier == "reask"] if trace else []
    calls = trace.steps_of(LLMCall) if trace else []
    own = sum(c.duration_s or 0.0 for c in calls if c.purpose != "recheck")
    recheck = sum(c.duration_s or 0.0 for c in calls if c.purpose == "recheck")
    out: dict[str, Any] = {
        "dataset": str(result.metadata.get("dataset", "all")),
        "status": result.status,
        "correct": bool(result.correct),
        "confidence": trace.answer.confidence if trace and trace.answer else None,
        "own_s": own,
        "recheck_s": recheck,
        "check": None,
    }
    if checks:
        v = checks[-1].verdict
        agreement = v.details.get("agreement")
        out["check"] = v.status
        out["agreement"] = float(agreement) if isinstance(agreement, int | float) else 0.0
        out["valid"] = v.details.get("valid")
        out["samples"] = v.details.get("samples")
        votes = v.details.get("votes") or {}
        valid = sum(votes.values()) if isinstance(votes, dict) else 0
        top = max(votes.items(), key=lambda kv: kv[1]) if valid else None
        majority = top[0] if top is not None and 2 * top[1] > valid else None
        out["reask_majority_correct"] = majority is not None and majority == result.gold
    return out


def _acc(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "  -  (0)"
    right = sum(r["correct"] for r in rows)
    return f"{100 * right / len(rows):5.1f}% ({right}/{len(rows)})"


def metrics(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures for one group of result rows."""
    checked = [r for r in rows if r["check"] is not None]
    correct = [r["correct"] for r in checked]
    agreement = [r["agreement"] for r in checked]
    wrong = [r for r in checked if not r["correct"]]
    out: dict[str, Any] = {
        "cases": len(rows),
        "answered": sum(r["status"] == "ok" for r in rows),
        "checked": len(checked),
        "accuracy_all": _acc(rows),
        "accuracy_checked": _acc(checked),
        "auroc_agreement": auroc(agreement, correct),
        "auroc_agreement_ci": auroc_interval(agreement, correct) if len(checked) > 2 else None,
        "wrong_supported": (
            f"{100 * sum(r['check'] == 'supported' for r in wrong) / len(wrong):.1f}% "
            f"({sum(r['check'] == 'supported' for r in wrong)}/{len(wrong)})"
            if wrong
            else "-"
        ),
        "supported_share": (
            f"{100 * sum(r['check'] == 'supported' for r in checked) / len(checked):.1f}%"
            if checked
            else "-"
        ),
    }
    for status in ("supported", "contradicted", "unverifiable"):
        out[f"accuracy_{status}"] = _acc([r for r in checked if r["check"] == status])
    out["accuracy_not_supported"] = _acc([r for r in checked if r["check"] != "supported"])
    out["no_valid_reask"] = sum(r.get("valid") == 0 for r in checked)
    hits = sum(r["reask_majority_correct"] for r in checked)
    out["reask_majority_accuracy"] = (
        f"{100 * hits / len(checked):5.1f}% ({hits}/{len(checked)})" if checked else "-"
    )
    with_conf = [r for r in checked if r["confidence"] is not None]
    if with_conf:
        conf = [float(r["confidence"]) for r in with_conf]
        right = [r["correct"] for r in with_conf]
        out["confidence_cases"] = len(with_conf)
        out["auroc_confidence"] = auroc(conf, right)
        out["auroc_confidence_ci"] = auroc_interval(conf, right) if len(with_conf) > 2 else None
        out["accuracy_confidence_ge_0.5"] = _acc([r for r in with_conf if r["confidence"] >= 0.5])
        out["accuracy_confidence_lt_0.5"] = _acc([r for r in with_conf if r["confidence"] < 0.5])
    else:
        out["auroc_confidence"] = "no confidence recorded"
    timed = [r for r in checked if r["own_s"] > 0]
    if timed:
        own = sum(r["own_s"] for r in timed) / len(timed)
        recheck = sum(r["recheck_s"] for r in timed) / len(timed)
        out["own_s_per_case"] = round(own, 2)
        out["recheck_s_per_case"] = round(recheck, 2)
        out["recheck_over_own"] = round(recheck / own, 3) if own else None
        ratios = sorted(r["recheck_s"] / r["own_s"] for r in timed)
        out["recheck_over_own_median"] = round(float(np.median(ratios)), 3)
        out["recheck_over_own_max"] = round(ratios[-1], 3)
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the figures for RUN_DIR."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_dirs", type=Path, nargs="+", metavar="RUN_DIR")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    rows = [row(r) for run_dir in args.run_dirs for r in read_results(run_dir)]
    if not rows:
        print(f"no results in {', '.join(map(str, args.run_dirs))}", file=sys.stderr)
        return 1
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[r["dataset"]].append(r)
    report: dict[str, dict[str, Any]] = {"all": metrics(rows)}
    if len(groups) > 1:
        report.update({name: metrics(group) for name, group in sorted(groups.items())})
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for name, m in report.items():
        print(f"== {name}")
        for key, value in m.items():
            if isinstance(value, float):
                value = round(value, 3)
            elif isinstance(value, tuple):
                value = f"{value[0]:.3f}-{value[1]:.3f}"
            print(f"  {key:<28} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
