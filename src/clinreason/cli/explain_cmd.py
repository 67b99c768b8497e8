"""`clinreason explain`: answer one case and print the steps that support the answer."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import Any

import click

from clinreason.cli._common import (
    backend_from_options,
    backend_options,
    load_case_arg,
    make_strategy,
    parse_params,
)
from clinreason.trace import ArgumentStep, Case, ToolCall, Trace, write_trace
from clinreason.trace import explain as render_explanation

_PHENOTYPE = re.compile(
    r"\b(differential|rare disease|genetic (?:disease|disorder|syndrome)|syndrome|phenotype)\b",
    re.IGNORECASE,
)


def choose_strategy(case: Case) -> str:
    """The strategy `--strategy auto` picks: diagnose, timeline, calculator, or chain of
    thought."""
    from clinreason.strategies import STRATEGIES
    from clinreason.strategies.timeline import applies

    if "diagnose" in STRATEGIES and (
        case.metadata.get("observed") or (not case.options and _PHENOTYPE.search(case.question))
    ):
        return "diagnose"
    if applies(case):
        return "timeline"
    if "calculator" in STRATEGIES and not case.options:
        from clinreason.tools.calculators import find_calculator

        if find_calculator(case.question):
            return "calculator"
    return "cot"


async def _answer(case: Case, strategy: Any, backend: Any) -> Trace:
    from clinreason.strategies import run

    try:
        return await run(strategy, case, backend)
    finally:
        await backend.aclose()


def _argumentation_lines(trace: Trace) -> list[str]:
    """The solved argument graph, for traces that have one."""
    steps = trace.steps_of(ArgumentStep)
    if not steps:
        return []
    from clinreason.tools.argumentation import explain_lines

    answer = trace.answer.value if trace.answer else None
    return ["", *explain_lines(steps[-1], options=trace.case.options, answer=answer)]


def _score(trace: Trace) -> float | None:
    """The combined verifier score of a verified trace (None when nothing was checkable)."""
    if not trace.verdicts:
        return None
    from clinreason.verify import trace_score

    return trace_score(trace.verdicts)


def _diagnosis_lines(trace: Trace) -> list[str]:
    """The ranked differential with explanation paths, for `diagnose` traces."""
    calls = [s for s in trace.steps_of(ToolCall) if s.tool == "kg.diagnose" and s.result]
    if not calls or not isinstance(calls[-1].result, dict):
        return []
    from clinreason.tools.kg.explain import render_differential

    return ["", *render_differential(calls[-1].result)]


def _attach_verdicts(trace: Trace) -> Trace:
    try:
        from clinreason.verify import verify_trace
    except ImportError:
        return trace
    from clinreason.verify.trust import with_assessment

    return with_assessment(trace.model_copy(update={"verdicts": verify_trace(trace)}))


@click.command()
@click.argument("case_file", metavar="CASE")
@click.option(
    "--strategy",
    default="auto",
    show_default=True,
    help="auto (diagnose / timeline / calculator / cot by question), argumentation, calculator, "
    "cot, diagnose, direct, rag (retrieve and cite sources), self_consistency, timeline "
    "(numbers over timed vitals and labs: notes, tables, FHIR).",
)
@click.option("-S", "strategy_params", multiple=True, help="Strategy parameter key=value.")
@backend_options
@click.option("--json", "as_json", is_flag=True, help="Print the full trace as JSON.")
@click.option("--save", type=click.Path(dir_okay=False, path_type=Path), help="Write trace JSON.")
@click.option("--all-steps", is_flag=True, help="List every step, not only the answer's support.")
@click.option("--verify/--no-verify", default=True, show_default=True, help="Run the verifiers.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show each model call as it runs, and the time taken (default: on a terminal).",
)
@click.option(
    "--graph",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Export the argument graph (.dot or .json) for --strategy argumentation.",
)
def explain(
    case_file: str,
    strategy: str,
    strategy_params: tuple[str, ...],
    backend: str,
    model: str | None,
    base_url: tuple[str, ...],
    endpoint_concurrency: int | None,
    api_key_env: str,
    threads: int | None,
    n_ctx: int | None,
    logprobs: bool,
    prompt_cache: bool,
    no_cache: bool,
    schema_mode: str,
    as_json: bool,
    save: Path | None,
    all_steps: bool,
    verify: bool,
    progress: bool | None,
    graph: Path | None,
) -> None:
    """Answer CASE (a JSON case file, or - for a plain-text note and question on stdin).

    \b
    Examples:
      clinreason explain examples/mcq_case.json
      clinreason explain examples/crcl_case.json --json > trace.json
      echo "45-year-old woman with fever. Question: Most likely diagnosis?" | clinreason explain -
      clinreason explain case.json --backend openai --base-url http://127.0.0.1:8000/v1 --model m
    """
    case = load_case_arg(case_file)
    name = choose_strategy(case) if strategy == "auto" else strategy
    chosen = make_strategy(name, parse_params(strategy_params))
    llm = backend_from_options(
        backend, model, base_url, api_key_env, threads, no_cache, schema_mode, n_ctx,
        endpoint_concurrency, logprobs, prompt_cache,
    )  # fmt: skip
    if progress if progress is not None else sys.stderr.isatty():
        from clinreason.cli.live import LiveBackend

        llm = LiveBackend(llm)
    trace = asyncio.run(_answer(case, chosen, llm))
    if verify:
        trace = _attach_verdicts(trace)
    if save:
        write_trace(trace, save)
    if graph:
        from clinreason.tools.argumentation import export_graph

        steps = trace.steps_of(ArgumentStep)
        if not steps:
            raise click.ClickException("--graph: this trace has no argument graph")
        export_graph(steps[-1], graph)
    if as_json:
        click.echo(trace.model_dump_json(indent=2))
    else:
        click.echo(render_explanation(trace, show_all=all_steps, score=_score(trace)))
        for line in [*_argumentation_lines(trace), *_diagnosis_lines(trace)]:
            click.echo(line)
    if trace.error is not None:
        raise click.ClickException(f"no answer: {trace.error.message}")
