"""The `knowledge_source` verifier (verify/sources.py) on stored chain-of-thought runs and on
the STEMI example: what it finds, and whether it separates right from wrong answers.

Post hoc, no model: each stored `cot` trace of the given run directories (answered
multiple-choice cases with a known `correct`) is verified again with the blinded case. Per run
set (the parent folder of a run directory) it prints:

- knowledge sentences found (per item), and the share supported / contradicted / unverifiable;
- AUROC for right vs wrong of the two features declared before any figure was seen:
  (1) "no contradicted knowledge sentence" (1 - any contradicted), and (2) the share of the
  item's knowledge sentences that are supported (0 when it has none);
- AUROC of the trust score with all registered verifiers, without and with `knowledge_source`
  (a contradicted claim caps trust at 0.3), and how many wrong answers are fully verified;
- verification time of `knowledge_source` per trace (index and concept readers loaded once,
  before the clock starts).

`--example` runs the STEMI note (examples/note.txt) through the `cot` strategy with the fake
backend scripted twice, once reasoning to the right coronary artery (C) and once to the left
anterior descending artery (A), and prints `clinreason explain`'s text for both.

    .venv/bin/python bench/knowledge_source_eval.py runs/trust-dev/* runs/trust-frozen/* \\
        runs/trust-frozen2/* [--example] [--show 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from clinreason.bench.rundir import read_results
from clinreason.bench.stats import auroc, auroc_interval
from clinreason.trace import Trace
from clinreason.verify import VERIFIERS, verify_trace
from clinreason.verify.sources import VERIFIER, KnowledgeSourceCheck, default_concepts
from clinreason.verify.trust import assess

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "note.txt"
RIGHT_REASONING = (
    "ST elevation in leads II, III and aVF indicates an inferior wall infarction. "
    "ST elevation in II, III and aVF indicates occlusion of the right coronary artery. "
    "So the answer is C."
)
WRONG_REASONING = (
    "ST elevation in leads II, III and aVF indicates an inferior wall infarction. "
    "ST elevation in II, III and aVF indicates occlusion of the left anterior descending "
    "artery. So the answer is A."
)
"""The scripted replies of `--example` (the wrong one is the issue's sentence)."""


def row(trace: Trace, correct: bool, check: KnowledgeSourceCheck) -> dict[str, Any]:
    """One stored trace re-verified: its knowledge verdicts, features and trust with and
    without the check."""
    case = trace.case.blinded()
    started = time.perf_counter()
    mine = check.verify(trace, case)
    seconds = time.perf_counter() - started
    others = [n for n in VERIFIERS if n != VERIFIER]
    base = verify_trace(trace, others, case=case)
    _, trust0 = assess(trace, base)
    _, trust1 = assess(trace, [*base, *mine])
    statuses = [v.status for v in mine]
    n = len(statuses)
    return {
        "correct": correct,
        "statuses": statuses,
        "no_contradiction": 0.0 if "contradicted" in statuses else 1.0,
        "share_supported": statuses.count("supported") / n if n else 0.0,
        "trust_before": trust0.score,
        "trust_after": trust1.score,
        "fully_before": trust0.fully_verified,
        "fully_after": trust1.fully_verified,
        "seconds": seconds,
        "verdicts": [(v.status, v.claim, v.evidence) for v in mine],
    }


def _auc(scores: list[float], y: list[bool]) -> str:
    a = auroc(scores, y)
    if a is None:
        return "n/a (one class)"
    ci = auroc_interval(scores, y)
    return f"{a:.3f}" + (f" (95% CI {ci[0]:.2f}-{ci[1]:.2f})" if ci else "")


def report(name: str, rows: list[dict[str, Any]], show: int) -> dict[str, Any]:
    """Print and return the figures of one run set."""
    y = [r["correct"] for r in rows]
    counts = Counter(s for r in rows for s in r["statuses"])
    total = sum(counts.values())
    per_item = [len(r["statuses"]) for r in rows]
    out: dict[str, Any] = {
        "items": len(rows),
        "right": sum(y),
        "sentences": total,
        "items_with_sentences": sum(n > 0 for n in per_item),
        "statuses": dict(counts),
    }
    print(f"\n== {name}: {len(rows)} items, {sum(y)} right")
    print(
        f"knowledge sentences: {total} ({statistics.mean(per_item):.2f} per item; items with "
        f"none: {sum(n == 0 for n in per_item)})"
    )
    for s in ("supported", "contradicted", "unverifiable"):
        share = 100 * counts[s] / total if total else 0.0
        print(f"  {s}: {counts[s]} ({share:.1f}%)")
    for label, want in (("right", True), ("wrong", False)):
        group = [r for r in rows if r["correct"] is want]
        hit = sum("contradicted" in r["statuses"] for r in group)
        sup = sum("supported" in r["statuses"] for r in group)
        print(
            f"  {label} answers: {len(group)}; with a contradicted sentence {hit}, with a "
            f"supported one {sup}"
        )
    for key in ("no_contradiction", "share_supported", "trust_before", "trust_after"):
        out[f"auroc_{key}"] = auroc([r[key] for r in rows], y)
        print(f"AUROC {key}: {_auc([r[key] for r in rows], y)}")
    for when in ("before", "after"):
        fw = sum(r[f"fully_{when}"] for r in rows if not r["correct"])
        out[f"wrong_fully_verified_{when}"] = fw
        print(f"wrong answers fully verified, {when}: {fw} of {len(rows) - sum(y)}")
    ms = [1000 * r["seconds"] for r in rows]
    out["ms_median"], out["ms_mean"] = statistics.median(ms), statistics.fmean(ms)
    print(f"knowledge_source time per trace: median {out['ms_median']:.0f} ms, mean "
          f"{out['ms_mean']:.0f} ms, max {max(ms):.0f} ms")  # fmt: skip
    shown = 0
    for r in rows:
        for status, claim, evidence in r["verdicts"]:
            if status != "unverifiable" and shown < show:
                shown += 1
                print(f"  [{status}] ({'right' if r['correct'] else 'wrong'}) {claim}\n"
                      f"      {evidence[:300]}")  # fmt: skip
    return out


def example() -> None:
    """The STEMI note, reasoned right and wrong by a scripted fake backend, explained."""
    from clinreason.backends.fake import FakeBackend
    from clinreason.strategies import run
    from clinreason.strategies.cot import ChainOfThought
    from clinreason.trace import case_from_text, explain
    from clinreason.verify.trust import with_assessment

    case = case_from_text(EXAMPLE.read_text(encoding="utf-8"), case_id="note")
    for label, reasoning in (("right (C)", RIGHT_REASONING), ("wrong (A)", WRONG_REASONING)):
        answer = reasoning.rsplit(" ", 1)[-1].rstrip(".")
        reply = json.dumps({"reasoning": reasoning, "answer": answer})
        trace = asyncio.run(run(ChainOfThought(), case, FakeBackend([reply])))
        trace = with_assessment(trace.model_copy(update={"verdicts": verify_trace(trace)}))
        print(f"\n======== {label} ========")
        print(explain(trace))


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dirs", nargs="*", type=Path)
    ap.add_argument("--example", action="store_true")
    ap.add_argument("--show", type=int, default=3, help="non-unverifiable verdicts per set")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args()
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}, 2 shared vCPUs")
    check = KnowledgeSourceCheck()
    t0 = time.perf_counter()
    from clinreason.tools.retrieval import open_index

    open_index("default")
    default_concepts()
    print(f"index and concept readers loaded in {time.perf_counter() - t0:.1f} s (once)")
    by_set: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for run_dir in args.run_dirs:
        if not (run_dir / "results.jsonl").is_file():
            sys.exit(f"not a run directory (no results.jsonl): {run_dir}")
        for r in read_results(run_dir):
            t = r.trace
            if t is None or not t.case.options or r.correct is None:
                continue
            if t.answer is None or t.answer.value is None:
                continue
            by_set[run_dir.resolve().parent.name].append(row(t, bool(r.correct), check))
    figures = {name: report(name, rows, args.show) for name, rows in sorted(by_set.items())}
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    if args.example:
        example()


if __name__ == "__main__":
    main()
