"""Import predictions made elsewhere (id + raw model output per JSON line) as a run directory.

The imported run is scored by the benchmark's own scorer from the raw text (or from an
already-extracted answer field), and can then be re-scored, compared and reported like a
native run. Every prediction becomes a trace: its reasoning as `thought` steps and the raw
output as the answer's `raw` text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import JsonValue

from clinreason.bench.base import Benchmark, CaseResult
from clinreason.bench.files import read_jsonl, require_file, sha256_files
from clinreason.bench.rundir import (
    RESULTS,
    SUMMARY,
    DatasetRef,
    RunSpec,
    environment,
    locked,
    new_run_id,
    scan_results,
    write_json_atomic,
    write_results,
    write_spec,
)
from clinreason.bench.runner import make_result, summarize_run
from clinreason.errors import ConfigError, DatasetError
from clinreason.strategies.parsing import reasoning_text, split_sentences
from clinreason.trace import Answer, Case, ComponentSpec, Thought, Trace, component_spec, utcnow


@dataclass(frozen=True)
class ImportSpec:
    """How to read the prediction file."""

    id_field: str = "id"
    """Field holding the case id, or a template such as '{dataset}/{qid}'."""
    output_field: str = "output"
    """Field holding the raw model output (a list: its first element, as upstream MIRAGE)."""
    answer_field: str | None = None
    """Field holding an answer already extracted by the other system (scored instead of raw)."""
    reasoning_field: str | None = None
    """Field holding the reasoning (default: taken from the raw output)."""
    model_field: str = "model"
    where: Mapping[str, str] = field(default_factory=dict)
    """Keep only lines whose fields equal these values (compared as text)."""
    system: str | None = None
    """Display name of the imported system (default: the file name and filters)."""


def _case_id(record: Mapping[str, Any], spec: ImportSpec, where: str) -> str:
    if "{" in spec.id_field:
        try:
            return spec.id_field.format_map(dict(record))
        except (KeyError, ValueError) as exc:
            raise DatasetError(
                f"{where}: cannot build the id from {spec.id_field!r}: {exc}"
            ) from None
    if spec.id_field not in record:
        raise DatasetError(f"{where}: no field {spec.id_field!r} (set --id-field)")
    return str(record[spec.id_field])


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def prediction_trace(
    case: Case, record: Mapping[str, Any], spec: ImportSpec, strategy: ComponentSpec
) -> Trace:
    """A trace for one imported prediction: reasoning sentences, then the answer.

    `import_predictions` passes the blinded case (`Case.blinded`), as `strategies.run` does.
    """
    if spec.output_field not in record and spec.answer_field is None:
        raise DatasetError(
            f"prediction for {case.id}: no field {spec.output_field!r} (set --output-field)"
        )
    raw = _text(record.get(spec.output_field))
    if spec.reasoning_field is not None:
        reasoning = _text(record.get(spec.reasoning_field))
        reasoning = "" if reasoning.strip().upper() in ("", "N/A", "NONE") else reasoning
    else:
        reasoning = reasoning_text(raw) if raw else ""
    steps = [
        Thought(id=f"s{i}", text=sentence)
        for i, sentence in enumerate(split_sentences(reasoning), start=1)
    ]
    value: str | None = None
    if spec.answer_field is not None:
        given = record.get(spec.answer_field)
        value = None if given is None else _text(given).strip() or None
        raw = raw or (value or "")
    model = record.get(spec.model_field)
    backend = ComponentSpec(name="external", params={"model": str(model)} if model else {})
    return Trace(
        case=case,
        strategy=strategy,
        backend=backend,
        steps=steps,  # type: ignore[arg-type]
        answer=Answer(value=value, raw=raw, support=[s.id for s in steps]),
        finished_at=utcnow(),
    )


def import_predictions(
    predictions: Path,
    *,
    benchmark: Benchmark,
    data: Path,
    out_dir: Path,
    spec: ImportSpec | None = None,
    argv: list[str] | None = None,
) -> dict[str, JsonValue]:
    """Score a JSONL of predictions against `benchmark`'s dataset at `data`; write a run dir.

    Only cases with a prediction are in the run; `run.json` records how many had none.

    Raises:
        ConfigError: `out_dir` already holds results.
        DatasetError: missing files, ids not in the dataset, duplicate predictions.
    """
    spec = spec or ImportSpec()
    predictions = require_file(
        predictions, what="prediction file", source="the system that made it"
    )
    dataset = benchmark.load(data)
    by_id = {c.id: c for c in dataset.cases}
    filters = "".join(f" {k}={v}" for k, v in spec.where.items())
    system = spec.system or f"{predictions.name}{filters}"
    strategy = ComponentSpec(
        name="imported", params={"system": system, "file": predictions.name, **spec.where}
    )
    results: dict[str, CaseResult] = {}
    unknown: list[str] = []
    n_lines = 0
    for number, record in read_jsonl(predictions, what="predictions"):
        n_lines += 1
        if any(str(record.get(k)) != v for k, v in spec.where.items()):
            continue
        case_id = _case_id(record, spec, f"{predictions} line {number}")
        case = by_id.get(case_id)
        if case is None:
            unknown.append(case_id)
            continue
        if case_id in results:
            raise DatasetError(
                f"{predictions} line {number}: a second prediction for {case_id!r} "
                "(narrow the lines with --where)"
            )
        # the trace holds the blinded case, as a native run's does; scoring gets the full one
        trace = prediction_trace(case.blinded(), record, spec, strategy)
        results[case_id] = make_result(benchmark, case, trace, None)
    if unknown:
        raise DatasetError(
            f"{len(unknown)} predictions name ids not in {dataset.name} "
            f"({', '.join(unknown[:3])}, ...); check --id-field and --data"
        )
    if not results:
        raise DatasetError(f"no prediction in {predictions} matched{filters or ' (empty file)'}")
    ordered = [results[c.id] for c in dataset.cases if c.id in results]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with locked(out_dir):
        if scan_results(out_dir / RESULTS).lines:
            raise ConfigError(f"{out_dir} already holds results; choose a new --out")
        created = utcnow()
        run = RunSpec(
            run_id=new_run_id(benchmark.name, "imported", created),
            kind="imported",
            system=system,
            created_at=created,
            finished_at=created,
            benchmark=component_spec(benchmark),
            dataset=DatasetRef.of(dataset, len(ordered)),
            strategy=strategy,
            argv=list(argv or []),
            imported={
                "file": str(predictions),
                "sha256": sha256_files([predictions]),
                "id_field": spec.id_field,
                "output_field": spec.output_field,
                "answer_field": spec.answer_field,
                "reasoning_field": spec.reasoning_field,
                "where": dict(spec.where),
                "n_lines": n_lines,
                "n_imported": len(ordered),
                "n_missing": len(dataset) - len(ordered),
            },
            **environment(),  # type: ignore[arg-type]
        )
        write_results(out_dir, ordered)
        summary = summarize_run(benchmark, ordered)
        write_json_atomic(out_dir / SUMMARY, summary)
        write_spec(out_dir, run)
    return summary
