"""`clinreason train grpo`: a thin wrapper over TRL's `GRPOTrainer` with a LoRA adapter (PEFT).

What it adds to TRL: prompts from a clinreason benchmark file (`train.data`, blinded; the gold
only in reward columns), rewards by name (`train.rewards.REWARDS`), a model from a local
Hugging Face directory or a GGUF file (dequantized by transformers; no hub download), a
per-step JSONL log of every reward component (`rewards.jsonl`), and a run card
(`run_card.json`: data hash, rewards, config, clinreason and package versions). The adapter
goes to `OUT/adapter`. TRL, PEFT, transformers and torch are imported here only (the
`[train]` extra).
"""

from __future__ import annotations

import importlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from clinreason.bench.rundir import package_versions
from clinreason.errors import ConfigError, MissingDependencyError
from clinreason.train.data import benchmark_rows
from clinreason.train.rewards import REWARDS, describe

TRAIN_PACKAGES = ("trl", "peft", "transformers", "torch", "accelerate", "datasets", "gguf")
INSTALL_HINT = "pip install 'clinreason[train]'"


@dataclass(frozen=True)
class GRPOSettings:
    """Everything a GRPO run is configured by (recorded in the run card)."""

    benchmark: str
    data: str
    model: str
    out: str
    rewards: tuple[str, ...] = ("format", "accuracy")
    reward_weights: tuple[float, ...] | None = None
    limit: int | None = None
    bench_params: dict[str, Any] = field(default_factory=dict)
    max_steps: int = 100
    learning_rate: float = 1e-5
    lora_r: int = 16
    lora_alpha: int = 32
    lora_last_layers: int = 0
    """Put LoRA on the last N transformer layers only (0: all layers). Backpropagation then
    stops there, which is what makes the CPU smoke test fast enough."""
    num_generations: int = 8
    max_completion_length: int = 512
    temperature: float = 1.0
    beta: float = 0.0
    seed: int = 0
    save_steps: int = 0
    """Checkpoint every N steps (0: only the final adapter)."""
    resume: bool = False
    """Continue the run in `out` from its last checkpoint (`OUT/checkpoints/checkpoint-N`), e.g.
    after it was killed, or to a larger `max_steps` after it finished."""
    use_vllm: bool = False
    """Generate with vLLM inside the training process (TRL's colocate mode; GPU only)."""
    threads: int = 1
    """CPU threads for torch. 1 by default: on 2 shared cores, 2 threads ran a matmul 26x
    slower than 1 (OpenMP threads spin while a neighbour holds a core); ignored on a GPU."""


def require_train_extra() -> None:
    """Raise one clear line when a package of the `[train]` extra is missing."""
    missing = [p for p in TRAIN_PACKAGES if importlib.util.find_spec(p) is None]
    if missing:
        raise MissingDependencyError(
            f"training needs {', '.join(missing)} (the [train] extra): {INSTALL_HINT}"
        )


def resolve_rewards(names: Sequence[str]) -> list[Callable[..., list[float | None]]]:
    """Reward functions by name.

    Raises:
        ConfigError: an unknown name.
    """
    unknown = [n for n in names if n not in REWARDS]
    if unknown or not names:
        raise ConfigError(
            f"unknown reward {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(REWARDS)}"
        )
    return [REWARDS[n] for n in names]


