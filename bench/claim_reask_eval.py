"""Claim-level re-asking (issue 12, item 3) applied to stored choice runs, and what it is worth.

Reads finished run directories (`clinreason eval ... --strategy cot --out DIR`), adds to each
answered multiple-choice trace the claim checks `cot -S claim_check=N` would have made
(`strategies.claim_check.add_claim_checks`: up to N reasoning sentences, each asked again as
true/false without the rest of the reasoning or the answer, in both label orders), and writes
the extended traces to OUT/<run set>/<run>.jsonl, one line per case as it finishes: a rerun
skips the cases already there (and the response cache makes repeated calls cheap). Only the
blinded case reaches the model; gold is used as a label only.

A run set is the parent folder of a run directory (runs/trust-dev/casimedicos -> trust-dev).
Per set it prints: claims re-asked per item; their verdicts among right and among wrong
answers (the share contradicted); the added model time against the strategy's own, from the
trace timings (the strategy's time as stored, the claim checks' as measured here); and AUROC
for right vs wrong of

  (a) the stored trust (as the run recorded it), and the `choice` trust features refitted on
      the fit set (default trust-dev) — the baseline for (c);
  (b) the claim feature, declared before any figure: the lowest P(true) over the answer's
      re-asked sentences (`verify.trust.lowest_claim_probability`; 0.5 when none);
  (c) the trust features with the claim feature added, fitted on the fit set.

Nothing is fitted on a set it reports, except the fit set itself (marked in-sample). The verdict
thresholds are `strategies.claim_check.SUPPORTED_AT` / `CONTRADICTED_AT`.

Usage (any backend option `clinreason eval` takes):
    .venv/bin/python bench/claim_reask_eval.py runs/trust-dev/* runs/trust-frozen/* \\
        runs/trust-frozen2/* --backend embedded --logprobs --prompt-cache --threads 2 \\
        --out runs/claim-reask
    .venv/bin/python bench/claim_reask_eval.py runs/trust-*/* --out runs/claim-reask --report-only
"""

from __future__ import annotations

import asyncio
import json
import platform
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import click

from clinreason.bench.rundir import read_results
from clinreason.bench.stats import auroc, auroc_interval
from clinreason.bench.trust_fit import fit_logistic
from clinreason.cli._common import backend_from_options, backend_options
from clinreason.errors import ClinReasonError
from clinreason.strategies.claim_check import (
    CONTRADICTED_AT,
    DEFAULT_LIMIT,
    PURPOSE,
    SUPPORTED_AT,
    VERIFIER,
    add_claim_checks,
)
from clinreason.trace import Check, LLMCall, Trace
from clinreason.verify import verify_trace
from clinreason.verify.trust import (
    CHECK_PURPOSES,
    CLAIM_FEATURE,
    FAMILY_FEATURES,
    calibrated,
    claims_of,
    features,
    lowest_claim_probability,
)

BASE_FEATURES = FAMILY_FEATURES["choice"]


def out_file(out: Path, run_dir: Path) -> Path:
    """Where the extended traces of one run go: OUT/<set>/<run>.jsonl."""
    return out / run_dir.resolve().parent.name / f"{run_dir.name}.jsonl"


def done_ids(path: Path) -> set[str]:
    """Case ids already written (a torn last line is ignored)."""
    ids: set[str] = set()
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                ids.add(json.loads(line)["case_id"])
            except (json.JSONDecodeError, KeyError):
                continue
    return ids


