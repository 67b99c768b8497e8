"""Pure prompt rendering and output parsing for the `calculator` strategy (no model calls).

Two small, schema-constrained questions are ever put to the model:

- **judgement**: one call per case for all yes/no and categorical items the rules cannot settle,
  answered as one JSON object with a boolean / enum field per item (`q1`, `q2`, ...), plus a
  number field for a required measurement the rules did not find;
- **calculator choice**: only when no calculator name matches the question.

Model output is parsed with `json.loads` and validated field by field; nothing a model wrote is
ever executed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from clinreason.errors import ParseError
from clinreason.tools.extract import sentences
from clinreason.trace import Message, Span

ItemKind = Literal["bool", "choice", "number"]


@dataclass(frozen=True)
class JudgementItem:
    """One item put to the model."""

    key: str
    """Field name in the answer object ('q1', 'q2', ...)."""
    param: str
    """The calculator parameter (MedCalc-Bench entity name) it decides."""
    kind: ItemKind
    description: str
    choices: tuple[str, ...] = ()
    unit: str | None = None
    evidence: tuple[Span, ...] = field(default=())
    """Note sentences that mention the item (keyword matches), in note order."""


SYSTEM = (
    "You extract facts about the patient from a clinical note. Answer every item from the "
    "note only. A yes/no item is true only if the note states it for this patient (not a "
    "relative, not ruled out, not merely suspected); if the note does not mention it, answer "
    "false. For a choice, pick the option the note supports; if nothing is said, pick the "
    "first (normal) option. For a number, copy it as written in the note, or null."
)


def describe(param: str, description: str) -> str:
    """The text of an item: the parameter name plus its description when that adds words."""
    if description and description.lower() not in param.lower():
        return f"{param} ({description})"
    return param


def render_judgement(items: list[JudgementItem], excerpt: str) -> tuple[Message, ...]:
    """Messages asking for all items at once.

    >>> item = JudgementItem("q1", "Hemoptysis", "bool", "Hemoptysis")
    >>> print(render_judgement([item], "Coughs blood.")[1].content)
    Note:
    Coughs blood.
    <BLANKLINE>
    Items:
    q1: Hemoptysis? (true/false)
    """
    lines = []
    for it in items:
        if it.kind == "bool":
            lines.append(f"{it.key}: {it.description}? (true/false)")
        elif it.kind == "choice":
            lines.append(f"{it.key}: {it.description}? options: {' | '.join(it.choices)}")
        else:
            unit = f" in {it.unit}" if it.unit else ""
            lines.append(f"{it.key}: {it.description}{unit}? (number as written, or null)")
    user = f"Note:\n{excerpt.strip()}\n\nItems:\n" + "\n".join(lines)
    return (Message(role="system", content=SYSTEM), Message(role="user", content=user))


def judgement_schema(items: list[JudgementItem]) -> dict[str, Any]:
    """JSON Schema of the answer: one field per item, all required, nothing else.

    >>> judgement_schema([JudgementItem("q1", "x", "choice", "x", ("a", "b"))])["properties"]
    {'q1': {'type': 'string', 'enum': ['a', 'b']}}
    """
    props: dict[str, Any] = {}
    for it in items:
        if it.kind == "bool":
            props[it.key] = {"type": "boolean"}
        elif it.kind == "choice":
            props[it.key] = {"type": "string", "enum": list(it.choices)}
        else:
            props[it.key] = {"type": ["number", "null"]}
    return {
        "type": "object",
        "properties": props,
        "required": [it.key for it in items],
        "additionalProperties": False,
    }


def parse_judgement(text: str, items: list[JudgementItem]) -> dict[str, Any]:
    """Validated answers by item key; items with an invalid value are left out.

    Raises:
        ParseError: the text is not a JSON object.

    >>> items = [JudgementItem("q1", "x", "bool", "x"), JudgementItem("q2", "y", "bool", "y")]
    >>> parse_judgement('{"q1": true, "q2": "maybe"}', items)
    {'q1': True}
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"model reply is not JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise ParseError("model reply is not a JSON object")
    out: dict[str, Any] = {}
    for it in items:
        value = data.get(it.key)
        if _valid(it, value):
            out[it.key] = value
    return out


