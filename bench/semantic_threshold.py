"""Set the `semantic_reader` threshold on the MedCalc-Bench dev slice by its declared rule.

Runs the `calculator` strategy rules-only (fake backend, no model) over the dev rows, takes
every yes/no criterion the semantic reader sees (read or assumed absent), computes its best
similarity to an unnegated clause of the note (`verify.semantic.best_match`), and judges the
extracted value against the row's gold entities (gold used only here, for the rule and the
figures). The rule (module docstring of `clinreason.verify.semantic`): the lowest threshold t
on the grid 0.30, 0.31, ..., 0.95 at which the share of gold-RIGHT criteria with similarity
>= t is <= 5%. Prints that threshold, the curve (false flags on right criteria, flags on wrong
ones) and the time per trace. Refuses the frozen notes: the threshold is set on dev only.

Usage:
    OMP_NUM_THREADS=1 .venv/bin/python bench/semantic_threshold.py
        [--data ../shared/data/medcalc-bench/dev.csv] [--limit N] [--show 10]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from clinreason.bench.medcalc_entities import input_judgement
from clinreason.tools.calculators import CALCULATORS
from clinreason.verify.semantic import absent_criteria, best_match, criterion_texts, encoder

sys.path.insert(0, str(Path(__file__).resolve().parent))
from planted_kinds import rules_only_traces

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared/data/medcalc-bench/dev.csv"
MAX_FALSE_FLAGS = 0.05
GRID = [round(0.30 + 0.01 * i, 2) for i in range(66)]


def rule(right: list[float]) -> float | None:
    """The lowest grid threshold whose false-flag share on right criteria is <= 5%."""
    for t in GRID:
        if sum(s >= t for s in right) <= MAX_FALSE_FLAGS * len(right):
            return t
    return None


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--show", type=int, default=10)
    args = ap.parse_args()
    if "frozen" in args.data.name:
        sys.exit("the threshold is set on the dev slice only (see verify/semantic.py)")
    if not args.data.is_file():
        sys.exit(f"MedCalc-Bench dev data not found: {args.data}")
    solved = rules_only_traces(args.data, args.limit)
    t0 = time.perf_counter()
    encoder()
    load_s = time.perf_counter() - t0
    rows: list[tuple[str, float, str, str, str]] = []
    times: list[float] = []
    for case, trace in solved:
        calc = CALCULATORS.get(int(case.metadata["calculator_id"]))  # type: ignore[arg-type]
        gold = case.metadata.get("relevant_entities") or {}
        t0 = time.perf_counter()
        found = [(s, best_match(criterion_texts(p), case.context)) for s, p in
                 absent_criteria(trace)]  # fmt: skip
        times.append(time.perf_counter() - t0)
        for s, m in found:
            judged = input_judgement(calc, gold, s)  # type: ignore[arg-type]
            sim = m.similarity if m is not None else -1.0
            clause = m.unit.text if m is not None else ""
            rows.append((judged, sim, s.name, clause, case.id))
    right = [r[1] for r in rows if r[0] == "right"]
    wrong = [r[1] for r in rows if r[0] == "wrong"]
    chosen = rule(right)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"Data: {args.data}  rows={len(solved)}")
    print(
        f"Machine: {platform.machine()}, {cpus} CPUs, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}, "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}"
    )
    print(
        f"Absent criteria: {len(rows)} (gold: right {len(right)}, wrong {len(wrong)}, "
        f"unknown {len(rows) - len(right) - len(wrong)})"
    )
    print(f"Rule: lowest t, false flags on right criteria <= {MAX_FALSE_FLAGS:.0%}: t = {chosen}")
    print("\n| t | right criteria flagged (false flags) | wrong criteria flagged (recall) |")
    print("|---|---|---|")
    for t in GRID[::5] + ([chosen] if chosen is not None else []):
        fr = sum(s >= t for s in right)
        fw = sum(s >= t for s in wrong)
        print(
            f"| {t:.2f} | {fr}/{len(right)} = {fr / max(len(right), 1):.1%} | "
            f"{fw}/{len(wrong)} = {fw / max(len(wrong), 1):.1%} |"
        )
    ms = [1000 * t for t in times]
    print(
        f"\nTime per trace (clauses embedded + match): mean {statistics.mean(ms):.0f} ms, "
        f"median {statistics.median(ms):.0f} ms, max {max(ms):.0f} ms; encoder load {load_s:.2f} s"
    )
    if chosen is not None:
        for label in ("wrong", "right"):
            hits = [r for r in rows if r[0] == label and r[1] >= chosen]
            hits.sort(key=lambda r: -r[1])
            print(f"\nFlagged, gold says {label} ({len(hits)}), up to {args.show}:")
            for _, sim, name, clause, cid in hits[: args.show]:
                print(f"  - row {cid} '{name}' {sim:.2f} «{clause[:110]}»")


if __name__ == "__main__":
    main()
