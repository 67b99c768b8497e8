"""Is a finding an argument relies on actually stated in the case text?

A deliberately simple, inspectable check: normalized word overlap with negation.

1. Text is lower-cased and split into words (numbers keep their decimals: `38.5`).
2. Stop words and single letters (an option label such as `C`, or the `C` of `37.2 °C`) are
   dropped; each remaining word is reduced to a crude stem (plural `s`
   removed; words longer than 6 letters cut to their first 6, so `elevated` ~ `elevation`);
   a stem of 4+ letters also matches a longer stem it begins (`stiff` ~ `stiffness`).
3. A word is *negated* where clinreason's shared context rules (`clinreason.tools.negation`)
   say so in its sentence ("no fever", "denies chest pain or dyspnea", "rash was absent").
4. A finding is present when at least `min_overlap` of its content words occur in the case
   text with the same polarity (a finding `fever` is not supported by `no fever`).

The result records matched, missing and negated words, so the reason for an attack is
reviewable.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property

from clinreason.tools.negation import is_negated

_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_SENTENCE = re.compile(r"[.;:!?\n]+(?!\d)")
_NEGATION = frozenset(  # negation words are not content words (their scope: tools.negation)
    re.split(
        r"\s+",
        "no not denies denied deny without absent absence non never none nor neither lacks lacking",
    )
)
_STOP_WORDS = """
a an the and or of in on at to for with by from as is are was were be been has have had
this that these those it its his her their he she they patient patients pt which who
there shows showed show reveals revealed presents presented presenting history
case note notes also very than then into over under about after before during
per s y o yo year years old
"""
_STOP = frozenset(_STOP_WORDS.split()) | _NEGATION


def _stem(word: str) -> str:
    if word[0].isdigit():
        return word
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:6] if len(word) > 6 else word


def _tagged(text: str) -> list[tuple[str, bool, str]]:
    """(stem, negated, word) for every content word of `text`."""
    out: list[tuple[str, bool, str]] = []
    for sentence in _SENTENCE.split(text.lower()):
        for m in _WORD.finditer(sentence):
            word = m.group()
            if word in _STOP or (len(word) == 1 and not word.isdigit()):
                continue
            out.append((_stem(word), is_negated(sentence, m.start(), m.end()), word))
    return out


def content_words(text: str) -> list[str]:
    """The normalized content words (stems) of `text`, in order.

    >>> content_words("The patient denies fevers; BP 140/90.")
    ['fever', 'bp', '140', '90']
    """
    return [stem for stem, _, _ in _tagged(text)]


@dataclass(frozen=True)
class TextMatch:
    """How well one finding matches the case text."""

    finding: str
    present: bool
    overlap: float
    """Fraction of the finding's content words found with the same polarity."""
    matched: tuple[str, ...] = ()
    """Content words of the finding found in the case text (as written in the finding)."""
    missing: tuple[str, ...] = ()
    negated: tuple[str, ...] = ()
    """Words that occur in the case text only with the opposite polarity (e.g. 'no fever')."""

    def reason(self) -> str:
        """Why the finding counts as present or absent, in one sentence."""
        total = len(self.matched) + len(self.missing)
        if total == 0:
            return f'"{self.finding}" names no checkable finding (no content words)'
        head = f'{len(self.matched)}/{total} words of "{self.finding}" found in the case text'
        if self.present:
            return head
        extra = []
        if self.negated:
            extra.append("negated in the text: " + ", ".join(self.negated))
        plain = [w for w in self.missing if w not in self.negated]
        if plain:
            extra.append("missing: " + ", ".join(plain))
        return head + (" (" + "; ".join(extra) + ")" if extra else "")


@dataclass(frozen=True)
class CaseText:
    """The searchable text of one case (its note and question, not the options).

    >>> ct = CaseText("Fever and neck stiffness. No rash.")
    >>> ct.check("neck stiffness").present, ct.check("rash").present
    (True, False)
    >>> ct.check("rash").reason()
    '0/1 words of "rash" found in the case text (negated in the text: rash)'
    >>> ct.check("no rash").present
    True
    >>> ct.check("C").reason()  # an option letter is not a finding
    '"C" names no checkable finding (no content words)'
    """

    text: str
    min_overlap: float = 0.6

    @cached_property
    def _index(self) -> set[tuple[str, bool]]:
        return {(stem, neg) for stem, neg, _ in _tagged(self.text)}

    @cached_property
    def _sorted(self) -> dict[bool, list[str]]:
        return {neg: sorted(s for s, n in self._index if n == neg) for neg in (False, True)}

    def _has(self, stem: str, negated: bool) -> bool:
        if (stem, negated) in self._index:
            return True
        if len(stem) < 4 or stem[0].isdigit():
            return False
        stems = self._sorted[negated]
        i = bisect_left(stems, stem)
        return i < len(stems) and stems[i].startswith(stem)

    def check(self, finding: str) -> TextMatch:
        """Whether `finding` is stated in the text, with the words that decide it."""
        words = list({(s, neg): w for s, neg, w in _tagged(finding)}.items())
        found = {key for key, _ in words if self._has(*key)}
        matched = tuple(w for key, w in words if key in found)
        missing = tuple(w for key, w in words if key not in found)
        negated = tuple(
            w for (s, neg), w in words if (s, neg) not in found and self._has(s, not neg)
        )
        overlap = len(matched) / len(words) if words else 0.0
        present = bool(words) and overlap >= self.min_overlap
        return TextMatch(finding, present, round(overlap, 3), matched, missing, negated)
