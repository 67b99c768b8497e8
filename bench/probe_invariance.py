"""Calculator invariance under `numeric-format` and `demographics` on MedCalc-Bench dev
(figures in docs/benchmarks/probes.md).

Runs `clinreason probe numeric-format,demographics medcalc DEV --backend fake` through the same
code (`run_probe`), with the `calculator` strategy and the fake backend (no language model), and
`demographics` with `relevant="include"`: items whose calculator takes the swapped attribute are
perturbed too and marked "may change", so one can see whether results change only there.

Only rows the strategy answers without a model count: rows whose original and perturbed traces
hold no model call (the fake backend's reply to a judgement item is a placeholder, not an
answer). Among them, the invariance rate is the share of rows answered on the original whose
perturbed result is the same within the tolerance; every exception is listed with its edits.

Usage:
    .venv/bin/python bench/probe_invariance.py [--data ../shared/data/medcalc-bench/dev.csv]
        [--out runs/probe-invariance] [--seed 0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from clinreason.backends import make_backend
from clinreason.bench.base import CaseResult
from clinreason.bench.medcalc import MedCalcBenchmark
from clinreason.bench.probes import PROBE_KEY, Demographics, NumericFormat
from clinreason.bench.probes.analysis import Tolerance
from clinreason.bench.probes.run import ORIGINAL, run_probe
from clinreason.bench.rundir import read_results
from clinreason.bench.stats import wilson_interval
from clinreason.strategies.calculator import CalculatorStrategy

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared/data/medcalc-bench/dev.csv"


def _model_free(result: CaseResult) -> bool:
    return result.trace is not None and not any(s.kind == "llm_call" for s in result.trace.steps)


def _edits(result: CaseResult) -> list[str]:
    record = result.metadata.get(PROBE_KEY)
    edits = record.get("edits", []) if isinstance(record, dict) else []
    return [f"{e['original']!r} -> {e['new']!r}" for e in edits if isinstance(e, dict)]


def invariance(out: Path, kind: str, tolerance: Tolerance) -> dict[str, Any]:
    """Invariance over rows answered without a model on both sides."""
    base = {r.case_id: r for r in read_results(out / ORIGINAL)}
    pert = read_results(out / kind) if (out / kind / "results.jsonl").exists() else []
    rows: Counter[str] = Counter()
    exceptions, changes = [], []
    for p in pert:
        o = base[p.case_id]
        record = p.metadata.get(PROBE_KEY)
        expectation = record.get("expectation") if isinstance(record, dict) else "unchanged"
        if not (_model_free(o) and _model_free(p)):
            rows["model called"] += 1
            rows["model called on one side only"] += int(_model_free(o) != _model_free(p))
            continue
        if o.status != "ok":
            rows["model-free, no answer on the original"] += 1
            continue
        rows["model-free, answered"] += 1
        same = p.status == "ok" and tolerance.same(o.answer, p.answer)
        item = {
            "case_id": p.case_id,
            "calculator": o.metadata.get("calculator_name"),
            "original": o.answer,
            "perturbed": p.answer if p.status == "ok" else f"{p.status}: {p.error}",
            "edits": _edits(p),
            "calculator_uses": record.get("calculator_uses") if isinstance(record, dict) else None,
        }
        if expectation == "unchanged":
            rows["expected unchanged"] += 1
            rows["unchanged"] += int(same)
            if not same:
                exceptions.append(item)
        else:
            rows["may change"] += 1
            if not same:
                changes.append(item)
    n, k = rows["expected unchanged"], rows["unchanged"]
    rate = wilson_interval(k, n) if n else None
    return {
        "kind": kind,
        "rows": dict(rows),
        "invariance": k / n if n else None,
        "ci95": [rate.low, rate.high] if rate else None,
        "exceptions": exceptions,
        "may_change_changed": changes,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=Path("runs/probe-invariance"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"skipped: MedCalc-Bench dev file not found at {args.data} (see its README)")
        return 0
    if args.out.exists():
        shutil.rmtree(args.out)
    bench = MedCalcBenchmark()
    dataset = bench.load(args.data)
    tolerance = Tolerance()
    kinds = [NumericFormat(), Demographics(relevant="include")]
    started = time.perf_counter()
    results = asyncio.run(
        run_probe(
            bench,
            dataset,
            CalculatorStrategy(),
            make_backend("fake", cache=False),
            kinds,
            out_dir=args.out,
            seed=args.seed,
            tolerance=tolerance,
            progress=False,
            argv=sys.argv,
        )
    )
    wall = time.perf_counter() - started
    report = {
        "data": str(args.data),
        "rows": len(dataset),
        "seed": args.seed,
        "tolerance": {"rel": tolerance.rel, "abs": tolerance.abs},
        "wall_s": round(wall, 1),
        "python": platform.python_version(),
        "probe": [r.as_dict() for r in results],
        "invariance": [invariance(args.out, k.name, tolerance) for k in kinds],
    }
    (args.out / "invariance.json").write_text(json.dumps(report, indent=2, default=str))
    for r, inv in zip(results, report["invariance"], strict=True):
        skips = Counter(w.split(" (")[0] for w in r.skipped.values()).most_common(8)
        print(f"\n== {r.kind}: {r.n_items} rows, {r.n_items - len(r.skipped)} perturbed")
        print(f"   skipped: {dict(skips)}")
        print(f"   rows: {inv['rows']}")
        print(f"   invariance (model-free, answered): {inv['invariance']}  CI {inv['ci95']}")
        for e in inv["exceptions"]:
            print(f"   EXCEPTION {e['case_id']} {e['calculator']}: {e['original']} -> "
                  f"{e['perturbed']}  {e['edits'][:4]}")  # fmt: skip
        for e in inv["may_change_changed"]:
            print(f"   changed (may change) {e['case_id']} {e['calculator']} "
                  f"uses {e['calculator_uses']}: {e['original']} -> {e['perturbed']}")  # fmt: skip
    print(f"\nwall {wall:.1f} s; details in {args.out / 'invariance.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
