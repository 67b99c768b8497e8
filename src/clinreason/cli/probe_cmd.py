"""`clinreason probe`: robustness probes (perturbed items vs the originals, paired)."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from clinreason.cli._common import (
    backend_from_options,
    backend_options,
    parse_params,
    run_resumable,
)
from clinreason.cli.bench_cmd import _strategy, _table
from clinreason.errors import ConfigError

_EPILOG = """
\b
Kinds (expectation):
  option-order    options shuffled (-X mode=rotate: rotated); same option content (unchanged)
  numeric-format  values re-written: units converted, decimal commas, digit grouping (unchanged)
  distractor      a neutral sentence added to the note (unchanged)
  demographics    sex swapped, age moved within its band (unchanged; -X relevant=include also
                  perturbs calculators that use the attribute, as 'may change'; the stated
                  ethnicity too with -X 'attributes=["sex","age","ethnicity"]')
  negation        one finding recognised as present stated as absent (may change:
                  a sensitivity check, counted apart from flips)
  KIND may list several, comma-separated, or be 'all'.
\b
Examples:
  clinreason probe option-order mirage ../shared/data/mirage/dev.json --out runs/p-mirage
  clinreason probe numeric-format,demographics medcalc ../shared/data/medcalc-bench/dev.csv \\
      --backend fake --out runs/p-medcalc --json
