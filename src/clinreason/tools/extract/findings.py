"""Yes/no findings (history of CHF, hemoptysis, active cancer, ...) by keyword + context rules.

`mentions(note, key)` finds every phrase of the finding's term list (see `findings_terms`) with
its context: negated ("no history of stroke", also the later items of a negated list), about a
relative ("mother had breast cancer") or hypothetical ("to rule out PE"). `judge(note, key)`
turns those into a value:

- an affirmed mention (not negated, family, hypothetical or remote) -> True, with its span;
- only negated mentions -> False, with the span of the negation;
- a mention dated a year or more ago does not count for items bound to a recent period;
- no mention (or only family/hypothetical/remote ones) -> None: "not mentioned"; the caller records
  the calculator's default as an explicit assumption.

Besides the lists' own phrases, the other HPO names of the terms a list names are mentions too
(`terminology.hpo_names`: HPO's labels and EXACT synonyms through the shared `hp.obo` loader);
such a mention says which HPO name matched (`Mention.via`, and the extraction's note).

These rules are deliberately simple and general; the `calculator` strategy asks the language
model to judge mentions in context when a backend is available.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from clinreason.tools.extract._core import Found, sentence_at, span
from clinreason.tools.extract.findings_terms import (
    ABSENCE_TERMS,
    CHOICE_TERMS,
    INVERSE_TERMS,
    RECENT_KEYS,
    TERMS,
)
from clinreason.tools.extract.negation import (
    is_family,
    is_hypothetical,
    is_negated,
    is_remote,
    same_list,
)
from clinreason.tools.extract.terminology import HpoName, hpo_names, inside_other_term
from clinreason.trace import Span


@dataclass(frozen=True)
class Mention:
    """One occurrence of a finding's term in the note."""

    span: Span
    negated: bool
    family: bool
    hypothetical: bool
    remote: bool = False
    """Dated a year or more ago, for an item bound to a recent period."""
    via: str = ""
    """The HPO name that matched, when not one of the list's own phrases."""

    @property
    def affirmed(self) -> bool:
        """The patient has it (recently enough, where that matters), as far as the words say."""
        return not (self.negated or self.family or self.hypothetical or self.remote)


@functools.lru_cache(maxsize=512)
def _pattern(key: str, absence: bool = False) -> re.Pattern[str] | None:
    """The finding's terms as one regex (or its `ABSENCE_TERMS` phrases with `absence`)."""
    terms = ABSENCE_TERMS.get(key, ()) if absence else _fragments(key)
    if not terms:
        return None
    sensitive = [t[3:] for t in terms if t.startswith("(C)")]
    insensitive = [t for t in terms if not t.startswith("(C)")]
    parts = []
    if insensitive:
        parts.append("(?i:(?<![\\w-])(?:" + "|".join(insensitive) + ")(?![\\w-]))")
    if sensitive:
        parts.append("(?<![\\w-])(?:" + "|".join(sensitive) + ")(?![\\w-])")
    return re.compile("|".join(parts))


def _fragments(key: str) -> tuple[str, ...]:
    return TERMS.get(key) or INVERSE_TERMS.get(key) or CHOICE_TERMS.get(key) or ()


def _matches(note: str, key: str, pattern: re.Pattern[str]) -> list[tuple[int, int, str]]:
    """(start, end, via) of the list's phrases, then of the HPO names no phrase overlaps."""
    out = [(m.start(), m.end(), "") for m in pattern.finditer(note)]
    extra: list[tuple[int, int, HpoName]] = []
    names = hpo_names(_fragments(key))
    named = frozenset(n.term for n in names)
    for name in names:
        extra.extend(
            (m.start(), m.end(), name)
            for m in name.pattern.finditer(note)
            if not inside_other_term(note, m.start(), m.end(), named)
        )
    for start, end, name in sorted(extra, key=lambda x: (x[0], x[0] - x[1])):
        if not any(s < end and start < e for s, e, _ in out):
            out.append((start, end, name.describe()))
    return sorted(out)


def has_terms(key: str) -> bool:
    """Whether a keyword list exists for this entity name."""
    return key in TERMS or key in INVERSE_TERMS or key in CHOICE_TERMS


def is_inverse(key: str) -> bool:
    """Whether the finding is stated as an absence ('Cough Absent')."""
    return key in INVERSE_TERMS


def mentions(note: str, key: str) -> list[Mention]:
    """Every mention of the finding `key` (a MedCalc-Bench entity name) in note order.

    >>> [m.negated for m in mentions("No history of stroke. Prior CVA in 2010.", "Stroke")]
    [True, False]
    """
    pattern = _pattern(key)
    if pattern is None:
        return []
    absent = _pattern(key, absence=True)
    stated_absent = list(absent.finditer(note)) if absent else []
    recent = key in RECENT_KEYS

    def mention(start: int, end: int, negated: bool, via: str = "") -> Mention:
        return Mention(
            span=span(note, start, end),
            negated=negated,
            family=is_family(note, start),
            hypothetical=is_hypothetical(note, start),
            remote=recent and is_remote(note, start),
            via=via,
        )

    out: list[Mention] = []
    for start, end, via in _matches(note, key, pattern):
        if any(a.start() < end and start < a.end() for a in stated_absent):
            continue  # "smoking" in "quit smoking": the phrase states the absence
        negated = is_negated(note, start, end) or bool(
            out and out[-1].negated and same_list(note, out[-1].span.end, start)
        )
        out.append(mention(start, end, negated, via))
    out += [mention(a.start(), a.end(), True) for a in stated_absent]
    return sorted(out, key=lambda x: x.span.start)


def judge(note: str, key: str) -> Found | None:
    """True/False from the words of the note, or None when the finding is not mentioned.

    >>> judge("She has a history of hypertension.", "Hypertension history").value
    True
    >>> judge("He denies any history of hypertension.", "Hypertension history").value
    False
    >>> judge("Her father had hypertension.", "Hypertension history") is None
    True
    """
    found = mentions(note, key)
    if key in INVERSE_TERMS:
        return _judge_inverse(note, found)
    for m in found:
        if m.affirmed:
            via = f" ({m.via})" if m.via else ""
            return Found(True, None, m.span, note=f"mentioned as present{via}")
    for m in found:
        if m.negated and not m.family and not m.hypothetical:
            s_start, _ = sentence_at(note, m.span.start)
            ev = span(note, max(s_start, m.span.start - 40), m.span.end)
            return Found(False, None, ev, note="mentioned as absent")
    return None


def _judge_inverse(note: str, found: list[Mention]) -> Found | None:
    for m in found:
        if m.affirmed:
            return Found(False, None, m.span, note="the absent finding is mentioned as present")
    for m in found:
        if m.negated and not m.family and not m.hypothetical:
            s_start, _ = sentence_at(note, m.span.start)
            ev = span(note, max(s_start, m.span.start - 40), m.span.end)
            return Found(True, None, ev, note="stated as absent")
    return None


def context_sentences(note: str, spans: list[Span], limit: int = 3) -> list[Span]:
    """The sentences around mention spans (deduplicated, in note order, at most `limit`)."""
    seen: dict[int, Span] = {}
    for s in spans:
        a, b = sentence_at(note, s.start)
        if a not in seen:
            seen[a] = span(note, a, b)
        if len(seen) >= limit:
            break
    return [seen[k] for k in sorted(seen)]
