"""NegEx-style context of a mention: negated, about a relative, or hypothetical.

A pre-trigger ("no", "denies", "without", "negative for", ...) negates the findings that follow it
up to the end of the sentence, a terminating word ("but", "however", "has", ...) or
`MAX_SCOPE` words; lists joined by commas and "or"/"and" stay in scope ("no fever, chills or
rash"). Post-triggers ("... was absent", "... were not seen") negate findings earlier in the
same clause. Pseudo-triggers ("no increase", "not only") negate nothing. Family triggers
("mother", "family history") mark the rest of the sentence as about a relative.
"""

from __future__ import annotations

from dataclasses import dataclass

from clinreason.tools.kg.text import Token

MAX_SCOPE = 12

PRE_TRIGGERS: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in (
        "no",
        "not",
        "nor",
        "neither",
        "never",
        "without",
        "deny",
        "denied",
        "denying",
        "negative for",
        "absence of",
        "free of",
        "lack of",
        "lacked",
        "lacking",
        "no evidence of",
        "no sign of",
        "no history of",
        "unremarkable for",
        "ruled out",
        "rule out",
        "did not have",
        "does not have",
        "do not have",
        "did not show",
        "does not show",
        "not have",
        "not show",
    )
)
POST_TRIGGERS: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in (
        "absent",
        "was absent",
        "were absent",
        "is absent",
        "are absent",
        "not seen",
        "not present",
        "not detected",
        "not observed",
        "not found",
        "not identified",
        "was negative",
        "were negative",
        "is negative",
        "ruled out",
        "was excluded",
        "were excluded",
    )
)
PSEUDO_TRIGGERS: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in (
        "no increase",
        "no change",
        "no further",
        "not only",
        "not necessarily",
        "not certain",
        "no significant change",
        "gram negative",
    )
)
HYPOTHETICAL: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in (
        "rule out",
        "r o",
        "to exclude",
        "possible",
        "possibly",
        "suspected",
        "suspicion of",
        "concern for",
        "risk of",
        "evaluate for",
        "screen for",
        "screening for",
        "if",
    )
)
TERMINATORS = frozenset(
    [
        "but",
        "however",
        "although",
        "though",
        "except",
        "apart",
        "aside",
        "which",
        "who",
        "whereas",
        "yet",
        "still",
        "while",
        "presents",
        "presented",
        "present",
        "has",
        "had",
        "have",
        "shows",
        "showed",
        "show",
        "reports",
        "reported",
        "report",
        "developed",
        "develops",
        "exhibit",
        "exhibits",
        "exhibited",
        "noted",
    ]
)
FAMILY = frozenset(
    [
        "mother",
        "father",
        "brother",
        "sister",
        "sibling",
        "parent",
        "aunt",
        "uncle",
        "cousin",
        "grandmother",
        "grandfather",
        "relative",
        "maternal",
        "paternal",
        "twin",
    ]
)


@dataclass(frozen=True)
class Trigger:
    """A trigger phrase found in the text."""

    kind: str
    """'pre', 'post', 'pseudo', 'family' or 'hypothetical'."""
    start: int
    """Index of its first token."""
    end: int
    """Index after its last token."""
    text: str


def _match_at(norms: list[str], i: int, phrases: tuple[tuple[str, ...], ...]) -> int:
    best = 0
    for p in phrases:
        if tuple(norms[i : i + len(p)]) == p and len(p) > best:
            best = len(p)
    return best


def find_triggers(tokens: list[Token]) -> list[Trigger]:
    """Every trigger, longest phrase first at each position, pseudo-triggers winning."""
    norms = [t.norm for t in tokens]
    out: list[Trigger] = []
    i = 0
    while i < len(tokens):
        if norms[i] == "family" and i + 1 < len(norms) and norms[i + 1] == "history":
            out.append(Trigger("family", i, i + 2, "family history"))
            i += 2
            continue
        if norms[i] in FAMILY:
            out.append(Trigger("family", i, i + 1, tokens[i].text))
            i += 1
            continue
        for kind, phrases in (
            ("pseudo", PSEUDO_TRIGGERS),
            ("hypothetical", HYPOTHETICAL[:2]),
            ("pre", PRE_TRIGGERS),
            ("post", POST_TRIGGERS),
            ("hypothetical", HYPOTHETICAL[2:]),
        ):
            n = _match_at(norms, i, phrases)
            if n:
                text = " ".join(t.text for t in tokens[i : i + n])
                out.append(Trigger(kind, i, i + n, text))
                if kind == "pre" and _match_at(norms, i, POST_TRIGGERS):
                    out.append(Trigger("post", i, i + n, text))
                i += n
                break
        else:
            i += 1
    return out


@dataclass(frozen=True)
class Context:
    """How a mention is qualified by its surroundings."""

    negated: bool = False
    family: bool = False
    hypothetical: bool = False
    trigger: str = ""


def context_of(tokens: list[Token], triggers: list[Trigger], start: int, end: int) -> Context:
    """Context of the mention covering tokens [start, end)."""
    negated = family = hypothetical = False
    cue = ""
    for trig in triggers:
        if trig.start < end and trig.end > start:
            continue  # inside the mention itself (e.g. 'absent ankle reflexes')
        if trig.end <= start and _in_forward_scope(tokens, trig.end, start, trig.kind):
            if trig.kind == "pre":
                negated, cue = True, trig.text
            elif trig.kind == "family":
                family, cue = True, trig.text
            elif trig.kind == "hypothetical":
                hypothetical, cue = True, trig.text
            elif trig.kind == "pseudo":
                negated = False
        elif trig.kind == "post" and trig.start >= end and _same_clause(tokens, end, trig.start):
            negated, cue = True, trig.text
    return Context(negated, family, hypothetical, cue)


def _in_forward_scope(tokens: list[Token], first: int, target: int, kind: str) -> bool:
    """True when the mention starting at `target` is in scope of a trigger ending at `first`."""
    if any(tokens[k].sentence_break for k in range(first, min(target + 1, len(tokens)))):
        return False
    if kind == "family":
        return True
    if target - first > MAX_SCOPE:
        return False
    return not any(tokens[k].norm in TERMINATORS for k in range(first, target))


def _same_clause(tokens: list[Token], after: int, trigger_at: int) -> bool:
    if trigger_at - after > 4:
        return False
    return not any(tokens[k].phrase_break for k in range(after, trigger_at + 1))
