"""Benchmark commands: `eval`, `score`, `compare`, `report`, `import`."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from clinreason.cli._common import (
    backend_from_options,
    backend_options,
    make_strategy,
    parse_params,
    run_resumable,
)

_EVAL_EPILOG = """
\b
Examples:
  clinreason eval mirage ../shared/data/mirage/dev.json --out runs/mirage-cot
  clinreason eval mirage dev.json --out runs/m --resume          # continue a killed run
  clinreason eval medqa test.jsonl --strategy self_consistency -S k=5 --backend openai \\
      --base-url http://127.0.0.1:8000/v1 --model qwen2.5-7b --concurrency 8 --out runs/mq
  clinreason eval mirage dev.json -P subsets='["medqa"]' --limit 20 --backend fake --out runs/t
  clinreason eval numeracy generated -P records=10 --out runs/numeracy   # no files, no model
  clinreason eval medqa test.jsonl --backend openai --model qwen2.5-7b \\
      --base-url http://gpu1:8000/v1 --base-url http://gpu2:8000/v1 --endpoint-concurrency 16 \\
      --concurrency 32 --shard 1/4 --out runs/mq-1     # then: clinreason merge runs/mq-* --out ..
"""


def _backend(**options: Any) -> Any:
    """The backend chosen on the command line (a seam for tests)."""
    return backend_from_options(**options)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=True)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def _echo_summary(summary: dict[str, Any]) -> None:
    from clinreason.bench.report import summary_rows

    rows = summary_rows(summary)
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        click.echo(f"  {label.ljust(width)}  {value}")
    for key, groups in summary.get("by", {}).items():
        table = [
            [
                g,
                str(e["n"]),
                f"{100 * e['accuracy']:.1f}",
                f"{100 * e['ci_wilson'][0]:.1f}–{100 * e['ci_wilson'][1]:.1f}",
            ]
            for g, e in groups.items()
        ]
        click.echo("")
        click.echo(_table([key, "n", "accuracy %", "95% CI"], table))


def _strategy(bench: Any, name: str | None, params: dict[str, Any], seed: int) -> Any:
    from clinreason.trace import component_spec

    if name is None:
        default = bench.default_strategy()
        if not params:
            fields = (
                {f.name for f in dataclasses.fields(default)}
                if dataclasses.is_dataclass(default)
                else set()
            )
            return dataclasses.replace(default, seed=seed) if "seed" in fields else default
        name = component_spec(default).name
    from clinreason.strategies import STRATEGIES

    cls = STRATEGIES.get(name)
    if (
        cls is not None
        and dataclasses.is_dataclass(cls)
        and "seed" in {f.name for f in dataclasses.fields(cls)}
    ):
        params = {"seed": seed, **params}
    return make_strategy(name, params)


@click.command("eval", epilog=_EVAL_EPILOG)
@click.argument("benchmark_name", metavar="BENCHMARK")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--strategy", default=None, help="Strategy name (default: the benchmark's, e.g. cot)."
)
@click.option("-S", "strategy_params", multiple=True, help="Strategy parameter key=value.")
@click.option("-P", "bench_params", multiple=True, help="Benchmark parameter key=value.")
@backend_options
@click.option(
    "--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Run directory."
)
@click.option("--limit", type=int, default=None, help="Only the first N cases.")
@click.option("--skip", type=int, default=0, show_default=True, help="Leave out the first N cases.")
@click.option(
    "--shard",
    default=None,
    metavar="I/N",
    help="Only shard I of N (split by case id); join shard runs with `clinreason merge`.",
)
@click.option("--concurrency", type=int, default=4, show_default=True, help="Cases in flight.")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed (strategies, bootstrap)."
)
@click.option("--resume", is_flag=True, help="Continue the run in --out, skipping finished cases.")
@click.option(
    "--retry-errors/--keep-errors",
    default=True,
    show_default=True,
    help="On --resume, re-run errored cases.",
)
@click.option(
    "--fsync",
    type=click.Choice(["group", "line", "none"]),
    default="group",
    show_default=True,
    help="Durability of result lines: group commit, fsync every line (slow), or none.",
)
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: on a terminal)."
)
@click.option(
    "--verify/--no-verify",
    default=True,
    show_default=True,
    help="Verify each trace and add reasoning-quality columns as cases finish "
    "(--no-verify: faster; `clinreason score` adds them later).",
)
def eval_cmd(
    benchmark_name: str,
    path: Path,
    strategy: str | None,
    strategy_params: tuple[str, ...],
    bench_params: tuple[str, ...],
    out: Path,
    limit: int | None,
    skip: int,
    shard: str | None,
    concurrency: int,
    seed: int,
    resume: bool,
    retry_errors: bool,
    fsync: str,
    progress: bool | None,
    verify: bool,
    **backend: Any,
) -> None:
    """Run BENCHMARK on the local file PATH and write a resumable run directory.

    BENCHMARK is one of: casimedicos, medcalc, medmcqa, medqa, mirage, mmlu, numeracy,
    phenopackets, pubmedqa. For numeracy, PATH 'generated' builds the items from the seeded
    generator (no file needed; -P seed=N -P records=N).
    """
    from clinreason.bench.registry import make_benchmark
    from clinreason.bench.runner import run_eval

    bench = make_benchmark(benchmark_name, parse_params(bench_params))
    dataset = bench.load(path)
    chosen = _strategy(bench, strategy, parse_params(strategy_params), seed)
    llm = _backend(**backend)
    capacity = int(getattr(llm, "max_concurrency", 1) or 1)
    fanout = hasattr(getattr(llm, "inner", llm), "stats")
    if fanout and concurrency < capacity:
        click.echo(
            f"note: --concurrency {concurrency} keeps at most {concurrency} requests in flight "
            f"over servers that take {capacity}; raise it to use them all",
            err=True,
        )

    async def go() -> dict[str, Any]:
        try:
            return await run_eval(
                bench, dataset, chosen, llm, out_dir=out, concurrency=concurrency, resume=resume,
                limit=limit, skip=skip, seed=seed, progress=progress, retry_errors=retry_errors,
                fsync=fsync, argv=["clinreason", *sys.argv[1:]], verify=verify, shard=shard,
            )  # fmt: skip
        finally:
            await llm.aclose()

    summary = run_resumable(go(), out)
    click.echo(f"{bench.name} on {dataset.name}@{dataset.version}: run directory {out}")
    _echo_summary(summary)
    _echo_endpoints(llm)


def _echo_endpoints(llm: Any) -> None:
    """Per-endpoint requests and throughput of a fan-out backend (nothing for others)."""
    stats = getattr(getattr(llm, "inner", llm), "stats", None)
    if stats is None:
        return
    rows = [
        [
            e["url"],
            e["state"],
            str(e["ok"]),
            str(e["failed"]),
            "–" if e["per_s"] is None else f"{e['per_s']:.2f}",
        ]
        for e in stats()
    ]
    click.echo("")
    click.echo(_table(["endpoint", "state", "answered", "failed", "answers/s"], rows))
    for e in stats():
        if e["state"] != "up":
            click.echo(f"  {e['url']} {e['state']}: {e['reason']}")


@click.command("score")
@click.argument("run_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--extraction",
    type=click.Choice(["strict", "mirage_upstream"]),
    default=None,
    help="Answer extraction for multiple choice (default: as recorded).",
)
@click.option("-P", "bench_params", multiple=True, help="Override a benchmark parameter key=value.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write here instead of in place.",
)
@click.option("--json", "as_json", is_flag=True, help="Print summary.json.")
def score_cmd(
    run_dir: Path,
    extraction: str | None,
    bench_params: tuple[str, ...],
    out: Path | None,
    as_json: bool,
) -> None:
    """Re-score RUN_DIR from its stored traces (no model calls)."""
    from clinreason.bench.registry import make_benchmark
    from clinreason.bench.rundir import read_spec
    from clinreason.bench.runner import rescore

    spec = read_spec(run_dir)
    params = {**spec.benchmark.params, **parse_params(bench_params)}
    if extraction is not None:
        params["extraction"] = extraction
    summary = rescore(run_dir, benchmark=make_benchmark(spec.benchmark.name, params), out_dir=out)
    for lost in summary.get("lost") or []:
        click.echo(f"warning: case {lost['case_id']} lost: {lost['reason']}", err=True)
    if summary.get("lost"):
        click.echo(
            f"warning: {len(summary['lost'])} case(s) lost to unreadable trace frames and left "
            f"out; `clinreason eval ... --out {out or run_dir} --resume` runs them again",
            err=True,
        )
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        click.echo(f"re-scored {run_dir}" + (f" into {out}" if out else ""))
        _echo_summary(summary)


@click.command("compare")
@click.argument(
    "run_dirs", nargs=-1, required=True, type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "--by",
    default="auto",
    show_default=True,
    help="Metadata key to break down by; 'none' for none.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Paired-bootstrap seed.")
@click.option("--json", "as_json", is_flag=True, help="Print rows as JSON.")
def compare_cmd(run_dirs: tuple[Path, ...], by: str, seed: int, as_json: bool) -> None:
    """Paired comparison of each run with the first (same items): difference, CI, McNemar, Holm.

    \b
    Example:
      clinreason compare runs/gpt35-cot runs/gpt4-cot runs/gpt4-rag
    """
    from clinreason.bench.compare import compare_runs, row_dict

    rows = compare_runs(list(run_dirs), by=None if by == "none" else by, seed=seed)
    if as_json:
        click.echo(json.dumps([row_dict(r) for r in rows], indent=2))
        return
    table = [
        [
            f"{r.other} vs {r.baseline}",
            r.group,
            str(r.n),
            f"{100 * r.accuracy_baseline:.1f}",
            f"{100 * r.accuracy_other:.1f}",
            f"{100 * r.difference.estimate:+.1f}",
            f"{100 * r.difference.low:+.1f} to {100 * r.difference.high:+.1f}",
            f"{r.mcnemar.only_b}/{r.mcnemar.only_a}",
            f"{r.mcnemar.p_value:.3g}",
            "" if r.p_holm is None else f"{r.p_holm:.3g}",
        ]
        for r in rows
    ]
    headers = [
        "comparison",
        "group",
        "n",
        "base %",
        "other %",
        "diff",
        "95% CI",
        "disc b/o",
        "p",
        "p Holm",
    ]
    click.echo(_table(headers, table))
    click.echo(
        "\ndiff = other - baseline (first run) in points, paired bootstrap CI; disc b/o = items "
        "only the baseline / only the other got right;\np = exact McNemar; Holm across the "
        "groups of each comparison."
    )


@click.command("report")
@click.argument(
    "run_dirs", nargs=-1, required=True, type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "--html",
    "html_out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output page.",
)
@click.option("--title", default=None, help="Page title.")
@click.option("--max-cases", type=int, default=500, show_default=True, help="Cases listed per run.")
@click.option("--seed", type=int, default=0, show_default=True, help="Paired-bootstrap seed.")
def report_cmd(
    run_dirs: tuple[Path, ...], html_out: Path, title: str | None, max_cases: int, seed: int
) -> None:
    """Write one self-contained HTML page for RUN_DIRS (the first is the comparison baseline)."""
    from clinreason.bench.report import write_report

    path = write_report(list(run_dirs), html_out, title=title, max_cases=max_cases, seed=seed)
    click.echo(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, works offline)")


@click.command("import")
@click.argument("predictions", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dataset", "benchmark_name", required=True, help="Benchmark name (e.g. mirage).")
@click.option(
    "--data",
    required=True,
    type=click.Path(path_type=Path),
    help="The benchmark's local data file.",
)
@click.option(
    "--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Run directory."
)
@click.option(
    "--id-field",
    default="id",
    show_default=True,
    help="Id field, or a template like {dataset}/{qid}.",
)
@click.option("--output-field", default="output", show_default=True, help="Raw model output field.")
@click.option("--answer-field", default=None, help="Field with an already-extracted answer.")
@click.option("--reasoning-field", default=None, help="Field with the reasoning text.")
@click.option("--where", multiple=True, help="Keep lines with field=value (repeatable).")
@click.option("--name", default=None, help="System name shown in tables.")
@click.option("-P", "bench_params", multiple=True, help="Benchmark parameter key=value.")
def import_cmd(
    predictions: Path,
    benchmark_name: str,
    data: Path,
    out: Path,
    id_field: str,
    output_field: str,
    answer_field: str | None,
    reasoning_field: str | None,
    where: tuple[str, ...],
    name: str | None,
    bench_params: tuple[str, ...],
) -> None:
    """Turn PREDICTIONS (JSONL: id + raw output per line) into a scored run directory.

    \b
    Example (MIRAGE's published GPT-4 chain-of-thought outputs):
      clinreason import ../shared/data/mirage/published_predictions.jsonl --dataset mirage \\
        --data ../shared/data/mirage/dev.json --id-field '{dataset}/{qid}' --output-field raw \\
        --where model=gpt-4-32k --where method=cot --name "GPT-4 CoT" --out runs/gpt4-cot
    """
    from clinreason.bench.importer import ImportSpec, import_predictions
    from clinreason.bench.registry import make_benchmark
    from clinreason.errors import ConfigError

    filters = {}
    for pair in where:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"--where expects field=value, got {pair!r}")
        filters[key] = value
    spec = ImportSpec(
        id_field=id_field, output_field=output_field, answer_field=answer_field,
        reasoning_field=reasoning_field, where=filters, system=name,
    )  # fmt: skip
    bench = make_benchmark(benchmark_name, parse_params(bench_params))
    summary = import_predictions(
        predictions,
        benchmark=bench,
        data=data,
        out_dir=out,
        spec=spec,
        argv=["clinreason", *sys.argv[1:]],
    )
    click.echo(f"imported {summary['n']} predictions into {out}")
    _echo_summary(summary)


@click.command("merge")
@click.argument(
    "run_dirs", nargs=-1, required=True, type=click.Path(file_okay=False, path_type=Path)
)
@click.option(
    "--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="New run dir."
)
@click.option("--partial", is_flag=True, help="Merge even if shards are missing or unfinished.")
def merge_cmd(run_dirs: tuple[Path, ...], out: Path, partial: bool) -> None:
    """Join the shard runs RUN_DIRS (`eval --shard i/n`) into one run directory.

    Refuses runs of different benchmarks, datasets, strategies, models or seeds (server URLs
    may differ), a shard given twice, and missing or unfinished shards unless --partial.

    \b
    Example:
      clinreason merge runs/mq-1 runs/mq-2 runs/mq-3 runs/mq-4 --out runs/mq
    """
    from clinreason.bench.shards import merge_runs

    summary = merge_runs(list(run_dirs), out, partial=partial)
    click.echo(f"merged {len(run_dirs)} shard runs into {out}")
    _echo_summary(summary)


COMMANDS = (eval_cmd, score_cmd, compare_cmd, report_cmd, import_cmd, merge_cmd)