"""


def _backend(**options: Any) -> Any:
    """The backend chosen on the command line (a seam for tests)."""
    return backend_from_options(**options)


def _perturbations(kinds: str, params: dict[str, Any]) -> list[Any]:
    from clinreason.bench.probes import PERTURBATIONS
    from clinreason.bench.probes.run import make_perturbation

    names = list(PERTURBATIONS) if kinds == "all" else [k.strip() for k in kinds.split(",")]
    if len(set(names)) != len(names) or not all(names):
        raise ConfigError(f"KIND must name each kind once, got {kinds!r}")
    accepted: set[str] = set()
    chosen = []
    for name in names:
        cls = PERTURBATIONS.get(name)
        own = {f.name for f in dataclasses.fields(cls)} if cls is not None else set()
        accepted |= own
        chosen.append(make_perturbation(name, {k: v for k, v in params.items() if k in own}))
    unused = sorted(set(params) - accepted)
    if unused:
        raise ConfigError(f"no chosen probe kind takes the parameter(s) {', '.join(unused)}")
    return chosen


def _pct(x: float | None) -> str:
    return "" if x is None or x != x else f"{100 * x:.1f}"


def _echo(results: list[Any], max_list: int) -> None:
    rows = []
    for r in results:
        acc = r.accuracy
        rows.append(
            [
                r.kind,
                str(r.n_items),
                str(r.n_items - len(r.skipped)),
                str(r.n_paired),
                str(r.n_errors),
                str(len(r.flips)),
                _pct(r.flip_rate.estimate),
                f"{_pct(r.flip_rate.low)}–{_pct(r.flip_rate.high)}",
                _pct(acc.accuracy_baseline) if acc else "",
                _pct(acc.accuracy_other) if acc else "",
                f"{100 * acc.difference.estimate:+.1f}" if acc else "",
                f"{acc.mcnemar.p_value:.3g}" if acc else "",
            ]
        )
    headers = ["kind", "items", "perturbed", "paired", "errors", "flips", "flip %", "95% CI",
               "acc orig %", "acc pert %", "diff", "p"]  # fmt: skip
    click.echo(_table(headers, rows))
    for r in results:
        click.echo(f"\n{r.kind}:")
        if r.skipped:
            reasons = Counter(_reason_kind(w) for w in r.skipped.values()).most_common(5)
            listed = "; ".join(f"{n} {why}" for why, n in reasons)
            click.echo(f"  skipped {len(r.skipped)}: {listed}")
        for attribute, c in r.by_attribute.items():
            click.echo(f"  {attribute}: {c['flips']} flips of {c['n']}")
        if r.n_may_change:
            click.echo(f"  'may change' items: {len(r.changes)} changed of {r.n_may_change}")
        for title, items in (("flipped", r.flips), ("changed ('may change')", r.changes)):
            for change in items[:max_list]:
                what = "; ".join(_edit_text(e) for e in change.edits[:3])
                click.echo(
                    f"  {title} {change.case_id}: {change.original} -> {change.perturbed}  [{what}]"
                )
            if len(items) > max_list:
                click.echo(f"  ... {len(items) - max_list} more {title} (see probe.json)")
    tol = results[0].tolerance if results else None
    if tol:
        click.echo(
            f"\nflip = answer changed where the kind expects it unchanged (numbers: beyond "
            f"max({tol.abs:g}, {tol.rel:g} x value)); 95% CI Wilson; acc = accuracy on the "
            "paired items, diff = perturbed - original in points, p = exact McNemar."
        )


def _reason_kind(reason: str) -> str:
    """A skip reason without its item-specific detail, for counting."""
    return reason.split(" (")[0]


def _edit_text(edit: Any) -> str:
    if isinstance(edit, dict) and "original" in edit:
        return f"{edit['original']!r} -> {edit['new']!r}"
    if isinstance(edit, dict) and "label" in edit:
        return f"option {edit['was']} shown as {edit['label']}"
    return str(edit)


@click.command("probe", epilog=_EPILOG)
@click.argument("kinds", metavar="KIND")
@click.argument("benchmark_name", metavar="BENCHMARK")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Probe directory.",
)
@click.option("-X", "probe_params", multiple=True, help="Perturbation parameter key=value.")
@click.option("--strategy", default=None, help="Strategy name (default: the benchmark's).")
@click.option("-S", "strategy_params", multiple=True, help="Strategy parameter key=value.")
@click.option("-P", "bench_params", multiple=True, help="Benchmark parameter key=value.")
@backend_options
@click.option("--limit", type=int, default=None, help="Only the first N items.")
@click.option("--concurrency", type=int, default=4, show_default=True, help="Cases in flight.")
@click.option("--seed", type=int, default=0, show_default=True, help="Perturbation and run seed.")
@click.option("--resume", is_flag=True, help="Continue the runs in --out.")
@click.option("--fsync", type=click.Choice(["group", "line", "none"]), default="group",
              show_default=True, help="Durability of result lines.")  # fmt: skip
@click.option("--progress/--no-progress", default=None, help="Progress bars.")
@click.option("--verify/--no-verify", default=True, show_default=True, help="Verify traces.")
@click.option("--rel-tol", type=float, default=0.005, show_default=True,
              help="Numeric answers within this relative difference are the same.")  # fmt: skip
@click.option("--abs-tol", type=float, default=0.005, show_default=True,
              help="... or within this absolute difference.")  # fmt: skip
@click.option("--max-list", type=int, default=20, show_default=True, help="Flips listed per kind.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def probe_cmd(
    kinds: str,
    benchmark_name: str,
    path: Path,
    out: Path,
    probe_params: tuple[str, ...],
    strategy: str | None,
    strategy_params: tuple[str, ...],
    bench_params: tuple[str, ...],
    limit: int | None,
    concurrency: int,
    seed: int,
    resume: bool,
    fsync: str,
    progress: bool | None,
    verify: bool,
    rel_tol: float,
    abs_tol: float,
    max_list: int,
    as_json: bool,
    **backend: Any,
) -> None:
    """Run BENCHMARK's items from PATH as they are (DIR/original) and perturbed by KIND
    (DIR/KIND), then report flips, the flip rate and paired accuracy (as `compare`)."""
    from clinreason.bench.probes.analysis import Tolerance
    from clinreason.bench.probes.run import run_probe
    from clinreason.bench.registry import make_benchmark

    if rel_tol < 0 or abs_tol < 0:
        raise ConfigError("--rel-tol and --abs-tol must be >= 0")
    perturbations = _perturbations(kinds, parse_params(probe_params))
    bench = make_benchmark(benchmark_name, parse_params(bench_params))
    dataset = bench.load(path)
    chosen = _strategy(bench, strategy, parse_params(strategy_params), seed)
    llm = _backend(**backend)

    async def go() -> list[Any]:
        try:
            return await run_probe(
                bench, dataset, chosen, llm, perturbations, out_dir=out, seed=seed, limit=limit,
                tolerance=Tolerance(rel=rel_tol, abs=abs_tol), concurrency=concurrency,
                resume=resume, progress=progress, fsync=fsync, verify=verify,
                argv=["clinreason", *sys.argv[1:]],
            )  # fmt: skip
        finally:
            await llm.aclose()

    results = run_resumable(go(), out)
    if as_json:
        click.echo(json.dumps({"kinds": [r.as_dict() for r in results]}, indent=2, default=str))
        return
    click.echo(f"probe {bench.name} on {dataset.name}@{dataset.version}: {out}")
    _echo(results, max_list)


COMMANDS = (probe_cmd,)
