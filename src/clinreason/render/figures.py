"""The argument graph and the differential as plain drawing data for the templates (no HTML here).

`argument_figure` lays an `ArgumentStep` out in columns by role, so that attacks run mostly
left to right: checks (verifier, text and knowledge checks) -> the generator's arguments ->
"no accepted support" arguments -> option decisions. Each node has its position, a short label
and its full claim; each attack a path between nodes. `differential_figure` turns the
`kg.diagnose` tool result into ranked bars with the explained findings and their HPO paths.
The macros in `templates/figures.html` draw both as SVG and as text tables, for the web page
and for `clinreason report` alike (`clinreason.render.html`).

Every element id starts with `ns` (empty on the page, e.g. 'r0-c3-' in a report of many cases)
and links to steps go to `#<step_anchor><step id>` (the page's 'step-s3', a report's 'r0-c3-s3').
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from clinreason.tools.argumentation.render import statuses
from clinreason.trace import Argument, ArgumentStep, ToolCall, Trace

DIAGNOSE_TOOL = "kg.diagnose"
MAX_DISEASES = 10

# Columns, left to right; an argument's column comes from its author and scheme.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("checks", "Checks"),
    ("arguments", "Arguments"),
    ("support", "Needs support"),
    ("decisions", "Decisions"),
)
STATUS_WORDS: dict[str, str] = {
    "accepted": "accepted",
    "rejected": "rejected",
    "undecided": "undecided",
}
STATUS_MARKS: dict[str, str] = {"accepted": "✓", "rejected": "✗", "undecided": "?"}
ROLE_WORDS: dict[str, str] = {
    "generator": "argument",
    "verifier": "critical question",
    "text_check": "text check",
    "knowledge_check": "knowledge check",
}
RELATION_WORDS: dict[str, str] = {
    "exact": "annotated with the same term",
    "annotated_more_specific": "annotated with a more specific term",
    "patient_more_specific": "annotated with a more general term",
    "related": "related through a shared ancestor",
}

# Geometry (SVG user units).
NODE_W, NODE_H, ROW_GAP, COL_GAP, MARGIN, HEAD = 180, 46, 14, 70, 12, 28
LABEL_CHARS = 27


@dataclass
class Node:
    """One argument drawn as a box."""

    id: str
    anchor: str
    """Id of its row in the text table (unique on the page)."""
    heading: str
    """First line: id, status mark and role, e.g. 'T1 ✓ text check'."""
    label: str
    """Second line: the claim shortened to fit the box."""
    claim: str
    status: str
    reason: str
    role: str
    column: int
    x: float = 0.0
    y: float = 0.0
    attacked_by: list[str] = field(default_factory=list)
    attacks: list[str] = field(default_factory=list)
    supports: list[str] = field(default_factory=list)


@dataclass
class Edge:
    """An attack drawn as an arrow (`both`: two arguments attacking each other, one arrow)."""

    source: str
    target: str
    reason: str
    effective: bool
    """The attacker is accepted (the attack succeeds)."""
    both: bool
    path: str


def column_of(arg: Argument) -> int:
    """Index into `COLUMNS` for an argument, from its author and scheme."""
    if arg.author == "decision":
        return 2 if arg.scheme == "no_support" else 3
    if arg.author == "generator":
        return 1
    return 0


def role_of(arg: Argument) -> str:
    """The argument's role in plain words, e.g. 'for A', 'text check', 'decision A'."""
    if arg.author == "decision":
        return (
            f"no support for {arg.option}" if arg.scheme == "no_support" else f"choose {arg.option}"
        )
    if arg.author == "generator":
        return f"on {arg.option} · {arg.scheme.replace('_', ' ')}" if arg.option else "argument"
    return ROLE_WORDS.get(arg.author, arg.author.replace("_", " "))


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters.

    >>> shorten("The case text does not state fever", 20)
    'The case text does…'
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] if " " in flat[: limit - 1] else flat[: limit - 1]
    return cut.rstrip(" ,.;:") + "…"


def _order(columns: list[list[Node]], edges: Sequence[tuple[str, str]]) -> None:
    """Order the checks column by the mean row of what each check attacks (fewer crossings)."""
    row = {n.id: i for col in columns[1:] for i, n in enumerate(col)}
    targets: dict[str, list[int]] = {}
    for source, target in edges:
        if target in row:
            targets.setdefault(source, []).append(row[target])
    columns[0].sort(key=lambda n: sum(targets.get(n.id, [0])) / len(targets.get(n.id, [0])))


