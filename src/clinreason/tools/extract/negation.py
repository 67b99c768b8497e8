"""Note-offset adapters over the shared context rules (`clinreason.tools.negation`).

Extractors hold character offsets into the whole note; each function here finds the sentence
around the offset (`sentence_at`) and asks the shared rules about the mention inside it.
"""

from __future__ import annotations

from clinreason.tools import negation
from clinreason.tools.extract._core import sentence_at


def _local(text: str, start: int) -> tuple[str, int]:
    """The sentence containing `start`, and its offset in `text`."""
    s_start, s_end = sentence_at(text, start)
    return text[s_start:s_end], s_start


def is_negated(text: str, start: int, end: int) -> bool:
    """True when the mention text[start:end] is stated as absent.

    >>> t = "History negative for colitis, chronic obstructive pulmonary disease, prior deep vein "
    >>> t += "thrombosis, and pulmonary embolism."
    >>> is_negated(t, t.index("pulmonary embolism"), len(t) - 1)
    True
    """
    sentence, offset = _local(text, start)
    return negation.is_negated(sentence, start - offset, min(end - offset, len(sentence)))


def same_list(text: str, end: int, start: int) -> bool:
    """True when text[end:start] only continues a list in one sentence, so a negation of the
    earlier item covers the later one.

    >>> t = "No prior bleeding events or known predisposition to bleeding."
    >>> same_list(t, t.index(" events"), t.rindex("bleeding"))
    True
    """
    return sentence_at(text, end)[0] == sentence_at(text, start)[0] and negation.same_list(
        text[end:start]
    )


def is_family(text: str, start: int) -> bool:
    """True when the mention at `start` is about a relative, not the patient.

    >>> t = "His mother had breast cancer."
    >>> is_family(t, t.index("breast"))
    True
    """
    sentence, offset = _local(text, start)
    return negation.is_family(sentence, start - offset)


def is_hypothetical(text: str, start: int) -> bool:
    """True when the mention at `start` is a possibility, not a finding."""
    sentence, offset = _local(text, start)
    return negation.is_hypothetical(sentence, start - offset)


def is_remote(text: str, start: int) -> bool:
    """True when the sentence of the mention dates it long ago (a year or more).

    >>> is_remote("He underwent a colectomy last week.", 16)
    False
    """
    return negation.is_remote(_local(text, start)[0])
