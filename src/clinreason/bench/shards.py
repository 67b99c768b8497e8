"""Shards: split one evaluation across machines by case id, and merge the shard runs.

`clinreason eval ... --shard i/n` runs the cases whose id hashes to shard i of n (sha256 of
the id, so the split is the same on every machine and does not depend on the file order);
`clinreason merge RUN_DIR... --out DIR` joins the shard runs into one run directory after
checking they ran the same benchmark, dataset, strategy, model and seed (server URLs may
differ: each machine has its own).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

from pydantic import JsonValue

from clinreason.bench.base import CaseResult
from clinreason.bench.rundir import (
    RESULTS,
    SUMMARY,
    ResultWriter,
    RunSpec,
    locked,
    read_run,
    read_spec,
    scan_results,
    write_json_atomic,
    write_spec,
)
from clinreason.errors import ConfigError
from clinreason.trace import Case, utcnow

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_shard(text: str) -> tuple[int, int]:
    """`"i/n"` -> (i, n), 1 <= i <= n.

    >>> parse_shard("2/8")
    (2, 8)
    """
    match = _SHARD.match(text)
    if not match:
        raise ConfigError(f"--shard expects i/n (e.g. 1/4), got {text!r}")
    index, count = int(match.group(1)), int(match.group(2))
    if not 1 <= index <= count:
        raise ConfigError(f"--shard {text}: i must be between 1 and n")
    return index, count


def shard_of(case_id: str, count: int) -> int:
    """The shard (1..count) a case id belongs to.

    >>> shard_of("medqa/0001", 1)
    1
    """
    digest = hashlib.sha256(case_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def select_shard(cases: Sequence[Case], shard: tuple[int, int] | None) -> list[Case]:
    """The cases of shard `(i, n)`, in their order (all cases when `shard` is None)."""
    if shard is None:
        return list(cases)
    index, count = shard
    return [c for c in cases if shard_of(c.id, count) == index]


def _identity(spec: RunSpec) -> dict[str, object]:
    """What must agree for shard runs to be one evaluation (not the server URLs)."""
    backend = None
    if spec.backend is not None:
        params = {k: v for k, v in spec.backend.params.items() if k != "base_url"}
        backend = (spec.backend.name, spec.backend.version, params)
    return {
        "benchmark": spec.benchmark,
        "dataset": (spec.dataset.name, spec.dataset.version, spec.dataset.sha256),
        "strategy": spec.strategy,
        "backend": backend,
        "seed": spec.seed,
        "limit": spec.limit,
        "skip": spec.skip,
        "shard count": spec.shard.split("/")[1] if spec.shard else None,
    }


def _check(run_dirs: Sequence[Path], specs: list[RunSpec], *, partial: bool) -> None:
    first = _identity(specs[0])
    for path, spec in zip(run_dirs[1:], specs[1:], strict=True):
        diffs = [k for k, v in _identity(spec).items() if first[k] != v]
        if diffs:
            raise ConfigError(
                f"cannot merge {path} with {run_dirs[0]}: different {', '.join(diffs)}"
            )
    shards = [s.shard for s in specs]
    if None in shards:
        raise ConfigError(f"{run_dirs[shards.index(None)]} is not a shard run (no --shard)")
    if len(set(shards)) != len(shards):
        raise ConfigError(f"the same shard is given twice: {', '.join(map(str, shards))}")
    count = int(str(shards[0]).split("/")[1])
    missing = sorted(set(range(1, count + 1)) - {int(str(s).split("/")[0]) for s in shards})
    unfinished = [str(p) for p, s in zip(run_dirs, specs, strict=True) if s.finished_at is None]
    if (missing or unfinished) and not partial:
        problems = [f"shard(s) {', '.join(f'{i}/{count}' for i in missing)} missing"] * bool(
            missing
        ) + [f"unfinished (resume first): {', '.join(unfinished)}"] * bool(unfinished)
        raise ConfigError(f"cannot merge: {'; '.join(problems)} (--partial merges anyway)")


def merge_runs(
    run_dirs: Sequence[Path], out_dir: Path, *, partial: bool = False
) -> dict[str, JsonValue]:
    """Merge shard runs into `out_dir` (a new run directory); returns its summary.

    Raises:
        ConfigError: runs of different evaluations, a shard twice, a case in two runs, a
            missing or unfinished shard (unless `partial`), or a non-empty `out_dir`.
    """
    from clinreason.bench.registry import benchmark_from_spec
    from clinreason.bench.runner import summarize_run

    run_dirs = [Path(p) for p in run_dirs]
    if not run_dirs:
        raise ConfigError("merge needs at least one run directory")
    specs = [read_spec(p) for p in run_dirs]
    _check(run_dirs, specs, partial=partial)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results: list[CaseResult] = []
    seen: dict[str, Path] = {}
    with locked(out_dir):
        if scan_results(out_dir / RESULTS).lines:
            raise ConfigError(f"{out_dir} already holds results; choose a new --out")
        writer = ResultWriter(out_dir / RESULTS)
        try:
            for path in run_dirs:  # one run in memory at a time
                read = read_run(path)
                if read.lost:
                    raise ConfigError(
                        f"{path}: {len(read.lost)} case(s) have unreadable traces; "
                        "`clinreason score` it and resume it first"
                    )
                for result in read.results:
                    if result.case_id in seen:
                        raise ConfigError(
                            f"case {result.case_id} is in both {seen[result.case_id]} and {path}"
                        )
                    seen[result.case_id] = path
                    writer.write(result)
                    results.append(result.model_copy(update={"trace": None}))
        finally:
            writer.close()
        summary = summarize_run(benchmark_from_spec(specs[0].benchmark), results)
        write_json_atomic(out_dir / SUMMARY, summary)
        first = specs[0]
        merged = first.model_copy(
            update={
                "run_id": f"{first.run_id}_merged",
                "shard": None,
                "merged_from": [f"{s.shard} {p}" for s, p in zip(specs, run_dirs, strict=True)],
                "dataset": first.dataset.model_copy(update={"n_selected": len(results)}),
                "finished_at": utcnow() if all(s.finished_at for s in specs) else None,
            }
        )
        write_spec(out_dir, merged)
    return summary
