"""bench/consistency_eval.py on runs made with a scripted backend (no model)."""

from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path

from clinreason.backends.fake import FakeBackend
from clinreason.bench import MirageBenchmark
from clinreason.bench.runner import run_eval
from clinreason.strategies import ChainOfThought, SelfConsistency
from clinreason.trace import GenerateRequest
from tests.bench.scripts import load_bench_script


def load_script():  # type: ignore[no-untyped-def]
    return load_bench_script("consistency_eval")


def test_agreement_of_the_samples_with_the_cot_answer(data_dir: Path, tmp_path: Path) -> None:
    bench = MirageBenchmark()
    dataset = bench.load(data_dir / "mirage_tiny.json")
    samples = itertools.cycle(["A", "B", "A", "zzz"])  # the fourth sample gives no answer

    def cot(request: GenerateRequest) -> str:
        return json.dumps({"reasoning": "Noted.", "answer": "B"})

    def sampled(request: GenerateRequest) -> str:
        return json.dumps({"reasoning": "Noted.", "answer": next(samples)})

    for out, strategy, reply in [
        (tmp_path / "trust-x" / "mirage", ChainOfThought(), cot),
        (tmp_path / "sc-x" / "mirage", SelfConsistency(k=4), sampled),
    ]:
        asyncio.run(
            run_eval(bench, dataset, strategy, FakeBackend(reply), out_dir=out, progress=False)
        )
    rows = load_script().rows_for(tmp_path, "x")
    assert len(rows) == len(dataset)
    # cot answers B; of the samples A, B, A and no answer, one agrees
    assert all(r["agreement"] == 0.25 for r in rows)
    assert all(r["sc_confidence"] == 0.5 for r in rows)  # A wins 2 of 4 votes (one abstained)
