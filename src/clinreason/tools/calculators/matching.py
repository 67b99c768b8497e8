"""Deterministic choice of a calculator from a question: normalized name/alias matching.

Every calculator's display name and aliases are normalized (lower case, Unicode folded,
punctuation to spaces, 'ₒ₂' -> '2') and searched as whole-word phrases in the normalized question.
Overlapping matches keep only the longest phrase (so 'albumin corrected anion gap' hides the
'anion gap' inside it). A calculator's score is the total length of its distinct surviving
phrases (a phrase inside another of its own phrases is not counted twice); the confidence
returned is its share of all calculators' scores.

Formula-family rule: the five QTc calculators share the phrase 'corrected QT'; when a question
mentions QT/QTc, a formula name (Bazett, Fridericia, Framingham, Hodges, Rautaharju) selects the
member, and a bare 'QTc' defaults to Bazett (the most widely used correction).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from clinreason.tools.calculators.base import Calculator

_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def normalize(text: str) -> str:
    """Lower-case, fold accents and sub/superscripts, turn punctuation into spaces."""
    text = unicodedata.normalize("NFKD", text.translate(_SUBSCRIPTS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("'s ", " ").replace("’s ", " ").replace("'", "").replace("’", "")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return f" {' '.join(text.split())} "


_QT_FORMULAS = {
    11: ("bazett",),
    56: ("fridericia", "fredericia"),
    57: ("framingham",),
    58: ("hodges", "hodge"),
    59: ("rautaharju",),
}
_QT_MENTION = re.compile(r" (qtc|qt|corrected qt|qt interval|qt c) ")


def _phrases(calc: Calculator) -> set[str]:
    out = {normalize(calc.name).strip()}
    out.update(normalize(a).strip() for a in calc.aliases)
    return {p for p in out if p}


def find_calculator(
    question: str, calculators: Iterable[Calculator]
) -> list[tuple[Calculator, float]]:
    """Rank calculators by how much of the question their names/aliases explain.

    Args:
        question: the question text (the patient note is better left out).
        calculators: candidates (normally `CALCULATORS.values()`).

    Returns:
        (calculator, confidence) pairs, best first; confidences sum to 1; empty if nothing matched.
    """
    text = normalize(question)
    calcs = list(calculators)
    by_id = {c.id: c for c in calcs}
    if _QT_MENTION.search(text):
        qt_ids = [
            cid
            for cid, names in _QT_FORMULAS.items()
            if cid in by_id and any(f" {n} " in text for n in names)
        ]
        if (
            not qt_ids
            and 11 in by_id
            and not re.search(r" (framingham|hodges?|rautaharju|fridericia|fredericia) ", text)
        ):
            qt_ids = [11]
        if len(qt_ids) == 1:
            return [(by_id[qt_ids[0]], 1.0)]
    hits: list[tuple[int, int, int, str]] = []  # (start, end, calculator id, phrase)
    for calc in calcs:
        for phrase in _phrases(calc):
            for m in re.finditer(re.escape(f" {phrase} "), text):
                hits.append((m.start() + 1, m.end() - 1, calc.id, phrase))
    # keep only maximal spans: drop a hit strictly inside a longer hit of another calculator
    kept = [
        h
        for h in hits
        if not any(
            o[2] != h[2] and o[0] <= h[0] and h[1] <= o[1] and (o[1] - o[0]) > (h[1] - h[0])
            for o in hits
        )
    ]
    phrases: dict[int, set[str]] = {}
    for _, _, cid, phrase in kept:
        phrases.setdefault(cid, set()).add(phrase)
    score = {
        cid: sum(len(p) for p in ps if not any(p != q and f" {p} " in f" {q} " for q in ps))
        for cid, ps in phrases.items()
    }
    total = sum(score.values())
    if total == 0:
        return []
    first = {cid: min(h[0] for h in kept if h[2] == cid) for cid in score}
    ranked = sorted(score, key=lambda cid: (-score[cid], first[cid], cid))
    return [(by_id[cid], score[cid] / total) for cid in ranked]
