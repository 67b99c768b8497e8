"""`run_eval`: run a strategy over a dataset, one result line per finished case, resumable.

A run killed at any moment keeps every finished case; `resume=True` drops a torn last line,
re-runs cases that ended in an error (unless `retry_errors=False`), and runs only the rest.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import JsonValue

from clinreason.bench.base import Benchmark, CaseResult, Dataset
from clinreason.bench.progress import ProgressSink, make_progress
from clinreason.bench.quality import case_quality, quality_summary, semantic_matcher_or_none
from clinreason.bench.rundir import (
    RESULTS,
    RUN,
    RUN_SCHEMA_VERSION,
    SUMMARY,
    DatasetRef,
    FsyncMode,
    ResultWriter,
    RunSpec,
    environment,
    locked,
    new_run_id,
    read_results,
    read_run,
    read_spec,
    rewrite_results,
    scan_results,
    write_json_atomic,
    write_results,
    write_spec,
)
from clinreason.bench.shards import parse_shard, select_shard
from clinreason.bench.stats import auroc
from clinreason.bench.tracestore import trim_store
from clinreason.errors import ConfigError, DatasetError
from clinreason.strategies.base import run as run_strategy
from clinreason.trace import Case, ComponentSpec, Trace, TraceBuilder, component_spec, utcnow
from clinreason.verify.trust import with_assessment

log = logging.getLogger(__name__)


def make_result(
    benchmark: Benchmark,
    case: Case,
    trace: Trace,
    latency_s: float | None,
    *,
    matcher: Any = None,
    verify: bool = True,
) -> CaseResult:
    """Score a trace into a `CaseResult`; a trace error stays an error, never a wrong answer.

    `case` is the full case (with its gold); the trace holds the blinded one (`Case.blinded`),
    which is also all the verifiers get. The line keeps the gold, gold range, rationale and
    metadata so that `rescore` can rebuild the full case (`CaseResult.full_case`).

    With `verify`, answered traces are also verified (`verdicts`), get the claim ledger and
    trust assessment (`trace.claims`, `trace.trust`; `trust` and `fully_verified` on the line)
    and reasoning-quality columns in `details["quality"]` (semantic statement matching only
    when `matcher` is given);
    without it they can be verified later by `rescore` (`clinreason score`).
    """
    common: dict[str, Any] = {
        "case_id": case.id,
        "gold": case.gold,
        "gold_range": case.gold_range,
        "rationale": case.rationale,
        "latency_s": latency_s,
        "metadata": dict(case.metadata),
        "verdicts": list(trace.verdicts),
        "trace": trace,
    }
    if trace.error is not None:
        message = f"{trace.error.type}: {trace.error.message}"
        return CaseResult(status="error", error=message, **common)
    try:
        scored = benchmark.score(case, trace)
    except Exception as exc:  # a scorer bug must not be counted as a wrong answer
        return CaseResult(
            status="error", error=f"scoring failed: {type(exc).__name__}: {exc}", **common
        )
    value = trace.answer.value if trace.answer is not None else None
    answer = scored.details.get("answer", value)
    answer_text = None if answer is None else str(answer)
    score = scored.score
    if score is None and scored.correct is not None:
        score = float(scored.correct)
    quality: dict[str, Any] | None = None
    trust: dict[str, Any] = {}
    if verify:
        common["verdicts"], quality = case_quality(case, trace, matcher)
        checked = with_assessment(trace.model_copy(update={"verdicts": common["verdicts"]}))
        common["trace"] = checked.model_copy(update={"verdicts": []})  # verdicts: on the line
        if checked.trust is not None:
            trust = {"trust": checked.trust.score, "fully_verified": checked.trust.fully_verified}
    return CaseResult(
        status="ok" if answer_text is not None else "no_answer",
        answer=answer_text,
        correct=scored.correct,
        score=score,
        details={**scored.details, "quality": quality} if quality else scored.details,
        confidence=trace.answer.confidence if trace.answer is not None else None,
        **trust,
        **common,
    )


def summarize_run(benchmark: Benchmark, results: Sequence[CaseResult]) -> dict[str, JsonValue]:
    """`summary.json`: the benchmark's summary plus n, n_errors and n_no_answer."""
    summary = dict(benchmark.summarize(results))
    summary["n"] = len(results)
    summary["n_errors"] = sum(r.status == "error" for r in results)
    summary["n_no_answer"] = sum(r.status == "no_answer" for r in results)
    trusted = [r for r in results if r.trust is not None]
    if trusted:
        summary["trust"] = trust_summary(trusted)
    qualities = [q for r in results if isinstance(q := r.details.get("quality"), dict)]
    if qualities:
        summary["quality"] = quality_summary(qualities)
    return summary


