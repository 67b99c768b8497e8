"""`clinreason export sft|dpo` (stored runs as TRL datasets) and `clinreason train grpo`."""

from __future__ import annotations

from pathlib import Path

import click

from clinreason.cli._common import parse_params

_RUN_DIRS = click.argument(
    "run_dirs", nargs=-1, required=True, type=click.Path(file_okay=False, path_type=Path)
)
_OUT = click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="JSONL file."
)


@click.group("export")
def export() -> None:
    """Stored runs as JSONL for TRL's trainers (rules: docs/training.md)."""


@export.command("sft")
@_RUN_DIRS
@_OUT
def export_sft_cmd(run_dirs: tuple[Path, ...], out: Path) -> None:
    """SFT rows (`messages`) of the traces that are right AND fully verified."""
    from clinreason.train.export import export_sft

    for line in export_sft(run_dirs, out).lines():
        click.echo(line)
    click.echo(f"wrote {out}")


@export.command("dpo")
@_RUN_DIRS
@_OUT
@click.option("--max-pairs-per-case", type=int, default=4, show_default=True,
              help="Cap per case, for outcome and for step pairs each.")  # fmt: skip
@click.option("--step-pairs/--no-step-pairs", default=True, show_default=True,
              help="Also pair traces that share first steps, one with a flagged step.")  # fmt: skip
def export_dpo_cmd(
    run_dirs: tuple[Path, ...], out: Path, max_pairs_per_case: int, step_pairs: bool
) -> None:
    """Preference pairs (`prompt`/`chosen`/`rejected`) from the same case across RUN_DIRS:
    right-and-verified vs wrong or contradicted, and step pairs (a flagged step vs a
    continuation with none; docs/training.md)."""
    from clinreason.train.export import export_dpo

    stats = export_dpo(
        run_dirs, out, max_pairs_per_case=max_pairs_per_case, with_step_pairs=step_pairs
    )
    for line in stats.lines():
        click.echo(line)
    click.echo(f"wrote {out}")


@click.group("train")
def train() -> None:
    """Train with verifiable rewards (needs: pip install 'clinreason[train]')."""


@train.command("grpo")
@click.argument("benchmark")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--model", required=True, help="HF model directory, .gguf file or packaged name.")
@click.option("--reward", "rewards", default="format,accuracy", show_default=True,
              help="Comma-separated reward names (see docs/training.md).")  # fmt: skip
@click.option("--reward-weights", default=None, help="Comma-separated weights, one per reward.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--max-steps", type=int, default=100, show_default=True)
@click.option("--lr", "learning_rate", type=float, default=1e-5, show_default=True)
@click.option("--lora-r", type=int, default=16, show_default=True)
@click.option("--lora-alpha", type=int, default=32, show_default=True)
@click.option("--lora-last-layers", type=int, default=0, show_default=True,
              help="LoRA on the last N layers only (0: all).")  # fmt: skip
@click.option("--num-generations", type=int, default=8, show_default=True)
@click.option("--max-completion-length", type=int, default=512, show_default=True)
@click.option("--temperature", type=float, default=1.0, show_default=True)
@click.option("--beta", type=float, default=0.0, show_default=True, help="KL weight.")
@click.option("--limit", type=int, default=None, help="Only the first N cases.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--save-steps", type=int, default=0, show_default=True, help="Checkpoint every N.")
@click.option("--use-vllm", is_flag=True, help="Generate with vLLM (GPU; pip install vllm).")
@click.option("--resume", is_flag=True,
              help="Continue the run in --out from its last checkpoint.")  # fmt: skip
@click.option("--threads", type=int, default=1, show_default=True, help="CPU threads (torch).")
@click.option("-P", "bench_params", multiple=True, help="Benchmark parameter key=value.")
def grpo_cmd(benchmark: str, path: Path, rewards: str, reward_weights: str | None,
             bench_params: tuple[str, ...], **options: object) -> None:  # fmt: skip
    """GRPO with a LoRA adapter on BENCHMARK's cases in PATH; writes OUT/adapter,
    OUT/rewards.jsonl (reward components per step) and OUT/run_card.json."""
    from clinreason.errors import ConfigError
    from clinreason.train.grpo import GRPOSettings, train_grpo

    try:
        weights = tuple(float(w) for w in reward_weights.split(",")) if reward_weights else None
    except ValueError:
        raise ConfigError(f"--reward-weights must be numbers, got {reward_weights!r}") from None
    settings = GRPOSettings(
        benchmark=benchmark, data=str(path), rewards=tuple(r.strip() for r in rewards.split(",")),
        reward_weights=weights, bench_params=parse_params(bench_params),
        **{k: str(v) if isinstance(v, Path) else v for k, v in options.items()},  # type: ignore[arg-type]
    )  # fmt: skip
    card = train_grpo(settings, echo=click.echo)
    click.echo(
        f"{card['steps']} steps in {card['train_seconds']} s; adapter in {settings.out}/adapter"
    )


COMMANDS = (export, train)
