"""Pick the answer option from a solved clinical argument graph, and say how sure we are.

An option X *is accepted* by an extension when its decision argument `D_X` is in it, which
requires an accepted supporting argument of X (see `clinical`). Decision rule:

1. **grounded** (sceptical): the option whose decision argument is in the grounded extension.
   Rival decisions attack each other, so at most one option can be accepted this way.
2. **preferred** (credulous), used when `semantics="preferred"`, or when grounded accepts no
   option and `fallback=True`: every option whose decision argument is in some preferred
   extension is a candidate. Tie rule, in order:
   a. an option accepted in *every* preferred extension wins (sceptical preferred; with
      rival decisions attacking each other it is then the only candidate);
   b. then the most supporting arguments accepted in a preferred extension that accepts it;
   c. then the fewest contesting arguments (below): the least contested option;
   d. then the order of the options in the case (A before B).
   The extension shown is the first preferred extension (in solver order) that accepts the
   winner with that many supporting arguments.
3. No option accepted: no answer (value None); the grounded extension is shown.

Confidence (how contested the winner is): `status * (1 - c / 2)` where status is 1.0 when
the winner is accepted by the grounded extension, 0.8 when by every preferred extension,
0.6 when only by some; `c = contest / (contest + accepted supporters)`, where *contest*
counts the distinct arguments attacking the winner's supporting arguments or its decision
(rival decisions, side effects, comparisons, critical questions, text checks; defeated or
not), not counting its own no-support argument.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from clinreason.errors import ConfigError
from clinreason.tools.argumentation.clinical import OptionNodes
from clinreason.tools.argumentation.framework import Framework
from clinreason.tools.argumentation.solver import extensions, grounded

DecisionSemantics = Literal["grounded", "preferred"]
Status = Literal["grounded", "sceptical_preferred", "credulous_preferred", "none"]


@dataclass(frozen=True)
class Decision:
    """The chosen option, the extension that justifies it, and how it was chosen."""

    option: str | None
    semantics: str
    """Semantics of `extension` ('grounded' or 'preferred')."""
    extension: frozenset[str]
    status: Status
    rule: str
    """How the winner was chosen, in one or two sentences (recorded in the trace)."""
    candidates: dict[str, int]
    """Accepted option -> most supporting arguments accepted with it."""
    confidence: float | None
    n_extensions: int = 1


_STATUS_WEIGHT = {"grounded": 1.0, "sceptical_preferred": 0.8, "credulous_preferred": 0.6}


def contest(fw: Framework, nodes: OptionNodes) -> frozenset[str]:
    """Arguments attacking the option's supporting arguments or its decision."""
    found = {a for s in nodes.supporters for a in fw.attackers(s)}
    found.update(fw.attackers(nodes.decision))
    found.discard(nodes.no_support)
    return frozenset(found)


def _confidence(fw: Framework, nodes: OptionNodes, accepted: int, status: Status) -> float:
    n = len(contest(fw, nodes))
    c = n / (n + accepted) if accepted else 1.0
    return round(_STATUS_WEIGHT[status] * (1 - c / 2), 3)


def _supported(nodes: OptionNodes, ext: frozenset[str]) -> int:
    return sum(1 for s in nodes.supporters if s in ext)


def decide(
    fw: Framework,
    options: Mapping[str, OptionNodes],
    option_order: Sequence[str],
    *,
    semantics: DecisionSemantics = "grounded",
    fallback: bool = True,
    max_extensions: int = 64,
) -> Decision:
    """Choose an option by the rule in the module docstring.

    Args:
        fw: the framework of the clinical graph.
        options: option -> its decision, no-support and supporting arguments.
        option_order: the case's option labels in display order (last tie-break).
        semantics: 'grounded' (sceptical) or 'preferred' (credulous with the tie rule).
        fallback: with grounded semantics, use the preferred rule when grounded accepts none.
        max_extensions: at most this many preferred extensions are enumerated.

    >>> fw = Framework.of(["G1", "N_A", "D_A"], [("G1", "N_A"), ("N_A", "D_A")])
    >>> d = decide(fw, {"A": OptionNodes("A", "D_A", "N_A", ("G1",))}, ["A"])
    >>> d.option, d.status, d.confidence
    ('A', 'grounded', 1.0)
    """
    if semantics not in ("grounded", "preferred"):
        raise ConfigError(f"decision semantics must be grounded or preferred, not {semantics!r}")
    ground = grounded(fw)
    in_ground = [o for o, n in options.items() if n.decision in ground]
    if in_ground and semantics == "grounded":
        option = min(in_ground, key=lambda o: _pos(o, option_order))
        nodes = options[option]
        accepted = _supported(nodes, ground)
        return Decision(
            option=option,
            semantics="grounded",
            extension=ground,
            status="grounded",
            rule=f"option {option} is sceptically accepted: its decision is in the grounded "
            f"extension, supported by {accepted} accepted argument(s), and every rival "
            "decision is defeated",
            candidates={option: accepted},
            confidence=_confidence(fw, nodes, accepted, "grounded"),
        )
    if semantics == "grounded" and not fallback:
        return _none(ground, "no option is accepted by the grounded extension")
    prefs = extensions(fw, "preferred", limit=max_extensions)
    best: dict[str, int] = {}
    everywhere: dict[str, bool] = {}
    for option, nodes in options.items():
        hits = [_supported(nodes, e) for e in prefs if nodes.decision in e]
        if hits:
            best[option] = max(hits)
            everywhere[option] = len(hits) == len(prefs)
    lead = "grounded accepts no option; " if semantics == "grounded" else ""
    if not best:
        return _none(
            ground,
            lead + "no option is accepted by any preferred extension: the supporting "
            "arguments of every option are defeated, or each decision is attacked",
        )

    def key(o: str) -> tuple[bool, int, int, int]:
        return (not everywhere[o], -best[o], len(contest(fw, options[o])), _pos(o, option_order))

    ranked = sorted(best, key=key)
    option = ranked[0]
    nodes = options[option]
    status: Status = (
        "grounded"
        if option in in_ground
        else "sceptical_preferred"
        if everywhere[option]
        else "credulous_preferred"
    )
    ext = next(e for e in prefs if nodes.decision in e and _supported(nodes, e) == best[option])
    if len(ranked) == 1:
        why = f"option {option} is the only option accepted by a preferred extension"
    else:
        why = (
            f"options {', '.join(ranked)} are each accepted by some preferred extension; "
            f"{option} wins the tie rule over {ranked[1]} "
            f"({_tie_reason(key(option), key(ranked[1]))})"
        )
    return Decision(
        option=option,
        semantics="preferred",
        extension=ext,
        status=status,
        rule=lead + why,
        candidates=best,
        confidence=_confidence(fw, nodes, best[option], status),
        n_extensions=len(prefs),
    )


def _tie_reason(a: tuple[bool, int, int, int], b: tuple[bool, int, int, int]) -> str:
    if a[0] != b[0]:
        return "it is accepted by every preferred extension"
    if a[1] != b[1]:
        return f"{-a[1]} vs {-b[1]} supporting arguments accepted"
    if a[2] != b[2]:
        return f"{a[2]} vs {b[2]} contesting arguments"
    return "equal on every count; the earlier option is taken"


def _pos(option: str, order: Sequence[str]) -> int:
    return order.index(option) if option in order else len(order)


def _none(ext: frozenset[str], rule: str) -> Decision:
    return Decision(
        option=None,
        semantics="grounded",
        extension=ext,
        status="none",
        rule=rule,
        candidates={},
        confidence=None,
    )
