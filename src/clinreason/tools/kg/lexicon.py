"""Word lists of concept recognition: paraphrase vocabulary and vetted clinical abbreviations."""

from __future__ import annotations

import re
from collections.abc import Iterable

from clinreason.tools.kg.text import Token

FILLER = frozenset(("of", "the", "in", "on", "a", "an", "both"))
COPULA = frozenset(("is", "are", "was", "were", "been"))
"""Skipped in the text (not in names) in the other-word-order window: "X is low"."""
MEASURE = frozenset(("circulating", "concentration", "level", "serum", "plasma", "total", "count"))
"""Words of lab names that a note often leaves out ("low lymphocytes", "renin is raised")."""
MODIFIER = {
    **dict.fromkeys(("decreased", "reduced", "low", "diminished", "lowered"), "decreased"),
    **dict.fromkeys(("increased", "elevated", "raised", "high"), "increased"),
}
"""Modifier words by meaning, for the other-word-order window."""
ANALYTE = {
    "kal": "potassium",
    "natr": "sodium",
    "calc": "calcium",
    "magnes": "magnesium",
    "phosphat": "phosphate",
    "chlor": "chloride",
    "glyc": "glucose",
    "uric": "uric acid",
    "ammon": "ammonia",
    "lactat": "lactate",
    "triglycerid": "triglyceride",
}
"""Roots of hypo-/hyper-X-emia names that are not the analyte's English name (else the root)."""
EMIA = re.compile(r"hyp(o|er)([a-z]+?)emia")
PREDICATIVE_NEXT = frozenset(
    ("and", "or", "but", "with", "on", "at", "since", "from", "for", "in", "after", "during")
)
"""Words after which an adjective is not modifying a noun ("he is hypotonic and ...")."""
ADJECTIVE_ENDINGS = (
    ("ic", "ia"),  # hypotonic, thrombocytopenic, ataxic
    ("ic", "y"),  # microcephalic, macrocephalic
    ("otic", "osis"),  # cyanotic, scoliotic
    ("tic", "sis"),  # paretic -> paresis
    ("ive", "ion"),  # hypertensive
)
"""Adjective ending -> ending of the one-word finding it derives from."""
ABBREVIATIONS = {
    "HTN": "HP:0000822",  # Hypertension
    "LVH": "HP:0001712",  # Left ventricular hypertrophy
    "T1DM": "HP:0100651",  # Type I diabetes mellitus
    "T2DM": "HP:0005978",  # Type II diabetes mellitus
    "GERD": "HP:0002020",  # Gastroesophageal reflux
    "GORD": "HP:0002020",
    "FTT": "HP:0001508",  # Failure to thrive
    "GDD": "HP:0001263",  # Global developmental delay
    "OSA": "HP:0002870",  # Obstructive sleep apnea
    "CKD": "HP:0012622",  # Chronic kidney disease
    "DOE": "HP:0002875",  # Exertional dyspnea
    "SOBOE": "HP:0002875",
    "HSM": "HP:0001433",  # Hepatosplenomegaly
}
"""Unambiguous clinical abbreviations (ones with two common readings, e.g. ASD, MI, PE, are not
here); entries whose term is not in the graph are skipped."""


def bag(words: Iterable[str]) -> tuple[str, ...]:
    """The other-word-order key: content words by meaning, sorted, measurement words dropped.

    >>> bag(("decreased", "total", "lymphocyte", "count"))
    ('decreased', 'lymphocyte')
    >>> bag(("lymphocyte", "low"))
    ('decreased', 'lymphocyte')
    """
    return tuple(sorted(MODIFIER.get(w, w) for w in words if w not in FILLER and w not in MEASURE))


def name_variants(name: str) -> Iterable[str]:
    yield name
    if name.count(",") == 1:
        head, tail = (x.strip() for x in name.split(","))
        if head and tail:
            yield f"{tail} {head}"


def ends_noun_phrase(tokens: list[Token], k: int) -> bool:
    """No noun can follow at token k: the text or phrase ends, or a function word or number.

    >>> from clinreason.tools.kg.text import tokenize
    >>> toks = tokenize("low potassium diet, low potassium and low potassium 2.9")
    >>> [ends_noun_phrase(toks, k) for k in (2, 3, 5, 8)]
    [False, True, True, True]
    """
    if k >= len(tokens) or tokens[k].phrase_break:
        return True
    word = tokens[k].norm
    return word in PREDICATIVE_NEXT or word in COPULA or word in FILLER or word[0].isdigit()
