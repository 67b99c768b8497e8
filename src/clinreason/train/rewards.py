"""Every reward clinreason offers for GRPO, by name (`REWARDS`), with the TRL signature
`reward(prompts, completions, **columns) -> list[float | None]` (columns: `train.data.case_row`).

- `format`, `accuracy`, `verification`, `trust`: `clinreason.verify.rewards`;
- `statement_recall`: share of the reference rationale's statements the reasoning states
  (lexical matching, `bench.quality`); None without a rationale;
- `extraction`: share of the gold entity values (MedCalc-Bench `relevant_entities`) the
  reasoning states as numbers; None without numeric gold entities;
- `json_start`: 1.0 when the reply opens the requested JSON object (its first non-space
  character is `{`), else 0.0: the first thing `format` needs, and learnable in a few dozen
  CPU steps by a 135M model (the training smoke test uses it);
- `combined`: pays only a right answer that comes with reasoning: 0 for a wrong answer or an
  answer without reasoning (format below 1), else 0.7 + 0.3 × the score of the verdicts on
  the reasoning's sentences (0 when no sentence was checkable). Trace-level verdicts are left
  out: the consistency check marks any stated answer "supported", so `verification` pays 1.0
  to a reply with no checkable claim at all (see docs/benchmarks/rewards.md).

>>> combined_reward(["q"] * 3, ['{"reasoning": "K is 6.1, high.", "answer": "A"}', "A",
...                 '{"reasoning": "K is 6.1, high.", "answer": "B"}'], gold=["A"] * 3)
[0.7, 0.0, 0.0]
"""

from __future__ import annotations

import json
import math
from typing import Any

from clinreason.bench.quality import LexicalMatcher, split_statements, statement_scores
from clinreason.verify.rewards import (
    Reward,
    accuracy_reward,
    as_grpo_reward,
    completion_text,
    format_reward,
    parse_completion,
    trust_reward,
    verification_reward,
)
from clinreason.verify.text import NUMBER, normalize, parse_number

COMBINED_BASE = 0.7
"""What a right, reasoned answer earns before verification adds up to 1 - COMBINED_BASE."""


def _column(columns: dict[str, Any], name: str, n: int) -> list[Any]:
    return list(columns.get(name) or [None] * n)


def statement_recall_reward(
    prompts: list[Any], completions: list[Any], **columns: Any
) -> list[float | None]:
    """Recall of the reference rationale's statements in the reply's reasoning (lexical)."""
    out: list[float | None] = []
    for completion, rationale in zip(
        completions, _column(columns, "rationale", len(completions)), strict=True
    ):
        reasoning, _ = parse_completion(completion_text(completion))
        score = statement_scores(rationale, split_statements(reasoning), LexicalMatcher())
        out.append(score["recall"])
    return out


def _entity_values(raw: Any) -> list[float]:
    """Numeric values of `{"name": [value, unit]}` or `{"name": value}` (booleans dropped)."""
    entities = json.loads(raw) if isinstance(raw, str) else raw or {}
    values = []
    for value in entities.values() if isinstance(entities, dict) else []:
        first = value[0] if isinstance(value, list) and value else value
        if isinstance(first, int | float) and not isinstance(first, bool):
            values.append(float(first))
    return values


def _numbers(text: str) -> list[float]:
    out = []
    for m in NUMBER.finditer(normalize(text)):
        value, _ = parse_number(m.group(0))
        if math.isfinite(value):
            out.append(value)
    return out


def extraction_reward(
    prompts: list[Any], completions: list[Any], **columns: Any
) -> list[float | None]:
    """Share of the gold entity values stated (within 1%) in the reply's reasoning."""
    out: list[float | None] = []
    raws = _column(columns, "relevant_entities", len(completions))
    for completion, raw in zip(completions, raws, strict=True):
        gold = _entity_values(raw)
        if not gold:
            out.append(None)
            continue
        reasoning, _ = parse_completion(completion_text(completion))
        stated = _numbers(reasoning)
        found = sum(any(abs(s - g) <= 0.01 * max(abs(g), 1e-9) for s in stated) for g in gold)
        out.append(found / len(gold))
    return out


def json_start_reward(prompts: list[Any], completions: list[Any], **_: Any) -> list[float | None]:
    """1.0 when the reply starts the requested JSON object, else 0.0."""
    return [1.0 if completion_text(c).lstrip().startswith("{") else 0.0 for c in completions]


def _reasoning_verification(
    prompts: list[Any], completions: list[Any], **columns: Any
) -> list[float | None]:
    """The trace score of the verdicts on reasoning steps only (None: nothing checked)."""
    from clinreason.verify import VERIFIERS

    verifiers = [cls() for cls in VERIFIERS.values()]
    return as_grpo_reward(verifiers, steps_only=True)(prompts, completions, **columns)


def combined_reward(
    prompts: list[Any], completions: list[Any], **columns: Any
) -> list[float | None]:
    """Accuracy gated by reasoning, topped up by verification (see the module docstring)."""
    accuracy = accuracy_reward(prompts, completions, **columns)
    formats = format_reward(prompts, completions, **columns)
    verified = _reasoning_verification(prompts, completions, **columns)
    out: list[float | None] = []
    for acc, fmt, ver in zip(accuracy, formats, verified, strict=True):
        if acc is None:
            out.append(None)
        elif acc < 1.0 or (fmt or 0.0) < 1.0:
            out.append(0.0)
        else:
            out.append(round(COMBINED_BASE + (1 - COMBINED_BASE) * (ver or 0.0), 6))
    return out


REWARDS: dict[str, Reward] = {
    "format": format_reward,
    "accuracy": accuracy_reward,
    "verification": verification_reward,
    "trust": trust_reward,
    "statement_recall": statement_recall_reward,
    "extraction": extraction_reward,
    "json_start": json_start_reward,
    "combined": combined_reward,
}
"""Reward functions by the names `clinreason train grpo --reward` accepts."""


def describe(name: str) -> str:
    """The first line of a reward's documentation."""
    if name == "accuracy":
        return "1.0 / 0.0 against the gold answer (letter, number in range or 1%, text)"
    return ((REWARDS[name].__doc__ or "").strip().splitlines() or [name])[0]
