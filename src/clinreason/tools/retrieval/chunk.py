"""Cut a document into passages by sections and paragraphs, keeping character offsets.

Every chunk is a span `(start, end)` with `text[start:end]` starting and ending on a
non-space character. Sections (headings, PDF pages) are never crossed; inside a section
consecutive paragraphs are packed while they fit in `max_chars`; a longer paragraph is cut at
sentence boundaries, and a longer sentence at a space (or, with no space, at `max_chars`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CHARS = 1000
"""Default passage size in characters (a soft limit only a single longer word can exceed)."""

_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*(?:\r?\n\s*)+|\r\s*\r")
# a sentence ends at . ! ? … (plus closing quotes/brackets) before a space, or at a CJK stop
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+|[。！？]\s*")


@dataclass(frozen=True)
class Section:
    """A section boundary: it starts at `start`; its heading text (if any) ends at `heading_end`."""

    start: int
    label: str | None
    heading_end: int | None = None


@dataclass(frozen=True)
class Chunk:
    """A span of the document and the section it lies in."""

    start: int
    end: int
    section: str | None


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _PARAGRAPH_BREAK.finditer(text, start, end):
        spans.append(trim(text, pos, m.start()))
        pos = m.end()
    spans.append(trim(text, pos, end))
    return [(s, e) for s, e in spans if e > s]


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans; a boundary before a lower-case letter is not taken ('e.g. the')."""
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        nxt = m.end()
        if nxt >= end or text[nxt].islower():
            continue
        spans.append(trim(text, pos, nxt))
        pos = nxt
    spans.append(trim(text, pos, end))
    return [(s, e) for s, e in spans if e > s]


def _hard_split(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut a span with no sentence boundary: at the last space in the second half of the
    window, else at `max_chars` characters."""
    out: list[tuple[int, int]] = []
    while end - start > max_chars:
        limit = start + max_chars
        cut = limit
        for i in range(limit, start + max_chars // 2, -1):
            if text[i].isspace():
                cut = i
                break
        s, e = trim(text, start, cut)
        if e > s:
            out.append((s, e))
        start, _ = trim(text, cut, end)
    s, e = trim(text, start, end)
    if e > s:
        out.append((s, e))
    return out


def _pieces(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Paragraphs, with any paragraph longer than `max_chars` cut into sentence pieces."""
    out: list[tuple[int, int]] = []
    for ps, pe in _paragraphs(text, start, end):
        if pe - ps <= max_chars:
            out.append((ps, pe))
            continue
        for ss, se in _sentences(text, ps, pe):
            if se - ss <= max_chars:
                out.append((ss, se))
            else:
                out.extend(_hard_split(text, ss, se, max_chars))
    return out


def _pack(pieces: list[tuple[int, int]], max_chars: int) -> list[tuple[int, int]]:
    """Join consecutive pieces while the joined span fits in `max_chars`."""
    out: list[tuple[int, int]] = []
    for s, e in pieces:
        if out and e - out[-1][0] <= max_chars:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _section_spans(text: str, sections: list[Section]) -> list[tuple[int, int, str | None]]:
    """(start, end, label) per section; a section holding only its heading joins the next one
    (keeping the next one's label), so a title is never a passage on its own."""
    bounds = sorted((s for s in sections if 0 <= s.start <= len(text)), key=lambda s: s.start)
    spans: list[tuple[int, int, str | None]] = []
    first = bounds[0].start if bounds else len(text)
    if first > 0:
        spans.append((0, first, None))
    for i, sec in enumerate(bounds):
        end = bounds[i + 1].start if i + 1 < len(bounds) else len(text)
        spans.append((sec.start, end, sec.label))
    merged: list[tuple[int, int, str | None]] = []
    carry: int | None = None
    for i, (s, e, label) in enumerate(spans):
        start = s if carry is None else carry
        heading_end = next((b.heading_end for b in bounds if b.start == s), None)
        body_from = max(s, heading_end or s)
        if i + 1 < len(spans) and not text[body_from:e].strip():
            carry = start
            continue
        carry = None
        merged.append((start, e, label))
    return merged


def chunk_text(
    text: str, sections: list[Section] | None = None, max_chars: int = MAX_CHARS
) -> list[Chunk]:
    """Passages of `text`: sections never crossed, paragraphs packed up to `max_chars`.

    >>> doc = "# Title\\n\\n## Dose\\n\\nGive 5 mg.\\n\\nRepeat.\\n"
    >>> secs = [Section(0, "Title", 7), Section(9, "Dose", 16)]
    >>> [(doc[c.start:c.end], c.section) for c in chunk_text(doc, secs)]
    [('# Title\\n\\n## Dose\\n\\nGive 5 mg.\\n\\nRepeat.', 'Dose')]
    >>> [doc[c.start:c.end] for c in chunk_text(doc, secs, max_chars=12)]
    ['# Title', '## Dose', 'Give 5 mg.', 'Repeat.']
    """
    if max_chars < 10:
        raise ValueError(f"max_chars must be at least 10, got {max_chars}")
    out: list[Chunk] = []
    for start, end, label in _section_spans(text, sections or []):
        for s, e in _pack(_pieces(text, start, end, max_chars), max_chars):
            out.append(Chunk(s, e, label))
    return out


_MD_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_MD_FENCE = re.compile(r"^ {0,3}(```|~~~)", re.MULTILINE)


def markdown_sections(text: str) -> list[Section]:
    """ATX headings (`# ...` to `###### ...`) outside fenced code blocks.

    >>> [(s.start, s.label) for s in markdown_sections("intro\\n# A\\n```\\n# not\\n```\\n## B #")]
    [(6, 'A'), (24, 'B')]
    """
    fences = [m.start() for m in _MD_FENCE.finditer(text)]
    out: list[Section] = []
    for m in _MD_HEADING.finditer(text):
        inside = sum(1 for f in fences if f < m.start()) % 2 == 1
        if not inside:
            out.append(Section(m.start(), m.group(2).strip(), m.end()))
    return out
