"""NegEx-style context rules: is a mention negated, hypothetical, or about a family member?

A mention counts as *absent* when a negation trigger precedes it in the same sentence (within a
short window and not cut off by a terminator such as "but"), or a post-negation trigger follows
it ("... was ruled out", "... negative"). Family-history and hypothetical mentions ("risk of",
"to rule out", "mother had") do not count as the patient's own finding. For items bound to a
recent period ("surgery in the previous 4 weeks"), a mention dated long ago ("a year before",
"in childhood") is remote and does not count either. Calendar years are not read as remote: case
reports date the current episode too ("In 2019, a 45-year-old man presented ...").
"""

from __future__ import annotations

import re

from clinreason.tools.extract._core import sentence_at

_PRE_NEG = re.compile(
    r"\b(?:no|not|never|without|denie[sd]|deny(?:ing)?|negative\s+for|absence\s+of|absent|"
    r"free\s+(?:of|from)|ruled\s+out|rules\s+out|rule\s+out|r/o|unremarkable\s+for|"
    r"non-?contributory|lack\s+of|lacked|lacking|neither|nor|none|did\s+not\s+(?:have|show|reveal)|"
    r"does\s+not\s+have|no\s+(?:known|prior|previous|past|history\s+of|evidence\s+of|signs?\s+of)|"
    r"(?:was|were|is|are)\s+not|excluded)\b",
    re.I,
)
_POST_NEG = re.compile(
    r"^[^.;:]{0,40}?\b(?:was|were|is|are)?\s*(?:ruled\s+out|excluded|negative|absent|"
    r"not\s+(?:present|seen|found|detected|observed|identified)|unlikely|denied)\b",
    re.I,
)
_TERMINATORS = re.compile(
    r"\b(?:but|however|although|though|except|apart\s+from|aside\s+from|which|who|whereas|"
    r"yet|presented|presents|revealed|showed|shows|demonstrated|with|and\s+(?:a|an)|"
    r"admitted|developed|diagnosed)\b|[;:]",
    re.I,
)
_FAMILY = re.compile(
    r"\b(?:family\s+history|mother|father|brother|sister|sibling|parent|son|daughter|aunt|"
    r"uncle|grand(?:mother|father|parent)|cousin|maternal|paternal)\b",
    re.I,
)
_HYPOTHETICAL = re.compile(
    r"\b(?:risk\s+of|to\s+rule\s+out|suspected|suspicion\s+of|concern\s+for|possible|"
    r"prophylaxis|prevent(?:ion)?\s+of|if|should|monitor(?:ing)?\s+for|screen(?:ing)?\s+for|"
    r"evaluat(?:e|ion)\s+for|work-?up\s+for)\b",
    re.I,
)

_REMOTE = re.compile(
    r"\b(?:(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|many|\d+)\s+"
    r"(?:years?|decades?)\s+(?:ago|earlier|before|prior|previously)|remote\s+history|"
    r"in\s+(?:early\s+)?childhood|as\s+a\s+child)\b",
    re.I,
)

_INFORMANT = re.compile(
    r"(?:\s+members?)?\s+(?:denie[sd]|report(?:s|ed)?|state[sd]?|said|noted|confirm(?:s|ed)|"
    r"recall(?:s|ed)|describe[sd]|told)\b",
    re.I,
)
"""A relative named as the one who reports: followed by a verb of saying."""

WINDOW = 60
"""Characters before a mention searched for a negation trigger."""


def _scope_before(text: str, start: int) -> str:
    s_start, _ = sentence_at(text, start)
    before = text[max(s_start, start - WINDOW) : start]
    cut = None
    for m in _TERMINATORS.finditer(before):
        cut = m.end()
    return before[cut:] if cut is not None else before


