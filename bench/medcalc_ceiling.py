"""Label ceiling on MedCalc-Bench: our calculators fed each row's gold `Relevant Entities`.

For every row of the MedCalc-Bench CSV this computes the row's calculator from its gold entities
(`clinreason.tools.calculators.ceiling_row`), scores the answer with the benchmark rule
(Lower <= answer <= Upper; dates and the gestational-age tuple exactly), and reports agreement
with the v1.0 labels overall, by category and by calculator. For comparison it also runs the
`medcalc-bench` package (the benchmark's own implementation) on the same entities, and it measures
deterministic calculator matching (`find_calculator(question)` top-1).

Every disagreeing row is listed with a diagnosis from `medcalc_diagnoses.py` (label error, gold
entity error, or our bug); a row without a diagnosis is printed as UNDIAGNOSED.

Usage:
    .venv/bin/python bench/medcalc_ceiling.py [--data ../shared/data/medcalc-bench/dev.csv]
        [--json OUT.json] [--no-package]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from clinreason.tools.calculators import (
    ceiling_row,
    find_calculator,
    is_correct,
    parse_entities,
)
from medcalc_diagnoses import DIAGNOSES

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared/data/medcalc-bench/dev.csv"


def _pct(k: int, n: int) -> str:
    return f"{100 * k / n:.1f}% ({k}/{n})" if n else "n/a"


def run(path: Path, with_package: bool) -> dict:
    """Compute every row; return the summary and the per-row records."""
    if with_package:
        from medcalc_package import package_answer
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    records = []
    t0 = time.perf_counter()
    for row in rows:
        res = ceiling_row(row)
        cid = int(row["Calculator ID"])
        ranked = find_calculator(row["Question"])
        record = {
            "row": res.row_number,
            "calculator_id": cid,
            "calculator": row["Calculator Name"],
            "category": row["Category"],
            "answer": res.answer if not isinstance(res.answer, tuple) else list(res.answer),
            "label": row["Ground Truth Answer"],
            "lower": row["Lower Limit"],
            "upper": row["Upper Limit"],
            "correct": res.correct,
            "error": res.error,
            "matched": bool(ranked) and ranked[0][0].id == cid,
        }
        if with_package:
            pkg, err = package_answer(cid, parse_entities(row["Relevant Entities"]))
            record["package_answer"] = (
                pkg if isinstance(pkg, int | float | str | None) else str(pkg)
            )
            record["package_error"] = err
            record["package_correct"] = err is None and is_correct(pkg, row)
        records.append(record)
    elapsed = time.perf_counter() - t0
    return {"records": records, "seconds": elapsed, "data": str(path)}


def summarize(result: dict, with_package: bool) -> dict:
    """Overall / by-category / by-calculator agreement."""
    recs = result["records"]
    groups: dict[str, dict[str, list]] = {
        "category": defaultdict(list),
        "calculator": defaultdict(list),
    }
    for r in recs:
        groups["category"][r["category"]].append(r)
        groups["calculator"][f"{r['calculator_id']:>2} {r['calculator']}"].append(r)

    def acc(rs: list, key: str) -> dict:
        k = sum(1 for r in rs if r.get(key))
        return {"accuracy": k / len(rs) if rs else None, "n": len(rs), "correct": k}

    out = {
        "n": len(recs),
        "ceiling": acc(recs, "correct"),
        "matching": acc(recs, "matched"),
        "by_category": {c: acc(rs, "correct") for c, rs in sorted(groups["category"].items())},
        "by_calculator": {c: acc(rs, "correct") for c, rs in sorted(groups["calculator"].items())},
    }
    if with_package:
        out["package"] = acc(recs, "package_correct")
        out["package_by_category"] = {
            c: acc(rs, "package_correct") for c, rs in sorted(groups["category"].items())
        }
    return out


def report(result: dict, summary: dict, with_package: bool) -> str:
    """Markdown report: figures, then every disagreeing row with its diagnosis."""
    recs = result["records"]
    lines = [
        f"Data: {result['data']} ({summary['n']} rows); {result['seconds']:.2f} s for all rows.",
        "",
        "- Ceiling (our calculators, gold entities): "
        f"{_pct(summary['ceiling']['correct'], summary['n'])}",
    ]
    if with_package:
        lines.append(
            "- medcalc-bench package, same entities: "
            f"{_pct(summary['package']['correct'], summary['n'])}"
        )
    lines.append(
        f"- Calculator matching from the question (top-1): "
        f"{_pct(summary['matching']['correct'], summary['n'])}"
    )
    lines += ["", "| category | ours | package |", "|---|---|---|"]
    for cat, s in summary["by_category"].items():
        pkg = summary.get("package_by_category", {}).get(cat)
        lines.append(
            f"| {cat} | {_pct(s['correct'], s['n'])} | "
            f"{_pct(pkg['correct'], pkg['n']) if pkg else '-'} |"
        )
    lines += ["", "| calculator | ours |", "|---|---|"]
    for calc, s in summary["by_calculator"].items():
        lines.append(f"| {calc} | {s['correct']}/{s['n']} |")
    lines += [
        "",
        "| row | calc | ours | label | package | diagnosis |",
        "|---|---|---|---|---|---|",
    ]
    undiagnosed = 0
    for r in recs:
        if r["correct"]:
            continue
        kind, reason = DIAGNOSES.get(r["row"], ("UNDIAGNOSED", ""))
        undiagnosed += kind == "UNDIAGNOSED"
        ours = r["answer"] if r["error"] is None else f"error: {r['error']}"
        pkg = r.get("package_answer") if r.get("package_error") is None else "crash"
        lines.append(
            f"| {r['row']} | {r['calculator_id']} | {ours} | {r['label']} | {pkg} | "
            f"**{kind}**: {reason} |"
        )
    kinds: dict[str, int] = defaultdict(int)
    for r in recs:
        if not r["correct"]:
            kinds[DIAGNOSES.get(r["row"], ("UNDIAGNOSED", ""))[0]] += 1
    lines += [
        "",
        "Disagreements by diagnosis: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())),
    ]
    if undiagnosed:
        lines.append(f"WARNING: {undiagnosed} disagreeing rows have no diagnosis")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--json", type=Path, default=None, help="write summary + records as JSON")
    ap.add_argument("--no-package", action="store_true", help="skip the medcalc-bench comparison")
    args = ap.parse_args(argv)
    if not args.data.is_file():
        print(f"data not found: {args.data}", file=sys.stderr)
        return 2
    with_package = not args.no_package
    result = run(args.data, with_package)
    summary = summarize(result, with_package)
    print(report(result, summary, with_package))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, **result}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
