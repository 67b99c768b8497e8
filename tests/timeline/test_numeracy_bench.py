"""The numeracy benchmark through the real harness with the deterministic `timeline` strategy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from clinreason.backends.fake import FakeBackend
from clinreason.bench import BENCHMARKS
from clinreason.bench.numeracy import NumeracyBenchmark, matches
from clinreason.bench.numeracy_gen import TEMPLATES, generate
from clinreason.bench.runner import run_eval
from clinreason.cli import main
from clinreason.errors import ConfigError, DatasetError

HANDWRITTEN = Path(__file__).resolve().parents[2] / "examples" / "numeracy" / "handwritten.jsonl"


def test_generator_is_seeded_and_covers_the_four_operation_types() -> None:
    assert len(TEMPLATES) >= 40
    assert {t.op_type for t in TEMPLATES} == {
        "retrieval",
        "comparison",
        "arithmetic",
        "aggregation",
    }
    a, b = generate(seed=3, records=2), generate(seed=3, records=2)
    assert [(c.id, c.question, c.gold) for c in a] == [(c.id, c.question, c.gold) for c in b]
    assert [c.gold for c in generate(seed=4, records=2)] != [c.gold for c in a]
    assert all(not c.is_blinded for c in a)  # gold present for scoring only


async def test_benchmark_through_the_harness(tmp_path: Path) -> None:
    bench = NumeracyBenchmark(seed=7, records=2)
    dataset = bench.load(Path("generated"))
    summary = await run_eval(
        bench, dataset, bench.default_strategy(), FakeBackend([]),
        out_dir=tmp_path / "run", concurrency=1, progress=False, verify=False,
    )  # fmt: skip
    assert summary["n"] == len(dataset) and summary["n_errors"] == 0
    assert summary["accuracy"] == 1.0 and summary["representation_changes"] == 0
    assert set(summary["by"]["op_type"]) == {"retrieval", "comparison", "arithmetic", "aggregation"}
    assert set(summary["by"]["representation"]) == {"text", "table", "fhir"}
    assert summary["latency_median_s"] is not None
    line = json.loads((tmp_path / "run" / "results.jsonl").read_text().splitlines()[0])
    assert line["correct"] is True and matches(line["answer"], line["gold"])


async def test_handwritten_set(tmp_path: Path) -> None:
    bench = NumeracyBenchmark()
    dataset = bench.load(HANDWRITTEN)
    assert len(dataset) >= 12
    summary = await run_eval(
        bench, dataset, bench.default_strategy(), FakeBackend([]),
        out_dir=tmp_path / "hw", concurrency=1, progress=False, verify=False,
    )  # fmt: skip
    assert summary["accuracy"] == 1.0


def test_scoring_catches_wrong_answers() -> None:
    assert not matches("1.3", "1.2") and not matches("stage 1", "stage 2") and not matches("", "0")


def test_handwritten_loader_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "note": "n", "question": "q"}\n', encoding="utf-8")
    with pytest.raises(DatasetError, match=r"bad\.jsonl:1: missing field"):
        NumeracyBenchmark().load(bad)
    with pytest.raises(DatasetError, match="not found"):
        NumeracyBenchmark().load(tmp_path / "none.jsonl")


def test_cli_eval_numeracy_generated(tmp_path: Path) -> None:
    assert BENCHMARKS["numeracy"] is NumeracyBenchmark
    out = tmp_path / "cli"
    result = CliRunner().invoke(
        main,
        ["eval", "numeracy", "generated", "-P", "records=1", "--backend", "fake",
         "--out", str(out), "--no-progress", "--no-verify"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "accuracy" in result.output and "representation" in result.output
    assert json.loads((out / "summary.json").read_text())["accuracy"] == 1.0


def test_generated_items_of_some_representations(tmp_path: Path) -> None:
    everything = NumeracyBenchmark(seed=7, records=1).load(Path("generated")).cases
    some = NumeracyBenchmark(seed=7, records=1, representations=("text", "table"))
    cases = some.load(Path("generated")).cases
    assert {c.metadata["representation"] for c in cases} == {"text", "table"}
    assert [c.id for c in cases] == [
        c.id for c in everything if c.metadata["representation"] != "fhir"
    ]
    with pytest.raises(ConfigError, match="unknown xml"):
        NumeracyBenchmark(representations=("text", "xml"))
    with pytest.raises(ConfigError, match="generated items only"):
        some.load(HANDWRITTEN)
    result = CliRunner().invoke(
        main,
        [
            *["eval", "numeracy", "generated", "-P", 'representations=["csv"]'],
            *["--backend", "fake", "--out", str(tmp_path / "run")],
        ],
    )
    assert result.exit_code != 0 and "unknown csv" in result.output
    assert "Traceback" not in result.output
