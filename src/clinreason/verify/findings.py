"""Findings in text: what a sentence asserts about the patient, and whether a note negates it.

Negation in the note follows the shared NegEx-style rules (`clinreason.tools.negation`): a
trigger ('no', 'denies', 'without', 'negative for', ...) negates the words after it in the same
clause until a terminator ('but', 'however', ';'); a post-trigger ('was ruled out', 'is
absent') negates the words before it.

>>> note = "He denies chest pain but reports dyspnea. No fever."
>>> [(o.negated) for o in find_in_note("chest pain", note)]
[True]
>>> [(o.negated) for o in find_in_note("shortness of breath", note)]
[False]
>>> [(f.text, f.present) for f in asserted_findings("She presents with fever, cough and no rash.")]
[('fever', True), ('cough', True), ('rash', False)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clinreason.tools.negation import (
    BOTH,
    HYPOTHETICAL,
    LIST_OPENER,
    NEGATIONS,
    PRE_OBJECT,
    alternation,
    clause_cues,
    is_negated,
    mentions_relative,
)
from clinreason.verify.text import normalize, sentences

_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "his",
        "her",
        "their",
        "its",
        "this",
        "that",
        "these",
        "those",
        "some",
        "any",
        "mild",
        "moderate",
        "severe",
        "acute",
        "chronic",
        "new",
        "recent",
        "recently",
        "worsening",
        "progressive",
        "significant",
        "marked",
        "persistent",
        "intermittent",
        "occasional",
        "prior",
        "previous",
        "known",
        "patient",
        "patients",
        "pt",
        "is",
        "was",
        "are",
        "were",
        "has",
        "have",
        "had",
        "be",
        "been",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "and",
        "or",
        "s",
    ]
)
_SYNONYMS = {
    "dyspnea": ("shortness of breath", "breathlessness", "sob", "dyspnoea"),
    "fever": ("febrile", "pyrexia", "pyrexial"),
    "hypertension": ("high blood pressure", "htn"),
    "myocardial infarction": ("heart attack", "mi"),
    "diabetes": ("diabetes mellitus", "dm", "diabetic"),
    "vomiting": ("emesis",),
    "syncope": ("fainting", "passed out", "loss of consciousness"),
    "edema": ("oedema", "swelling"),
    "headache": ("cephalgia",),
    "chest pain": ("angina", "chest discomfort"),
    "heart failure": ("chf", "congestive heart failure", "cardiac failure"),
    "stroke": ("cva", "cerebrovascular accident"),
    "tachycardia": ("tachycardic",),
    "jaundice": ("icterus", "jaundiced"),
}
_SYN_INDEX: dict[str, tuple[str, ...]] = {}
for _head, _alts in _SYNONYMS.items():
    _group = (_head, *_alts)
    for _term in _group:
        _SYN_INDEX[_term] = _group


def _stem(word: str) -> str:
    w = word.lower()
    for suffix in ("ness", "ing", "ed", "es", "s"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix) and not w.endswith("ss"):
            return w[: -len(suffix)]
    return w


def content_words(text: str) -> list[str]:
    """Stemmed content words (no stop words, no numbers).

    >>> content_words("a severe crushing chest pain")
    ['crush', 'chest', 'pain']
    """
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", normalize(text))
    return [_stem(w) for w in words if w.lower() not in _STOP]


_ABSENCE_NAME = re.compile(r"(?i)\babsen(?:t|ce)\b|^\W*(?:no|without)\b")


def names_an_absence(name: str) -> bool:
    """Whether a criterion is named as an absence, so that it is true where the note negates
    the finding.

    >>> names_an_absence("Absence of cough or coryza"), names_an_absence("Cough Absent")
    (True, True)
    >>> names_an_absence("Hemoptysis")
    False
    """
    return bool(_ABSENCE_NAME.search(name))


@dataclass(frozen=True)
class Occurrence:
    """Where a finding occurs in the note, and whether it is negated there."""

    start: int
    end: int
    sentence: str
    negated: bool
    affirmed: bool = True
    """False when a negation word precedes it in its clause (a weaker reading)."""


def _variants(phrase: str) -> list[list[str]]:
    key = " ".join(phrase.lower().split())
    bare = " ".join(w for w in key.split() if w not in _STOP)
    group = _SYN_INDEX.get(key) or _SYN_INDEX.get(bare) or (key,)
    out = []
    for term in group:
        words = content_words(term)
        if words:
            out.append(words)
    return out


def find_in_note(phrase: str, note: str) -> list[Occurrence]:
    """Occurrences of a finding (all its content words close together in one sentence)."""
    out: list[Occurrence] = []
    for offset, sentence in sentences(normalize(note)):
        tokens = [
            (m.start(), m.end(), _stem(m.group(0)))
            for m in re.finditer(r"[A-Za-z][A-Za-z'-]*", sentence)
        ]
        for words in _variants(phrase):
            need = set(words)
            width = len(words) + 3
            for i in range(len(tokens)):
                window = tokens[i : i + width]
                if tokens[i][2] not in need:
                    continue
                if need <= {t[2] for t in window}:
                    last = max(t[1] for t in window if t[2] in need)
                    start = tokens[i][0]
                    negated = is_negated(sentence, start, last)
                    affirmed = not negated and not any(
                        c.kind in NEGATIONS for c in clause_cues(sentence, start)
                    )
                    out.append(
                        Occurrence(offset + start, offset + last, sentence, negated, affirmed)
                    )
                    break
    return out


@dataclass(frozen=True)
class Finding:
    """A finding a sentence asserts about the patient (present or absent)."""

    text: str
    present: bool


_CUE = (
    r"(?:has|had|have|having|presents?\s+with|presented\s+with|presenting\s+with|"
    r"(?:patient|man|woman|boy|girl|child|infant|male|female)\s+with|reports?|reported|"
    r"reporting|complains?\s+of|complained\s+of|complaining\s+of|exhibits?|exhibited|shows?|"
    r"showed|showing|reveal(?:s|ed|ing)?|demonstrates?|demonstrated|(?:a\s+)?history\s+of|positive\s+for|"
    r"found\s+to\s+have|evidence\s+of|notable\s+for|significant\s+for|suffers?\s+from|"
    r"developed|experienc(?:es?|ing)|describes?|endorses?|endorsed|noted\s+to\s+have|"
    r"there\s+(?:is|was|are|were)(?:\s+(?:also|now))?)"
)
_NEG_CUE = (
    r"(?:(?:has|had|have|with)\s+)?(?:(?:does|did|do)\s+not\s+(?:have|experience)|\w+n't\s+have|"
    rf"{alternation(PRE_OBJECT, BOTH)})"
    rf"(?:{LIST_OPENER.pattern}|\s+reported)?"
)
"""A negative claim opens with a shared negation that takes the finding as its object ('denies',
'has no', 'no history of', 'does not have'); 'not', 'never', 'none' negate a verb or stand
alone ('is not reported', 'none of the criteria')."""
_PRE = re.compile(rf"(?i)\b(?:(?P<neg>{_NEG_CUE})|(?P<pos>{_CUE}))\s+")
_POST = re.compile(
    r"(?i)(?P<what>[A-Za-z][A-Za-z' -]{2,40}?)\s+(?:is|was|are|were)\s+(?:(?P<pos>present|"
    r"noted|seen|observed|documented|evident|found)|(?P<neg>absent|not\s+present|not\s+seen|"
    r"denied|ruled\s+out))\b"
)
_HEDGE = re.compile(
    rf"(?i)(?<![\w-])(?:{alternation(HYPOTHETICAL)}|likely|probably|may|might|could|suspect\w*|"
    r"consider\w*|would|whether|suggest\w*|consistent|risk|differential|unlikely|typical\w*|"
    r"classic\w*|often|usually|can|cause[sd]?|associated)\b"
)
"""A hedged sentence asserts nothing: the shared hypothetical cues and the modal words of
reasoning text ('likely', 'may', 'suggests')."""
_PREMISE = re.compile(
    r"(?i)\b(?:because|since|given(?:\s+that)?|due\s+to|"
    r"as(?=\s+(?:there|the|he|she|they|his|her|this|its|no)\b))\s+"
)
"""A reason clause states its premise as a fact whatever the main clause hedges: in 'B is
unlikely because the patient has no fever' the hedge is about B, not about the fever."""
_CUT = re.compile(
    r"(?i)\b(?:and|or|but|which|that|who|suggest\w*|consistent|indicat\w*|so|with|without|"
    r"since|because|as|in|on|at|for|after|before|over|during|while|to|from|than|is|was|are|"
    r"were|has|had|despite|making|raising|points?|given|along|plus)\b|,"
)


