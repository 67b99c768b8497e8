"""bench/claim_reask_eval.py on runs made with a scripted backend (no model)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from click.testing import CliRunner

from clinreason.backends.fake import FakeBackend
from clinreason.bench import MirageBenchmark
from clinreason.bench.runner import run_eval
from clinreason.strategies import ChainOfThought
from clinreason.trace import GenerateRequest
from tests.bench.scripts import load_bench_script

REASONING = "Fever suggests an infection. Dietary causes are likely here. The patient is 23."


def load_script():  # type: ignore[no-untyped-def]
    return load_bench_script("claim_reask_eval")


def cot_reply(request: GenerateRequest) -> str:
    return json.dumps({"reasoning": REASONING, "answer": "A"})


def claim_reply(request: GenerateRequest) -> str:
    """ "Fever ..." is true, anything else false, whatever letter shows "True"."""
    user = request.messages[-1].content
    yes = next(line[0] for line in user.splitlines() if line.endswith(". True"))
    true = 'Statement: "Fever' in user
    return json.dumps({"answer": yes if true else "AB".replace(yes, "")})


def test_claim_reask_eval_extends_runs_resumably_and_reports(data_dir: Path, tmp_path: Path):
    bench = MirageBenchmark()
    dataset = bench.load(data_dir / "mirage_tiny.json")
    runs = [tmp_path / "runs" / name / "mirage" for name in ("set-dev", "set-frozen")]
    for run_dir in runs:
        asyncio.run(
            run_eval(
                bench, dataset, ChainOfThought(), FakeBackend(cot_reply),
                out_dir=run_dir, progress=False,
            )
        )  # fmt: skip
    script = load_script()
    out = tmp_path / "out"
    backend = FakeBackend(claim_reply)
    asyncio.run(script.extend_runs(runs, backend, out, 4))
    assert len(backend.requests) == 2 * 2 * 2 * len(dataset)  # 2 runs, 2 sentences, 2 orders
    lines = script.out_file(out, runs[1]).read_text().splitlines()
    assert len(lines) == len(dataset)
    rows = [script.row(json.loads(line)) for line in lines]
    assert all(r["statuses"] == ["supported", "contradicted"] for r in rows)
    assert all(r["x"]["claim_min_p_true"] == 0.0 for r in rows)
    assert all(r["claim_s"] >= 0 and r["own_s"] > 0 for r in rows)
    gold = json.loads(lines[0])["trace"]["case"]
    assert gold["gold"] is None  # only the blinded case is stored with the checks

    again = FakeBackend([])  # resumable: nothing left to ask (an empty script would raise)
    asyncio.run(script.extend_runs(runs, again, out, 4))
    assert again.requests == []

    args = [*map(str, runs), "--out", str(out), "--report-only", "--fit", "set-dev"]
    result = CliRunner().invoke(script.main, args)
    assert result.exit_code == 0, result.output
    text = result.output
    assert "== set-dev" in text and "== set-frozen" in text
    assert "claims re-asked per item: mean 2.00 (min 2, max 2)" in text
    assert "among wrong answers: 2 claims: contradicted 1 (50%), supported 1 (50%)" in text
    assert "wrong answers with a contradicted claim: 1 of 1" in text
    assert "[in-sample: the fit set]" in text and "AUROC (b) claim feature" in text

    bad = CliRunner().invoke(script.main, [str(tmp_path), "--out", str(out), "--report-only"])
    assert bad.exit_code != 0 and "not a run directory" in bad.output
