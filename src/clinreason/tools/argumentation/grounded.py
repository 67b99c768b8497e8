"""Grounded semantics in pure Python: the independent cross-check of the clingo encoding.

The grounded extension is the least fixed point of the characteristic function
F(S) = {a : every attacker of a is attacked by S}. It is computed here in linear time with
the usual counter algorithm: an argument becomes IN when all its attackers are OUT, and an
argument attacked by an IN argument becomes OUT. Everything else is UNDEC. The round in
which an argument became IN (its *rank*: 0 = unattacked) gives a well-founded justification.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from clinreason.tools.argumentation.framework import Framework

Label = Literal["in", "out", "undec"]


@dataclass(frozen=True)
class GroundedLabelling:
    """The grounded labelling of a framework.

    `rank[a]` is the round in which `a` was labelled (IN arguments: 0 when unattacked, k when
    reinstated by arguments of rank < k; OUT arguments: the rank of their first IN attacker).
    """

    labels: dict[str, Label]
    rank: dict[str, int]

    @property
    def extension(self) -> frozenset[str]:
        """The IN arguments: the grounded extension."""
        return frozenset(a for a, lab in self.labels.items() if lab == "in")


def grounded_labelling(fw: Framework) -> GroundedLabelling:
    """The grounded labelling of `fw`, computed without clingo.

    >>> fw = Framework.of("abc", [("a", "b"), ("b", "c")])
    >>> sorted(grounded_labelling(fw).extension)
    ['a', 'c']
    >>> grounded_labelling(fw).rank
    {'a': 0, 'b': 0, 'c': 1}
    """
    attackers = fw.attackers_idx
    targets = fw.targets_idx
    n = len(fw)
    pending = [len(attackers[i]) for i in range(n)]  # attackers not yet OUT
    label: list[Label] = ["undec"] * n
    rank = [-1] * n
    frontier = [i for i in range(n) if pending[i] == 0]
    level = 0
    while frontier:
        for i in frontier:
            label[i] = "in"
            rank[i] = level
        next_frontier: list[int] = []
        for i in frontier:
            for t in targets[i]:
                if label[t] != "undec":
                    continue
                label[t] = "out"
                rank[t] = level
                for u in targets[t]:
                    pending[u] -= 1
                    if pending[u] == 0 and label[u] == "undec":
                        next_frontier.append(u)
        frontier = list(dict.fromkeys(u for u in next_frontier if label[u] == "undec"))
        level += 1
    names = fw.arguments
    return GroundedLabelling(
        labels={names[i]: label[i] for i in range(n)},
        rank={names[i]: rank[i] for i in range(n) if rank[i] >= 0},
    )


def grounded_extension(fw: Framework) -> frozenset[str]:
    """The grounded extension of `fw` (pure Python).

    >>> sorted(grounded_extension(Framework.of("ab", [("a", "b"), ("b", "a")])))
    []
    """
    return grounded_labelling(fw).extension
