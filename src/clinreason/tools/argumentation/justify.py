"""Why each argument is in or out of an extension.

- **in**: every attacker is defeated; the *defenders* are the members of the extension that
  attack each attacker (they reinstate the argument). Unattacked arguments need no defence.
- **out**: attacked by a member of the extension (its undefeated attackers).
- **undec**: neither; the attackers the extension does not defeat are listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from clinreason.tools.argumentation.framework import Framework

Status = Literal["in", "out", "undec"]


@dataclass(frozen=True)
class Justification:
    """The status of one argument relative to an extension, and the arguments that decide it."""

    argument: str
    status: Status
    attackers: tuple[str, ...] = ()
    """All attackers of the argument."""
    defenders: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """For an IN argument: attacker -> the extension members that attack it."""
    undefeated: tuple[str, ...] = ()
    """For OUT: the accepted attackers. For UNDEC: the attackers the extension does not defeat."""

    def text(self, describe: Callable[[str], str] | None = None) -> str:
        """One readable sentence; `describe` maps an argument id to a label (default: the id).

        >>> Justification("a", "out", ("b",), undefeated=("b",)).text()
        'rejected: attacked by accepted argument b'
        """
        name = describe or (lambda a: a)
        if self.status == "in":
            if not self.attackers:
                return "accepted: no argument attacks it"
            parts = [
                f"{name(att)} is defeated by {_join(map(name, self.defenders.get(att, ())))}"
                for att in self.attackers
            ]
            return "accepted: every attacker is defeated — " + "; ".join(parts)
        if self.status == "out":
            s = "s" if len(self.undefeated) > 1 else ""
            return f"rejected: attacked by accepted argument{s} {_join(map(name, self.undefeated))}"
        if not self.undefeated:
            return "undecided: not defended by the extension"
        return (
            f"undecided: attacked by {_join(map(name, self.undefeated))}, "
            "which the accepted arguments do not defeat"
        )


def _join(items: Iterable[str]) -> str:
    values = list(items)
    return ", ".join(values) if values else "nothing"


def justify(
    fw: Framework, extension: Iterable[str], *, rank: Mapping[str, int] | None = None
) -> dict[str, Justification]:
    """Justifications of every argument of `fw` relative to `extension`, in framework order.

    Defenders are listed so the explanation is not circular: with `rank` (the grounded
    labelling's rounds) only defenders accepted in an earlier round are named; without it an
    argument is not named as its own defender when other defenders exist.

    Args:
        fw: the framework.
        extension: the accepted arguments (any semantics).
        rank: for the grounded extension, `grounded_labelling(fw).rank`.

    >>> fw = Framework.of("abc", [("a", "b"), ("b", "c")])
    >>> j = justify(fw, {"a", "c"})
    >>> j["c"].text()
    'accepted: every attacker is defeated — b is defeated by a'
    >>> j["b"].status
    'out'
    """
    members = frozenset(extension)
    out = fw.attacked_by(members)
    result: dict[str, Justification] = {}
    for arg in fw.arguments:
        attackers = tuple(dict.fromkeys(fw.attackers(arg)))
        if arg in members:
            defenders = {
                att: _defenders(arg, [d for d in fw.attackers(att) if d in members], rank)
                for att in attackers
            }
            result[arg] = Justification(arg, "in", attackers, defenders=defenders)
        elif arg in out:
            accepted = tuple(a for a in attackers if a in members)
            result[arg] = Justification(arg, "out", attackers, undefeated=accepted)
        else:
            open_ = tuple(a for a in attackers if a not in out)
            result[arg] = Justification(arg, "undec", attackers, undefeated=open_)
    return result


def _defenders(arg: str, found: list[str], rank: Mapping[str, int] | None) -> tuple[str, ...]:
    if rank is not None and arg in rank:
        earlier = [d for d in found if rank.get(d, rank[arg]) < rank[arg]]
        if earlier:
            return tuple(earlier)
    others = [d for d in found if d != arg]
    return tuple(others or found)
