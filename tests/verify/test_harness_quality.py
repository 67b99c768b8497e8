"""Verifier score, per-step flags and reasoning-quality columns in harness results,
`clinreason score DIR`, and `clinreason explain` output."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from click.testing import CliRunner

from clinreason.backends.fake import FakeBackend
from clinreason.bench.choice import MedMCQABenchmark
from clinreason.bench.rundir import RESULTS, records
from clinreason.bench.runner import make_result, run_eval
from clinreason.cli import main
from clinreason.strategies import ChainOfThought
from clinreason.trace import (
    Answer,
    Case,
    ComponentSpec,
    GenerateRequest,
    Thought,
    Trace,
    Verdict,
    explain,
)

DATA = Path(__file__).resolve().parents[1] / "bench" / "data" / "medmcqa_tiny.jsonl"
REPO = Path(__file__).resolve().parents[2]


def _reply(request: GenerateRequest) -> str:
    text = request.messages[-1].content
    if "absence seizures" in text:
        reasoning = "Ethosuximide blocks T-type calcium channels. Phenytoin can worsen them."
        return json.dumps({"reasoning": reasoning, "answer": "A"})
    return json.dumps({"reasoning": "Adult hemoglobin is mostly HbA.", "answer": "C"})


def _run(out: Path) -> dict:  # type: ignore[type-arg]
    bench = MedMCQABenchmark()
    return asyncio.run(
        run_eval(
            bench,
            bench.load(DATA),
            ChainOfThought(),
            FakeBackend(_reply),
            out_dir=out,
            progress=False,
        )
    )


def _lines(out: Path) -> list[dict]:  # type: ignore[type-arg]
    return records(out)


def test_results_carry_verdicts_and_quality_columns(tmp_path: Path) -> None:
    summary = _run(tmp_path / "run")
    by_id = {r["case_id"]: r for r in _lines(tmp_path / "run")}
    first = by_id["m-001"]["details"]["quality"]
    assert first["recall_lexical"] == 1.0  # the one reference statement is recalled
    assert first["precision_lexical"] == 0.5  # the second model sentence is not in it
    assert first["recall_semantic"] is None  # only `clinreason score` loads the embedding model
    assert set(first) >= {"efficiency", "factuality", "verify_score", "step_flags"}
    # no reference rationale: no recall, but the verifier columns are still there
    second = by_id["m-002"]["details"]["quality"]
    assert second["recall_lexical"] is None and "verify_score" in second
    assert all(isinstance(r["verdicts"], list) and r["verdicts"] for r in by_id.values())
    assert summary["quality"]["recall_lexical"] == {"mean": 1.0, "n": 1}


def test_make_result_flags_a_contradicted_step() -> None:
    case = Case(id="n1", question="Sodium?", context="Na 128 mEq/L.", answer_type="number")
    trace = Trace(
        case=case,
        strategy=ComponentSpec(name="t"),
        steps=[
            Thought(id="s1", text="Sodium is 138 mEq/L."),
            Thought(id="s2", text="So the answer is 138.", parents=["s1"]),
        ],
        answer=Answer(value="138", support=["s2"]),
    )
    result = make_result(MedMCQABenchmark(), case, trace, None)
    quality = result.details["quality"]
    assert isinstance(quality, dict)
    assert quality["step_flags"] == {"s1": "contradicted", "s2": "supported"}
    assert quality["contradicted_steps"] == 1.0 and quality["verify_score"] is not None
    assert any(v.status == "contradicted" and v.step_id == "s1" for v in result.verdicts)


def test_score_command_adds_quality_columns_to_a_finished_run(tmp_path: Path) -> None:
    out = tmp_path / "run"
    _run(out)
    lines = _lines(out)
    for line in lines:  # as written by a harness that had no quality columns
        line["details"].pop("quality")
        line["verdicts"] = []
    (out / RESULTS).write_text("".join(json.dumps(x) + "\n" for x in lines))
    result = CliRunner().invoke(main, ["score", str(out)])
    assert result.exit_code == 0, result.output
    assert "recall lexical" in result.output
    rescored = {r["case_id"]: r for r in _lines(out)}
    assert rescored["m-001"]["details"]["quality"]["recall_lexical"] == 1.0
    assert rescored["m-001"]["verdicts"]
    assert json.loads((out / "summary.json").read_text())["quality"]["efficiency"]["n"] == 2


def test_explain_text_has_trace_score_and_step_flags() -> None:
    case = Case(id="e", question="?", context="Na 128 mEq/L.")
    trace = Trace(
        case=case,
        strategy=ComponentSpec(name="t"),
        steps=[Thought(id="s1", text="Na 128."), Thought(id="s2", text="Na 138.")],
        answer=Answer(value="x", support=["s1", "s2"]),
        verdicts=[
            Verdict(verifier="numbers", status="supported", step_id="s1"),
            Verdict(verifier="numbers", status="contradicted", step_id="s2", claim="Na 138"),
        ],
    )
    text = explain(trace, score=1 / 3)
    assert "trace score 0.33" in text
    assert "Step flags: step 1 (s1) supported, step 2 (s2) contradicted" in text
    assert "   2. [s2 thought] Na 138.  ⚠" in text


def test_explain_command_prints_score_and_flags() -> None:
    case = str(REPO / "examples" / "crcl_case.json")
    result = CliRunner().invoke(main, ["explain", case, "--backend", "fake"])
    assert result.exit_code == 0, result.output
    assert "trace score 1.00" in result.output
    assert re.search(
        r"Step flags: (step \d+ \(s\d+\) (supported|unverifiable)(, )?)+\n", result.output
    )
    assert re.search(r"Trust: (Fully verified\. )?Checked \d+ of \d+ claims", result.output)
    quiet = CliRunner().invoke(main, ["explain", case, "--backend", "fake", "--no-verify"])
    assert "trace score" not in quiet.output


def test_listed_steps_are_numbered_from_one_as_shown() -> None:
    from clinreason.trace import GenerateRequest, LLMCall, Message

    case = Case(id="e", question="?", context="Na 128 mEq/L.")
    trace = Trace(
        case=case,
        strategy=ComponentSpec(name="t"),
        steps=[
            LLMCall(
                id="s1", request=GenerateRequest(messages=(Message(role="user", content="?"),))
            ),
            Thought(id="s2", text="Na 128.", parents=["s1"]),
        ],
        answer=Answer(value="x", support=["s2"]),
    )
    text = explain(trace)
    assert "   1. [s2 thought] Na 128." in text and "[s1 llm_call]" not in text
