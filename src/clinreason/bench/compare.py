"""Paired comparison of runs on the same items: accuracy difference with a paired bootstrap
interval, exact McNemar test, and Holm's correction across the groups (datasets) of each
comparison. The first run is the baseline; every other run is compared with it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from clinreason.bench import stats
from clinreason.bench.base import CaseResult
from clinreason.bench.rundir import RunSpec, read_results, read_spec
from clinreason.errors import ConfigError

ALL = "all"


@dataclass(frozen=True)
class LoadedRun:
    """A run's spec and its results (without traces)."""

    path: Path
    spec: RunSpec
    results: list[CaseResult]
    name: str | None = None
    """Display name when the system label alone is ambiguous."""

    @property
    def label(self) -> str:
        """Display name: the given name, else the run's system label, else its directory name."""
        return self.name or self.spec.system or self.path.name


def distinct_labels(runs: list[LoadedRun]) -> list[LoadedRun]:
    """Runs whose system labels collide (same strategy and model, other settings) are named
    'label (directory)', so the table says which is which."""
    labels = [run.label for run in runs]
    return [
        replace(run, name=f"{run.label} ({run.path.name})") if labels.count(run.label) > 1 else run
        for run in runs
    ]


def load_run(path: Path) -> LoadedRun:
    """Read `run.json` and `results.jsonl` (traces dropped)."""
    path = Path(path)
    return LoadedRun(path, read_spec(path), read_results(path, traces=False))


@dataclass(frozen=True)
class PairedRow:
    """One line of the comparison table: `other` minus `baseline` on the items both scored."""

    baseline: str
    other: str
    group: str
    """'all' or the value of the breakdown key."""
    n: int
    """Items scored in both runs (errors and unscorable items are left out)."""
    accuracy_baseline: float
    accuracy_other: float
    difference: stats.Interval
    mcnemar: stats.McNemar
    p_holm: float | None = None
    """Holm-adjusted p-value across the groups of this comparison (None for 'all')."""
    n_excluded: int = 0
    """Items present in either run but not scored in both (error, missing, no gold)."""


def _scored(results: Sequence[CaseResult]) -> dict[str, CaseResult]:
    return {r.case_id: r for r in results if r.status != "error" and r.correct is not None}


def _row(
    base: LoadedRun, other: LoadedRun, ids: list[str], group: str, seed: int, excluded: int
) -> PairedRow:
    a_map, b_map = _scored(base.results), _scored(other.results)
    a = [bool(a_map[i].correct) for i in ids]
    b = [bool(b_map[i].correct) for i in ids]
    return PairedRow(
        baseline=base.label,
        other=other.label,
        group=group,
        n=len(ids),
        accuracy_baseline=sum(a) / len(a) if a else float("nan"),
        accuracy_other=sum(b) / len(b) if b else float("nan"),
        difference=stats.paired_bootstrap_difference(b, a, seed=seed),
        mcnemar=stats.mcnemar_exact(b, a),
        n_excluded=excluded,
    )


def detect_key(runs: Sequence[LoadedRun]) -> str | None:
    """'dataset' when the results span several datasets (MIRAGE subsets), else None."""
    values = {r.metadata.get("dataset") for run in runs for r in run.results}
    values.discard(None)
    return "dataset" if len(values) > 1 else None


def compare_pair(
    base: LoadedRun, other: LoadedRun, *, by: str | None, seed: int = 0
) -> list[PairedRow]:
    """Rows for one comparison: 'all', then one per group with Holm-adjusted p-values.

    Raises:
        ConfigError: the runs share no scored items.
    """
    a_map, b_map = _scored(base.results), _scored(other.results)
    every = {r.case_id for r in base.results} | {r.case_id for r in other.results}
    shared = sorted(set(a_map) & set(b_map))
    if not shared:
        raise ConfigError(f"{base.path} and {other.path} have no scored items in common")
    rows = [_row(base, other, shared, ALL, seed, len(every) - len(shared))]
    if by:
        groups: dict[str, list[str]] = {}
        for case_id in shared:
            value = a_map[case_id].metadata.get(by)
            if value is not None:
                groups.setdefault(str(value), []).append(case_id)
        group_rows = [_row(base, other, ids, g, seed, 0) for g, ids in sorted(groups.items())]
        adjusted = stats.holm([r.mcnemar.p_value for r in group_rows])
        rows += [
            PairedRow(**{**r.__dict__, "p_holm": p})
            for r, p in zip(group_rows, adjusted, strict=True)
        ]
    return rows


def compare_runs(
    paths: Sequence[Path], *, by: str | None = "auto", seed: int = 0
) -> list[PairedRow]:
    """Compare each run after the first with the first (the baseline).

    Args:
        paths: Two or more run directories.
        by: Metadata key to break down by; 'auto' = 'dataset' when there are several; None = none.
        seed: Paired-bootstrap seed.
    """
    if len(paths) < 2:
        raise ConfigError("compare needs at least two run directories")
    runs = distinct_labels([load_run(p) for p in paths])
    key = detect_key(runs) if by == "auto" else by
    rows: list[PairedRow] = []
    for other in runs[1:]:
        rows += compare_pair(runs[0], other, by=key, seed=seed)
    return rows


def row_dict(row: PairedRow) -> dict[str, object]:
    """JSON-ready form of a row."""
    return {
        "baseline": row.baseline,
        "other": row.other,
        "group": row.group,
        "n": row.n,
        "accuracy_baseline": row.accuracy_baseline,
        "accuracy_other": row.accuracy_other,
        "difference": row.difference.estimate,
        "ci": [row.difference.low, row.difference.high],
        "only_baseline_correct": row.mcnemar.only_b,
        "only_other_correct": row.mcnemar.only_a,
        "p_mcnemar": row.mcnemar.p_value,
        "p_holm": row.p_holm,
        "n_excluded": row.n_excluded,
    }
