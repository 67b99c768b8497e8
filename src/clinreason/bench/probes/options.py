"""`option-order`: the same options in another order; the same option *content* is expected.

Labels keep their display order (A, B, C, ...) and the contents move; the gold label moves with
its content (scoring only). The record's `mapping` (new label -> original label) maps a
perturbed answer back for comparison. Skipped: fewer than two options, duplicate option texts,
and options whose meaning depends on position ("all of the above", "both A and B").
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import ClassVar, Literal

from clinreason.bench.probes.base import Expectation, Record
from clinreason.errors import ConfigError
from clinreason.trace import Case

_POSITIONAL = re.compile(
    r"\b(?:all|none|both|neither|either)\s+of\s+the\s+(?:above|below|options|choices)\b"
    r"|\b(?:all|none)\s+of\s+these\b|\boptions?\s+[A-H]\b",
    re.I,
)
_LETTERS = re.compile(
    r"(?:both|either|neither|only)?\s*[A-H](?:\s*(?:,|and|or|&|nor)\s*[A-H])+\.?", re.I
)


def _positional(text: str) -> bool:
    """'All of the above', 'Both A and C', 'A, B and D': meaning tied to positions."""
    return bool(_POSITIONAL.search(text) or _LETTERS.fullmatch(text.strip()))


@dataclass(frozen=True)
class OptionOrder:
    """Rotate (by a seeded offset) or shuffle (a seeded non-identity permutation) options."""

    name: ClassVar[str] = "option-order"
    expectation: ClassVar[Expectation] = "unchanged"
    mode: Literal["shuffle", "rotate"] = "shuffle"

    def __post_init__(self) -> None:
        if self.mode not in ("shuffle", "rotate"):
            raise ConfigError(f"option-order: mode must be shuffle or rotate, got {self.mode!r}")

    def apply(self, case: Case, rng: random.Random) -> tuple[Case | None, Record]:
        """Reordered options and the label mapping, or None with the reason."""
        labels = list(case.options)
        texts = list(case.options.values())
        if len(labels) < 2:
            return None, {"reason": "fewer than two options"}
        if len({t.strip().lower() for t in texts}) < len(texts):
            return None, {"reason": "duplicate option texts"}
        positional = [lab for lab, t in case.options.items() if _positional(t)]
        if positional:
            return None, {"reason": f"option(s) {', '.join(positional)} refer to other options"}
        order = self._order(len(labels), rng)  # order[i] = index of the original option shown i-th
        options = {labels[i]: texts[j] for i, j in enumerate(order)}
        mapping = {labels[i]: labels[j] for i, j in enumerate(order)}
        gold = case.gold
        if gold in case.options:
            gold = next(new for new, old in mapping.items() if old == case.gold)
        edits = [
            {"field": "options", "label": new, "was": old, "text": case.options[old]}
            for new, old in mapping.items()
            if new != old
        ]
        record: Record = {"mode": self.mode, "mapping": mapping, "edits": edits}
        return case.model_copy(update={"options": options, "gold": gold}), record

    def _order(self, n: int, rng: random.Random) -> list[int]:
        if self.mode == "rotate":
            shift = rng.randrange(1, n)
            return [(i + shift) % n for i in range(n)]
        order = list(range(n))
        while order == list(range(n)):  # never the identity (n >= 2)
            rng.shuffle(order)
        return order
