"""Tokenising and normalising clinical text for dictionary matching (pure functions)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")
_SENTENCE_BREAK = re.compile(r"[.;!?]|\n\s*\n")
_PHRASE_BREAK = re.compile(r"[.;:!?,()\[\]{}\"]|\n")

# British -> American spellings frequent in clinical notes (whole tokens or prefixes).
_SPELLING_PREFIX = (
    ("haem", "hem"),
    ("oesophag", "esophag"),
    ("oedem", "edem"),
    ("paed", "ped"),
    ("foet", "fet"),
    ("dyspnoea", "dyspnea"),
    ("apnoea", "apnea"),
    ("anaem", "anem"),
    ("leukaem", "leukem"),
    ("ischaem", "ischem"),
    ("hypoglycaem", "hypoglycem"),
    ("hyperglycaem", "hyperglycem"),
)
_SPELLING_WORD = {
    "tumour": "tumor",
    "behaviour": "behavior",
    "behavioural": "behavioral",
    "colour": "color",
    "dilatation": "dilation",
    "oedema": "edema",
    "diarrhoea": "diarrhea",
    "grey": "gray",
    "centre": "center",
}
_KEEP_S = ("ss", "us", "is", "as", "os")


@dataclass(frozen=True)
class Token:
    """One word of the text with its character offsets and normal form."""

    text: str
    start: int
    end: int
    norm: str
    sentence_break: bool
    """A sentence boundary (. ; ! ? or a blank line) lies between this token and the previous."""
    phrase_break: bool
    """Any punctuation (including commas and parentheses) lies before this token."""


def stem(word: str) -> str:
    """Lower case, American spelling, plural stripped.

    >>> [stem(w) for w in ["Seizures", "difficulties", "reflexes", "ptosis", "anaemia", "cysts"]]
    ['seizure', 'difficulty', 'reflex', 'ptosis', 'anemia', 'cyst']
    >>> [stem(w) for w in ["hypokalaemia", "Hypernatraemic", "uraemia"]]
    ['hypokalemia', 'hypernatremic', 'uremia']
    """
    w = word.lower().replace("'s", "")
    w = _SPELLING_WORD.get(w, w)
    for old, new in _SPELLING_PREFIX:
        if w.startswith(old):
            w = new + w[len(old) :]
            break
    w = w.replace("aemi", "emi")  # hypokalaemia, uraemic, septicaemia
    if len(w) > 3:
        if w.endswith("ies"):
            w = w[:-3] + "y"
        elif w.endswith(("sses", "xes", "ches", "shes", "zes")):
            w = w[:-2]
        elif w.endswith("s") and (w.endswith(("omas", "ias")) or not w.endswith(_KEEP_S)):
            w = w[:-1]
    return _SPELLING_WORD.get(w, w)


def tokenize(text: str) -> list[Token]:
    """Words with offsets and the punctuation that precedes each.

    >>> [(t.norm, t.phrase_break) for t in tokenize("No fever, chills.")]
    [('no', False), ('fever', False), ('chill', True)]
    """
    out: list[Token] = []
    prev_end = 0
    for m in _TOKEN.finditer(text):
        gap = text[prev_end : m.start()]
        out.append(
            Token(
                text=m.group(),
                start=m.start(),
                end=m.end(),
                norm=stem(m.group()),
                sentence_break=bool(out) and bool(_SENTENCE_BREAK.search(gap)),
                phrase_break=bool(out) and bool(_PHRASE_BREAK.search(gap)),
            )
        )
        prev_end = m.end()
    return out


def normalize(text: str) -> tuple[str, ...]:
    """Normal form of a name: the stems of its words (parenthesised parts removed).

    >>> normalize("Low-set ears (bilateral)")
    ('low', 'set', 'ear')
    """
    text = re.sub(r"\([^)]*\)", " ", text)
    return tuple(stem(m.group()) for m in _TOKEN.finditer(text))