def trust_summary(results: Sequence[CaseResult]) -> dict[str, JsonValue]:
    """Mean trust, the share fully verified, accuracy among them, and the AUROC of trust for
    right vs wrong answers (None when either class is empty)."""
    scores = [float(r.trust) for r in results if r.trust is not None]
    scored = [r for r in results if r.trust is not None and r.correct is not None]
    fully = [r for r in scored if r.fully_verified]
    return {
        "n": len(scores),
        "mean": sum(scores) / len(scores) if scores else None,
        "fully_verified": sum(bool(r.fully_verified) for r in results) / len(results),
        "fully_verified_accuracy": sum(bool(r.correct) for r in fully) / len(fully)
        if fully
        else None,
        "auroc": auroc([float(r.trust) for r in scored], [bool(r.correct) for r in scored])
        if scored
        else None,
    }


async def _solve(strategy: Any, case: Case, backend: Any) -> Trace:
    """The strategy's trace; `run_strategy` blinds the case (so does the fallback here)."""
    try:
        return await run_strategy(strategy, case, backend)
    except (asyncio.CancelledError, KeyboardInterrupt):
        raise
    except Exception as exc:  # a bug in a strategy or backend: recorded, counted, not fatal
        log.warning("case %s failed: %s: %s", case.id, type(exc).__name__, exc)
        spec = getattr(backend, "spec", None)
        return TraceBuilder(case.blinded(), component_spec(strategy), spec).fail(exc)


def _select(
    dataset: Dataset, limit: int | None, shard: tuple[int, int] | None, skip: int = 0
) -> list[Case]:
    if limit is not None and limit < 0:
        raise ConfigError(f"--limit must be >= 0, got {limit}")
    if skip < 0:
        raise ConfigError(f"--skip must be >= 0, got {skip}")
    chosen = dataset.cases[skip:]
    cases = select_shard(chosen[:limit] if limit is not None else chosen, shard)
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise DatasetError(f"{dataset.name}: duplicate case id {case.id!r}; ids must be unique")
        seen.add(case.id)
    return cases


def _parameter_defaults(component: Any) -> dict[str, Any]:
    """A dataclass strategy's parameters with a default, and the default."""
    if not dataclasses.is_dataclass(component):
        return {}
    return {
        f.name: f.default
        for f in dataclasses.fields(component)
        if f.default is not dataclasses.MISSING
    }


def _same_strategy(old: ComponentSpec, new: ComponentSpec, defaults: dict[str, Any]) -> bool:
    """Equal, or `new` differs only by parameters added since the run began, at their defaults
    (so the strategy behaves as it did)."""
    added = new.params.keys() - old.params.keys()
    kept = {k: v for k, v in new.params.items() if k not in added}
    return (old.name, old.version, old.params) == (new.name, new.version, kept) and all(
        k in defaults and defaults[k] == new.params[k] for k in added
    )


def _check_compatible(old: RunSpec, new: RunSpec, strategy_defaults: dict[str, Any]) -> None:
    diffs = []
    for name in ("benchmark", "backend", "seed", "shard"):
        if getattr(old, name) != getattr(new, name):
            diffs.append(name)
    if not _same_strategy(old.strategy, new.strategy, strategy_defaults):
        diffs.insert(1, "strategy")
    if (old.dataset.name, old.dataset.sha256) != (new.dataset.name, new.dataset.sha256):
        diffs.append("dataset (name or file hash)")
    if diffs:
        raise ConfigError(
            f"cannot resume: this run directory was made with a different {', '.join(diffs)}; "
            "use a new --out directory or the original settings"
        )


