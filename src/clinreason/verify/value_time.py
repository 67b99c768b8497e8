"""When was a value measured? The time words around a number in a note, read without the extractor.

A note often holds several values of one quantity ("creatinine 1.2 mg/dL on admission ... 2.3
mg/dL on day 3"). The calculator's extractor keeps the first one it finds in text order; this
module reads, independently of that rule, the time words attached to each value, so that a
second reader can tell which value was measured at presentation:

- `presentation`: on admission / arrival / presentation / triage, in the emergency department,
  initial(ly), on day 1;
- `later`: on day N (N >= 2), N hours/days later, later, subsequently, after, repeat, follow-up,
  at discharge, the next day, and a value reached by a change ("rose to", "fell to");
- `earlier`: baseline, previous(ly), prior, usual, N months ago, last year, before admission,
  as an outpatient.

Which words belong to which value: the words between the value and its neighbours in the same
sentence (any other number written with a unit counts as a neighbour), cut at the first
connective ("to", "and", "then", "but", "while", ",", ";"), so that in "rose from 1.2 mg/dL on
admission to 2.3 mg/dL on day 3" 1.2 gets "on admission" and 2.3 gets "rose ... to" and "on day
3". A value without words of its own takes the words that open its sentence ("On day 3,
creatinine was ...") and then those of a heading line ending in ':' ("Labs on admission:"); there
"baseline" does not count (see `_OWN_ONLY`).

What the question asks for (`wanted`): the value at presentation unless it names another time
(latest, at discharge, baseline, peak, highest, ...); then this module decides nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

When = Literal["presentation", "later", "earlier"]

_NUM_WORD = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|few|a\s+few)"
_CUES: tuple[tuple[When, re.Pattern[str]], ...] = (
    (
        "later",
        re.compile(
            r"\b(?:(?:hospital|postoperative|post-operative|admission)\s+)?day\s*"
            r"(?:[2-9]|[1-9]\d+|two|three|four|five|six|seven|eight|nine|ten)\b|"
            rf"\b{_NUM_WORD}\s+(?:hours?|hrs?|days?|weeks?|months?)\s+(?:later|after|afterwards|"
            r"into\s+(?:the\s+)?(?:admission|hospitali[sz]ation|stay))\b|"
            r"\b(?:later|subsequent(?:ly)?|afterwards?|after|repeat(?:ed)?|follow-?up|"
            r"(?:at|on|upon|before|prior\s+to)\s+discharge|discharge|"
            r"(?:the\s+)?(?:next|following)\s+(?:day|morning|evening|night|week)|"
            r"overnight|post-?(?:treatment|operative(?:ly)?|transfusion|dialysis))\b",
            re.I,
        ),
    ),
    (
        "earlier",
        re.compile(
            r"\b(?:baseline|previous(?:ly)?|prior|usual|premorbid|pre-?morbid|outpatient|"
            r"before\s+(?:admission|presentation|the\s+admission)|"
            rf"{_NUM_WORD}\s+(?:days?|weeks?|months?|years?)\s+(?:ago|before|earlier|prior)|"
            r"last\s+(?:year|month|week|visit|admission)|at\s+(?:his|her|their)\s+last\s+visit)\b",
            re.I,
        ),
    ),
    (
        "presentation",
        re.compile(
            r"\b(?:(?:on|at|upon|during)\s+(?:the\s+time\s+of\s+)?(?:his\s+|her\s+|their\s+)?"
            r"(?:initial\s+)?(?:admission|arrival|presentation|triage)|admission|"
            r"initial(?:ly)?|on\s+(?:hospital\s+)?day\s*(?:0|1|one|zero)|"
            r"(?:in|at|to)\s+the\s+(?:emergency\s+(?:department|room)|ED|ER|A&E)|"
            r"when\s+(?:he|she|they)\s+(?:presented|arrived|was\s+admitted))\b",
            re.I,
        ),
    ),
)
"""Time words by what they say of a value; at one place the first kind listed wins ('prior to
discharge' is later, 'prior to admission' earlier)."""
_CHANGE = re.compile(
    r"\b(?:rose|rising|increased|increasing|decreased|decreasing|fell|falling|dropped|declined|"
    r"improved|worsened|peaked|climbed|trended|normali[sz]ed|corrected|went\s+(?:up|down))\b",
    re.I,
)
"""A change verb: the value it reaches ('rose to 2.3', 'peaked at 4.1') is a later one."""
_REACHED = re.compile(r"\b(?:to|at)\s*$", re.I)
_OWN_ONLY = re.compile(r"\bbaseline\b", re.I)
"""Words that date only the value they are attached to: 'baseline creatinine 0.9' is a value
before the illness, but 'Baseline investigations showed ...' opens the first work-up."""
_BASELINE_LABEL = re.compile(r"\bbaseline\s+(?:\S+\s+){0,2}(?:was|were|is|of|at|:|=)?\s*$", re.I)
"""'baseline' naming the value's own label just before it ('baseline serum creatinine of')."""
_CONNECTIVE = re.compile(
    r"(?<!prior\s)(?<!due\s)(?<!up\s)\bto\b|\b(?:and|then|but|while|whereas|with|from)\b|[,;(]",
    re.I,
)
_SENTENCE = re.compile(r"[.!?](?=\s)|\n")
_HEADING = re.compile(r"^[^\n.]{2,80}:\s*$", re.M)
_OTHER_TIME = re.compile(
    r"\b(?:latest|most\s+recent|last|current(?:ly)?|now|final|repeat|follow-?up|discharge|"
    r"baseline|prior|previous|peak|highest|lowest|maximum|minimum|worst|best|nadir|after|"
    r"day\s*\d+|\d+\s*(?:hours?|days?)\s+(?:later|after))\b",
    re.I,
)


@dataclass(frozen=True)
class TimeReading:
    """When one value was measured, as far as the note's words say."""

    when: When | None
    """None: no time words attach to the value."""
    cue: str = ""
    """The words read, as written."""
    scope: Literal["own", "sentence", "heading", ""] = ""
    """Whose words they are: the value's own, its sentence's opening, a heading's."""


def wanted(question: str) -> When | None:
    """The time the question asks a value at: 'presentation' unless it names another time.

    >>> wanted("What is the patient's creatinine clearance?")
    'presentation'
    >>> wanted("Using the most recent creatinine, what is the eGFR?") is None
    True
    """
    return None if _OTHER_TIME.search(question) else "presentation"


def _cue(text: str) -> tuple[When, str] | None:
    """The first time words in `text` and what they say."""
    best: tuple[int, When, str] | None = None
    for when, pattern in _CUES:
        m = pattern.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), when, m.group(0).strip())
    return None if best is None else (best[1], best[2])


