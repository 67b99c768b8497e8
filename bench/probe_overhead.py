"""The probe's overhead over the plain runs it wraps (issue 16 target: <= 5%).

`clinreason probe` runs the original items and the perturbed items through the ordinary harness,
then perturbs and analyses. Its overhead is everything beyond those two runs: making the
perturbed dataset, writing the probe records, and pairing the results. This script times, in
one process and in CPU seconds (the machine is shared; wall times are printed too):

- `probe`: `run_probe` for one kind (original run + perturbation + perturbed run + analysis);
- `plain`: `run_eval` on the original items plus `run_eval` on the already perturbed items,

alternating probe, plain, probe, plain so a busy neighbour slows both alike, and reports
probe / plain - 1. The backends answer instantly (rules-only calculator with the fake backend;
`cot` with a scripted fake reply), so this is the worst case: with a language model each item
takes seconds and the same absolute overhead becomes a far smaller share (printed per item, to
set against a model's time per item).

Usage:
    .venv/bin/python bench/probe_overhead.py [--data-dir ../shared/data] [--reps 2]
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clinreason.backends.fake import FakeBackend
from clinreason.bench import MirageBenchmark
from clinreason.bench.medcalc import MedCalcBenchmark
from clinreason.bench.probes import NumericFormat, OptionOrder
from clinreason.bench.probes.base import perturb_dataset
from clinreason.bench.probes.run import run_probe
from clinreason.bench.runner import run_eval
from clinreason.strategies import ChainOfThought
from clinreason.strategies.calculator import CalculatorStrategy


def _timed(work: Callable[[], Any]) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    return time.process_time() - cpu, time.perf_counter() - wall


def measure(name: str, bench: Any, dataset: Any, make_strategy: Callable[[], Any],
            make_backend: Callable[[], Any], kind: Any, reps: int) -> None:  # fmt: skip
    perturbed = perturb_dataset(dataset, list(dataset.cases), kind, seed=0).dataset
    options = {"progress": False, "argv": ["bench/probe_overhead.py"]}
    probe_cpu, plain_cpu, probe_wall, plain_wall = [], [], [], []
    for rep in range(reps + 1):  # the first round warms caches (terminologies, imports); untimed
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)

            def probe(out: Path = out) -> None:
                asyncio.run(
                    run_probe(bench, dataset, make_strategy(), make_backend(), [kind],
                              out_dir=out / "probe", **options)
                )  # fmt: skip

            def plain(out: Path = out) -> None:
                for data, where in ((dataset, "a"), (perturbed, "b")):
                    asyncio.run(
                        run_eval(bench, data, make_strategy(), make_backend(),
                                 out_dir=out / where, **options)
                    )  # fmt: skip

            for label, work in (("probe", probe), ("plain", plain)):
                cpu, wall = _timed(work)
                if rep == 0:
                    continue
                (probe_cpu if label == "probe" else plain_cpu).append(cpu)
                (probe_wall if label == "probe" else plain_wall).append(wall)
            shutil.rmtree(out, ignore_errors=True)
    n = len(dataset) + len(perturbed)
    best = min(probe_cpu) / min(plain_cpu) - 1
    extra_ms = 1000 * (min(probe_cpu) - min(plain_cpu)) / n
    print(
        f"{name}: {len(dataset)} items, {len(perturbed)} perturbed ({kind.name}); "
        f"probe CPU {', '.join(f'{x:.2f}' for x in probe_cpu)} s vs plain "
        f"{', '.join(f'{x:.2f}' for x in plain_cpu)} s -> overhead {100 * best:+.1f}% "
        f"(best of {reps}; {extra_ms:.2f} ms CPU per item run); wall probe "
        f"{', '.join(f'{x:.1f}' for x in probe_wall)} s, plain "
        f"{', '.join(f'{x:.1f}' for x in plain_wall)} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--reps", type=int, default=2)
    args = parser.parse_args()
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}")
    medcalc = args.data_dir / "medcalc-bench" / "dev.csv"
    mirage = args.data_dir / "mirage" / "dev.json"
    if not medcalc.is_file() or not mirage.is_file():
        print(f"skipped: MedCalc-Bench or MIRAGE dev data not found under {args.data_dir}")
        return
    bench_m, bench_q = MedCalcBenchmark(), MirageBenchmark()
    reply = '{"reasoning": "Fever and cough. So A.", "answer": "A"}'
    settings = [
        ("medcalc dev, calculator (rules, fake backend)", bench_m, bench_m.load(medcalc),
         CalculatorStrategy, lambda: FakeBackend(lambda r: "{}"), NumericFormat()),
        ("mirage dev, cot (instant scripted reply)", bench_q, bench_q.load(mirage),
         ChainOfThought, lambda: FakeBackend(lambda r: reply), OptionOrder()),
    ]  # fmt: skip
    for setting in settings:
        measure(*setting, reps=args.reps)


if __name__ == "__main__":
    main()