def _prepare(
    out_dir: Path,
    spec: RunSpec,
    *,
    resume: bool,
    retry_errors: bool,
    strategy_defaults: dict[str, Any] | None = None,
) -> tuple[set[str], RunSpec]:
    """Check the directory, repair it on resume, and return finished ids and the spec to write."""
    results = out_dir / RESULTS
    scan = scan_results(results)
    if not resume:
        if scan.lines or scan.torn:
            raise ConfigError(f"{out_dir} already holds results; pass --resume or use a new --out")
        return set(), spec
    if not (out_dir / RUN).exists():
        if scan.lines:
            raise ConfigError(f"{out_dir} has results but no {RUN}; cannot resume safely")
        return set(), spec
    old = read_spec(out_dir)
    _check_compatible(old, spec, strategy_defaults or {})
    keep: dict[str, bytes] = {}
    for line, case_id, status in zip(scan.lines, scan.case_ids, scan.statuses, strict=True):
        if status == "error" and retry_errors:
            keep.pop(case_id, None)
            continue
        keep.pop(case_id, None)
        keep[case_id] = line
    if scan.torn or len(keep) != len(scan.lines):
        log.info("repairing %s: kept %d of %d lines", results, len(keep), len(scan.lines))
        rewrite_results(results, list(keep.values()))
    dropped = trim_store(out_dir, list(keep.values()))
    if dropped:
        log.info("repairing %s: dropped %d bytes of unreferenced trace frames", out_dir, dropped)
    merged = old.model_copy(
        update={
            "schema_version": spec.schema_version,
            "resumed_at": [*old.resumed_at, utcnow()],
            "limit": spec.limit,
            "skip": spec.skip,
            "concurrency": spec.concurrency,
            "argv": spec.argv,
            "finished_at": None,
        }
    )
    return set(keep), merged


