"""MedCalc-Bench evaluation of the `calculator` strategy (figures in docs/benchmarks/medcalc.md).

Runs the same harness as `clinreason eval medcalc` (writes results.jsonl / summary.json /
run.json into --out), one case at a time so that per-case latency is not inflated by queueing,
after loading the model once (model load is excluded from latency). Prints accuracy with its
Wilson interval, the label ceiling, the ratio to it, accuracy by category, extraction accuracy,
median latency and the failure stages.

Usage:
    .venv/bin/python bench/medcalc_eval.py [--data ../shared/data/medcalc-bench/dev.csv]
        [--out runs/medcalc-dev] [--backend embedded|fake] [--model NAME] [--rules-only]
        [--limit N] [--threads N] [--quote-check]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import shutil
import sys
import time
from pathlib import Path

from clinreason.bench.medcalc import MedCalcBenchmark
from clinreason.bench.runner import run_eval
from clinreason.strategies.calculator import CalculatorStrategy
from clinreason.trace import GenerateRequest, Message

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared/data/medcalc-bench/dev.csv"


def _backend(args: argparse.Namespace):
    from clinreason.backends import make_backend

    if args.rules_only:
        return make_backend("fake", cache=False)
    options = {"n_threads": args.threads} if args.threads else {}
    return make_backend(args.backend, model=args.model, cache=False, **options)


async def _warm(backend) -> float:
    started = time.perf_counter()
    request = GenerateRequest(messages=(Message(role="user", content="Say OK."),), max_tokens=2)
    await backend.generate(request)
    return time.perf_counter() - started


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _print(summary: dict, args: argparse.Namespace, load_s: float, wall_s: float) -> None:
    print(f"Data: {args.data}  n={summary['n']}")
    machine = f"{platform.machine()} {platform.processor() or ''}".strip()
    print(f"Machine: {machine}, {_cpus()} CPUs, Python {platform.python_version()}")
    mode = (
        "rules only (no model)" if args.rules_only else f"{args.backend} {args.model or 'default'}"
    )
    print(f"Mode: {mode}; model load {load_s:.1f} s; wall {wall_s:.0f} s")
    lo, hi = summary["ci95"]
    print(
        f"Accuracy: {_pct(summary['accuracy'])} ({summary['n_correct']}/{summary['n']}), "
        f"95% CI {_pct(lo)}-{_pct(hi)}"
    )
    print(
        f"Ceiling (gold entities): {_pct(summary['ceiling'])}; "
        f"ratio to ceiling: {_pct(summary['ratio_to_ceiling'])}"
    )
    print(
        f"Extraction accuracy: {_pct(summary['extraction_accuracy'])} "
        f"of {summary['extraction_n']} gold entities"
    )
    print(
        f"Latency: median {summary['latency_median_s']:.2f} s, p90 {summary['latency_p90_s']:.2f} s"
    )
    print(f"Errors: {summary['n_errors']}")
    print("\n| category | n | accuracy | ceiling | ratio |\n|---|---|---|---|---|")
    for cat, row in summary["by_category"].items():
        print(
            f"| {cat} | {row['n']} | {_pct(row['accuracy'])} | {_pct(row['ceiling'])} | "
            f"{_pct(row['ratio_to_ceiling'])} |"
        )
    print("\nFailure stages:", json.dumps(summary["failure_stages"]))
    print(
        "Extraction failures by parameter:",
        json.dumps(dict(list(summary["extraction_failures_by_parameter"].items())[:25])),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=Path("runs/medcalc-dev"))
    ap.add_argument("--backend", default="embedded")
    ap.add_argument("--model", default=None)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--rules-only", action="store_true", help="No model: rules and defaults.")
    ap.add_argument(
        "--judge-mentions",
        action="store_true",
        help="Let the model re-judge yes/no items the rules found mentioned.",
    )
    ap.add_argument(
        "--quote-check",
        action="store_true",
        help="The model reads the yes/no criteria again, quoting the note.",
    )
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--keep", action="store_true", help="Resume an existing --out directory.")
    args = ap.parse_args()
    if not args.data.is_file():
        sys.exit(f"data not found: {args.data}")
    if args.out.exists() and not args.keep:
        shutil.rmtree(args.out)
    bench = MedCalcBenchmark(rules_only=args.rules_only)
    dataset = bench.load(args.data)
    strategy = CalculatorStrategy(
        use_llm=not args.rules_only,
        judge_mentions=args.judge_mentions,
        quote_check=args.quote_check and not args.rules_only,
    )
    backend = _backend(args)

    async def go() -> tuple[dict, float, float]:
        load_s = 0.0 if args.rules_only else await _warm(backend)
        started = time.perf_counter()
        summary = await run_eval(
            bench,
            dataset,
            strategy,
            backend,
            out_dir=args.out,
            concurrency=1,
            resume=args.keep,
            limit=args.limit,
            progress=False,
            argv=sys.argv,
        )
        return summary, load_s, time.perf_counter() - started

    summary, load_s, wall_s = asyncio.run(go())
    _print(summary, args, load_s, wall_s)


if __name__ == "__main__":
    main()