def _place(columns: list[list[Node]]) -> tuple[list[dict[str, Any]], float, float]:
    """Give every node its position; returns the shown column headings, width and height."""
    shown = [(i, col) for i, col in enumerate(columns) if col]
    tallest = max(len(col) for _, col in shown)
    height = 2 * MARGIN + HEAD + tallest * (NODE_H + ROW_GAP) - ROW_GAP
    headings = []
    for k, (i, col) in enumerate(shown):
        x = MARGIN + k * (NODE_W + COL_GAP)
        top = MARGIN + HEAD + (tallest - len(col)) * (NODE_H + ROW_GAP) / 2
        for j, node in enumerate(col):
            node.x, node.y = x, top + j * (NODE_H + ROW_GAP)
        headings.append({"x": x + NODE_W / 2, "text": COLUMNS[i][1]})
    width = 2 * MARGIN + len(shown) * NODE_W + (len(shown) - 1) * COL_GAP
    return headings, width, height


def _bulge(a: Node, b: Node) -> float:
    """How far a loop between two nodes of one column reaches out (farther for distant nodes)."""
    return 24 + abs(b.y - a.y) / 4


def _path(a: Node, b: Node) -> str:
    """A curve from `a` to `b`: side to side between columns, a loop on the right within one."""
    ay, by = a.y + NODE_H / 2, b.y + NODE_H / 2
    if a.x == b.x:
        x, c = a.x + NODE_W, a.x + NODE_W + _bulge(a, b)
        return f"M{x:.0f},{ay:.0f} C{c:.0f},{ay:.0f} {c:.0f},{by:.0f} {x:.0f},{by:.0f}"
    forward = a.x < b.x
    x1 = a.x + NODE_W if forward else a.x
    x2 = b.x if forward else b.x + NODE_W
    mid = (x1 + x2) / 2
    return f"M{x1:.0f},{ay:.0f} C{mid:.0f},{ay:.0f} {mid:.0f},{by:.0f} {x2:.0f},{by:.0f}"


def argument_figure(
    step: ArgumentStep, number: int, *, ns: str = "", step_anchor: str = "step-"
) -> dict[str, Any]:
    """Drawing data for one solved argument graph: nodes, attack arrows, headings, table rows."""
    status = statuses(step)
    prefix = f"{ns}arg-{step.id}"
    nodes: dict[str, Node] = {}
    for arg in step.graph.arguments:
        mark = STATUS_MARKS[status[arg.id]]
        nodes[arg.id] = Node(
            id=arg.id,
            anchor=f"{prefix}-{arg.id}",
            heading=shorten(f"{arg.id} {mark} {role_of(arg)}", LABEL_CHARS),
            label=shorten(arg.claim),
            claim=arg.claim,
            status=status[arg.id],
            reason=step.reasons.get(arg.id, ""),
            role=role_of(arg),
            column=column_of(arg),
        )
    columns: list[list[Node]] = [[] for _ in COLUMNS]
    for node in nodes.values():
        columns[node.column].append(node)
    pairs = [(e.source, e.target) for e in step.graph.attacks]
    _order(columns, pairs)
    headings, width, height = _place(columns) if nodes else ([], 0.0, 0.0)
    for e in step.graph.attacks:
        nodes[e.source].attacks.append(e.target)
        nodes[e.target].attacked_by.append(e.source)
    for e in step.graph.supports:
        nodes[e.source].supports.append(e.target)
    for e in step.graph.attacks:  # a loop reaches 3/4 of its control points' distance
        a, b = nodes[e.source], nodes[e.target]
        if a.x == b.x:
            width = max(width, a.x + NODE_W + 0.75 * _bulge(a, b) + MARGIN)
    return {
        "id": step.id,
        "anchor": f"{ns}graph-{step.id}",
        "step_href": f"#{step_anchor}{step.id}",
        "number": number,
        "prefix": prefix,
        "semantics": step.semantics,
        "nodes": list(nodes.values()),
        "edges": _edges(step, nodes),
        "headings": headings,
        "width": width,
        "height": height,
        "node_w": NODE_W,
        "node_h": NODE_H,
        "counts": {s: sum(1 for n in nodes.values() if n.status == s) for s in STATUS_WORDS},
        "n_attacks": len(step.graph.attacks),
    }


def _edges(step: ArgumentStep, nodes: Mapping[str, Node]) -> list[Edge]:
    """One arrow per attack; a mutual attack between two arguments becomes one two-headed arrow."""
    seen = {(e.source, e.target) for e in step.graph.attacks}
    edges: list[Edge] = []
    done: set[tuple[str, str]] = set()
    for e in step.graph.attacks:
        if (e.source, e.target) in done:
            continue
        both = (e.target, e.source) in seen and e.source != e.target
        done.update(
            {(e.source, e.target), (e.target, e.source)} if both else {(e.source, e.target)}
        )
        a, b = nodes[e.source], nodes[e.target]
        effective = a.status == "accepted" or (both and b.status == "accepted")
        edges.append(Edge(e.source, e.target, e.reason, effective, both, _path(a, b)))
    return edges