_LIST_NEG = re.compile(
    r"\b(?:negative\s+for|no\s+(?:known\s+)?(?:history|evidence|signs?)\s+of|denie[sd]|"
    r"deny(?:ing)?|without|free\s+(?:of|from)|absence\s+of)\b",
    re.I,
)
"""Triggers that open a list of negated findings ("negative for A, B, C and D")."""


_LIST_SEP = re.compile(r"\s*(?:,|\band\b|\bor\b|\bnor\b)\s*", re.I)


def _negated_list(text: str, start: int) -> bool:
    """A list-opening negation earlier in the sentence with only short list items (at most four
    words each, separated by commas, 'and', 'or') between it and the mention."""
    s_start, _ = sentence_at(text, start)
    before = text[max(s_start, start - 250) : start]
    openers = list(_LIST_NEG.finditer(before))
    if not openers:
        return False
    between = before[openers[-1].end() :]
    items = _LIST_SEP.split(between)
    return (
        len(items) > 1
        and not _TERMINATORS.search(between)
        and all(len(item.split()) <= 4 for item in items)
    )


def is_negated(text: str, start: int, end: int) -> bool:
    """True when the mention text[start:end] is stated as absent.

    >>> t = "He denies chest pain but reports dyspnea."
    >>> is_negated(t, t.index("chest pain"), t.index("chest pain") + 10)
    True
    >>> is_negated(t, t.index("dyspnea"), t.index("dyspnea") + 7)
    False
    >>> t = "Pulmonary embolism was ruled out."
    >>> is_negated(t, 0, 18)
    True
    >>> t = "History negative for colitis, chronic obstructive pulmonary disease, prior deep vein "
    >>> t += "thrombosis, and pulmonary embolism."
    >>> is_negated(t, t.index("pulmonary embolism"), len(t) - 1)
    True
    """
    if _PRE_NEG.search(_scope_before(text, start)) or _negated_list(text, start):
        return True
    _, s_end = sentence_at(text, start)
    return bool(_POST_NEG.match(text[end:s_end]))


def same_list(text: str, end: int, start: int) -> bool:
    """True when text[end:start] only continues a list ("... bleeding instances or known
    predisposition to ..."): same sentence, short, no terminator; a negation before the first
    item of such a list covers the later items too.

    >>> t = "No prior bleeding events or known predisposition to bleeding."
    >>> same_list(t, t.index(" events"), t.rindex("bleeding"))
    True
    """
    between = text[end:start]
    return (
        len(between) <= 80
        and sentence_at(text, end)[0] == sentence_at(text, start)[0]
        and not _TERMINATORS.search(between)
    )


def is_family(text: str, start: int) -> bool:
    """True when the mention is about a relative (family history), not the patient. A relative
    who only reports ("his family denied any trauma") is the informant, not the subject.

    >>> t = "His mother had breast cancer."
    >>> is_family(t, t.index("breast"))
    True
    >>> t = "The family denied any recent trauma."
    >>> is_family(t, t.index("trauma"))
    False
    """
    s_start, _ = sentence_at(text, start)
    before = text[max(s_start, start - WINDOW) : start]
    return any(not _INFORMANT.match(before, m.end()) for m in _FAMILY.finditer(before))


def is_hypothetical(text: str, start: int) -> bool:
    """True when the mention is a possibility, not a finding ("to rule out PE").

    >>> t = "CT was done to rule out pulmonary embolism."
    >>> is_hypothetical(t, t.index("pulmonary"))
    True
    """
    s_start, _ = sentence_at(text, start)
    before = text[max(s_start, start - 40) : start]
    return bool(_HYPOTHETICAL.search(before))


def is_remote(text: str, start: int) -> bool:
    """True when the sentence of the mention dates it long ago (a year or more).

    >>> t = "She underwent a polypectomy a year before."
    >>> is_remote(t, t.index("polypectomy"))
    True
    >>> is_remote("He underwent a colectomy last week.", 16)
    False
    """
    s_start, s_end = sentence_at(text, start)
    return bool(_REMOTE.search(text[s_start:s_end]))
