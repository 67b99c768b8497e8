"""GRPO prompt rows from a clinreason benchmark file.

Each row holds the prompt the policy sees (the blinded case rendered by clinreason's prompt
code, as in the SFT/DPO exports) and the reward columns the reward functions read; the gold
answer, its range, the reference rationale and the gold entity values live only in reward
columns, never in the prompt.

>>> from clinreason.trace import Case
>>> row = case_row(Case(id="1", question="Dose?", options={"A": "1 mg"}, gold="A"))
>>> row["gold"], row["options"], "A" in row["prompt"][-1]["content"]
('A', [['A', '1 mg']], True)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from clinreason.bench.registry import make_benchmark
from clinreason.errors import ConfigError
from clinreason.trace import Case
from clinreason.train.export import prompt_messages


def case_row(case: Case) -> dict[str, Any]:
    """The prompt (blinded) and the reward columns of one case."""
    entities = case.metadata.get("relevant_entities")
    return {
        "case_id": case.id,
        "prompt": prompt_messages(case),
        "question": case.question,
        "context": case.context,
        "options": [[k, v] for k, v in case.options.items()],
        "gold": case.gold,
        "gold_range": list(case.gold_range) if case.gold_range else None,
        "rationale": case.rationale,
        "relevant_entities": json.dumps(entities) if entities else None,
    }


def benchmark_rows(
    name: str, path: Path, *, limit: int | None = None, params: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], str]:
    """Rows of the first `limit` cases of a benchmark file, and a hash of the rows.

    Raises:
        ConfigError: unknown benchmark, unreadable file, or no case with a gold answer.
    """
    if not Path(path).exists():
        raise ConfigError(f"benchmark file not found: {path}")
    dataset = make_benchmark(name, params).load(Path(path))
    rows = [case_row(c) for c in dataset.cases if c.gold is not None][:limit]
    if not rows:
        raise ConfigError(f"{path}: no {name} case with a gold answer to reward against")
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()
    return rows, digest
