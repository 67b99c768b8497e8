"""`Framework`: a Dung argumentation framework (arguments + attack relation), index-based.

The trace stores frameworks as `clinreason.trace.ArgumentGraph` (with claims, schemes, reasons);
the solvers work on this lean form, where arguments are strings and attacks are pairs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from clinreason.errors import ConfigError
from clinreason.trace import ArgumentGraph


@dataclass(frozen=True)
class Framework:
    """Arguments and who attacks whom. Self-attacks and cycles are allowed.

    >>> fw = Framework.of(["a", "b", "c"], [("a", "b"), ("b", "c")])
    >>> fw.attackers("c")
    ('b',)
    >>> len(fw)
    3
    """

    arguments: tuple[str, ...]
    attacks: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for argument in self.arguments:
            if argument in seen:
                raise ConfigError(
                    f"argument {argument!r} is listed twice; argument ids must be unique"
                )
            seen.add(argument)
        known = set(self.arguments)
        for source, target in self.attacks:
            if source not in known or target not in known:
                raise ConfigError(
                    f"attack {source!r} -> {target!r} names an unknown argument; "
                    "every attack must connect two listed arguments"
                )

    @classmethod
    def of(cls, arguments: Iterable[str], attacks: Iterable[tuple[str, str]] = ()) -> Framework:
        """Build from any iterables; duplicate attacks are collapsed (first occurrence kept)."""
        return cls(tuple(arguments), tuple(dict.fromkeys((s, t) for s, t in attacks)))

    @classmethod
    def from_graph(cls, graph: ArgumentGraph) -> Framework:
        """The framework of an `ArgumentGraph` (supports are display-only and dropped)."""
        return cls.of(
            (a.id for a in graph.arguments), ((e.source, e.target) for e in graph.attacks)
        )

    def __len__(self) -> int:
        return len(self.arguments)

    @cached_property
    def index(self) -> dict[str, int]:
        """Argument id -> position."""
        return {a: i for i, a in enumerate(self.arguments)}

    @cached_property
    def attackers_idx(self) -> tuple[tuple[int, ...], ...]:
        """For each argument position, the positions of its attackers (no duplicates)."""
        out: list[list[int]] = [[] for _ in self.arguments]
        idx = self.index
        for s, t in dict.fromkeys(self.attacks):
            out[idx[t]].append(idx[s])
        return tuple(tuple(x) for x in out)

    @cached_property
    def targets_idx(self) -> tuple[tuple[int, ...], ...]:
        """For each argument position, the positions it attacks (no duplicates)."""
        out: list[list[int]] = [[] for _ in self.arguments]
        idx = self.index
        for s, t in dict.fromkeys(self.attacks):
            out[idx[s]].append(idx[t])
        return tuple(tuple(x) for x in out)

    def attackers(self, argument: str) -> tuple[str, ...]:
        """Ids of the arguments attacking `argument`."""
        return tuple(self.arguments[i] for i in self.attackers_idx[self._pos(argument)])

    def targets(self, argument: str) -> tuple[str, ...]:
        """Ids of the arguments `argument` attacks."""
        return tuple(self.arguments[i] for i in self.targets_idx[self._pos(argument)])

    def _pos(self, argument: str) -> int:
        try:
            return self.index[argument]
        except KeyError:
            raise ConfigError(f"unknown argument {argument!r}") from None

    def is_conflict_free(self, extension: Iterable[str]) -> bool:
        """No member attacks a member."""
        members = set(extension)
        return not any(s in members and t in members for s, t in self.attacks)

    def attacked_by(self, extension: Iterable[str]) -> frozenset[str]:
        """Arguments attacked by some member of `extension`."""
        members = set(extension)
        return frozenset(t for s, t in self.attacks if s in members)
