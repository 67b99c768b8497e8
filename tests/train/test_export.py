"""`clinreason export sft|dpo` on real fake-backend runs, read back through TRL and datasets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from clinreason.bench.base import CaseResult
from clinreason.bench.rundir import read_results
from clinreason.cli import main
from clinreason.trace import Verdict
from clinreason.train.export import SteppedTrace, classify, flagged_steps, step_pairs
from tests.train.conftest import MISREAD, SHARED


def _invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_sft_keeps_only_right_and_fully_verified(calculator_run: Path, tmp_path: Path) -> None:
    results = {r.case_id: r for r in read_results(calculator_run)}
    expected = {cid for cid, r in results.items() if r.correct and r.fully_verified}
    assert expected and len(expected) < len(results)  # the run has a right, unverified case
    out = tmp_path / "sft.jsonl"
    result = _invoke("export", "sft", calculator_run, "--out", out)
    assert result.exit_code == 0, result.output
    assert f"read 3 results, wrote {len(expected)} rows" in result.output
    assert "skipped 1: right but not fully verified" in result.output
    rows = _rows(out)
    assert {r["case_id"] for r in rows} == expected
    for row in rows:
        gold = results[row["case_id"]].gold
        assert [m["role"] for m in row["messages"]] == ["system", "user", "assistant"]
        assert gold not in row["messages"][1]["content"]  # blinded prompt
        reply = json.loads(row["messages"][2]["content"])
        assert reply["answer"] == results[row["case_id"]].answer and reply["reasoning"]


def test_dpo_pairs_same_case_across_runs(
    calculator_run: Path, wrong_cot_run: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dpo.jsonl"
    result = _invoke("export", "dpo", calculator_run, wrong_cot_run, "--out", out)
    assert result.exit_code == 0, result.output
    assert "read 6 results, wrote 2 rows" in result.output
    # case 2: the calculator's right answer is not fully verified, so its wrong cot trace
    # has nothing to be paired with
    assert "skipped 1: right but not fully verified" in result.output
    assert "skipped 1: no right-and-verified trace of the same case to pair with" in result.output
    rows = _rows(out)
    sft = tmp_path / "sft.jsonl"
    _invoke("export", "sft", calculator_run, "--out", sft)
    prompts = {r["case_id"]: r["messages"][:2] for r in _rows(sft)}
    for row in rows:
        assert row["prompt"] == prompts[row["case_id"]]
        assert json.loads(row["rejected"][0]["content"])["answer"] == "31"
        assert json.loads(row["chosen"][0]["content"])["answer"] != "31"


def test_exports_load_through_trl_and_datasets(
    calculator_run: Path,
    wrong_cot_run: Path,
    sound_cot_run: Path,
    misread_cot_run: Path,
    tmp_path: Path,
) -> None:
    datasets = pytest.importorskip("datasets", reason="needs the [train] extra")
    data_utils = pytest.importorskip("trl.data_utils", reason="needs the [train] extra")
    from transformers import AutoTokenizer

    from clinreason.backends.models import model_path

    gguf = model_path("smollm2-135m")
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    _invoke("export", "sft", calculator_run, "--out", tmp_path / "sft.jsonl")
    _invoke("export", "dpo", calculator_run, wrong_cot_run, sound_cot_run, misread_cot_run,
            "--out", tmp_path / "dpo.jsonl")  # fmt: skip
    for name, keys in (("sft", ("messages",)), ("dpo", ("prompt", "chosen", "rejected"))):
        ds = datasets.load_dataset("json", data_files=str(tmp_path / f"{name}.jsonl"))["train"]
        assert len(ds) == len(_rows(tmp_path / f"{name}.jsonl")) >= 2
        example = ds[0]
        assert data_utils.is_conversational(example)
        text = data_utils.maybe_apply_chat_template(example, tokenizer)
        for key in ("text",) if name == "sft" else ("prompt", "chosen", "rejected"):
            assert isinstance(text[key], str) and text[key]
        assert set(keys) <= set(ds.column_names)
        if name == "dpo":
            assert '"answer": "31"' in text["rejected"] and "<|im_start|>user" in text["prompt"]
            assert {"outcome", "step"} <= set(ds["pair"])
            step = data_utils.maybe_apply_chat_template(ds[ds["pair"].index("step")], tokenizer)
            assert MISREAD in step["rejected"] and MISREAD not in step["chosen"]


def test_step_pair_shares_the_prefix_and_rejects_the_flagged_step(
    sound_cot_run: Path, misread_cot_run: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dpo.jsonl"
    result = _invoke("export", "dpo", sound_cot_run, misread_cot_run, "--out", out)
    assert result.exit_code == 0, result.output
    # the sound trace is right but not fully verified: no outcome pair, one step pair (row 1;
    # rows 2 and 3 have a different note, so "He weighs 70 kg." is flagged in both samples)
    assert "wrote 1 rows (0 outcome pairs, 1 step pairs)" in result.output
    (row,) = _rows(out)
    assert row["case_id"] == "1" and row["pair"] == "step"
    assert row["shared_steps"] == 1 and row["flagged"] == MISREAD
    chosen = json.loads(row["chosen"][0]["content"])
    rejected = json.loads(row["rejected"][0]["content"])
    assert chosen["reasoning"].startswith(SHARED) and rejected["reasoning"].startswith(SHARED)
    assert MISREAD in rejected["reasoning"] and MISREAD not in chosen["reasoning"]
    assert (chosen["answer"], rejected["answer"]) == ("24.2", "31.1")
    assert "24.2" not in json.dumps(row["prompt"])  # blinded prompt
    no_steps = _invoke("export", "dpo", sound_cot_run, misread_cot_run, "--out", out,
                       "--no-step-pairs")  # fmt: skip
    assert "wrote 0 rows" in no_steps.output and not _rows(out)


def test_step_pairs_need_a_clean_chosen_side(misread_cot_run: Path, tmp_path: Path) -> None:
    # the misread trace paired with itself (another run of it): nothing clean to choose
    out = tmp_path / "dpo.jsonl"
    result = _invoke("export", "dpo", misread_cot_run, misread_cot_run, "--out", out)
    assert result.exit_code == 0 and "wrote 0 rows" in result.output


def test_a_bare_answer_is_not_chosen_over_flagged_reasoning() -> None:
    flagged = SteppedTrace([SHARED, MISREAD], 1, {0}, False, "flagged")
    bare = SteppedTrace([], None, set(), True, "bare answer")
    checked = SteppedTrace([SHARED, "His height is 170 cm."], None, {0, 1}, True, "checked")
    unchecked = SteppedTrace([SHARED, "BMI is a ratio."], None, {0}, True, "unchecked")
    pairs = [(good.reply, bad.reply, n) for good, bad, n in step_pairs([flagged, bare, checked])]
    assert pairs == [("checked", "flagged", 1)]
    # the shared step was verified, but nothing after it: no better reasoning to choose
    assert not list(step_pairs([flagged, unchecked]))


def test_the_gold_never_decides_a_flag(sound_cot_run: Path, misread_cot_run: Path) -> None:
    for run in (sound_cot_run, misread_cot_run):
        for result in read_results(run):
            blind = result.model_copy(update={"gold": "0", "correct": not result.correct})
            assert flagged_steps(blind) == flagged_steps(result)
    misread = {r.case_id: r for r in read_results(misread_cot_run)}["1"]
    assert flagged_steps(misread) == {"s3"}  # "His height is 150 cm."


@pytest.mark.parametrize(
    ("line", "kind", "why"),
    [
        # right and verified, but a contradicted verdict makes it a rejected example
        ({"correct": True, "fully_verified": True, "contradicted": True}, "bad", "contradicted"),
        ({"correct": False, "fully_verified": True}, "bad", "wrong answer"),
        ({"correct": True, "fully_verified": False}, "skip", "not fully verified"),
        ({"correct": None, "fully_verified": True}, "skip", "no gold"),
        ({"correct": True, "fully_verified": True, "status": "error"}, "skip", "error"),
    ],
)
def test_classify(calculator_run: Path, line: dict, kind: str, why: str) -> None:
    base = next(r for r in read_results(calculator_run) if r.fully_verified)
    update: dict = {k: v for k, v in line.items() if k != "contradicted"}
    if line.get("contradicted"):
        update["verdicts"] = [Verdict(verifier="numbers", status="contradicted", step_id="s1")]
    result = CaseResult.model_validate({**base.model_dump(), **update})
    got_kind, got_why = classify(result)
    assert got_kind == kind and why in got_why


def test_bad_run_dir_is_one_line(tmp_path: Path) -> None:
    result = _invoke("export", "sft", tmp_path, "--out", tmp_path / "x.jsonl")
    assert result.exit_code != 0 and "has no results.jsonl" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
