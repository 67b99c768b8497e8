"""Disease label -> ICD-10-CM codes via `simple-icd-10-cm`, where a label matches exactly.

The index is built lazily (importing the package takes a few seconds) and once per process.
Only exact matches of normalised labels are returned: 'Marfan syndrome' -> Q87.40
('Marfan syndrome, unspecified') and Q87.4; no fuzzy guesses.
"""

from __future__ import annotations

import re
from functools import lru_cache

_UNSPEC = re.compile(r",?\s*unspecified\b")


def normalize_label(text: str) -> str:
    """Lower case, possessives and punctuation removed, ', unspecified' dropped.

    >>> normalize_label("Marfan's syndrome, unspecified")
    'marfan syndrome'
    """
    text = text.lower().replace("'s ", " ").replace("’s ", " ")
    text = _UNSPEC.sub("", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[str, ...]]:
    import simple_icd_10_cm as icd  # slow import: only when a mapping is asked for

    out: dict[str, list[str]] = {}
    for code in icd.get_all_codes(True):
        if icd.is_chapter_or_block(code):
            continue
        out.setdefault(normalize_label(icd.get_description(code)), []).append(code)
    return {k: tuple(v) for k, v in out.items()}


def icd10_for_label(label: str) -> tuple[str, ...]:
    """ICD-10-CM codes whose description equals the label (after normalisation), or ()."""
    index = _index()
    for candidate in (label, label.split(";")[0]):
        codes = index.get(normalize_label(candidate))
        if codes:
            return codes
    return ()