_AS_ABSENT = re.compile(
    r"(?i)\b(?:as|to\s+be|is|was|are|were)\s+['\"‘’“”]?(?:absent|false|negative|not\s+present)\b"
)


_UNDOCUMENTED = re.compile(
    r"(?i)(?:\b(?:note|record|chart|documentation|text)\b[^,;.]*\bnot\b[^,;.]*|"
    r"\b(?:is|are|was|were)\s+not\s+)(?:report\w*|describ\w*|mention\w*)"
)
"""A negated reporting verb about the record ('the note does not report', 'is not reported')."""


_DETERMINER = re.compile(r"(?i)(?:the|a|an|his|her|their|this|that|these|those)\b")
_NEG_PART = re.compile(rf"(?i)(?:{_NEG_CUE}|not)\s+")


def _negated_before(before: str) -> bool:
    """A negation earlier in the same comma-delimited clause ('does not have (a) history of',
    'is not reported to have')."""
    chunk = re.split(r"[,;.]", before)[-1]
    return any(c.kind in (*NEGATIONS, "post") for c in clause_cues(chunk, len(chunk)))


def _split(rest: str, present: bool) -> list[Finding]:
    rest = re.split(r"[.;:()\n]", rest)[0]
    parts = re.split(r"(?i),\s*(?:and\s+|or\s+)?|\s+(?:and|or|nor)\s+", rest)
    out = []
    for i, part in enumerate(parts[:5]):
        if i > 0 and _DETERMINER.match(part.strip()):
            break  # "no rash, and the ECG shows ...": a new clause, not a list item
        negated = _NEG_PART.match(part.strip())
        piece = part.strip()[negated.end() :] if negated else part.strip()
        piece = re.sub(r"(?i)^any\s+", "", piece)
        m = _CUT.search(piece)
        piece = piece[: m.start()] if m else piece
        piece = piece.strip(" -'")
        if not piece or re.search(r"\d", piece) or not content_words(piece):
            if i == 0:
                return []
            break
        if len(piece.split()) > 5 or mentions_relative(piece):
            break
        out.append(Finding(piece, False if negated else present))
    return out


