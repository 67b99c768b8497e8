"""`summary.json` for benchmarks scored right/wrong: counts, accuracy with intervals, breakdowns,
calibration. Errors are counted and left out of the accuracy (never scored as wrong silently);
`accuracy_errors_as_wrong` shows the figure if they were counted wrong."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import JsonValue

from clinreason.bench import stats
from clinreason.bench.base import CaseResult


def status_counts(results: Sequence[CaseResult]) -> dict[str, int]:
    """n, n_ok, n_no_answer, n_errors."""
    return {
        "n": len(results),
        "n_ok": sum(r.status == "ok" for r in results),
        "n_no_answer": sum(r.status == "no_answer" for r in results),
        "n_errors": sum(r.status == "error" for r in results),
    }


def summarize_binary(
    results: Sequence[CaseResult],
    *,
    benchmark: str,
    breakdown_keys: Sequence[str] = (),
    macro_key: str | None = None,
    seed: int = 0,
) -> dict[str, JsonValue]:
    """Headline figures for right/wrong scoring.

    Args:
        results: One per case (any order; duplicates are not expected).
        benchmark: Name recorded in the summary.
        breakdown_keys: Metadata keys to break accuracy down by (present ones only).
        macro_key: Breakdown key whose groups are averaged unweighted (MIRAGE 'Average').
        seed: Bootstrap seed.
    """
    scored = [r for r in results if r.status != "error" and r.correct is not None]
    correct = [bool(r.correct) for r in scored]
    counts = status_counts(results)
    summary: dict[str, Any] = {"benchmark": benchmark, **counts, "n_scored": len(scored)}
    summary.update({k: v for k, v in stats.accuracy(correct, seed=seed).items() if k != "n"})
    denominator = len(scored) + counts["n_errors"]
    summary["accuracy_errors_as_wrong"] = sum(correct) / denominator if denominator else None
    by: dict[str, Any] = {}
    for key in breakdown_keys:
        groups = [r.metadata.get(key) for r in scored]
        if any(g is not None for g in groups):
            by[key] = stats.breakdown(groups, correct)
    if by:
        summary["by"] = by
    if macro_key and macro_key in by and len(by[macro_key]) > 1:
        summary["macro_accuracy"] = stats.macro_average(by[macro_key])
        summary["macro_key"] = macro_key
    confident = [r for r in scored if r.confidence is not None]
    if confident:
        summary["calibration"] = stats.calibration(
            [float(r.confidence) for r in confident],  # type: ignore[arg-type]
            [bool(r.correct) for r in confident],
        )
    return summary
