"""Turn validated proposals and challenges into a Dung framework over a clinical case.

Arguments (ids):
- `G1..Gn` generator arguments, instances of the schemes (`stance` for or against an option);
- `V1..Vm` verifier arguments: a critical question answered "yes", citing a finding;
- `T1..Tk` text-check arguments: "the case text does not state <finding>", one per finding
  of a G or V argument that the case text does not contain (see `textcheck`).

Attacks:
- rival options: a "for" argument attacks a "for" argument for another option when its
  scheme priority is at least the other's (only one option can be the answer);
- side effects: an "against" argument attacks every "for" argument of its option;
- critical questions: each V argument attacks the G argument it challenges;
- text check: each T argument attacks the arguments relying on the missing finding.
"""

from __future__ import annotations

from collections.abc import Sequence

from clinreason.tools.argumentation.framework import Framework
from clinreason.tools.argumentation.grounded import grounded_labelling
from clinreason.tools.argumentation.justify import justify
from clinreason.tools.argumentation.proposals import Challenge, Proposal
from clinreason.tools.argumentation.schemes import SchemeBook
from clinreason.tools.argumentation.textcheck import CaseText
from clinreason.trace import Argument, ArgumentGraph, ArgumentStep, Attack

RIVAL_REASON = "rival option: only one option can be the answer"
OUTRANK_REASON = "rival option: a comparison outranks a single finding"


def _rival_attacks(args: Sequence[Argument], book: SchemeBook) -> list[Attack]:
    pros = [a for a in args if book[a.scheme].stance == "for"]
    out: list[Attack] = []
    for p in pros:
        for q in pros:
            if p.option == q.option:
                continue
            prio_p, prio_q = book[p.scheme].priority, book[q.scheme].priority
            if prio_p >= prio_q:
                reason = RIVAL_REASON if prio_p == prio_q else OUTRANK_REASON
                out.append(Attack(source=p.id, target=q.id, reason=reason))
    return out


def build_graph(
    case_text: CaseText,
    proposals: Sequence[Proposal],
    challenges: Sequence[Challenge],
    book: SchemeBook,
) -> ArgumentGraph:
    """The argument graph of one case.

    Args:
        case_text: the case's note and question (what findings are checked against).
        proposals: validated generator arguments; they get ids G1..Gn in order.
        challenges: validated verifier attacks on those ids.
        book: the schemes the proposals instantiate.

    >>> from clinreason.tools.argumentation.schemes import load_schemes
    >>> g = build_graph(CaseText("Fever and neck stiffness."),
    ...                 [Proposal("A", "clinical_evidence", "neck stiffness"),
    ...                  Proposal("B", "clinical_evidence", "aura")], [], load_schemes())
    >>> [(e.source, e.target) for e in g.attacks]
    [('G1', 'G2'), ('G2', 'G1'), ('T1', 'G2')]
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
    attacks = _rival_attacks(generated, book)
    for arg in generated:
        if book[arg.scheme].stance == "against":
            attacks.extend(
                Attack(
                    source=arg.id,
                    target=other.id,
                    reason=f"{book[arg.scheme].name.lower()}: option {arg.option}",
                )
                for other in generated
                if other.option == arg.option and book[other.scheme].stance == "for"
            )
    verifier: list[Argument] = []
    for j, ch in enumerate(challenges, start=1):
        cq = book[_scheme_of(ch.target, generated)].question(ch.question)
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
    return ArgumentGraph(arguments=[*generated, *verifier, *checked], attacks=attacks)


def _scheme_of(arg_id: str, args: Sequence[Argument]) -> str:
    return next(a.scheme for a in args if a.id == arg_id)


def supporters(graph: ArgumentGraph, book: SchemeBook) -> dict[str, list[str]]:
    """Option -> ids of the arguments for it (schemes with stance 'for'), in graph order."""
    out: dict[str, list[str]] = {}
    for a in graph.arguments:
        scheme = book.get(a.scheme)
        if a.option and scheme is not None and scheme.stance == "for":
            out.setdefault(a.option, []).append(a.id)
    return out


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
