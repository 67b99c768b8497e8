"""Does the trust score separate right from wrong answers? Fit and measure its calibration.

Reads finished run directories (`clinreason eval ... --out DIR`), re-verifies every answered
trace against its blinded case with all registered verifiers (no model call), builds the claim
ledger and the trust features, and reports per family of traces (calculator / choice):

- AUROC for right vs wrong of the trust score (cross-fitted: the calibration is fitted on one
  half of the cases and applied to the other, both ways), of the strategy's own confidence, of
  the old verifier score, and of the re-ask agreement where the traces have one;
- the share of wrong answers labelled fully verified, and accuracy and coverage among the fully
  verified;
- ECE and the reliability table of the cross-fitted trust score;
- the added verification time per case against the strategy's own time.

`--write` then fits each family on all its cases and writes the shipped calibration table
(`src/clinreason/verify/trust_calibration.json`); a family with no case in the runs keeps its
shipped table. Gold answers are used only as labels.

`--table FILE` measures instead on runs no table was fitted on (a frozen set): nothing is
fitted; the trust score is the given table's (e.g. the shipped one), and it is also reported
with the re-ask read as plain agreement and no answer confidence (what the traces gave before
token probabilities were read), so one table of an earlier commit gives the "before" figure.

Usage:
    .venv/bin/python bench/trust_eval.py runs/medcalc-qwen [runs/mirage-cot ...] [--write]
        [--json]
    .venv/bin/python bench/trust_eval.py runs/trust-frozen/* --table TABLE.json
    .venv/bin/python bench/trust_eval.py RUN [--without quote_reader]   # ablation of one check
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clinreason.bench.rundir import read_results
from clinreason.bench.stats import (
    auroc,
    auroc_interval,
    expected_calibration_error,
    reliability_table,
)
from clinreason.bench.trust_fit import cross_fit, fit_logistic
from clinreason.trace import Check, Trace
from clinreason.verify import trace_score, verify_trace
from clinreason.verify.trust import (
    CALIBRATION_FILE,
    FAMILY_FEATURES,
    FEATURES,
    TASK_FEATURES,
    calibrated,
    claims_of,
    family,
    features,
    reask_details,
)

CHECK_FEATURES = tuple(f for f in FEATURES if f not in TASK_FEATURES)

OUT = Path(__file__).resolve().parents[1] / "src/clinreason/verify" / CALIBRATION_FILE


def _without(trace: Trace, verifiers: frozenset[str]) -> Trace:
    """The trace with the `check` steps of these verifiers left out (an ablation)."""
    steps = [
        s for s in trace.steps if not (isinstance(s, Check) and s.verdict.verifier in verifiers)
    ]
    return trace.model_copy(update={"steps": steps})


def _rows(run_dirs: list[Path], without: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for run_dir in run_dirs:
        results = read_results(run_dir)
        print(f"{run_dir}: {len(results)} result lines", file=sys.stderr)
        for r in results:
            trace = r.trace
            if trace is None or trace.answer is None or trace.answer.value is None:
                continue
            trace = _without(trace, without) if without else trace
            if r.correct is None:
                continue
            case = trace.case.blinded()  # old runs embedded the full case
            started = time.perf_counter()
            verdicts = verify_trace(trace, case=case)
            claims = claims_of(trace, verdicts)
            verify_s = time.perf_counter() - started
            x = features(trace, claims, verdicts)
            hard = (reask_details(trace) or {}).get("agreement")
            rows.append(
                {
                    "id": f"{run_dir.name}/{r.case_id}",
                    "family": family(trace),
                    "correct": bool(r.correct),
                    "x": x,
                    "x_plain": {
                        **x,
                        "reask_agreement": 0.5 if hard is None else float(hard),
                        "confidence": 0.5,
                    },
                    "fully": bool(claims) and all(c.status == "supported" for c in claims),
                    "old": trace_score(verdicts),
                    "confidence": trace.answer.confidence,
                    "verify_s": verify_s,
                    "latency_s": r.latency_s,
                    "statuses": [c.status for c in claims],
                    "label_reproducible": r.details.get("ceiling_correct"),
                }
            )
    return rows


def _fmt(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _report(
    name: str, rows: list[dict[str, Any]], table: dict[str, Any] | None = None
) -> dict[str, Any]:
    y = [r["correct"] for r in rows]
    ids, xs = [r["id"] for r in rows], [r["x"] for r in rows]
    names = FAMILY_FEATURES.get(name, FEATURES)
    trust = cross_fit(ids, xs, y, names) if table is None else [calibrated(table, x) for x in xs]
    conf = [r["confidence"] if r["confidence"] is not None else 0.5 for r in rows]
    old = [r["old"] if r["old"] is not None else 1.0 for r in rows]
    wrong = [r for r in rows if not r["correct"]]
    fully = [r for r in rows if r["fully"]]
    out: dict[str, Any] = {
        "family": name,
        "features": list(names),
        "n": len(rows),
        "accuracy": sum(y) / len(y),
        "auroc_trust": auroc(trust, y),
        "auroc_trust_ci": auroc_interval(trust, y),
        "auroc_confidence": auroc(conf, y),
        "auroc_old_score": auroc(old, y),
        "auroc_task_prior_only": auroc(cross_fit(ids, xs, y, TASK_FEATURES), y),
        "auroc_checks_only": auroc(cross_fit(ids, xs, y, CHECK_FEATURES), y),
        "wrong_fully_verified": sum(r["fully"] for r in wrong) / len(wrong) if wrong else None,
        "wrong_old_score_1": sum(r["old"] in (None, 1.0) for r in wrong) / len(wrong)
        if wrong
        else None,
        "fully_verified_coverage": len(fully) / len(rows),
        "fully_verified_accuracy": sum(r["correct"] for r in fully) / len(fully) if fully else None,
        "ece_trust": expected_calibration_error(trust, y),
        "reliability": reliability_table(trust, y),
        "verify_s_median": statistics.median(r["verify_s"] for r in rows),
        "strategy_s_median": statistics.median(
            r["latency_s"] for r in rows if r["latency_s"] is not None
        )
        if any(r["latency_s"] is not None for r in rows)
        else None,
    }
    fair = [k for k, r in enumerate(rows) if r["label_reproducible"] is True]
    if fair:  # MedCalc: rows whose label the gold entities reproduce (no label error)
        out["auroc_trust_label_reproducible"] = auroc(
            [trust[k] for k in fair], [y[k] for k in fair]
        )
        out["n_label_reproducible"] = len(fair)
        out["wrong_label_reproducible"] = sum(not y[k] for k in fair)
    agreement = [r["x"]["reask_agreement"] for r in rows]
    if any(a != 0.5 for a in agreement):
        out["auroc_reask_agreement"] = auroc(agreement, y)
    plain = [r["x_plain"]["reask_agreement"] for r in rows]
    if any(a != 0.5 for a in plain):
        out["auroc_reask_plain_agreement"] = auroc(plain, y)
    if table is not None:
        out["table"] = "given, not fitted here"
        plain_trust = [calibrated(table, r["x_plain"]) for r in rows]
        out["auroc_trust_plain_features"] = auroc(plain_trust, y)
    statuses: dict[str, int] = defaultdict(int)
    for r in rows:
        for s in r["statuses"]:
            statuses[s] += 1
    out["claims"] = dict(statuses)
    return out


def _print(rep: dict[str, Any]) -> None:
    print(f"\n== {rep['family']}: n={rep['n']}, accuracy {100 * rep['accuracy']:.1f}%")
    print(f"trust model features: {', '.join(rep['features'])}")
    if "table" in rep:
        print(
            "Trust from the given table (nothing fitted on these runs); with the re-ask read as "
            f"plain agreement and no confidence: AUROC {_fmt(rep['auroc_trust_plain_features'])}"
        )
    if "auroc_reask_plain_agreement" in rep:
        print(
            f"  plain re-ask agreement (share of re-asks that agreed): AUROC "
            f"{_fmt(rep['auroc_reask_plain_agreement'])}"
        )
    print(
        f"AUROC right vs wrong: trust ({'given table' if 'table' in rep else 'cross-fitted'}) "
        f"{_fmt(rep['auroc_trust'])} (95% CI {_fmt((rep['auroc_trust_ci'] or [None])[0], 2)}–"
        f"{_fmt((rep['auroc_trust_ci'] or [None, None])[1], 2)}); "
        f"strategy confidence {_fmt(rep['auroc_confidence'])}; "
        f"old verifier score {_fmt(rep['auroc_old_score'])}"
        + (
            f"; re-ask agreement {_fmt(rep['auroc_reask_agreement'])}"
            if "auroc_reask_agreement" in rep
            else ""
        )
    )
    print(
        f"  baselines in the same run, cross-fitted: the task prior alone (number of claims, "
        f"points score, date) {_fmt(rep['auroc_task_prior_only'])}; the checks alone "
        f"{_fmt(rep['auroc_checks_only'])}"
    )
    if "auroc_trust_label_reproducible" in rep:
        print(
            f"  on the {rep['n_label_reproducible']} rows whose label the gold entities reproduce "
            f"({rep['wrong_label_reproducible']} wrong): trust AUROC "
            f"{_fmt(rep['auroc_trust_label_reproducible'])}"
        )
    print(
        f"Wrong answers fully verified: {_fmt(rep['wrong_fully_verified'])} "
        f"(old score 1.0 or none: {_fmt(rep['wrong_old_score_1'])})"
    )
    print(
        f"Fully verified: coverage {_fmt(rep['fully_verified_coverage'])}, "
        f"accuracy {_fmt(rep['fully_verified_accuracy'])}"
    )
    print(f"ECE of trust: {_fmt(rep['ece_trust'])}; claims by status: {rep['claims']}")
    print("Reliability (trust bin: n, mean trust, accuracy):")
    for b in rep["reliability"]:
        print(
            f"  [{b['low']:.1f}, {b['high']:.1f}): {b['n']:>4}  {b['confidence']:.2f}  "
            f"{b['accuracy']:.2f}"
        )
    print(
        f"Verification time per case: median {rep['verify_s_median']:.3f} s "
        f"(strategy's own: {_fmt(rep['strategy_s_median'], 2)} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--write", action="store_true", help="fit on all cases and ship it")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="VERIFIER",
        help="leave out the check steps of this verifier (e.g. quote_reader, reask): an ablation",
    )
    parser.add_argument(
        "--table", type=Path, help="measure with this calibration file; fit nothing (frozen sets)"
    )
    args = parser.parse_args()
    if args.table and args.write:
        sys.exit("--table measures with a given table; it cannot be combined with --write")
    tables = json.loads(args.table.read_text())["families"] if args.table else {}
    missing = [str(p) for p in args.runs if not (p / "results.jsonl").is_file()]
    if missing:
        sys.exit(f"not a run directory (no results.jsonl): {', '.join(missing)}")
    print(
        f"Machine: {platform.machine()}, Python {platform.python_version()}; "
        f"runs: {', '.join(map(str, args.runs))}"
    )
    rows = _rows(args.runs, frozenset(args.without))
    by_family: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_family[r["family"]].append(r)
    reports = [
        _report(name, fam, tables.get(name) if args.table else None)
        for name, fam in sorted(by_family.items())
        if len({r["correct"] for r in fam}) == 2 and (not args.table or name in tables)
    ]
    if args.json:
        print(json.dumps(reports, indent=2))
    else:
        for rep in reports:
            _print(rep)
    if args.write:
        # families not in these runs keep their shipped table
        tables = json.loads(OUT.read_text())["families"] if OUT.is_file() else {}
        for name, fam in sorted(by_family.items()):
            names = FAMILY_FEATURES.get(name, FEATURES)
            table = fit_logistic([r["x"] for r in fam], [r["correct"] for r in fam], names)
            table["version"] = 1
            table["fitted_on"] = [str(p) for p in args.runs]
            tables[name] = table
        payload = {
            "about": "trust calibration tables, written by bench/trust_eval.py --write",
            "written": datetime.now(UTC).strftime("%Y-%m-%d"),
            "families": tables,
        }
        OUT.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {OUT}")


if __name__ == "__main__":
    main()