def load_model(spec: str) -> tuple[Any, Any, dict[str, Any]]:
    """(model, tokenizer, source) from a local HF directory, a .gguf file, or a packaged
    model name (`clinreason models`), offline only.

    Raises:
        ConfigError: nothing usable at `spec`.
        MissingDependencyError: a packaged model that is not installed, or no `[train]` extra.
    """
    require_train_extra()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = Path(spec).expanduser()
    if not path.exists() and not spec.endswith(".gguf") and "/" not in spec:
        from clinreason.backends.models import MODELS, model_path

        if spec not in MODELS:
            raise ConfigError(
                f"no model at {spec!r}: give a Hugging Face model directory, a .gguf file or "
                f"one of {', '.join(MODELS)}"
            )
        path = model_path(spec)
    if path.is_file() and path.suffix == ".gguf":
        folder, kwargs = str(path.parent), {"gguf_file": path.name}
    elif path.is_dir() and (path / "config.json").is_file():
        folder, kwargs = str(path), {}
    else:
        raise ConfigError(
            f"no model at {spec}: give a Hugging Face model directory (with config.json) or a "
            ".gguf file; models are never downloaded at run time"
        )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True, **kwargs)
    # bfloat16 on a GPU that has it; float32 on the CPU (bfloat16 matmuls are slow there)
    dtype = torch.bfloat16 if _gpu_bf16() else torch.float32
    model = AutoModelForCausalLM.from_pretrained(
        folder, local_files_only=True, dtype=dtype, **kwargs
    )
    if "gguf_file" in kwargs:
        # transformers dequantizes GGUF weights into ordinary float32 tensors but still tags
        # the model as GGUF-quantized, which its Trainer refuses to train: drop the tag.
        model.hf_quantizer = None
        model.is_quantized = False
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer, {"path": str(path), "size": _size(path)}


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _reward_log_callback(path: Path, echo: Callable[[str], None] | None) -> Any:
    from transformers import TrainerCallback

    class RewardLog(TrainerCallback):  # type: ignore[misc]
        """Appends each logged step (reward components, loss, KL, ...) to a JSONL file."""

        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **_: Any) -> None:
            if not logs or "reward" not in logs:
                return
            import torch

            logs = {**logs, "torch_threads": torch.get_num_threads()}
            row = {"step": state.global_step, **{k: v for k, v in logs.items()}}
            with path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(row) + "\n")
            if echo is not None:
                parts = [f"{k.split('/')[1]} {v:.3f}" for k, v in logs.items()
                         if k.startswith("rewards/") and k.endswith("/mean")]  # fmt: skip
                echo(f"step {state.global_step}: reward {logs['reward']:.3f} ({', '.join(parts)})")

    return RewardLog()


