"""Word lists of concept recognition: paraphrase vocabulary and vetted clinical abbreviations."""

from __future__ import annotations

import re

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
