"""Turn validated proposals and challenges into a Dung framework over a clinical case.

Arguments (ids):
- `G1..Gn` generator arguments, instances of the schemes (stance "for" or "against" an option);
- `V1..Vm` verifier arguments: a critical question answered "yes", citing a finding;
- `T1..Tk` text-check arguments: "the case text does not state <finding>", one per finding
  of a G or V argument that the case text does not contain (see `textcheck`);
- `D_<option>` decision arguments ("choose option X") and `N_<option>` ("no accepted
  argument supports option X"), for every option that has a supporting argument.

Attacks (all linear in the number of arguments, except among the few comparisons):
- support: every "for" argument of X attacks `N_X`, and `N_X` attacks `D_X`; so `D_X` is
  accepted only when some supporting argument of X is accepted (the supporting arguments of
  different options do not conflict: a finding can point to two diagnoses);
- rival decisions: `D_X` and `D_Y` attack each other (only one option can be the answer);
- side effects: an "against" argument of X attacks `D_X`;
- comparisons (a "for" scheme with priority >= 2, e.g. best_decision): attack `D_Y` for every
  other option Y, and each rival comparison of equal or lower priority;
- critical questions: each V argument attacks the G argument it challenges;
- text check: each T argument attacks the arguments relying on the missing finding.

The supports are also recorded as display-only `supports` edges (G -> D_X).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from clinreason.tools.argumentation.framework import Framework
from clinreason.tools.argumentation.grounded import grounded_labelling
from clinreason.tools.argumentation.justify import justify
from clinreason.tools.argumentation.proposals import Challenge, Proposal
from clinreason.tools.argumentation.schemes import SchemeBook
from clinreason.tools.argumentation.textcheck import CaseText
from clinreason.trace import Argument, ArgumentGraph, ArgumentStep, Attack

DECISION_SCHEME = "decision"
NO_SUPPORT_SCHEME = "no_support"
RIVAL_REASON = "rival decision: only one option can be the answer"


@dataclass(frozen=True)
class OptionNodes:
    """The arguments about one option in a clinical graph."""

    option: str
    decision: str
    """Id of `D_<option>`: accepted iff the option is chosen by the extension."""
    no_support: str
    """Id of `N_<option>`."""
    supporters: tuple[str, ...]
    """Ids of the arguments for the option (schemes with stance 'for')."""


def option_nodes(graph: ArgumentGraph, book: SchemeBook) -> dict[str, OptionNodes]:
    """Option -> its decision, no-support and supporting arguments, for options with a decision."""
    support: dict[str, list[str]] = {}
    decisions: dict[str, str] = {}
    no_support: dict[str, str] = {}
    for a in graph.arguments:
        if a.option is None:
            continue
        scheme = book.get(a.scheme)
        if scheme is not None and scheme.stance == "for":
            support.setdefault(a.option, []).append(a.id)
        elif a.scheme == DECISION_SCHEME:
            decisions[a.option] = a.id
        elif a.scheme == NO_SUPPORT_SCHEME:
            no_support[a.option] = a.id
    return {
        o: OptionNodes(o, d, no_support[o], tuple(support.get(o, ())))
        for o, d in decisions.items()
        if o in no_support
    }


def _decision_nodes(
    generated: Sequence[Argument], book: SchemeBook
) -> tuple[list[Argument], list[Attack], list[Attack]]:
    """D_X / N_X arguments with their support, rivalry, side-effect and comparison attacks."""
    options = list(
        dict.fromkeys(a.option for a in generated if a.option and book[a.scheme].stance == "for")
    )
    args: list[Argument] = []
    attacks: list[Attack] = []
    supports: list[Attack] = []
    for o in options:
        args.append(
            Argument(
                id=f"D_{o}",
                claim=f"Choose option {o}.",
                scheme=DECISION_SCHEME,
                option=o,
                author="decision",
            )
        )
        args.append(
            Argument(
                id=f"N_{o}",
                claim=f"No accepted argument supports option {o}.",
                scheme=NO_SUPPORT_SCHEME,
                option=o,
                author="decision",
            )
        )
        attacks.append(
            Attack(
                source=f"N_{o}",
                target=f"D_{o}",
                reason=f"option {o} needs an accepted supporting argument",
            )
        )
    for o in options:
        attacks.extend(
            Attack(source=f"D_{o}", target=f"D_{p}", reason=RIVAL_REASON) for p in options if p != o
        )
    comparisons = [
        a for a in generated if book[a.scheme].stance == "for" and book[a.scheme].priority >= 2
    ]
    for a in generated:
        scheme = book[a.scheme]
        if scheme.stance == "for":
            attacks.append(
                Attack(source=a.id, target=f"N_{a.option}", reason=f"supports option {a.option}")
            )
            supports.append(
                Attack(source=a.id, target=f"D_{a.option}", reason=f"supports option {a.option}")
            )
        elif a.option in options:
            attacks.append(
                Attack(
                    source=a.id,
                    target=f"D_{a.option}",
                    reason=f"{scheme.name.lower()}: option {a.option}",
                )
            )
    for c in comparisons:
        reason = f"comparison: option {c.option} is better"
        attacks.extend(
            Attack(source=c.id, target=f"D_{o}", reason=reason) for o in options if o != c.option
        )
        attacks.extend(
            Attack(source=c.id, target=r.id, reason=f"rival comparison for option {r.option}")
            for r in comparisons
            if r.option != c.option and book[c.scheme].priority >= book[r.scheme].priority
        )
    return args, attacks, supports


def build_graph(
    case_text: CaseText,
    proposals: Sequence[Proposal],
    challenges: Sequence[Challenge],
    book: SchemeBook,
    knowledge: Mapping[str, str] | None = None,
) -> ArgumentGraph:
    """The argument graph of one case.

    Args:
        case_text: the case's note and question (what findings are checked against).
        proposals: validated generator arguments; they get ids G1..Gn in order.
        challenges: validated verifier attacks on those ids.
        book: the schemes the proposals instantiate.
        knowledge: generator argument id -> why a knowledge source contradicts it (e.g. the
            HPO annotations of the option's disease lack the finding); each becomes a
            `knowledge_check` argument K1, K2, ... attacking it.

    >>> from clinreason.tools.argumentation.schemes import load_schemes
    >>> g = build_graph(CaseText("Fever and neck stiffness."),
    ...                 [Proposal("A", "clinical_evidence", "neck stiffness"),
    ...                  Proposal("B", "clinical_evidence", "aura")], [], load_schemes())
    >>> [(e.source, e.target) for e in g.attacks]  # doctest: +NORMALIZE_WHITESPACE
    [('N_A', 'D_A'), ('N_B', 'D_B'), ('D_A', 'D_B'), ('D_B', 'D_A'),
     ('G1', 'N_A'), ('G2', 'N_B'), ('T1', 'G2')]
    """
    generated = [
        Argument(
            id=f"G{i}",
            claim=book[p.scheme].render(finding=p.finding, option=p.option),
            scheme=p.scheme,
            option=p.option,
            premises=[p.finding],
            author="generator",
        )
        for i, p in enumerate(proposals, start=1)
    ]
    decisions, attacks, supports = _decision_nodes(generated, book)
    by_id = {a.id: a for a in generated}
    verifier: list[Argument] = []
    for j, ch in enumerate(challenges, start=1):
        cq = book[by_id[ch.target].scheme].question(ch.question)
        question = cq.question if cq else ch.question
        favours = f" (favours option {ch.option})" if ch.option else ""
        verifier.append(
            Argument(
                id=f"V{j}",
                claim=f"{question} Yes: {ch.finding}{favours}",
                scheme=f"critical_question:{ch.question}",
                option=ch.option,
                premises=[ch.finding],
                author="verifier",
            )
        )
        attacks.append(Attack(source=f"V{j}", target=ch.target, reason=question))
    checked: list[Argument] = []
    by_finding: dict[str, str] = {}
    for arg in [*generated, *verifier]:
        finding = arg.premises[0]
        match = case_text.check(finding)
        if match.present:
            continue
        if finding not in by_finding:
            by_finding[finding] = f"T{len(by_finding) + 1}"
            checked.append(
                Argument(
                    id=by_finding[finding],
                    claim=f'The case text does not state "{finding}".',
                    scheme="text_check",
                    premises=[match.reason()],
                    author="text_check",
                )
            )
        attacks.append(
            Attack(
                source=by_finding[finding],
                target=arg.id,
                reason=f"finding not in the case text: {match.reason()}",
            )
        )
    known: list[Argument] = []
    for target, evidence in (knowledge or {}).items():
        known.append(
            Argument(
                id=f"K{len(known) + 1}",
                claim=f"A knowledge source contradicts {target}: {evidence}",
                scheme="knowledge_check",
                premises=[evidence],
                author="knowledge_check",
            )
        )
        attacks.append(Attack(source=known[-1].id, target=target, reason=evidence))
    return ArgumentGraph(
        arguments=[*generated, *verifier, *checked, *known, *decisions],
        attacks=attacks,
        supports=supports,
    )


def solved_step(
    graph: ArgumentGraph,
    extension: frozenset[str],
    semantics: str,
    *,
    parents: Sequence[str] = (),
    framework: Framework | None = None,
) -> ArgumentStep:
    """An `ArgumentStep` recording `graph`, the accepted `extension` and why each argument is
    in or out of it.

    >>> g = ArgumentGraph(arguments=[Argument(id="a", claim="x", scheme="s"),
    ...                              Argument(id="b", claim="y", scheme="s")],
    ...                   attacks=[Attack(source="a", target="b")])
    >>> step = solved_step(g, frozenset({"a"}), "grounded")
    >>> step.rejected, step.reasons["b"]
    (['b'], 'rejected: attacked by accepted argument a')
    """
    fw = framework or Framework.from_graph(graph)
    rank = grounded_labelling(fw).rank if semantics == "grounded" else None
    reasons = justify(fw, extension, rank=rank)
    order = fw.arguments
    return ArgumentStep(
        parents=list(parents),
        graph=graph,
        semantics=semantics,
        accepted=[a for a in order if a in extension],
        rejected=[a for a in order if reasons[a].status == "out"],
        reasons={a: j.text() for a, j in reasons.items()},
    )
