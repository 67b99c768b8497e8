"""`clinreason verify`: re-check a stored trace and fail when any step is contradicted."""

from __future__ import annotations

import json
from pathlib import Path

import click

from clinreason.trace import read_case, read_trace

_MARK = {"supported": "ok ", "contradicted": "XX ", "unverifiable": "?  "}


@click.command()
@click.argument("trace_file", metavar="TRACE.json", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--case",
    "case_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Check against this case JSON instead of the case stored in the trace.",
)
@click.option(
    "-V",
    "--verifier",
    "verifier_names",
    multiple=True,
    help="Run only these verifiers (repeatable); default all.",
)
@click.option("--json", "as_json", is_flag=True, help="Print verdicts and summary as JSON.")
@click.option("--quiet", is_flag=True, help="Print only contradicted verdicts and the summary.")
def verify(
    trace_file: Path,
    case_file: Path | None,
    verifier_names: tuple[str, ...],
    as_json: bool,
    quiet: bool,
) -> None:
    """Re-verify a stored trace; exit status 1 when any step is contradicted.

    The case travels inside the trace, so --case is only needed to check against another copy.

    \b
    Examples:
      clinreason explain examples/crcl_case.json --save trace.json
      clinreason verify trace.json
      clinreason verify trace.json --case examples/crcl_case.json -V numbers -V calculation
    """
    from clinreason.verify import summarize, verify_trace
    from clinreason.verify.trust import assess

    trace = read_trace(trace_file)
    # gold is blinded: verifiers never see the gold, also in a --case file or an older trace
    case = (read_case(case_file) if case_file else trace.case).blinded()
    verdicts = verify_trace(trace, list(verifier_names) or None, case=case)
    summary = summarize(verdicts)
    claims, trust = assess(trace, verdicts)
    if as_json:
        payload = {
            "case_id": trace.case.id,
            "summary": summary,
            "trust": trust.model_dump(mode="json"),
            "claims": [c.model_dump(mode="json") for c in claims],
            "verdicts": [v.model_dump(mode="json") for v in verdicts],
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        click.echo(
            f"Trace of case {trace.case.id} ({trace.strategy.name}), {len(trace.steps)} steps"
        )
        for v in verdicts:
            if quiet and v.status != "contradicted":
                continue
            where = v.step_id or "trace"
            evidence = f" — {v.evidence}" if v.evidence else ""
            click.echo(f"  {_MARK[v.status]}{v.verifier:<12} {where:<6} {v.claim}{evidence}")
        score = summary["score"]
        shown = f"{score:.3f}" if score is not None else "n/a"
        click.echo(
            f"{summary['supported']} supported, {summary['contradicted']} contradicted, "
            f"{summary['unverifiable']} unverifiable; score {shown}"
        )
        if summary["flagged_steps"]:
            click.echo(f"Contradicted steps: {', '.join(summary['flagged_steps'])}")
        if claims:
            click.echo(f"Trust: {trust.summary}")
    if summary["contradicted"]:
        raise click.exceptions.Exit(1)
