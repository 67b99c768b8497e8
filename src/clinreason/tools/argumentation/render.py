"""Explain a solved argument graph in plain text, and export it as Graphviz DOT or JSON.

Both read an `ArgumentStep` (the framework plus the extension recorded in the trace):
accepted arguments are green, rejected (attacked by an accepted argument) red, undecided grey.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from clinreason.errors import ConfigError
from clinreason.tools.argumentation.schemes import SchemeBook, load_schemes
from clinreason.trace import Argument, ArgumentStep, Trace

COLOURS = {
    "accepted": ("#c8e6c9", "#2e7d32"),
    "rejected": ("#ffcdd2", "#c62828"),
    "undecided": ("#eeeeee", "#757575"),
}
"""status -> (fill, border) colours."""


def statuses(step: ArgumentStep) -> dict[str, str]:
    """Argument id -> 'accepted', 'rejected' or 'undecided'."""
    accepted, rejected = set(step.accepted), set(step.rejected)
    return {
        a.id: "accepted" if a.id in accepted else "rejected" if a.id in rejected else "undecided"
        for a in step.graph.arguments
    }


def _tag(arg: Argument, book: SchemeBook) -> str:
    scheme = book.get(arg.scheme)
    if scheme is not None and arg.option:
        stance = "for" if scheme.stance == "for" else "against"
        return f"{stance} {arg.option} · {scheme.id}"
    if arg.author == "verifier":
        return "critical question · " + arg.scheme.removeprefix("critical_question:")
    if arg.author == "text_check":
        return "text check"
    if arg.scheme == "decision":
        return f"decision {arg.option}"
    if arg.scheme == "no_support":
        return f"no support for {arg.option}"
    return arg.scheme


def winner_of(step: ArgumentStep) -> str | None:
    """The option whose decision argument is accepted, if any."""
    accepted = set(step.accepted)
    for a in step.graph.arguments:
        if a.scheme == "decision" and a.id in accepted:
            return a.option
    return None


def explain_lines(
    step: ArgumentStep,
    *,
    options: Mapping[str, str] | None = None,
    answer: str | None = None,
    book: SchemeBook | None = None,
) -> list[str]:
    """Plain-text lines: accepted and rejected arguments, who attacks whom, why the winner wins.

    Args:
        step: the solved graph.
        options: the case's options (label -> text), to name the winner.
        answer: the chosen option; derived from the accepted arguments when omitted.
        book: the schemes the arguments instantiate (default: the shipped ones).
    """
    book = book or load_schemes()
    status = statuses(step)
    by_id = {a.id: a for a in step.graph.arguments}
    lines = [
        f"Argumentation ({step.semantics} semantics): {len(by_id)} arguments, "
        f"{len(step.graph.attacks)} attacks"
    ]
    for group, mark in (("accepted", "+"), ("rejected", "-"), ("undecided", "?")):
        members = [a for a in step.graph.arguments if status[a.id] == group]
        if not members:
            continue
        lines.append(f"{group.capitalize()}:")
        for a in members:
            lines.append(f"  {mark} {a.id} [{_tag(a, book)}] {a.claim}")
            if a.id in step.reasons:
                lines.append(f"      {step.reasons[a.id]}")
    if step.graph.attacks:
        lines.append("Attacks:")
        for e in step.graph.attacks:
            reason = f": {e.reason}" if e.reason else ""
            lines.append(f"  {e.source} -> {e.target}{reason}")
    winner = answer if answer is not None else winner_of(step)
    lines.append(_why(step, winner, options or {}, book))
    return lines


def _why(
    step: ArgumentStep, winner: str | None, options: Mapping[str, str], book: SchemeBook
) -> str:
    if winner is None:
        return "No option survives: no decision argument is accepted."
    name = f"{winner} ({options[winner]})" if winner in options else winner
    accepted = set(step.accepted)
    decision = [a for a in step.graph.arguments if a.scheme == "decision" and a.option == winner]
    supporters = [
        a.id
        for a in step.graph.arguments
        if a.option == winner
        and a.id in accepted
        and (s := book.get(a.scheme)) is not None
        and s.stance == "for"
    ]
    if not decision or decision[0].id not in accepted:
        return f"Answer {name}: its decision argument is not accepted by this extension."
    d = decision[0].id
    backing = f"supported by accepted {', '.join(supporters)}; " if supporters else ""
    return f"Why {name} survives: {d} is {backing}{step.reasons.get(d, 'accepted')}"


def to_json(step: ArgumentStep) -> dict[str, Any]:
    """The graph as a JSON-ready dict with each argument's status, reason and colours."""
    status = statuses(step)
    return {
        "semantics": step.semantics,
        "accepted": list(step.accepted),
        "rejected": list(step.rejected),
        "undecided": [a for a, s in status.items() if s == "undecided"],
        "arguments": [
            {
                **a.model_dump(mode="json"),
                "status": status[a.id],
                "reason": step.reasons.get(a.id, ""),
                "fill": COLOURS[status[a.id]][0],
                "color": COLOURS[status[a.id]][1],
            }
            for a in step.graph.arguments
        ],
        "attacks": [e.model_dump(mode="json") for e in step.graph.attacks],
        "supports": [e.model_dump(mode="json") for e in step.graph.supports],
    }


