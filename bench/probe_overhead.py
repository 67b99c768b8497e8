"""The probe's overhead over the plain runs it wraps (issue 16 target: <= 5%).

`clinreason probe` runs the original items and the perturbed items through the ordinary harness.
Its overhead is everything beyond those two plain runs: making the perturbed items, recording
each perturbation in its item's metadata (written with the result and trace), writing the
probe records, and pairing the two runs (flips, intervals, McNemar). The perturbed run itself
is not overhead. This script times, in one process and in CPU seconds (the machine is shared;
wall times are printed too):

- `probe`: `run_probe` for one kind (original run + perturbation + perturbed run + analysis);
- `plain`: `run_eval` on the original items plus `run_eval` on the perturbed items as plain
  items (their texts, without the probe record in their metadata), perturbed beforehand,

in pairs, probe and plain adjacent (their order alternating), after one untimed warm-up round,
so a busy neighbour slows both alike. It prints each pair's probe / plain - 1, their median and
range, the ratio of the fastest probe to the fastest plain run, and where the extra time goes
(perturbing and pairing, timed apart; the rest is recording and writing). The backends answer
instantly (rules-only calculator with the fake backend; `cot` with a scripted fake reply), so
this is the worst case: with a language model each item takes seconds and the same absolute
overhead becomes a far smaller share (printed per item, to set against a model's time per item).

Every kind is timed in both settings (`--kinds` and `--settings` narrow it). The instant `cot`
runs take a fraction of a second, so that setting runs five times as many pairs.

Usage:
    .venv/bin/python bench/probe_overhead.py [--data-dir ../shared/data] [--reps 5]
        [--kinds option-order,negation] [--settings medcalc,mirage]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clinreason.backends.fake import FakeBackend
from clinreason.bench import MirageBenchmark
from clinreason.bench.base import Dataset
from clinreason.bench.medcalc import MedCalcBenchmark
from clinreason.bench.probes import PERTURBATIONS, PROBE_KEY
from clinreason.bench.probes.analysis import analyse
from clinreason.bench.probes.base import perturb_dataset
from clinreason.bench.probes.run import ORIGINAL, run_probe
from clinreason.bench.runner import run_eval
from clinreason.strategies import ChainOfThought
from clinreason.strategies.calculator import CalculatorStrategy


def _timed(work: Callable[[], Any]) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    return time.process_time() - cpu, time.perf_counter() - wall


def _plain_items(perturbed: Dataset) -> Dataset:
    """The perturbed items as a user would run them by hand: without the probe record."""
    cases = tuple(
        case.model_copy(
            update={"metadata": {k: v for k, v in case.metadata.items() if k != PROBE_KEY}}
        )
        for case in perturbed.cases
    )
    return dataclasses.replace(perturbed, cases=cases)


def _spread(values: list[float]) -> str:
    low, mid, high = (100 * x for x in (min(values), statistics.median(values), max(values)))
    return f"median {mid:+.1f}% (range {low:+.1f}% to {high:+.1f}%)"


def measure(name: str, bench: Any, dataset: Any, make_strategy: Callable[[], Any],
            make_backend: Callable[[], Any], kind: Any, reps: int) -> None:  # fmt: skip
    print(f"{name}: timing {reps} pairs after a warm-up pair ...", flush=True)
    perturbed = perturb_dataset(dataset, list(dataset.cases), kind, seed=0)
    plain_items = _plain_items(perturbed.dataset)
    options = {"progress": False, "argv": ["bench/probe_overhead.py"]}
    cpu: dict[str, list[float]] = {"probe": [], "plain": [], "perturb": [], "analyse": []}
    wall: dict[str, list[float]] = {"probe": [], "plain": []}
    for rep in range(reps + 1):  # the first round warms caches (terminologies, imports); untimed
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)

            def probe(out: Path = out) -> None:
                asyncio.run(
                    run_probe(bench, dataset, make_strategy(), make_backend(), [kind],
                              out_dir=out / "probe", **options)
                )  # fmt: skip

            runs: dict[str, list[Any]] = {"a": [], "b": []}  # the plain runs' results

            def plain(out: Path = out, runs: dict[str, list[Any]] = runs) -> None:
                for data, where in ((dataset, "a"), (plain_items, "b")):
                    if len(data):  # the probe runs no empty perturbed set either
                        asyncio.run(
                            run_eval(bench, data, make_strategy(), make_backend(),
                                     out_dir=out / where, results_into=runs[where], **options)
                        )  # fmt: skip

            def perturb() -> None:
                perturb_dataset(dataset, list(dataset.cases), kind, seed=0)

            def pair(out: Path = out, runs: dict[str, list[Any]] = runs) -> None:
                analyse(
                    kind.name,
                    out / "probe" / ORIGINAL,
                    out / "probe" / kind.name,
                    perturbed.records,
                    perturbed.skipped,
                    n_items=len(dataset),
                    results=(runs["a"], runs["b"]),
                )  # with the results at hand, as run_probe does

            order = [("probe", probe), ("plain", plain)]
            for label, work in [*(order if rep % 2 else order[::-1]), ("perturb", perturb),
                                ("analyse", pair)]:  # fmt: skip
                took, took_wall = _timed(work)
                if rep:
                    cpu[label].append(took)
                    wall.get(label, []).append(took_wall)
            shutil.rmtree(out, ignore_errors=True)
    n = len(dataset) + len(perturbed.dataset)
    pairs = [a / b - 1 for a, b in zip(cpu["probe"], cpu["plain"], strict=True)]
    best = min(cpu["probe"]) / min(cpu["plain"]) - 1
    extra = statistics.median(a - b for a, b in zip(cpu["probe"], cpu["plain"], strict=True))

    def seconds(values: list[float]) -> str:
        return ", ".join(f"{x:.2f}" for x in values)

    print(
        f"{name}: {len(dataset)} items, {len(perturbed.dataset)} perturbed ({kind.name}); "
        f"CPU probe {seconds(cpu['probe'])} s, plain {seconds(cpu['plain'])} s; "
        f"overhead per pair {_spread(pairs)}, fastest vs fastest {100 * best:+.1f}%; "
        f"extra CPU per pair {extra:.3f} s (median; {1000 * extra / n:.2f} ms per item run); "
        f"timed apart (fastest of {reps}): perturbing {min(cpu['perturb']):.3f} s, pairing "
        f"{min(cpu['analyse']):.3f} s; wall probe {seconds(wall['probe'])} s, plain "
        f"{seconds(wall['plain'])} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--kinds", default=",".join(PERTURBATIONS), help="comma-separated")
    parser.add_argument("--settings", default="medcalc,mirage", help="comma-separated")
    args = parser.parse_args()
    kinds, wanted = args.kinds.split(","), args.settings.split(",")
    unknown = [k for k in kinds if k not in PERTURBATIONS]
    unknown += [w for w in wanted if w not in ("medcalc", "mirage")]
    if unknown:
        parser.error(f"unknown kind or setting: {', '.join(unknown)}")
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}")
    medcalc = args.data_dir / "medcalc-bench" / "dev.csv"
    mirage = args.data_dir / "mirage" / "dev.json"
    if not medcalc.is_file() or not mirage.is_file():
        print(f"skipped: MedCalc-Bench or MIRAGE dev data not found under {args.data_dir}")
        return
    bench_m, bench_q = MedCalcBenchmark(), MirageBenchmark()
    reply = '{"reasoning": "Fever and cough. So A.", "answer": "A"}'
    settings = {
        "medcalc": (
            "medcalc dev, calculator (rules, fake backend)",
            bench_m,
            bench_m.load(medcalc),
            CalculatorStrategy,
            lambda: FakeBackend(lambda r: "{}"),
            args.reps,
        ),
        "mirage": (
            "mirage dev, cot (instant scripted reply)",
            bench_q,
            bench_q.load(mirage),
            ChainOfThought,
            lambda: FakeBackend(lambda r: reply),
            5 * args.reps,
        ),
    }  # the instant runs are 20x shorter: 5x the pairs
    for setting in wanted:
        name, bench, dataset, make_strategy, make_backend, reps = settings[setting]
        for kind in kinds:
            measure(name, bench, dataset, make_strategy, make_backend, PERTURBATIONS[kind](), reps)


if __name__ == "__main__":
    main()