async def extend_runs(run_dirs: list[Path], backend: Any, out: Path, limit: int) -> None:
    """Add the claim checks to every answered choice trace not yet written."""
    for run_dir in run_dirs:
        path = out_file(out, run_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        done = done_ids(path)
        todo = [
            r
            for r in read_results(run_dir)
            if r.trace is not None
            and r.trace.case.options
            and r.trace.answer is not None
            and r.trace.answer.value is not None
            and r.correct is not None
            and r.case_id not in done
        ]
        print(f"{run_dir}: {len(done)} done, {len(todo)} to check", file=sys.stderr)
        for k, r in enumerate(todo, start=1):
            assert r.trace is not None
            started = time.perf_counter()
            trace = r.trace.model_copy(update={"case": r.trace.case.blinded()})
            trace = await add_claim_checks(trace, backend, limit=limit)
            asked = sum(s.verdict.verifier == VERIFIER for s in trace.steps_of(Check))
            line = {
                "case_id": r.case_id,
                "correct": bool(r.correct),
                "stored_trust": r.trust,
                "trace": trace.model_dump(mode="json"),
            }
            with path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(line) + "\n")
            print(
                f"  [{k}/{len(todo)}] {r.case_id}: {asked} sentence(s) re-asked in "
                f"{time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )


def row(line: dict[str, Any]) -> dict[str, Any]:
    """What the report needs from one extended trace (re-verified, no model call)."""
    trace = Trace.model_validate(line["trace"])
    verdicts = verify_trace(trace, case=trace.case)
    claims = claims_of(trace, verdicts)
    x = features(trace, claims, verdicts)
    x[CLAIM_FEATURE] = lowest_claim_probability(trace)
    calls = trace.steps_of(LLMCall)
    checks = [s.verdict for s in trace.steps_of(Check) if s.verdict.verifier == VERIFIER]
    return {
        "correct": line["correct"],
        "stored_trust": line.get("stored_trust"),
        "x": x,
        "statuses": [v.status for v in checks],
        "fully": bool(claims) and all(c.status == "supported" for c in claims),
        "own_s": sum(c.duration_s or 0.0 for c in calls if c.purpose not in CHECK_PURPOSES),
        "claim_s": sum(c.duration_s or 0.0 for c in calls if c.purpose == PURPOSE),
    }


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _auroc(scores: list[float], y: list[bool]) -> str:
    ci = auroc_interval(scores, y)
    interval = f" (95% CI {ci[0]:.2f}-{ci[1]:.2f})" if ci else ""
    return f"{_fmt(auroc(scores, y))}{interval}"


def _statuses(rows: list[dict[str, Any]]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        for s in r["statuses"]:
            counts[s] += 1
    total = sum(counts.values())
    if not total:
        return "no claim re-asked"
    shares = ", ".join(f"{s} {counts[s]} ({100 * counts[s] / total:.0f}%)" for s in sorted(counts))
    return f"{total} claims: {shares}"


def report(name: str, rows: list[dict[str, Any]], tables: dict[str, dict[str, Any]]) -> None:
    """Print the figures of one run set."""
    y = [r["correct"] for r in rows]
    right = [r for r in rows if r["correct"]]
    wrong = [r for r in rows if not r["correct"]]
    asked = [len(r["statuses"]) for r in rows]
    print(f"\n== {name}: {len(rows)} items, {sum(y)} right ({100 * sum(y) / len(rows):.1f}%)")
    print(
        f"claims re-asked per item: mean {statistics.mean(asked):.2f} (min {min(asked)}, "
        f"max {max(asked)}); items with none: {sum(a == 0 for a in asked)}"
    )
    print(f"  among right answers: {_statuses(right)}")
    print(f"  among wrong answers: {_statuses(wrong)}")
    for label, group in (("right", right), ("wrong", wrong)):
        hit = sum("contradicted" in r["statuses"] for r in group)
        print(f"  {label} answers with a contradicted claim: {hit} of {len(group)}")
    timed = [r for r in rows if r["own_s"] > 0 and r["statuses"]]
    if timed:
        own, claim = sum(r["own_s"] for r in timed), sum(r["claim_s"] for r in timed)
        ratios = sorted(r["claim_s"] / r["own_s"] for r in timed)
        print(
            f"model time per item: claim checks {claim / len(timed):.1f} s, the strategy's own "
            f"{own / len(timed):.1f} s (stored); ratio of sums {claim / own:.2f}, median per-item "
            f"ratio {statistics.median(ratios):.2f}"
        )
    if len(set(y)) < 2:
        print("AUROC: needs right and wrong answers")
        return
    stored = [r["stored_trust"] for r in rows]
    if all(s is not None for s in stored):
        print(f"AUROC (a) stored trust: {_auroc(stored, y)}")
    xs = [r["x"] for r in rows]
    for label, key in (("(a) choice features refitted", "base"), ("(c) with claim feature", "c")):
        table = tables.get(key)
        if table is not None:
            inside = " [in-sample: the fit set]" if table["fitted_on"] == name else ""
            scores = [calibrated(table, x) for x in xs]
            print(f"AUROC {label} on {table['fitted_on']}: {_auroc(scores, y)}{inside}")
    print(f"AUROC (b) claim feature ({CLAIM_FEATURE}): {_auroc([x[CLAIM_FEATURE] for x in xs], y)}")
    fully_wrong = sum(r["fully"] for r in wrong)
    fully = [r for r in rows if r["fully"]]
    print(
        f"with the claim checks: wrong answers fully verified {fully_wrong} of {len(wrong)}; "
        f"fully verified {len(fully)} of {len(rows)}, {sum(r['correct'] for r in fully)} right"
    )


def fit_tables(rows: list[dict[str, Any]], fit_set: str) -> dict[str, dict[str, Any]]:
    """The baseline and claim-added tables, fitted on the fit set's rows."""
    xs, y = [r["x"] for r in rows], [r["correct"] for r in rows]
    tables = {
        "base": fit_logistic(xs, y, BASE_FEATURES),
        "c": fit_logistic(xs, y, (*BASE_FEATURES, CLAIM_FEATURE)),
    }
    for table in tables.values():
        table["fitted_on"] = fit_set
    print(f"fitted on {fit_set} ({len(rows)} items): {json.dumps(tables['c']['coef'])}")
    return tables


@click.command(help=(__doc__ or "").split("\n\n")[0])
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option("--limit-claims", default=DEFAULT_LIMIT, show_default=True, type=int)
@click.option("--fit", "fit_set", default="trust-dev", show_default=True, help="Run set to fit.")
@click.option("--report-only", is_flag=True, help="Call no model: report what OUT holds.")
@backend_options
def main(
    run_dirs: tuple[Path, ...],
    out: Path,
    limit_claims: int,
    fit_set: str,
    report_only: bool,
    **backend: Any,
) -> None:
    """Extend the runs with claim checks (resumable), then report per run set."""
    missing = [str(p) for p in run_dirs if not (p / "results.jsonl").is_file()]
    if missing:
        raise click.ClickException(f"not a run directory (no results.jsonl): {', '.join(missing)}")
    print(
        f"Machine: {platform.machine()}, Python {platform.python_version()}; thresholds: "
        f"supported at P(true) >= {SUPPORTED_AT}, contradicted at <= {CONTRADICTED_AT}; "
        f"up to {limit_claims} sentences per answer"
    )
    if not report_only:
        try:
            model = backend_from_options(**backend)
        except ClinReasonError as exc:
            raise click.ClickException(str(exc)) from None

        async def go() -> None:
            try:
                await extend_runs(list(run_dirs), model, out, limit_claims)
            finally:
                await model.aclose()

        try:
            asyncio.run(go())
        except ClinReasonError as exc:
            raise click.ClickException(f"{exc} (finished cases are kept in {out})") from None
    by_set: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for run_dir in run_dirs:
        path = out_file(out, run_dir)
        if not path.is_file():
            print(f"{path}: nothing written yet", file=sys.stderr)
            continue
        lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]
        if lines:
            by_set[path.parent.name] += [row(line) for line in lines]
    fit_rows = by_set.get(fit_set, [])
    tables = fit_tables(fit_rows, fit_set) if len({r["correct"] for r in fit_rows}) == 2 else {}
    if not tables:
        print(f"no fit: the fit set {fit_set!r} is missing or has one class only")
    for name, rows in sorted(by_set.items()):
        report(name, rows, tables)


if __name__ == "__main__":
    main()