def _q(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def to_dot(step: ArgumentStep, *, book: SchemeBook | None = None, width: int = 40) -> str:
    """The graph in Graphviz DOT: one box per argument coloured by status, attacks as arrows.

    >>> from clinreason.trace import ArgumentGraph
    >>> g = ArgumentGraph(arguments=[Argument(id="a", claim="x", scheme="s")])
    >>> "#c8e6c9" in to_dot(ArgumentStep(graph=g, accepted=["a"]))
    True
    """
    book = book or load_schemes()
    status = statuses(step)
    lines = [
        "digraph argumentation {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=8];',
    ]
    legend = f"{step.semantics} semantics: green accepted, red rejected, grey undecided"
    lines.append(f"  label={_q(legend)};")
    for a in step.graph.arguments:
        fill, border = COLOURS[status[a.id]]
        text = "\n".join(textwrap.wrap(a.claim, width)[:4])
        label = f"{a.id} [{_tag(a, book)}]\n{text}"
        tip = step.reasons.get(a.id, status[a.id])
        lines.append(
            f"  {_q(a.id)} [label={_q(label)}, fillcolor={_q(fill)}, color={_q(border)}, "
            f"tooltip={_q(tip)}];"
        )
    for e in step.graph.attacks:
        colour = COLOURS[status[e.source]][1]
        lines.append(
            f"  {_q(e.source)} -> {_q(e.target)} [color={_q(colour)}, tooltip={_q(e.reason)}];"
        )
    for e in step.graph.supports:
        lines.append(
            f"  {_q(e.source)} -> {_q(e.target)} [style=dashed, arrowhead=empty, "
            f"tooltip={_q(e.reason)}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _find_step(source: ArgumentStep | Trace) -> ArgumentStep:
    if isinstance(source, ArgumentStep):
        return source
    steps = source.steps_of(ArgumentStep)
    if not steps:
        raise ConfigError(
            f"trace of case {source.case.id!r} has no argument graph; "
            "run it with --strategy argumentation"
        )
    support = set(source.answer.support) if source.answer else set()
    return next((s for s in steps if s.id in support), steps[-1])


def export_graph(step: ArgumentStep | Trace, path: str | Path) -> Path:
    """Write the graph to `path` as DOT (`.dot`, `.gv`) or JSON (`.json`), chosen by suffix.

    A `Trace` may be given instead of a step: its argument step that supports the answer (or
    the last one) is exported.

    Raises:
        ConfigError: unknown suffix, or a trace without an argument graph.
    """
    target = Path(path)
    arg_step = _find_step(step)
    suffix = target.suffix.lower()
    if suffix in (".dot", ".gv"):
        text = to_dot(arg_step)
    elif suffix == ".json":
        text = json.dumps(to_json(arg_step), indent=2, ensure_ascii=False) + "\n"
    else:
        raise ConfigError(
            f"cannot export an argument graph to {target.name!r}: use a .dot, .gv or .json file"
        )
    target.write_text(text, encoding="utf-8")
    return target