def _sentence_bounds(note: str, pos: int) -> tuple[int, int]:
    start = 0
    for m in _SENTENCE.finditer(note, 0, pos):
        start = m.end()
    m = _SENTENCE.search(note, pos)
    return start, (m.start() if m else len(note))


def _heading_before(note: str, pos: int) -> str:
    """The nearest heading line ('Labs on admission:') above `pos` in its paragraph."""
    paragraph = note.rfind("\n\n", 0, pos)
    found = ""
    for m in _HEADING.finditer(note, max(paragraph, 0), pos):
        found = m.group(0)
    return found


def time_of(note: str, start: int, end: int, others: Sequence[tuple[int, int]]) -> TimeReading:
    """When the value at `note[start:end]` was measured; `others` are the spans of the note's
    other numbers (neighbours whose words are their own).

    >>> note = "Creatinine rose from 1.2 mg/dL on admission to 2.3 mg/dL on day 3."
    >>> spans = [(21, 30), (47, 56)]
    >>> time_of(note, 21, 30, spans).when, time_of(note, 47, 56, spans).when
    ('presentation', 'later')
    >>> time_of("On day 3, creatinine was 2.3 mg/dL.", 25, 34, []).when
    'later'
    """
    s_start, s_end = _sentence_bounds(note, start)
    before = max([s_start, *(e for s, e in others if e <= start and e > s_start)])
    after = min([s_end, *(s for s, e in others if s >= end and s < s_end)])
    gap_after = note[end:after]
    cut = _CONNECTIVE.search(gap_after)
    own_after = gap_after[: cut.start()] if cut else gap_after
    gap_before = note[before:start]
    cuts = list(_CONNECTIVE.finditer(gap_before))
    own_before = gap_before[cuts[-1].start() :] if cuts else gap_before
    if not _BASELINE_LABEL.search(own_before):
        own_before = _OWN_ONLY.sub(" ", own_before)
    for text in (own_after, own_before):
        found = _cue(text)
        if found:
            return TimeReading(found[0], found[1], "own")
    change = _CHANGE.search(note[s_start:start])
    if change and _REACHED.search(own_before):
        return TimeReading("later", f"{change.group(0)} ... {own_before.strip()}", "own")
    first = min([start, *(s for s, _ in others if s_start <= s < start)])
    found = _cue(_OWN_ONLY.sub(" ", note[s_start:first]))
    if found:
        return TimeReading(found[0], found[1], "sentence")
    found = _cue(_OWN_ONLY.sub(" ", _heading_before(note, s_start)))
    if found:
        return TimeReading(found[0], found[1], "heading")
    return TimeReading(None)


def at_presentation(readings: Sequence[TimeReading]) -> list[int]:
    """Indexes of the readings taken at presentation: those that say so, else (when some other
    reading says later or earlier) those that say nothing; [] when the words decide nothing."""
    said = [i for i, r in enumerate(readings) if r.when == "presentation"]
    if said:
        return said
    if any(r.when in ("later", "earlier") for r in readings):
        return [i for i, r in enumerate(readings) if r.when is None]
    return []
