"""The frozen calculator notes (issue 15, item 3): label check and the rules-only measurement.

`bench/data/frozen_calc_notes.csv` holds 64 notes in unfamiliar wording, written blind to the
extractor (provenance in `bench/data/README.md`); `--frozen bench/data/frozen_calc_notes_2.csv`
measures the second set (48 notes, also blind to the first set's misses). This script runs the
`calculator` strategy without a model (rules and defaults only, fake backend, as
`bench/medcalc_eval.py --rules-only`) on the frozen set and, in the same run, on the
MedCalc-Bench development slice, and prints:

- accuracy overall (Wilson 95% interval) and per calculator, and the runs that ended in a
  missing required input;
- dev-slice accuracy and "dev minus frozen" in points (issue 15 target: <= 3);
- every frozen miss with the inputs that differ from the labelled ones (scoring only: the
  trace's extraction steps against the row's `Relevant Entities`), each with its cause, and
  the wrong inputs counted by cause; and the right answers reached from wrong inputs.

With `--labels` it only checks the labels: each row's answer recomputed by clinreason from its
labelled inputs, and by the `medcalc-bench` package as an independent implementation (fed in
the package's own spellings; see `bench/data/README.md`).

Usage:
    PYTHONPATH=src .venv/bin/python bench/frozen_notes.py [--labels]
        [--frozen bench/data/frozen_calc_notes.csv] [--dev ../shared/data/medcalc-bench/dev.csv]
        [--out runs/frozen-notes]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import platform
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from clinreason.backends import make_backend
from clinreason.bench.base import CaseResult
from clinreason.bench.medcalc import MedCalcBenchmark, diagnose
from clinreason.bench.medcalc_entities import param_for
from clinreason.bench.rundir import read_results
from clinreason.bench.runner import run_eval
from clinreason.errors import InputError
from clinreason.strategies.calculator import CalculatorStrategy
from clinreason.tools.calculators import CALCULATORS, ceiling_row, parse_entities

ROOT = Path(__file__).resolve().parents[1]
FROZEN = ROOT / "bench/data/frozen_calc_notes.csv"
DEV = ROOT.parent / "shared/data/medcalc-bench/dev.csv"

_PACKAGE_UNITS = {"°C": "degrees celsius", "°F": "degrees fahrenheit", "mmHg": "mm Hg"}
_PSI_PAO2 = "Partial pressure of oxygen (PaO₂) for Apache II"


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


# -- labels -----------------------------------------------------------------------------------


def _package_spelling(calculator_id: int, entities: dict[str, Any]) -> dict[str, Any]:
    """The same inputs in the spellings the medcalc-bench package reads (see the README)."""
    out = {
        k: [v[0], _PACKAGE_UNITS.get(v[1], v[1])] if isinstance(v, list) and len(v) == 2 else v
        for k, v in entities.items()
    }
    if out.get("Initial troponin") == "more than three times normal limit":
        out["Initial troponin"] = "greater than three times normal limit"
    if calculator_id == 29:  # the package's PSI needs both; a normal value scores no points
        out.setdefault("pH", 7.4)
        out.setdefault(_PSI_PAO2, [90, "mm Hg"])
    return out


def _canonical(calculator_id: int, entities: dict[str, Any]) -> dict[str, Any]:
    """Measurements converted to the calculator's canonical units (for the package's sake)."""
    calc = CALCULATORS[calculator_id]
    inputs = calc.compute(entities).inputs
    out = dict(entities)
    for key in entities:
        p = param_for(calc, key)
        value = inputs.get(p.name) if p is not None else None
        if p is not None and p.kind == "measurement" and isinstance(value, int | float):
            out[key] = [value, p.unit]
    return out


def check_labels(path: Path) -> int:
    """Recompute every label; compare with the package. Returns the number of bad labels."""
    from medcalc_package import package_answer

    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    bad = 0
    for row in rows:
        cid, entities = int(row["Calculator ID"]), parse_entities(row["Relevant Entities"])
        ours = ceiling_row(row)
        answers = [
            package_answer(cid, _package_spelling(cid, e))
            for e in (entities, _canonical(cid, entities))
        ]
        agree = ours.answer is not None and any(
            a is not None and abs(float(a) - float(ours.answer)) <= 0.005 * abs(float(ours.answer))
            for a, _ in answers
        )
        bad += not ours.correct
        if not ours.correct or not agree:
            print(
                f"row {row['Row Number']} {CALCULATORS[cid].slug}: "
                f"label {row['Ground Truth Answer']}, clinreason {ours.answer} "
                f"({ours.error or 'ok'}), package {answers}"
            )
    print(f"{len(rows)} rows; {bad} labels differ from clinreason's computation")
    return bad


# -- measurement ------------------------------------------------------------------------------


async def _run(path: Path, out: Path) -> tuple[dict[str, Any], list[CaseResult]]:
    bench = MedCalcBenchmark(rules_only=True)
    if out.exists():
        shutil.rmtree(out)
    summary = await run_eval(
        bench,
        bench.load(path),
        CalculatorStrategy(use_llm=False),
        make_backend("fake", cache=False),
        out_dir=out,
        concurrency=1,
        argv=sys.argv,
    )
    return summary, read_results(out)


def _missing_input(r: CaseResult) -> bool:
    return r.status == "error" and "missing" in (r.error or "").lower()


def _cause(gold: Any, extracted: Any) -> str | None:
    """Why an extracted input differs from the labelled one, in plain words (None: it does not).

    A yes/no label against a category (PSI liver disease 'Mild', HEART diabetes 'None or
    diet-controlled') compares presence, as the calculators do: any category counts as present.
    """
    if isinstance(gold, bool):
        if gold == (extracted not in (None, False)):
            return None
        return "finding missed (read as absent)" if gold else "finding wrongly counted"
    if extracted is None:
        # a count the note gives as none (alcohol 'nil') is what the calculator assumes anyway
        return None if gold == 0 else "value or category not found"
    if isinstance(gold, str):
        return "wrong category chosen"
    return "wrong value (another reading, or a unit)"


def wrong_inputs(r: CaseResult) -> list[tuple[str, Any, Any, str]]:
    """(input, labelled, extracted, cause) for each input of a row that differs from its label."""
    case = r.full_case()
    if case is None or r.trace is None:
        return []
    details = diagnose(case, r.trace, False)
    gold = case.metadata.get("relevant_entities") or {}
    extracted = details["extracted"] or {}
    checks = details["extraction_checks"] or {}
    calc = CALCULATORS[int(case.metadata["calculator_id"])]  # type: ignore[arg-type]
    out = []
    for key, ok in checks.items():  # type: ignore[union-attr]
        p = param_for(calc, key)
        name = p.name if p is not None else key
        value = extracted.get(name, extracted.get(key))  # type: ignore[union-attr]
        cause = None if ok else _cause(gold[key], value)  # type: ignore[index]
        if cause is not None:
            out.append((key, gold[key], value, cause))  # type: ignore[index]
    return out


def _print_rows(results: list[CaseResult], title: str, causes: Counter[str]) -> None:
    print(f"\n{title}:")
    for r in results:
        name = r.metadata.get("calculator_name")
        style = r.metadata.get("note_type")
        got = r.error if r.status == "error" else r.answer
        wrong = wrong_inputs(r)
        print(f"- row {r.case_id} [{name}; {style}] answer {got}, label {r.gold}")
        for key, gold, value, cause in wrong:
            print(f"    {key}: labelled {gold!r}, extracted {value!r} -> {cause}")
            causes[cause] += 1
        if not wrong:
            print("    all labelled inputs extracted correctly")


def _print_misses(results: list[CaseResult]) -> None:
    causes: Counter[str] = Counter()
    misses = [r for r in results if not r.correct]
    _print_rows(misses, "Frozen misses (inputs that differ from the labelled ones)", causes)
    print("\nWrong inputs of the misses by cause:", dict(causes.most_common()))
    lucky = [r for r in results if r.correct and wrong_inputs(r)]
    _print_rows(lucky, "Right answers from wrong inputs (errors that cancelled)", Counter())


def _accuracy(results: list[CaseResult]) -> str:
    k = sum(bool(r.correct) for r in results)
    return f"{_pct(k / len(results) if results else None)} ({k}/{len(results)})"


def _print_table(frozen: dict[str, Any], dev: dict[str, Any] | None) -> None:
    print("\n| calculator | frozen n | frozen accuracy | dev n | dev accuracy |")
    print("|---|---|---|---|---|")
    for calc, row in frozen["by_calculator"].items():
        d = (dev or {}).get("by_calculator", {}).get(calc)
        shown = f"{d['n']} | {_pct(d['accuracy'])}" if d else "- | -"
        print(f"| {calc} | {row['n']} | {_pct(row['accuracy'])} | {shown} |")


def measure(frozen: Path, dev: Path | None, out: Path) -> None:
    """Run the frozen set (and the dev slice when present) and print the figures."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"Machine: {platform.machine()}, {cpus} CPUs, Python {platform.python_version()}")
    print("Mode: calculator strategy, rules only (fake backend, no model)")
    summary, results = asyncio.run(_run(frozen, out / "frozen"))
    dev_summary, dev_results = asyncio.run(_run(dev, out / "dev")) if dev else (None, [])
    lo, hi = summary["ci95"]
    print(
        f"\nFrozen notes: {_pct(summary['accuracy'])} ({summary['n_correct']}/{summary['n']}), "
        f"95% CI {_pct(lo)}-{_pct(hi)}; ended in a missing required input: "
        f"{sum(map(_missing_input, results))}; other errors: "
        f"{sum(r.status == 'error' and not _missing_input(r) for r in results)}; "
        f"extraction accuracy {_pct(summary['extraction_accuracy'])}"
    )
    if dev_summary is None:
        print("Dev slice: not found, skipped (pass --dev PATH)")
    else:
        names = set(summary["by_calculator"])
        same = [r for r in dev_results if r.metadata.get("calculator_name") in names]
        sound = [r for r in same if r.details.get("ceiling_correct")]  # labels its inputs give
        gap = 100 * (dev_summary["accuracy"] - summary["accuracy"])
        print(
            f"Dev slice ({dev}): {_pct(dev_summary['accuracy'])} "
            f"({dev_summary['n_correct']}/{dev_summary['n']}); missing required input: "
            f"{sum(map(_missing_input, dev_results))}; on the frozen set's "
            f"{len(names)} calculators: {_accuracy(same)}, and on those of its rows whose label "
            f"the gold inputs reproduce (as every frozen label does): {_accuracy(sound)}"
        )
        print(f"Dev minus frozen: {gap:+.1f} points (issue 15 target: <= 3)")
    _print_table(summary, dev_summary)
    _print_misses(results)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frozen", type=Path, default=FROZEN)
    ap.add_argument("--dev", type=Path, default=DEV)
    ap.add_argument("--out", type=Path, default=Path("runs/frozen-notes"))
    ap.add_argument("--labels", action="store_true", help="Only check the labels.")
    args = ap.parse_args()
    if not args.frozen.is_file():
        sys.exit(f"frozen notes not found: {args.frozen}")
    if args.labels:
        try:
            sys.exit(1 if check_labels(args.frozen) else 0)
        except InputError as exc:
            sys.exit(f"a labelled input is unreadable: {exc}")
    dev = args.dev if args.dev.is_file() else None
    measure(args.frozen, dev, args.out)


if __name__ == "__main__":
    main()
