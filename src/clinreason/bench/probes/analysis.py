"""Pair an original run with a perturbed run: flips, the flip rate, and paired accuracy.

A **flip** is an item whose answer changed although the perturbation expected it unchanged:
for options, the chosen option's *content* (the perturbed label is mapped back through the
record's `mapping`); for numbers (calculators), a difference beyond the tolerance
`|a - b| <= max(abs_tol, rel_tol * max(|a|, |b|))`; otherwise the answer text (case and
surrounding space ignored). An answer on one side and none on the other is a flip, and so is
an error on one side only (shown as "error: ..."; a calculator's missing input is an error):
re-run transient backend failures with `--resume` before reading the figures. Items that
ended in an error in both runs are left out and counted. Items marked "may change" are
reported apart, as changes, never as flips.

The flip rate has a Wilson interval; accuracy original vs perturbed (on the "unchanged" items,
whose gold still holds) is `clinreason compare`'s paired bootstrap and exact McNemar test.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinreason.bench import stats
from clinreason.bench.base import CaseResult
from clinreason.bench.compare import LoadedRun, PairedRow, compare_pair, row_dict
from clinreason.bench.rundir import read_results, read_spec
from clinreason.errors import ConfigError


@dataclass(frozen=True)
class Tolerance:
    """When two numeric answers count as equal (calculator results: equal to rounding)."""

    rel: float = 0.005
    abs: float = 0.005

    def same(self, a: str | None, b: str | None) -> bool:
        """Whether answers `a` and `b` are the same.

        >>> t = Tolerance()
        >>> t.same("52.1", "52.3"), t.same("3", "3.0"), t.same("A", "a")
        (True, True, True)
        >>> t.same("52.1", "53"), t.same("A", None)
        (False, False)
        """
        if a is None or b is None:
            return a is None and b is None
        try:
            x, y = float(a), float(b)
        except ValueError:
            return a.strip().casefold() == b.strip().casefold()
        if math.isnan(x) or math.isnan(y):
            return False
        return abs(x - y) <= max(self.abs, self.rel * max(abs(x), abs(y)))


@dataclass(frozen=True)
class Change:
    """One item whose answer differs between the original and the perturbed run."""

    case_id: str
    original: str | None
    perturbed: str | None
    """The perturbed answer, mapped back to the original labels for options."""
    expectation: str
    edits: list[Any]
    correct_original: bool | None = None
    correct_perturbed: bool | None = None


@dataclass(frozen=True)
class ProbeResult:
    """One kind's figures."""

    kind: str
    n_items: int
    """Items offered to the perturbation."""
    skipped: dict[str, str]
    """Case id -> why the perturbation did not apply."""
    n_paired: int
    """Perturbed items with a result (not an error) in both runs and expectation 'unchanged'."""
    n_errors: int
    """Items that ended in an error in both runs (or are missing from the original)."""
    flips: list[Change]
    flip_rate: stats.Interval
    n_may_change: int = 0
    changes: list[Change] = field(default_factory=list)
    """Changed answers on items marked 'may change' (not flips)."""
    accuracy: PairedRow | None = None
    by_attribute: dict[str, dict[str, int]] = field(default_factory=dict)
    """For records listing `attributes` (demographics): items and flips per attribute."""
    tolerance: Tolerance = Tolerance()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (`clinreason probe --json`, `probe.json`)."""
        rate = self.flip_rate
        return {
            "kind": self.kind,
            "n_items": self.n_items,
            "n_perturbed": self.n_items - len(self.skipped),
            "n_skipped": len(self.skipped),
            "skipped": self.skipped,
            "n_paired": self.n_paired,
            "n_errors": self.n_errors,
            "n_flips": len(self.flips),
            "flip_rate": None if math.isnan(rate.estimate) else rate.estimate,
            "flip_rate_ci95": [rate.low, rate.high],
            "flips": [c.__dict__ for c in self.flips],
            "n_may_change": self.n_may_change,
            "changes": [c.__dict__ for c in self.changes],
            "accuracy": row_dict(self.accuracy) if self.accuracy else None,
            "by_attribute": self.by_attribute,
            "tolerance": {"rel": self.tolerance.rel, "abs": self.tolerance.abs},
        }


def _mapped(result: CaseResult, record: dict[str, Any]) -> str | None:
    mapping = record.get("mapping")
    if isinstance(mapping, dict) and result.answer in mapping:
        return str(mapping[result.answer])
    return result.answer


def _shown(result: CaseResult, answer: str | None) -> str | None:
    """The answer, or 'error: ...' for a result that ended in an error."""
    return f"error: {result.error}" if result.status == "error" else answer


def analyse(
    kind: str,
    original: Path,
    perturbed: Path,
    records: dict[str, dict[str, Any]],
    skipped: dict[str, str],
    *,
    n_items: int,
    tolerance: Tolerance | None = None,
    seed: int = 0,
    results: tuple[Sequence[CaseResult], Sequence[CaseResult]] | None = None,
) -> ProbeResult:
    """Compare the run directories `original` and `perturbed` (same case ids).

    `records` are the perturbation records by case id (`Perturbed.records`, as stored in the
    perturbed items' metadata), so only the result lines are read, not the trace store.
    `results` are the two runs' results when the caller has them at hand (`run_probe`, from
    `run_eval`); otherwise they are read from the directories.
    """
    tolerance = tolerance or Tolerance()
    if results is None:
        done = (perturbed / "run.json").exists()
        results = (
            read_results(original, traces=False, frames=False),
            read_results(perturbed, traces=False, frames=False) if done else [],
        )
    base = {r.case_id: r for r in results[0]}
    pert = results[1]
    flips: list[Change] = []
    changes: list[Change] = []
    unchanged_ids: list[str] = []
    n_errors = n_may = 0
    by_attribute: dict[str, dict[str, int]] = {}
    for p in pert:
        o = base.get(p.case_id)
        record = records.get(p.case_id) or {}
        if o is None or (o.status == "error" and p.status == "error"):
            n_errors += 1
            continue
        answer = _shown(p, _mapped(p, record))
        expectation = str(record.get("expectation", "unchanged"))
        same = tolerance.same(_shown(o, o.answer), answer)
        change = Change(
            p.case_id, _shown(o, o.answer), answer, expectation,
            list(record.get("edits") or []), o.correct, p.correct,
        )  # fmt: skip
        if expectation != "unchanged":
            n_may += 1
            if not same:
                changes.append(change)
            continue
        unchanged_ids.append(p.case_id)
        if not same:
            flips.append(change)
        for attribute in record.get("attributes") or []:
            counts = by_attribute.setdefault(str(attribute), {"n": 0, "flips": 0})
            counts["n"] += 1
            counts["flips"] += int(not same)
    n = len(unchanged_ids)
    accuracy = _accuracy(original, perturbed, base, pert, unchanged_ids, seed) if n else None
    return ProbeResult(
        kind=kind, n_items=n_items, skipped=skipped, n_paired=n, n_errors=n_errors,
        flips=flips, flip_rate=stats.wilson_interval(len(flips), n), n_may_change=n_may,
        changes=changes, accuracy=accuracy, by_attribute=by_attribute, tolerance=tolerance,
    )  # fmt: skip


def _accuracy(
    original: Path,
    perturbed: Path,
    base: dict[str, CaseResult],
    pert: Sequence[CaseResult],
    ids: list[str],
    seed: int,
) -> PairedRow | None:
    keep = set(ids)
    a = LoadedRun(original, read_spec(original), [base[i] for i in ids], name="original")
    b = LoadedRun(
        perturbed, read_spec(perturbed), [r for r in pert if r.case_id in keep], name="perturbed"
    )
    try:
        return compare_pair(a, b, by=None, seed=seed)[0]
    except ConfigError:  # no item scored in both (no gold): no accuracy to compare
        return None
