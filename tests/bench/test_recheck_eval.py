"""bench/recheck_eval.py on a run made with a scripted backend (no model)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from clinreason.backends.fake import FakeBackend
from clinreason.bench import MirageBenchmark
from clinreason.bench.runner import run_eval
from clinreason.strategies import ChainOfThought
from clinreason.trace import GenerateRequest
from tests.bench.scripts import load_bench_script


def load_script():  # type: ignore[no-untyped-def]
    return load_bench_script("recheck_eval")


def reply(request: GenerateRequest) -> str:
    """cot always answers A; the re-ask always picks the option shown first (position bias)."""
    if "reasoning" in (request.json_schema or {}).get("properties", {}):
        return json.dumps({"reasoning": "Noted.", "answer": "A"})
    return '{"answer": "A"}'


def test_recheck_eval_reads_a_run(data_dir: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bench = MirageBenchmark()
    dataset = bench.load(data_dir / "mirage_tiny.json")
    asyncio.run(
        run_eval(
            bench, dataset, ChainOfThought(recheck=3), FakeBackend(reply),
            out_dir=tmp_path / "run", progress=False,
        )
    )  # fmt: skip
    script = load_script()
    rows = [script.row(r) for r in script.read_results(tmp_path / "run")]
    assert len(rows) == len(dataset) and all(r["check"] is not None for r in rows)
    # rotations: a model that always picks the first option shown spreads its votes evenly
    assert all(r["samples"] == 3 and r["check"] == "unverifiable" for r in rows)
    assert all(r["agreement"] in (0.0, 1 / 3) for r in rows)
    assert [r["agreement"] for r in rows if r["dataset"] == "pubmedqa"] == [1 / 3]  # all orders
    assert script.main([str(tmp_path / "run"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["all"]["checked"] == len(dataset)
    assert report["all"]["auroc_confidence"] == "no confidence recorded"
    assert script.auroc([0.9, 0.1, 0.5, 0.5], [True, False, True, False]) == 0.875
