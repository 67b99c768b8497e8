"""Shared pieces of the rule-based extractors: the `Found` result, spans, sentences, numbers.

Every extractor returns `Found` values whose `span` is the evidence in the note
(`span.text == note[span.start:span.end]`), so a clinician can check each value at its source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from clinreason.trace import Span

NUMBER = (
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,2}(?:,\d{2})+,\d{3}|\d+(?:\.\d+)?|\.\d+)"
    r"(?![\d])"
)
"""A number: 12, 12.5, .5, 1,200 (thousands separators), 1,50,000 (Indian grouping). Group 1 is
the number."""

NUMBER_RE = re.compile(NUMBER)


@dataclass(frozen=True)
class Found:
    """One value found in a note, with its evidence."""

    value: Any
    """The value in MedCalc-Bench entity form's first element (number, bool, str, date)."""
    unit: str | None
    span: Span
    note: str = ""
    """Conversions or choices made (e.g. 'first of 3 values', 'unit inferred from magnitude')."""
    alternatives: tuple[Found, ...] = field(default=())
    """The other values found for the same quantity, in note order, with their evidence."""
    selection: str | None = None
    """With alternatives: the rule that chose this one ('first' or 'last' written)."""

    def entity(self) -> Any:
        """The value in MedCalc-Bench entity format: `[value, unit]` or the bare value."""
        return [self.value, self.unit] if self.unit is not None else self.value


def span(text: str, start: int, end: int) -> Span:
    """The `Span` of `text[start:end]`, trimmed of surrounding whitespace.

    >>> span("a  bc ", 1, 6).text
    'bc'
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start=start, end=end, text=text[start:end])


def to_number(raw: str) -> float:
    """Parse a matched number ('1,200' -> 1200.0).

    >>> to_number("1,200.5"), to_number("1,50,000")
    (1200.5, 150000.0)
    """
    return float(raw.replace(",", ""))


def tidy(value: float) -> float | int:
    """An int when the float is whole (so 70.0 prints as 70).

    >>> tidy(70.0), tidy(1.25)
    (70, 1.25)
    """
    return int(value) if float(value).is_integer() else value


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z(\[])|\n\s*\n|\n(?=\s*[-•*\dA-Z])")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence boundaries as (start, end) offsets; periods inside numbers do not split.

    >>> t = "Cr 1.2 mg/dL. He denies pain.\\nBP 120/80."
    >>> [t[a:b] for a, b in sentences(t)]
    ['Cr 1.2 mg/dL.', 'He denies pain.', 'BP 120/80.']
    """
    bounds: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            bounds.append((start, m.start()))
        start = m.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return [(a, b) for a, b in bounds if text[a:b].strip()]


def sentence_at(
    text: str, pos: int, bounds: list[tuple[int, int]] | None = None
) -> tuple[int, int]:
    """The (start, end) of the sentence containing offset `pos` (`bounds`: `sentences(text)`,
    when the caller has it)."""
    for a, b in sentences(text) if bounds is None else bounds:
        if a <= pos < b:
            return a, b
    return 0, len(text)


def iter_matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """All matches in note order (a thin wrapper kept for readability)."""
    return pattern.finditer(text)


def words_pattern(words: tuple[str, ...] | list[str]) -> str:
    """An alternation of phrases, longest first, whitespace-flexible, with word boundaries.

    >>> bool(re.search(words_pattern(["heart rate"]), "Heart  rate 80", re.I))
    True
    """
    parts = sorted({w.strip() for w in words if w.strip()}, key=len, reverse=True)
    escaped = [r"[\s-]+".join(re.escape(p) for p in w.split()) for w in parts]
    return r"(?<![\w])(?:" + "|".join(escaped) + r")(?![a-z])"
