"""`run_probe`: the original items and each kind's perturbed items through `run_eval`.

Layout of the output directory (each run directory is an ordinary, resumable `run_eval` one,
so `clinreason report/compare/score` read them):

    DIR/original/           the items as they are
    DIR/<kind>/             the perturbed items (same case ids; skipped items absent)
    DIR/<kind>/probe.json   kind, seed, parameters, and every skipped item with its reason
    DIR/probe.json          the figures of every kind (`ProbeResult.as_dict`)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clinreason.bench.base import Benchmark, CaseResult, Dataset
from clinreason.bench.probes.analysis import ProbeResult, Tolerance, analyse
from clinreason.bench.probes.base import Perturbation, perturb_dataset
from clinreason.bench.rundir import write_json_atomic
from clinreason.bench.runner import run_eval
from clinreason.errors import ConfigError

ORIGINAL = "original"
PROBE_JSON = "probe.json"


def make_perturbation(kind: str, params: dict[str, Any] | None = None) -> Perturbation:
    """The registered perturbation `kind` with constructor `params`.

    Raises:
        ConfigError: unknown kind or bad parameters.
    """
    from clinreason.bench.probes import PERTURBATIONS
    from clinreason.bench.registry import build

    return build("probe kind", kind, PERTURBATIONS, params)  # type: ignore[no-any-return]


async def run_probe(
    benchmark: Benchmark,
    dataset: Dataset,
    strategy: Any,
    backend: Any,
    perturbations: Sequence[Perturbation],
    *,
    out_dir: Path,
    seed: int = 0,
    limit: int | None = None,
    tolerance: Tolerance | None = None,
    **eval_options: Any,
) -> list[ProbeResult]:
    """Run the original items and each perturbation's items; return each kind's figures.

    Args:
        benchmark, dataset, strategy, backend: as for `run_eval`.
        perturbations: The kinds to probe (each gets `out_dir/<name>`).
        out_dir: The probe directory.
        seed: Perturbation seed (each item gets its own generator from it) and run seed.
        limit: Only the first `limit` items (before perturbation).
        tolerance: When numeric answers count as the same.
        eval_options: Passed to `run_eval` (concurrency, resume, progress, fsync, argv, verify).
    """
    if limit is not None and limit < 0:
        raise ConfigError(f"--limit must be >= 0, got {limit}")
    out_dir = Path(out_dir)
    cases = list(dataset.cases[:limit] if limit is not None else dataset.cases)
    original: list[CaseResult] = []  # the runs' results, kept for the analysis
    await run_eval(
        benchmark, dataset, strategy, backend, out_dir=out_dir / ORIGINAL, limit=limit,
        seed=seed, results_into=original, **eval_options,
    )  # fmt: skip
    results = []
    for perturbation in perturbations:
        kind_dir = out_dir / perturbation.name
        perturbed = perturb_dataset(dataset, cases, perturbation, seed=seed)
        kind_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(
            kind_dir / PROBE_JSON,
            {
                "kind": perturbation.name,
                "expectation": perturbation.expectation,
                "seed": seed,
                "params": dataclasses.asdict(perturbation),  # type: ignore[call-overload]
                "n_items": len(cases),
                "n_perturbed": len(perturbed.dataset),
                "skipped": perturbed.skipped,
                "skipped_records": {i: perturbed.records[i] for i in perturbed.skipped},
            },
        )
        changed: list[CaseResult] = []
        if len(perturbed.dataset):
            await run_eval(
                benchmark, perturbed.dataset, strategy, backend, out_dir=kind_dir, seed=seed,
                results_into=changed, **eval_options,
            )  # fmt: skip
        result = analyse(
            perturbation.name, out_dir / ORIGINAL, kind_dir, perturbed.records, perturbed.skipped,
            n_items=len(cases), tolerance=tolerance, seed=seed, results=(original, changed),
        )  # fmt: skip
        results.append(result)
    write_json_atomic(out_dir / PROBE_JSON, {"kinds": [r.as_dict() for r in results]})
    return results