def _asserted_part(sentence: str) -> str | None:
    """The part of a sentence that asserts facts: all of it, or in a hedged sentence the reason
    clause after its first 'because'/'since'/'given that'/'as there' (None: nothing asserted).

    >>> _asserted_part("B is unlikely because the patient has no fever.")
    'the patient has no fever.'
    >>> _asserted_part("B is likely because fever may suggest it.") is None
    True
    """
    if not _HEDGE.search(sentence):
        return sentence
    premise = _PREMISE.search(sentence)
    if premise is None or _HEDGE.search(sentence[premise.end() :]):
        return None
    return sentence[premise.end() :]


def asserted_findings(text: str) -> list[Finding]:
    """Findings a reasoning text asserts as present or absent (hedged sentences are skipped)."""
    out: list[Finding] = []
    for _, whole in sentences(normalize(text)):
        sentence = _asserted_part(whole)
        if sentence is None:
            continue
        cues = list(_PRE.finditer(sentence))
        for k, m in enumerate(cues):
            end = cues[k + 1].start() if k + 1 < len(cues) else len(sentence)
            rest = sentence[m.end() : end]
            present = m.group("pos") is not None
            before = sentence[max(0, m.start() - 40) : m.start()]
            if mentions_relative(re.split(r"[,;]|\band\b", before)[-1] + m.group(0)):
                continue  # a relative's history is not the patient's
            if present and _negated_before(before):
                if _UNDOCUMENTED.search(before + m.group(0)):
                    continue  # 'the note does not report X' says nothing about X
                present = False  # 'does not have (a) history of X'
            if present and _AS_ABSENT.search(rest):
                present = False
            out.extend(_split(rest, present))
        for m in _POST.finditer(sentence):
            what = m.group("what").strip()
            what = re.split(r"(?i)\b(?:the|a|an|his|her|their)\s+", what)[-1].strip()
            if content_words(what) and not re.search(r"\d", what):
                out.append(Finding(what, m.group("pos") is not None))
    seen: set[tuple[str, bool]] = set()
    unique = []
    for f in out:
        key = (" ".join(content_words(f.text)), f.present)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique
