"""Tokenising and normalising clinical text for dictionary matching (pure functions)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")
_PARENS = re.compile(r"\([^)]*\)")
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
# General British -> American endings (applied to text and names alike, so a rare over-reach
# only merges two spellings of one word): generalised, paralysed, fibre, orthopaedic.
_BRITISH_ENDINGS = (
    (re.compile(r"(?<=[a-z]{4})is(e|ed|es|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"([bt])re(s?)$"), r"\1er\2"),
    (re.compile(r"rrhoea"), "rrhea"),
    (re.compile(r"(?<=[^aeiou])ae(?=[a-z]{2})"), "e"),
)
_NO_IZE = frozenset(
    ("exercise", "otherwise", "precise", "concise", "noise", "rise", "wise", "raise", "arise",
     "praise", "poise", "promise", "compromise", "merchandise", "advise", "revise", "supervise",
     "surprise", "expertise", "demise", "premise")
)  # fmt: skip
"""Words whose -ise is not the British spelling of -ize."""
# Latin and Greek plurals -> singular (words of 4 letters or more, after the spellings).
_CLASSICAL_PLURALS = (
    (re.compile(r"oses$"), "osis"),  # stenoses, exostoses
    (re.compile(r"ae$"), "a"),  # vertebrae, bullae
    (re.compile(r"(?<=[^aeiou])i$"), "us"),  # naevi/nevi, calculi, emboli
)


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


@lru_cache(maxsize=131072)
def stem(word: str) -> str:
    """Lower case, American spelling, plural stripped.

    >>> [stem(w) for w in ["Seizures", "difficulties", "reflexes", "ptosis", "anaemia", "cysts"]]
    ['seizure', 'difficulty', 'reflex', 'ptosis', 'anemia', 'cyst']
    >>> [stem(w) for w in ["hypokalaemia", "Hypernatraemic", "uraemia"]]
    ['hypokalemia', 'hypernatremic', 'uremia']
    """
    return _stem(word.lower().replace("'s", ""))


@lru_cache(maxsize=65536)
def _stem(w: str) -> str:
    w = _SPELLING_WORD.get(w, w)
    for old, new in _SPELLING_PREFIX:
        if w.startswith(old):
            w = new + w[len(old) :]
            break
    w = w.replace("aemi", "emi")  # hypokalaemia, uraemic, septicaemia
    if len(w) > 4 and re.sub(r"is(ed|es|ing)$", "ise", w) not in _NO_IZE:
        for pattern, repl in _BRITISH_ENDINGS:
            w = pattern.sub(repl, w)
    if len(w) >= 4 and not (w.endswith("oses") and len(w) <= 5):
        for pattern, repl in _CLASSICAL_PLURALS:
            if pattern.search(w):
                return pattern.sub(repl, w)
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
    for m in _TOKEN.finditer(fold_accents(text)):
        start, end = m.span()
        gap = text[prev_end:start]
        plain = gap == " " or not out  # a single space (most gaps) breaks nothing
        out.append(
            Token(
                text=text[start:end],
                start=start,
                end=end,
                norm=stem(m.group()),
                sentence_break=not plain and bool(_SENTENCE_BREAK.search(gap)),
                phrase_break=not plain and bool(_PHRASE_BREAK.search(gap)),
            )
        )
        prev_end = end
    return out


def normalize(text: str) -> tuple[str, ...]:
    """Normal form of a name: the stems of its words (parenthesised parts removed).

    >>> normalize("Low-set ears (bilateral)")
    ('low', 'set', 'ear')
    """
    text = fold_accents(text)
    if "(" in text:
        text = _PARENS.sub(" ", text)
    return tuple(map(stem, _TOKEN.findall(text)))


def fold_accents(text: str) -> str:
    """The text with accented letters replaced by their base letter, same length (so offsets
    stay valid): "café-au-lait" -> "cafe-au-lait".

    >>> fold_accents("Café-au-lait, naïve, Sjögren")
    'Cafe-au-lait, naive, Sjogren'
    """
    if text.isascii():
        return text
    return "".join(_fold(c) for c in text)


@lru_cache(maxsize=4096)
def _fold(c: str) -> str:
    base = unicodedata.normalize("NFKD", c)[:1]
    return base if len(base) == 1 and base.isascii() and base.isalpha() else c


def sentence_bounds(tokens: list[Token]) -> list[tuple[int, int]]:
    """For each token, the character span of its sentence (first to last token).

    >>> from clinreason.tools.kg.text import tokenize
    >>> sentence_bounds(tokenize("No fever; cough."))
    [(0, 8), (0, 8), (10, 15)]
    """
    out: list[tuple[int, int]] = []
    first = 0
    for k in range(1, len(tokens) + 1):
        if k == len(tokens) or tokens[k].sentence_break:
            span = (tokens[first].start, tokens[k - 1].end)
            out.extend([span] * (k - first))
            first = k
    return out
