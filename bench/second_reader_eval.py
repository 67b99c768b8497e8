"""The `second_reader` verifier on MedCalc-Bench dev calculator traces (rules only, no model).

Runs the `calculator` strategy with the fake backend (rule extraction and explicit defaults; no
language model) over the dev rows, then the `second_reader` verifier on each trace, and reports:

1. over traces whose answer is WRONG vs RIGHT (MedCalc-Bench scoring), the share with at least
   one second_reader contradiction and with at least one ambiguity flag (`details.ambiguous`),
   next to the share the existing verifiers contradict;
2. each contradiction judged against the row's gold `Relevant Entities`: a false alarm when the
   gold says the extracted value was right, a catch when it says it was wrong, unknown when the
   gold does not list the input (examples of each are printed); and the same for ambiguity
   flags; and the share of wrongly extracted inputs that get a contradiction or a flag; and the
   verdicts that chose among several values by the note's time words, judged the same way;
3. the verifier's run time per trace (the one-time HPO / ICD-10-CM load is reported apart).

With `--semantic` (default; `--no-semantic` for the terminology reader alone) the
`semantic_reader` verdicts (MiniLM, criteria read as absent; `verify.semantic`) are added: a
step counts as contradicted when any verdict on it is, else ambiguous when any is flagged; its
own flags are also counted apart, and its time per trace is reported apart.

Gold answers and entities are used only for scoring: the verifier gets a copy of each case
without `gold`, `gold_range`, `rationale` or `metadata`.

Usage:
    .venv/bin/python bench/second_reader_eval.py [--data ../shared/data/medcalc-bench/dev.csv]
        [--limit N] [--show 10] [--json] [--no-semantic]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from clinreason.bench.medcalc import MedCalcBenchmark
from clinreason.bench.medcalc_entities import input_judgement
from clinreason.tools.calculators import CALCULATORS
from clinreason.trace import Case, Extraction, Trace, Verdict
from clinreason.verify import verify_trace
from clinreason.verify.second_reader import SecondReader, icd_index
from clinreason.verify.semantic import SemanticReader

sys.path.insert(0, str(Path(__file__).resolve().parent))
from planted_kinds import rules_only_traces

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared/data/medcalc-bench/dev.csv"


def blind(case: Case) -> Case:
    """The case as the verifier may see it: no gold, reference rationale or metadata."""
    return case.model_copy(
        update={"gold": None, "gold_range": None, "rationale": None, "metadata": {}}
    )


def gold_judgement(case: Case, trace: Trace, step_id: str | None) -> str:
    """'right' / 'wrong' per the gold entities for the input of `step_id`, else 'unknown'."""
    step = next((s for s in trace.steps if s.id == step_id), None)
    if not isinstance(step, Extraction):
        return "unknown"
    calc = CALCULATORS.get(int(case.metadata["calculator_id"]))  # type: ignore[arg-type]
    gold: dict[str, Any] = case.metadata.get("relevant_entities") or {}  # type: ignore[assignment]
    return input_judgement(calc, gold, step)


def _pct(k: int, n: int) -> str:
    return f"{100 * k / n:.1f}% ({k}/{n})" if n else "n/a"


def _example(case: Case, trace: Trace, v: Verdict) -> str:
    return f"row {case.id} [{trace.case.question[:40]}...] {v.claim} — {v.evidence}"


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--show", type=int, default=10)
    ap.add_argument("--json", action="store_true", help="Also print the raw figures as JSON.")
    ap.add_argument(
        "--semantic",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Add the semantic_reader's verdicts (default on).",
    )
    args = ap.parse_args()
    if not args.data.is_file():
        sys.exit(f"MedCalc-Bench dev data not found: {args.data} (skipping this benchmark)")
    bench = MedCalcBenchmark(rules_only=True)
    started = time.perf_counter()
    solved = rules_only_traces(args.data, args.limit)
    solve_s = time.perf_counter() - started

    reader = SecondReader()
    started = time.perf_counter()
    reader._recognizer()
    if reader.use_icd:
        icd_index()
    load_s = time.perf_counter() - started

    groups: dict[str, Counter[str]] = {"wrong": Counter(), "right": Counter()}
    judged: dict[str, list[tuple[Case, Trace, Verdict]]] = {}
    flags: dict[str, list[tuple[Case, Trace, Verdict]]] = {}
    timed: dict[str, list[tuple[Case, Trace, Verdict]]] = {}
    statuses: Counter[str] = Counter()
    per_input: dict[str, Counter[str]] = defaultdict(Counter)
    times: list[float] = []
    sem_times: list[float] = []
    sem_flags: Counter[str] = Counter()
    semantic = SemanticReader() if args.semantic else None
    for case, trace in solved:
        correct = bench.score(case, trace).correct
        group = "right" if correct else "wrong"
        seen = blind(case)
        t0 = time.perf_counter()
        verdicts = reader.verify(trace.model_copy(update={"case": seen}), seen)
        times.append(time.perf_counter() - t0)
        if times[-1] > 5:
            print(f"slow: row {case.id} took {times[-1]:.1f} s", file=sys.stderr)
        if semantic is not None:
            t0 = time.perf_counter()
            extra = semantic.verify(trace.model_copy(update={"case": seen}), seen)
            sem_times.append(time.perf_counter() - t0)
            for v in extra:
                sem_flags[gold_judgement(case, trace, v.step_id)] += 1
            verdicts = [*verdicts, *extra]
        others = [
            v
            for v in verify_trace(trace, ["numbers", "calculation", "grounding", "consistency"],
                                  case=seen)
            if v.status == "contradicted"
        ]  # fmt: skip
        g = groups[group]
        g["n"] += 1
        g["errored"] += trace.error is not None
        contra = [v for v in verdicts if v.status == "contradicted"]
        amb = [v for v in verdicts if v.details.get("ambiguous")]
        g["contradicted"] += bool(contra)
        g["ambiguous"] += bool(amb)
        g["either"] += bool(contra or amb)
        g["others_contradicted"] += bool(others)
        g["verdicts"] += len(verdicts)
        for v in verdicts:
            statuses[f"{v.details.get('kind')}:{v.status}"] += 1
        for v in contra:
            judged.setdefault(gold_judgement(case, trace, v.step_id), []).append((case, trace, v))
        for v in amb:
            flags.setdefault(gold_judgement(case, trace, v.step_id), []).append((case, trace, v))
        for v in verdicts:
            if "times" in v.details:  # several values, one chosen by the note's time words
                key = f"{v.status}, gold: {gold_judgement(case, trace, v.step_id)}"
                timed.setdefault(key, []).append((case, trace, v))
        by_step: dict[str | None, list[Verdict]] = defaultdict(list)
        for v in verdicts:
            by_step[v.step_id].append(v)
        for s in trace.steps:
            if not isinstance(s, Extraction):
                continue
            on = by_step.get(s.id, [])
            if not on:
                cls = "no verdict"
            elif any(v.status == "contradicted" for v in on):
                cls = "contradicted"
            elif any(v.details.get("ambiguous") for v in on):
                cls = "ambiguous"
            else:
                cls = f"{on[0].status} ({on[0].details.get('kind')})"
            per_input[cls][gold_judgement(case, trace, s.id)] += 1

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"Data: {args.data}  rows={len(solved)}")
    print(
        f"Machine: {platform.machine()}, {cpus} CPUs, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"Strategy: calculator, rules only (fake backend, no model); solve {solve_s:.1f} s")
    print()
    print("| traces | n | >=1 second_reader contradiction | >=1 ambiguity flag | either | "
          ">=1 contradiction by the other verifiers |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for name, g in groups.items():
        n = g["n"]
        print(
            f"| {name.upper()} answer | {n} | {_pct(g['contradicted'], n)} | "
            f"{_pct(g['ambiguous'], n)} | {_pct(g['either'], n)} | "
            f"{_pct(g['others_contradicted'], n)} |"
        )
    print()
    n_c = sum(len(x) for x in judged.values())
    print(f"Contradictions: {n_c}")
    for kind in ("wrong", "right", "unknown"):
        label = {"wrong": "catch (gold: extracted value wrong)",
                 "right": "FALSE ALARM (gold: extracted value right)",
                 "unknown": "gold silent on this input"}[kind]  # fmt: skip
        print(f"  {label}: {len(judged.get(kind, []))}")
    n_a = sum(len(x) for x in flags.values())
    print(f"Ambiguity flags: {n_a}")
    for kind in ("wrong", "right", "unknown"):
        print(f"  gold says extracted value {kind}: {len(flags.get(kind, []))}")
    n_w = sum(c["wrong"] for c in per_input.values())
    print(f"\nPer extracted input (gold entities; {n_w} inputs wrong):")
    print("| second_reader verdict | inputs | gold: wrong | gold: right | gold silent | "
          "share of the wrong inputs |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    order = ["contradicted", "ambiguous", "supported (criterion)", "supported (value)",
             "unverifiable (criterion)", "unverifiable (value)", "no verdict"]  # fmt: skip
    for cls in order:
        c = per_input.get(cls, Counter())
        n = sum(c.values())
        print(
            f"| {cls} | {n} | {_pct(c['wrong'], n)} | {c['right']} | {c['unknown']} | "
            f"{_pct(c['wrong'], n_w)} |"
        )
    print("Verdicts by kind:status:", json.dumps(dict(sorted(statuses.items()))))
    ms = [1000 * t for t in times]
    print(
        f"Time per trace: mean {statistics.mean(ms):.1f} ms, "
        f"median {statistics.median(ms):.1f} ms, "
        f"p90 {sorted(ms)[int(0.9 * len(ms))]:.1f} ms, max {max(ms):.0f} ms; "
        f"one-time load (HPO graph + ICD-10-CM index) {load_s:.1f} s"
    )
    if semantic is not None:
        sm = [1000 * t for t in sem_times]
        print(
            f"semantic_reader (threshold {semantic.threshold}): {sum(sem_flags.values())} flags "
            f"(gold says extracted value wrong {sem_flags['wrong']}, right {sem_flags['right']}, "
            f"unknown {sem_flags['unknown']}); time per trace mean {statistics.mean(sm):.0f} ms, "
            f"median {statistics.median(sm):.0f} ms, max {max(sm):.0f} ms"
        )
    for kind, title in (
        ("wrong", "CATCHES"),
        ("right", "FALSE ALARMS"),
        ("unknown", "GOLD SILENT"),
    ):
        items = judged.get(kind, [])
        print(f"\n{title} ({len(items)}), up to {args.show}:")
        for case, trace, v in items[: args.show]:
            print("  -", _example(case, trace, v))
    n_t = sum(len(x) for x in timed.values())
    print(f"\nSeveral values, decided by the note's time words ({n_t}):")
    for key in sorted(timed):
        print(f"  {key}: {len(timed[key])}")
        for case, trace, v in timed[key][: args.show]:
            print("    -", _example(case, trace, v))
    for kind, title in (("wrong", "AMBIGUOUS, value wrong"), ("right", "AMBIGUOUS, value right")):
        items = flags.get(kind, [])
        print(f"\n{title} ({len(items)}), up to {args.show}:")
        for case, trace, v in items[: args.show]:
            print("  -", _example(case, trace, v))
    if args.json:
        print(
            json.dumps(
                {
                    "groups": {k: dict(v) for k, v in groups.items()},
                    "contradictions": {k: len(v) for k, v in judged.items()},
                    "ambiguous": {k: len(v) for k, v in flags.items()},
                    "by_time_words": {k: len(v) for k, v in timed.items()},
                    "per_input": {k: dict(v) for k, v in per_input.items()},
                    "ms_per_trace": {"mean": statistics.mean(ms), "median": statistics.median(ms)},
                    "load_s": load_s,
                    "semantic_flags": dict(sem_flags),
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