def _valid(item: JudgementItem, value: Any) -> bool:
    if item.kind == "bool":
        return isinstance(value, bool)
    if item.kind == "choice":
        return isinstance(value, str) and value in item.choices
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return number and value == value and abs(value) != float("inf")  # not NaN / inf


_STOP = {
    "with",
    "from",
    "that",
    "this",
    "history",
    "criteria",
    "rule",
    "present",
    "score",
    "patient",
    "previously",
    "documented",
    "recent",
    "recently",
    "months",
    "weeks",
    "month",
    "week",
    "last",
    "other",
    "than",
    "more",
    "less",
    "equally",
    "likely",
    "within",
    "test",
    "type",
    "disease",
}


def key_words(text: str) -> list[str]:
    """Content words of an item name, for finding the note sentences about it.

    >>> key_words("Pulmonary Embolism is #1 diagnosis OR equally likely")
    ['pulmonary', 'embolism', 'diagnosis']
    """
    words = re.findall(r"[a-z]{4,}", text.lower())
    return [w for w in words if w not in _STOP]


def sentences_with_words(note: str, words: list[str], limit: int = 3) -> list[Span]:
    """Up to `limit` note sentences containing any of `words` (stem match), in note order."""
    if not words:
        return []
    stems = [w[:6] for w in words]
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")", re.I)
    out = []
    for a, b in sentences(note):
        if pattern.search(note, a, b):
            out.append(Span(start=a, end=b, text=note[a:b]))
            if len(out) >= limit:
                break
    return out


def note_excerpt(note: str, spans: list[Span], max_chars: int) -> str:
    """The note itself when short; else the given sentences (note order), then the opening.

    Keeps the prompt short: prompt processing dominates latency on a small CPU model.
    """
    if len(note) <= max_chars:
        return note
    chosen: dict[int, Span] = {}
    for s in sorted(spans, key=lambda s: s.start):
        chosen.setdefault(s.start, s)
    parts: list[str] = []
    used = 0
    for s in sorted(chosen.values(), key=lambda s: s.start):
        text = " ".join(s.text.split())
        if used + len(text) > max_chars:
            break
        parts.append(text)
        used += len(text) + 5
    if used < max_chars // 2:
        opening = " ".join(note[: max_chars - used].split())
        if parts:
            parts.insert(0, opening + " ...")
        else:
            parts.append(opening)
    return "\n...\n".join(parts)


def render_choice(question: str, names: list[str]) -> tuple[Message, ...]:
    """Messages asking which calculator a question needs (fallback when no name matches)."""
    listing = "\n".join(f"- {n}" for n in names)
    user = f"Question: {question.strip()}\n\nWhich calculator answers it? Options:\n{listing}"
    system = "Pick the clinical calculator that answers the question. Reply with JSON."
    return (Message(role="system", content=system), Message(role="user", content=user))


def choice_schema(names: list[str]) -> dict[str, Any]:
    """Schema: {"calculator": one of the names}."""
    return {
        "type": "object",
        "properties": {"calculator": {"type": "string", "enum": names}},
        "required": ["calculator"],
        "additionalProperties": False,
    }


def parse_choice(text: str, names: list[str]) -> str:
    """The chosen calculator name.

    Raises:
        ParseError: not JSON or not one of the names.

    >>> parse_choice('{"calculator": "BMI"}', ["BMI", "MAP"])
    'BMI'
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"model reply is not JSON: {exc.msg}") from None
    value = data.get("calculator") if isinstance(data, dict) else None
    if value not in names:
        raise ParseError(f"model chose {value!r}, which is not a known calculator")
    return str(value)