async def run_eval(
    benchmark: Benchmark,
    dataset: Dataset,
    strategy: Any,
    backend: Any,
    *,
    out_dir: Path,
    concurrency: int = 4,
    resume: bool = False,
    limit: int | None = None,
    skip: int = 0,
    seed: int = 0,
    progress: bool | ProgressSink | None = None,
    retry_errors: bool = True,
    fsync: FsyncMode = "group",
    argv: Sequence[str] | None = None,
    verify: bool = True,
    shard: str | None = None,
    results_into: list[CaseResult] | None = None,
) -> dict[str, JsonValue]:
    """Run `strategy` with `backend` on `dataset`, writing the run directory `out_dir`.

    Args:
        benchmark: Scores each trace and summarizes the run.
        dataset: Cases to run (ids must be unique).
        strategy: A `Strategy` (frozen dataclass with `solve`).
        backend: A `Backend`; at most `min(concurrency, backend.max_concurrency)` calls at once.
        out_dir: Run directory (created if missing).
        concurrency: Cases in flight at once.
        resume: Continue a run in `out_dir`, skipping finished cases.
        limit: Only the first `limit` cases of the dataset (after `skip`).
        skip: Leave out the first `skip` cases (e.g. to evaluate on items a tuning set did not
            use).
        seed: Recorded in `run.json` (strategies take their own seed parameter).
        progress: True/False, None = a bar when stderr is a terminal, or a `ProgressSink`.
        retry_errors: On resume, re-run cases whose result was an error.
        fsync: Durability of each result line (see `clinreason.bench.rundir`).
        argv: Command line to record (default: `sys.argv`).
        verify: Run the verifiers and reasoning-quality scorers on each trace as it finishes
            (off: faster; `clinreason score` adds them later from the stored traces).
        shard: `i/n`: only the cases of shard i of n (split by case id; see
            `clinreason.bench.shards`, whose `merge_runs` joins the shard runs).
        results_into: A list to extend with the run's results (without traces, in dataset
            order), for a caller that analyses the run next without reading it back.

    Returns:
        The content of `summary.json`.

    Raises:
        ConfigError: results already present without `resume`, or a resume with other settings.
    """
    if concurrency < 1:
        raise ConfigError(f"--concurrency must be >= 1, got {concurrency}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cases = _select(dataset, limit, parse_shard(shard) if shard is not None else None, skip)
    strategy_spec = component_spec(strategy)
    backend_spec = backend.spec
    system = f"{strategy_spec.name} / {backend_spec.name}:{backend_spec.params.get('model', '?')}"
    created = utcnow()
    spec = RunSpec(
        run_id=new_run_id(benchmark.name, strategy_spec.name, created),
        system=system,
        created_at=created,
        benchmark=component_spec(benchmark),
        dataset=DatasetRef.of(dataset, len(cases)),
        strategy=strategy_spec,
        backend=backend_spec,
        seed=seed,
        limit=limit,
        skip=skip,
        shard=None if shard is None else "/".join(map(str, parse_shard(shard))),
        concurrency=concurrency,
        argv=list(sys.argv if argv is None else argv),
        **environment(),  # type: ignore[arg-type]
    )
    with locked(out_dir):
        done, spec = _prepare(
            out_dir,
            spec,
            resume=resume,
            retry_errors=retry_errors,
            strategy_defaults=_parameter_defaults(strategy),
        )
        spec = spec.model_copy(
            update={"dataset": spec.dataset.model_copy(update={"n_selected": len(cases)})}
        )
        write_spec(out_dir, spec)
        todo = [c for c in cases if c.id not in done]
        workers = max(
            1, min(concurrency, int(getattr(backend, "max_concurrency", 1) or 1), len(todo) or 1)
        )
        sink = make_progress(progress, f"{benchmark.name} {strategy_spec.name}")
        writer = ResultWriter(out_dir / RESULTS, fsync=fsync)
        pending = iter(todo)
        finished: dict[str, CaseResult] = {}

        async def worker() -> None:
            for case in pending:
                started = time.perf_counter()
                trace = await _solve(strategy, case, backend)
                latency = round(time.perf_counter() - started, 6)
                result = make_result(benchmark, case, trace, latency, verify=verify)
                writer.write(result)
                finished[case.id] = result.model_copy(update={"trace": None})
                sink.advance(result)

        sink.start(len(cases), len(cases) - len(todo))
        try:
            await asyncio.gather(*(worker() for _ in range(workers)))
        finally:
            sink.stop()
            writer.close()
        if done:  # earlier sessions' results: read without traces (fast)
            for old in read_results(out_dir, traces=False):
                finished.setdefault(old.case_id, old)
        results = [finished[c.id] for c in cases if c.id in finished]
        if results_into is not None:
            results_into.extend(results)
        summary = summarize_run(benchmark, results)
        write_json_atomic(out_dir / SUMMARY, summary)
        write_spec(out_dir, spec.model_copy(update={"finished_at": utcnow()}))
    return summary


def rescore(
    run_dir: Path, *, benchmark: Benchmark | None = None, out_dir: Path | None = None
) -> dict[str, JsonValue]:
    """Re-score a finished run from its stored traces (no model calls); rewrite its files.

    Each trace is scored against `CaseResult.full_case`: the gold, gold range, rationale and
    metadata of its result line (the trace's case is blinded), or, in files written before
    gold blinding, those the trace's case still holds.

    Args:
        run_dir: A run directory.
        benchmark: Scoring configuration; default: the one recorded in `run.json`.
        out_dir: Write the re-scored run here instead of in place.

    A case whose trace frame cannot be read is left out and listed under `lost` in the
    summary (`clinreason eval --resume` on the rewritten run runs it again).
    """
    from clinreason.bench.registry import benchmark_from_spec

    run_dir = Path(run_dir)
    spec = read_spec(run_dir)
    bench = benchmark or benchmark_from_spec(spec.benchmark)
    target = Path(out_dir) if out_dir is not None else run_dir
    target.mkdir(parents=True, exist_ok=True)
    read = read_run(run_dir)
    old = read.results
    matcher = semantic_matcher_or_none()  # None (logged) without the embedding model
    new: list[CaseResult] = []
    for result in old:
        if result.trace is None or (result.status == "error" and result.trace.error is not None):
            new.append(result)
            continue
        case = result.full_case()
        assert case is not None  # a result with a trace has a case
        new.append(make_result(bench, case, result.trace, result.latency_s, matcher=matcher))
    with locked(target):
        write_results(target, new)
        summary = summarize_run(bench, new)
        if read.lost:
            summary["lost"] = [{"case_id": x.case_id, "reason": x.reason} for x in read.lost]
        write_json_atomic(target / SUMMARY, summary)
        write_spec(
            target,
            spec.model_copy(
                update={
                    "benchmark": component_spec(bench),
                    "scored_at": utcnow(),
                    "schema_version": RUN_SCHEMA_VERSION,
                }
            ),
        )
    return summary