def train_grpo(
    settings: GRPOSettings, *, echo: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Run GRPO with a LoRA adapter; write `adapter/`, `rewards.jsonl` and `run_card.json`
    under `settings.out`; return the run card.

    Raises:
        ConfigError: bad settings, data or model; an `out` that already holds an adapter (unless
            resuming); `resume` with no checkpoint or with changed settings.
        MissingDependencyError: the `[train]` extra is not installed.
    """
    reward_funcs = resolve_rewards(settings.rewards)
    if settings.reward_weights and len(settings.reward_weights) != len(settings.rewards):
        raise ConfigError("give one --reward-weight per --reward")
    if settings.num_generations < 2:
        raise ConfigError("--num-generations must be at least 2 (GRPO compares a group)")
    out = Path(settings.out)
    checkpoint = _resume_point(settings) if settings.resume else None
    if checkpoint is None and (out / "adapter").exists():
        raise ConfigError(
            f"{out} already holds a trained adapter; choose another --out (or --resume)"
        )
    if settings.threads < 1:
        raise ConfigError("--threads must be at least 1")
    require_train_extra()
    rows, data_hash = benchmark_rows(
        settings.benchmark, Path(settings.data), limit=settings.limit,
        params=settings.bench_params,
    )  # fmt: skip
    import torch

    torch.set_num_threads(settings.threads)
    model, tokenizer, source = load_model(settings.model)

    from datasets import Dataset
    from peft import LoraConfig
    from trl import GRPOConfig, GRPOTrainer

    out.mkdir(parents=True, exist_ok=True)
    log_path = out / "rewards.jsonl"
    if checkpoint is None:
        log_path.unlink(missing_ok=True)
        (out / SETTINGS_FILE).write_text(json.dumps(asdict(settings), indent=2) + "\n")
    else:  # the steps after the checkpoint are trained, and logged, again
        _keep_log_until(log_path, int(checkpoint.name.rsplit("-", 1)[1]))
        if echo is not None:
            echo(f"resuming from {checkpoint}")
    config = GRPOConfig(
        output_dir=str(out / "checkpoints"),
        max_steps=settings.max_steps,
        learning_rate=settings.learning_rate,
        per_device_train_batch_size=settings.num_generations,
        num_generations=settings.num_generations,
        max_completion_length=settings.max_completion_length,
        temperature=settings.temperature,
        beta=settings.beta,
        reward_weights=list(settings.reward_weights) if settings.reward_weights else None,
        logging_steps=1,
        save_strategy="steps" if settings.save_steps else "no",
        save_steps=settings.save_steps or 500,
        seed=settings.seed,
        report_to="none",
        use_cpu=not _cuda(),
        # recomputing activations saves GPU memory but only costs time on a small CPU model
        gradient_checkpointing=_cuda(),
        # TRL turns bf16 on by default; on the CPU that takes torch's slow generic bf16 matmul
        # (a GRPO step of SmolLM2-135M: 68 s with it, see docs/training.md)
        bf16=_gpu_bf16(),
        disable_tqdm=echo is not None,
        use_vllm=settings.use_vllm,
        vllm_mode="colocate",
    )
    lora = LoraConfig(
        r=settings.lora_r, lora_alpha=settings.lora_alpha, lora_dropout=0.0,
        target_modules=_linear_names(model) if settings.lora_last_layers else "all-linear",
        task_type="CAUSAL_LM", layers_to_transform=_last_layers(model, settings.lora_last_layers),
    )  # fmt: skip
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=reward_funcs,
        args=config,
        train_dataset=Dataset.from_list(rows),
        processing_class=tokenizer,
        peft_config=lora,
        callbacks=[_reward_log_callback(log_path, echo)],
    )
    started = time.perf_counter()
    torch.set_num_threads(settings.threads)  # the trainer's set-up may have changed it
    trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    trainer.save_model(str(out / "adapter"))
    card = {
        "settings": asdict(settings),
        "data": {"rows": len(rows), "sha256": data_hash},
        "model": source,
        "rewards": {n: describe(n) for n in settings.rewards},
        "steps": trainer.state.global_step,
        "train_seconds": round(time.perf_counter() - started, 1),
        "versions": package_versions(("clinreason", *TRAIN_PACKAGES), missing="not installed"),
    }
    (out / "run_card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return card


SETTINGS_FILE = "settings.json"
"""The settings a run started with, written before training (the run card comes at the end)."""
RESUMABLE = frozenset({"max_steps", "resume", "save_steps", "threads", "use_vllm"})
"""Settings a resumed run may change; any other change would make it a different run."""


def _resume_point(settings: GRPOSettings) -> Path:
    """The last checkpoint of the run in `settings.out`, checked against the settings it started
    with.

    Raises:
        ConfigError: no checkpoint to resume from, or settings that differ from the run's.
    """
    out = Path(settings.out)
    found = [p for p in (out / "checkpoints").glob("checkpoint-*") if p.name[11:].isdigit()]
    if not found:
        raise ConfigError(
            f"nothing to resume in {out}: no checkpoint under {out / 'checkpoints'} "
            "(a run writes them with --save-steps N)"
        )
    saved = out / SETTINGS_FILE
    if saved.is_file():
        before = json.loads(saved.read_text(encoding="utf-8"))
        now = json.loads(json.dumps(asdict(settings)))
        changed = sorted(k for k in now if k not in RESUMABLE and before.get(k) != now[k])
        if changed:
            raise ConfigError(
                f"cannot resume {out} with different settings ({', '.join(changed)}); "
                f"the run started with those in {saved}"
            )
    return max(found, key=lambda p: int(p.name[11:]))


def _keep_log_until(path: Path, step: int) -> None:
    """Drop the logged steps after `step` (the resumed run logs them again)."""
    if not path.is_file():
        return
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if line.strip() and json.loads(line)["step"] <= step]
    path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")


def _linear_names(model: Any) -> list[str]:
    """Names of the linear modules inside the transformer layers (q_proj, up_proj, ...)."""
    import torch

    return sorted(
        {name.rsplit(".", 1)[-1] for name, module in model.named_modules()
         if isinstance(module, torch.nn.Linear) and ".layers." in f".{name}"}
    )  # fmt: skip


def _last_layers(model: Any, n: int) -> list[int] | None:
    if n <= 0:
        return None
    total = int(model.config.num_hidden_layers)
    return list(range(max(0, total - n), total))


def _gpu_bf16() -> bool:
    import torch

    return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())


def _cuda() -> bool:
    import torch

    return bool(torch.cuda.is_available())
