"""Pick the answer option from a solved clinical argument graph, and say how sure we are.

Decision rule (an option *is accepted* when one of its supporting arguments — a scheme with
stance "for" — is in the extension):

1. **grounded** (sceptical): the option with a supporting argument in the grounded extension.
   Rival options attack each other, so at most one option can be accepted this way.
2. **preferred** (credulous), used when `semantics="preferred"`, or when grounded accepts no
   option and `fallback=True`: every option with a supporting argument in some preferred
   extension is a candidate. Tie rule, in order:
   a. an option accepted in *every* preferred extension wins (sceptical preferred);
   b. then the most supporting arguments accepted together in one preferred extension;
   c. then the fewest distinct arguments attacking the option's supporting arguments
      (the least contested);
   d. then the order of the options in the case (A before B).
   The extension shown is the first preferred extension (in solver order) with the most
   accepted supporters of the winner.
3. No option accepted: no answer (value None); the grounded extension is shown.

Confidence (how contested the winner is): `status * (1 - c / 2)` where status is 1.0 when
the winner is in the grounded extension, 0.8 when it is accepted in every preferred
extension, 0.6 when only credulously accepted; and
`c = attackers / (attackers + accepted supporters)`, counting the distinct arguments that
attack any supporting argument of the winner (defeated or not).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from clinreason.errors import ConfigError
from clinreason.tools.argumentation.framework import Framework
from clinreason.tools.argumentation.solver import extensions, grounded

DecisionSemantics = Literal["grounded", "preferred"]


@dataclass(frozen=True)
class Decision:
    """The chosen option, the extension that justifies it, and how it was chosen."""

    option: str | None
    semantics: str
    """Semantics of `extension` ('grounded' or 'preferred')."""
    extension: frozenset[str]
    status: Literal["grounded", "sceptical_preferred", "credulous_preferred", "none"]
    rule: str
    """How the winner was chosen, in one or two sentences (recorded in the trace)."""
    candidates: dict[str, int]
    """Option -> most supporting arguments accepted together, for every accepted option."""
    confidence: float | None
    n_extensions: int = 1


_STATUS_WEIGHT = {"grounded": 1.0, "sceptical_preferred": 0.8, "credulous_preferred": 0.6}


def _confidence(fw: Framework, support: Sequence[str], accepted: int, status: str) -> float:
    attackers = {a for s in support for a in fw.attackers(s)}
    c = len(attackers) / (len(attackers) + accepted) if accepted else 1.0
    return round(_STATUS_WEIGHT[status] * (1 - c / 2), 3)


def decide(
    fw: Framework,
    support: Mapping[str, Sequence[str]],
    option_order: Sequence[str],
    *,
    semantics: DecisionSemantics = "grounded",
    fallback: bool = True,
    max_extensions: int = 64,
) -> Decision:
    """Choose an option by the rule in the module docstring.

    Args:
        fw: the solved framework.
        support: option -> ids of its supporting arguments.
        option_order: the case's option labels in display order (last tie-break).
        semantics: 'grounded' (sceptical) or 'preferred' (credulous with the tie rule).
        fallback: with grounded semantics, use the preferred rule when grounded accepts none.
        max_extensions: at most this many preferred extensions are enumerated.

    >>> fw = Framework.of(["G1", "G2", "T1"], [("G1", "G2"), ("G2", "G1"), ("T1", "G2")])
    >>> d = decide(fw, {"A": ["G1"], "B": ["G2"]}, ["A", "B"])
    >>> d.option, d.status, d.confidence
    ('A', 'grounded', 0.75)
    """
    if semantics not in ("grounded", "preferred"):
        raise ConfigError(f"decision semantics must be grounded or preferred, not {semantics!r}")
    ground = grounded(fw)
    in_ground = {o: [s for s in ids if s in ground] for o, ids in support.items()}
    in_ground = {o: ids for o, ids in in_ground.items() if ids}
    if in_ground and semantics == "grounded":
        option = min(in_ground, key=lambda o: (-len(in_ground[o]), _pos(o, option_order)))
        return Decision(
            option=option,
            semantics="grounded",
            extension=ground,
            status="grounded",
            rule=f"option {option} is sceptically accepted: a supporting argument is in the "
            "grounded extension, so every rival supporting argument is defeated",
            candidates={o: len(ids) for o, ids in in_ground.items()},
            confidence=_confidence(fw, support[option], len(in_ground[option]), "grounded"),
        )
    if semantics == "grounded" and not fallback:
        return _none(
            ground,
            "grounded",
            "no option has a supporting argument in the grounded "
            "extension (fallback to preferred disabled)",
        )
    prefs = extensions(fw, "preferred", limit=max_extensions)
    best: dict[str, int] = {}
    everywhere: dict[str, bool] = {}
    for option, ids in support.items():
        counts = [sum(1 for s in ids if s in ext) for ext in prefs]
        if max(counts, default=0) > 0:
            best[option] = max(counts)
            everywhere[option] = all(c > 0 for c in counts)
    lead = "grounded accepts no option; " if semantics == "grounded" else ""
    if not best:
        return _none(
            ground,
            "grounded",
            lead + "no option has a supporting argument in any "
            "preferred extension: every supporting argument is defeated or undecided",
        )

    def key(o: str) -> tuple[int, int, int, int]:
        n_att = len({a for s in support[o] for a in fw.attackers(s)})
        return (not everywhere[o], -best[o], n_att, _pos(o, option_order))

    ranked = sorted(best, key=key)
    option = ranked[0]
    status: Literal["grounded", "sceptical_preferred", "credulous_preferred"] = (
        "grounded"
        if option in in_ground
        else "sceptical_preferred"
        if everywhere[option]
        else "credulous_preferred"
    )
    ext = next(e for e in prefs if sum(1 for s in support[option] if s in e) == best[option])
    if len(ranked) == 1:
        why = f"option {option} is the only option accepted in a preferred extension"
    else:
        runner = ranked[1]
        why = (
            f"options {', '.join(ranked)} are credulously accepted; {option} wins the tie rule "
            f"over {runner} ({_tie_reason(key(option), key(runner))})"
        )
    return Decision(
        option=option,
        semantics="preferred",
        extension=ext,
        status=status,
        rule=lead + why,
        candidates=best,
        confidence=_confidence(fw, support[option], best[option], status),
        n_extensions=len(prefs),
    )


def _tie_reason(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> str:
    if a[0] != b[0]:
        return "it is accepted in every preferred extension"
    if a[1] != b[1]:
        return f"{-a[1]} vs {-b[1]} supporting arguments accepted together"
    if a[2] != b[2]:
        return f"{a[2]} vs {b[2]} attackers on its supporting arguments"
    return "equal on every count; the earlier option is taken"


def _pos(option: str, order: Sequence[str]) -> int:
    return order.index(option) if option in order else len(order)


def _none(ext: frozenset[str], semantics: str, rule: str) -> Decision:
    return Decision(
        option=None,
        semantics=semantics,
        extension=ext,
        status="none",
        rule=rule,
        candidates={},
        confidence=None,
    )