def argument_figures(
    trace: Trace, *, ns: str = "", step_anchor: str = "step-"
) -> list[dict[str, Any]]:
    """Drawing data for every argument step of a trace, numbered as the page numbers steps."""
    return [
        argument_figure(step, i, ns=ns, step_anchor=step_anchor)
        for i, step in enumerate(trace.steps, start=1)
        if isinstance(step, ArgumentStep)
    ]


def path_steps(path: Sequence[Sequence[str]], via: str | None) -> list[dict[str, str]]:
    """An HPO path as steps, each with the arrow before it ('→' up to `via`, '←' after it).

    >>> [(s["arrow"], s["label"]) for s in path_steps([["a", "A"], ["v", "V"], ["b", "B"]], "v")]
    [('', 'A'), ('→', 'V'), ('←', 'B')]
    """
    ids = [p[0] for p in path]
    turn = ids.index(via) if via in ids else len(ids)
    return [
        {"arrow": "" if k == 0 else "→" if k <= turn else "←", "id": p[0], "label": p[1]}
        for k, p in enumerate(path)
    ]


def _finding(match: Mapping[str, Any]) -> dict[str, Any]:
    """An explained (or contradicted) finding: the patient's term, how it links, its HPO path."""
    relation = str(match.get("relation", ""))
    return {
        "term": match.get("term", ""),
        "label": match.get("label", match.get("term", "")),
        "annotated": match.get("annotated", ""),
        "annotated_label": match.get("annotated_label", ""),
        "how": RELATION_WORDS.get(relation, relation.replace("_", " ")),
        "path": path_steps(match.get("path") or [], match.get("via")),
    }


def _bars(items: Sequence[Mapping[str, Any]]) -> tuple[str, list[float]]:
    """Bar lengths in percent: the posterior when every row has one, else the score.

    Scores are drawn from min(0, lowest score) to the top score.
    """
    posts = [d.get("posterior") for d in items]
    if items and all(isinstance(p, int | float) and 0 <= p <= 1 for p in posts):
        return "posterior", [round(100 * float(p), 1) for p in posts]  # type: ignore[arg-type]
    scores = [float(d.get("score", 0.0)) for d in items]
    lo, hi = min([0.0, *scores]), max(scores, default=0.0)
    return "score", [100.0 if hi <= lo else round(100 * (x - lo) / (hi - lo), 1) for x in scores]


def differential_figure(
    call: ToolCall, number: int, *, ns: str = "", step_anchor: str = "step-"
) -> dict[str, Any] | None:
    """The top diseases of a `kg.diagnose` result as bars with their explained findings.

    Returns None when the call has no usable result.
    """
    result = call.result
    if not isinstance(result, dict) or not isinstance(result.get("differential"), list):
        return None
    items = [d for d in result["differential"] if isinstance(d, dict)][:MAX_DISEASES]
    bar_of, bars = _bars(items)
    rows = []
    for d, bar in zip(items, bars, strict=True):
        explained = d.get("explained")
        rows.append(
            {
                "rank": d.get("rank"),
                "disease": d.get("disease", ""),
                "label": d.get("label") or d.get("disease", ""),
                "score": float(d.get("score", 0.0)),
                "posterior": d.get("posterior"),
                "bar": bar,
                "has_explanation": explained is not None,
                "explained": [_finding(m) for m in explained or []],
                "unexplained": [
                    u.get("label", u.get("term", "")) for u in d.get("unexplained", [])
                ],
                "contradicted": [_finding(m) for m in d.get("contradicted", [])],
            }
        )
    dropped = [" ".join(map(str, d)) for d in result.get("dropped") or [] if isinstance(d, list)]
    return {
        "step": call.id,
        "anchor": f"{ns}differential",
        "ns": ns,
        "step_href": f"#{step_anchor}{call.id}",
        "number": number,
        "graph": result.get("graph", ""),
        "rows": rows,
        "bar_of": bar_of,
        "n_total": len(result["differential"]),
        "dropped": dropped,
    }


def differential_of(
    trace: Trace, *, ns: str = "", step_anchor: str = "step-"
) -> dict[str, Any] | None:
    """The differential of the trace's last successful `kg.diagnose` call, if any."""
    calls = [
        (i, s)
        for i, s in enumerate(trace.steps, start=1)
        if isinstance(s, ToolCall) and s.tool == DIAGNOSE_TOOL and s.error is None
    ]
    for number, call in reversed(calls):
        figure = differential_figure(call, number, ns=ns, step_anchor=step_anchor)
        if figure is not None:
            return figure
    return None
