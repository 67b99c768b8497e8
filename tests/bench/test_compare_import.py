"""Importing predictions made elsewhere, and paired comparison of runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clinreason.bench import MirageBenchmark
from clinreason.bench.compare import compare_runs, load_run, row_dict
from clinreason.bench.importer import ImportSpec, import_predictions
from clinreason.bench.rundir import read_spec, records
from clinreason.errors import ConfigError, DatasetError


def _import(data_dir: Path, out: Path, system: str, **bench: object) -> dict:  # type: ignore[type-arg]
    spec = ImportSpec(
        id_field="{subset}/{qid}", output_field="raw", where={"system": system}, system=system
    )
    return import_predictions(
        data_dir / "predictions_tiny.jsonl",
        benchmark=MirageBenchmark(**bench),  # type: ignore[arg-type]
        data=data_dir / "mirage_tiny.json",
        out_dir=out,
        spec=spec,
    )


def test_import_scores_raw_outputs_strictly(data_dir: Path, tmp_path: Path) -> None:
    summary = _import(data_dir, tmp_path / "alpha", "alpha")
    assert (summary["n"], summary["n_correct"], summary["n_no_answer"]) == (3, 2, 1)
    results = {r.case_id: r for r in load_run(tmp_path / "alpha").results}
    assert results["medqa/0000"].answer == "A" and results["pubmedqa/111"].status == "no_answer"
    spec = read_spec(tmp_path / "alpha")
    assert spec.kind == "imported" and spec.system == "alpha"
    assert (
        spec.imported is not None
        and spec.imported["n_lines"] == 6
        and spec.imported["n_missing"] == 0
    )
    line = records(tmp_path / "alpha")[0]
    assert [s["kind"] for s in line["trace"]["steps"]] == ["thought", "thought"]  # reasoning kept
    assert line["trace"]["answer"]["support"] == ["s1", "s2"]
    assert line["trace"]["backend"]["params"] == {"model": "m-alpha"}


def test_import_with_upstream_rule_credits_letterless_answers_as_a(
    data_dir: Path, tmp_path: Path
) -> None:
    summary = _import(data_dir, tmp_path / "up", "alpha", extraction="mirage_upstream")
    assert summary["n_correct"] == 3 and summary["n_no_answer"] == 0  # "None of the above" -> A


def test_import_errors(data_dir: Path, tmp_path: Path) -> None:
    bench = MirageBenchmark()
    preds = data_dir / "predictions_tiny.jsonl"
    data = data_dir / "mirage_tiny.json"
    with pytest.raises(DatasetError, match="second prediction"):  # two systems, no filter
        import_predictions(
            preds,
            benchmark=bench,
            data=data,
            out_dir=tmp_path / "a",
            spec=ImportSpec(id_field="{subset}/{qid}", output_field="raw"),
        )
    with pytest.raises(DatasetError, match="ids not in mirage"):
        import_predictions(
            preds,
            benchmark=bench,
            data=data,
            out_dir=tmp_path / "b",
            spec=ImportSpec(id_field="qid", output_field="raw", where={"system": "alpha"}),
        )
    with pytest.raises(DatasetError, match="no prediction"):
        import_predictions(
            preds,
            benchmark=bench,
            data=data,
            out_dir=tmp_path / "c",
            spec=ImportSpec(
                id_field="{subset}/{qid}", output_field="raw", where={"system": "gamma"}
            ),
        )
    _import(data_dir, tmp_path / "d", "alpha")
    with pytest.raises(ConfigError, match="already holds results"):
        _import(data_dir, tmp_path / "d", "alpha")


def test_import_answer_field_and_missing_cases(tmp_path: Path, data_dir: Path) -> None:
    preds = tmp_path / "p.jsonl"
    preds.write_text(
        json.dumps({"id": "medqa/0001", "answer": "C", "why": "Vitamin C. Scurvy."}) + "\n"
    )
    summary = import_predictions(
        preds,
        benchmark=MirageBenchmark(),
        data=data_dir / "mirage_tiny.json",
        out_dir=tmp_path / "r",
        spec=ImportSpec(answer_field="answer", reasoning_field="why"),
    )
    assert summary["n"] == 1 and summary["accuracy"] == 1.0
    assert read_spec(tmp_path / "r").imported["n_missing"] == 2  # type: ignore[index]


def test_paired_comparison_by_dataset(data_dir: Path, tmp_path: Path) -> None:
    _import(data_dir, tmp_path / "alpha", "alpha")
    _import(data_dir, tmp_path / "beta", "beta")
    rows = compare_runs([tmp_path / "alpha", tmp_path / "beta"])
    assert [r.group for r in rows] == ["all", "medqa", "pubmedqa"]
    overall, medqa, pubmedqa = rows
    # alpha: right, right, no answer; beta: wrong, right, right
    assert (overall.n, overall.accuracy_baseline, overall.accuracy_other) == (3, 2 / 3, 2 / 3)
    assert overall.difference.estimate == 0.0
    assert (overall.mcnemar.only_a, overall.mcnemar.only_b) == (1, 1)  # other-only, baseline-only
    assert overall.mcnemar.p_value == 1.0 and overall.p_holm is None
    assert medqa.difference.estimate == -0.5 and pubmedqa.difference.estimate == 1.0
    assert medqa.p_holm == 1.0 and pubmedqa.p_holm == 1.0
    assert row_dict(pubmedqa)["only_other_correct"] == 1
    assert [r.group for r in compare_runs([tmp_path / "alpha", tmp_path / "beta"], by=None)] == [
        "all"
    ]
    with pytest.raises(ConfigError, match="at least two"):
        compare_runs([tmp_path / "alpha"])


def test_runs_with_the_same_system_label_are_named_by_directory(
    data_dir: Path, tmp_path: Path
) -> None:
    _import(data_dir, tmp_path / "first", "alpha")
    _import(data_dir, tmp_path / "second", "alpha")  # same system, e.g. another context setting
    _import(data_dir, tmp_path / "third", "beta")
    rows = compare_runs([tmp_path / "first", tmp_path / "second", tmp_path / "third"], by=None)
    assert [(r.baseline, r.other) for r in rows] == [
        ("alpha (first)", "alpha (second)"),
        ("alpha (first)", "beta"),
    ]
