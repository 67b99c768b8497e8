"""NegEx-style context of a mention: negated, about a relative, hypothetical or dated long ago.

The one trigger vocabulary and the one set of scope rules shared by calculator extraction
(`tools.extract`), HPO concept recognition (`tools.kg.recognize`) and the grounding verifier
(`verify.findings`). Callers split their text into sentences and pass one sentence with the
character span of a mention in it.

A sentence is scanned once into cues, the longest phrase winning at each position, so "no
increase" is a pseudo-trigger, not "no". Scope rules:

- a pre-negation ("no", "denies", "negative for") covers a later mention of the same clause (no
  terminator between; a verb right after the negation is negated, not a terminator: "CT did not
  show bleeding") when at most `MAX_GAP` words, or a list of short items ("no fever,
  chills, night sweats or weight loss"), lie between;
- a post-negation ("... was ruled out", "... negative") covers an earlier mention when at most
  `POST_GAP` words and no punctuation lie between, or a list ending at it ("Factor V Leiden,
  prothrombin 20210A and lupus anticoagulant were negative");
- "absent" negates the words right before it ("pulses absent") or the one list item after it
  ("absent varicose veins"; not "pes cavus" in "absent reflexes and pes cavus");
- a pseudo-trigger ("no change", "gram negative") negates nothing, and hides an earlier
  pre-negation from the words after it;
- a hypothetical cue ("to rule out", "risk of", "if") has the scope of a pre-negation;
- a family cue ("mother", "family history") covers the rest of the sentence up to a contrast
  ("but", ";"), unless the relative is only the informant ("the family denied ...");
- a remote cue ("a year ago", "in childhood") anywhere in the sentence dates it long ago;
- a normality statement ("normal hearing", "hearing is normal", "tone was entirely
  unremarkable") states the abnormality of what it calls normal absent (`stated_normal`; the
  HPO recogniser reads "hearing" there as Hearing abnormality, absent).

>>> s = "He denies chest pain but reports dyspnea."
>>> is_negated(s, s.index("chest"), s.index("chest") + 10), is_negated(s, s.index("dysp"), 39)
(True, False)
>>> context("His mother had breast cancer.", 15, 28)
Context(negated=False, family=True, hypothetical=False, trigger='mother')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MAX_GAP = 8
"""Words a pre-negation or hypothetical cue reaches past (further only along a list)."""
MAX_LIST = 24
"""Words a negated list may span."""
POST_GAP = 3
"""Words allowed between a mention and a post-negation after it."""

_COPULA = r"(?:is|was|are|were|has\s+been|have\s+been|had\s+been)\s+"
_NOT_FOUND = r"not\s+(?:present|seen|found|detected|observed|identified|noted|reported)"
_POST_WORD = rf"(?:ruled\s+out|excluded|absent|denied|negative(?!\s+for)|unlikely|{_NOT_FOUND})"

# Each vocabulary is a tuple of regex phrases: whitespace between words is flexible, groups are
# non-capturing (the scanner tells kinds apart by group number).
PRE_OBJECT: tuple[str, ...] = (
    "no",
    "without",
    r"den(?:y|ies|ying)",
    "negative for",
    "absence of",
    "free (?:of|from)",
    "lack of",
    "lack(?:ed|ing)",
    "rules out",
    "unremarkable for",
    "non-?contributory",
)
"""Negations that take the finding as their object ("denies fever", "no rash")."""
PRE: tuple[str, ...] = (
    *PRE_OBJECT,
    "not",
    r"\w+n't",
    "never",
    "nor",
    "neither",
    "none",
    r"non(?!-)",
)
"""Negate the words after them (also through a verb: "did not show", "never had")."""
BOTH: tuple[str, ...] = ("ruled out", "excluded", "denied")
"""Negate the words on either side: "ruled out PE", "PE ruled out"."""
POST: tuple[str, ...] = (
    _COPULA + _POST_WORD,
    r"negative(?!\s+for)",
    "unlikely",
    _NOT_FOUND,
)
"""Negate the words before them ("... was ruled out", "troponin negative")."""
ITEM: tuple[str, ...] = ("absent",)
"""Negate the words before them ("pulses absent") and the one list item after them ("absent
varicose veins", but not "pes cavus" in "absent reflexes and pes cavus")."""
PSEUDO: tuple[str, ...] = (
    "no increase",
    "no change",
    "no further",
    "no significant change",
    "not only",
    "not necessarily",
    "not certain",
    "gram negative",
)
"""Look like negations but negate nothing."""
HYPOTHETICAL: tuple[str, ...] = (
    "rule out",
    "to rule out",
    "r/o",
    "to exclude",
    "possible",
    "possibly",
    "suspected",
    "suspicion of",
    "concern for",
    "risk of",
    "if",
    "should",
    "prophylaxis",
    r"prevent(?:ion)?\s+of",
    r"monitor(?:ing)?\s+for",
    r"screen(?:ing)?\s+for",
    r"evaluat(?:e|ion)\s+for",
    r"work-?up\s+for",
)
"""Make a mention a possibility, neither present nor absent ("to rule out PE")."""
FAMILY: tuple[str, ...] = (
    "family history",
    "family",
    r"(?:grand)?(?:mother|father|parent)s?",
    "brothers?",
    "sisters?",
    "siblings?",
    "sons?",
    "daughters?",
    "aunts?",
    "uncles?",
    "cousins?",
    "relatives?",
    "maternal",
    "paternal",
    "twins?",
)
"""Make the mention a relative's, not the patient's."""
INFORMANT = re.compile(
    r"(?:\s+members?)?\s+(?:denie[sd]|report(?:s|ed)?|state[sd]?|said|noted|confirm(?:s|ed)|"
    r"recall(?:s|ed)|describe[sd]|told)\b",
    re.I,
)
"""After a family cue: the relative is the one who reports ("the family denied ...")."""
CONTRAST: tuple[str, ...] = (
    "but",
    "however",
    "although",
    "though",
    "except",
    "apart from",
    "aside from",
    "whereas",
    "yet",
    "still",
    "while",
    "because",
)
"""End every scope, family included (with ';' and ':')."""
CLAUSE: tuple[str, ...] = ("which", "who", "and an?", "with")
"""Open a new clause: end a negation or hypothetical scope (with `CONTRAST`)."""
VERBS: tuple[str, ...] = (
    r"present(?:s|ed)?",
    "ha[sd]",
    "have",
    r"show(?:s|ed|n)?",
    r"reveal(?:s|ed)?",
    r"demonstrat(?:es|ed)",
    r"report(?:s|ed)?",
    r"develop(?:s|ed)",
    r"exhibit(?:s|ed)?",
    "noted",
    "admitted",
    "diagnosed",
    # the presentation of a case report ("no history of interest, comes to the doctor for ...")
    "comes",
    "came",
    r"consult(?:s|ed)",
    r"attend(?:s|ed)",
    r"visit(?:s|ed)",
    r"arrive[sd]",
    "brought",
    "referred",
)
"""State a new fact and end a negation scope ("denies pain, exam shows edema"), unless negated
themselves ("CT did not show bleeding", "nor has he reported fainting")."""
NEGATED_VERB_GAP = 2
"""Words that may separate a negation from the verb it negates ("nor has he reported")."""
LIST_OPENER = re.compile(
    r"\s*(?:(?:have|has|had)\s+)?(?:(?:a|any)\s+)?"
    r"(?:(?:known|prior|previous|past|documented|clear|significant|recent)\s+)*"
    r"(?:history|evidence|signs?|symptoms?|episodes?)\s+of\b",
    re.I,
)
"""After a negation, the words that open its list ("no known history of A, B or C")."""
LIST_SEP = re.compile(r"\s*(?:,|\bor\b|\band\b|\bnor\b)\s*", re.I)
_LIST_ITEM = re.compile(r"(?:any\s+)?[a-z][\w'/-]*(?:\s+\w[\w'/-]*){0,3}", re.I)
"""One list item: one to four words, the first a word of letters."""
REMOTE = re.compile(
    r"\b(?:(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|many|\d+)\s+"
    r"(?:years?|decades?)\s+(?:ago|earlier|before|prior|previously)|remote\s+history|"
    r"in\s+(?:early\s+)?childhood|as\s+a\s+child)\b",
    re.I,
)
"""Dates a sentence long ago. Calendar years are not remote: case reports date the current
episode too ("In 2019, a 45-year-old man presented ...")."""

_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pseudo", PSEUDO),
    ("hypothetical", HYPOTHETICAL),
    ("post", POST),
    ("both", BOTH),
    ("item", ITEM),
    ("pre", PRE),
    ("family", FAMILY),
    ("contrast", CONTRAST),
    ("clause", CLAUSE),
    ("verb", VERBS),
)


def alternation(*vocabularies: tuple[str, ...]) -> str:
    """One regex alternation of vocabulary phrases, longest first, for grammars built on this
    vocabulary (the verifier's claim cues).

    >>> bool(re.fullmatch(alternation(BOTH, ITEM), "ruled  out"))
    True
    """
    phrases = sorted({p for v in vocabularies for p in v}, key=len, reverse=True)
    return "|".join(p.replace(" ", r"\s+") for p in phrases)


def _scanner() -> tuple[re.Pattern[str], list[str]]:
    """One regex over every vocabulary, one group per phrase, and the kind of each group.
    Python takes the first alternative that matches, so longer patterns go first (on equal
    length, the earlier kind: pseudo before pre)."""
    entries = sorted(
        ((len(p), -k, kind, p) for k, (kind, vocab) in enumerate(_KINDS) for p in vocab),
        reverse=True,
    )
    groups = "|".join("(" + p.replace(" ", r"\s+") + ")" for _, _, _, p in entries)
    pattern = re.compile(rf"(?<![\w-])(?:{groups})(?![\w-])|[;:]", re.I)
    return pattern, [kind for _, _, kind, _ in entries]


_SCANNER, _GROUP_KINDS = _scanner()
NEGATIONS = ("pre", "both", "item")
"""Kinds of cue that negate the words after them."""


@dataclass(frozen=True)
class Cue:
    """A trigger or terminator found in a sentence."""

    kind: str
    """'pre', 'post', 'both', 'item', 'pseudo', 'hypothetical', 'family', 'contrast', 'clause' or
    'verb' (the vocabulary it comes from)."""
    start: int
    end: int
    text: str


@lru_cache(maxsize=4096)
def cues(sentence: str) -> tuple[Cue, ...]:
    """Every cue of a sentence in order, the longest phrase winning at each position.

    >>> [(c.kind, c.text) for c in cues("No increase in seizures; CT did not show a bleed.")]
    [('pseudo', 'No increase'), ('contrast', ';'), ('pre', 'not'), ('verb', 'show')]
    """
    out = []
    for m in _SCANNER.finditer(sentence):
        kind = _GROUP_KINDS[m.lastindex - 1] if m.lastindex else "contrast"  # or ';' ':'
        if kind == "family" and INFORMANT.match(sentence, m.end()):
            continue  # "the family denied ...": the relative only reports
        out.append(Cue(kind, m.start(), m.end(), m.group()))
    return tuple(out)


def _is_list(gap: str) -> bool:
    """Whether `gap` is a run of short list items before a mention ('fever, chills, or '); the
    mention may sit in its item after at most two words ('no A or elevated B').
    Linear time: split on separators, then check each item.

    >>> _is_list("fever, chills, or "), _is_list("fever was reported and the patient then ")
    (True, False)
    """
    items = LIST_SEP.split(gap.strip() + " ")
    if len(items) < 2 or len(items[-1].split()) > 2:
        return False
    return all(not item or _LIST_ITEM.fullmatch(item) for item in items[:-1])


def _ends_list(gap: str) -> bool:
    """Whether `gap` continues a list up to a post-negation (', and lupus anticoagulant ').

    >>> _ends_list(", prothrombin 20210A, and lupus anticoagulant "), _ends_list(" in May, ")
    (True, False)
    """
    items = LIST_SEP.split(" " + gap.strip())
    return (
        len(items) > 1
        and not items[0]
        and len(gap.split()) <= MAX_LIST
        and all(not item or _LIST_ITEM.fullmatch(item) for item in items)
    )


def _reaches(gap: str) -> bool:
    """Whether a forward cue reaches a mention across `gap`."""
    n = len(gap.split())
    return n <= MAX_GAP or (n <= MAX_LIST and _is_list(gap))


def _negates_verb(sentence: str, before: Cue, verb: Cue) -> bool:
    """Whether `verb` is negated by the cue just before it ("did not show", "nor has he")."""
    gap = sentence[before.end : verb.start]
    return before.kind in NEGATIONS and len(gap.split()) <= NEGATED_VERB_GAP


def clause_cues(sentence: str, start: int) -> list[Cue]:
    """The triggers before offset `start` in its clause (after the last terminator).

    >>> [c.text for c in clause_cues("No rash, exam shows edema; nor has he reported pain.", 47)]
    ['nor']
    """
    out: list[Cue] = []
    for c in cues(sentence):
        if c.end > start:
            break
        if c.kind == "verb" and out and _negates_verb(sentence, out[-1], c):
            continue  # the negated verb itself
        if c.kind in ("contrast", "clause", "verb"):
            out = []
        else:
            out.append(c)
    return out


def _forward(sentence: str, start: int, kinds: tuple[str, ...]) -> Cue | None:
    """The last cue of `kinds` in the clause before `start`, when it reaches the mention."""
    found = [c for c in clause_cues(sentence, start) if c.kind in kinds]
    if not found:
        return None
    opener = LIST_OPENER.match(sentence, found[-1].end, start)
    gap = sentence[opener.end() if opener else found[-1].end : start]
    return found[-1] if _reaches(gap) else None


def _post(sentence: str, end: int) -> Cue | None:
    """A post-negation shortly after `end` in the same clause, or after a list that ends it
    ("A, B and C were negative"); "absent" only right after ("pulses absent")."""
    for c in cues(sentence):
        if c.start < end:
            continue
        gap = sentence[end : c.start]
        near = len(gap.split()) <= POST_GAP and "," not in gap
        if re.search(r"[;:()]", gap) or not (near or _ends_list(gap)):
            return None
        if c.kind in ("post", "both") or (c.kind == "item" and near):
            return c
        if c.kind in ("contrast", "clause", "verb", "pre", "pseudo"):
            return None
    return None


def negation(sentence: str, start: int, end: int) -> Cue | None:
    """The cue that negates `sentence[start:end]`, if any.

    >>> s = "No fever, chills or cough, but has rash."
    >>> negation(s, s.index("cough"), s.index("cough") + 5).text
    'No'
    >>> negation(s, s.index("rash"), s.index("rash") + 4) is None
    True
    >>> negation("Myocardial infarction was ruled out.", 0, 21).text
    'was ruled out'
    """
    if sentence[:start].lower().endswith("non-"):
        return Cue("pre", start - 4, start, sentence[start - 4 : start])  # "non-smoker"
    cue = _forward(sentence, start, (*NEGATIONS, "pseudo"))
    one_item = cue is not None and cue.kind == "item" and LIST_SEP.search(sentence[cue.end : start])
    if cue is None or cue.kind == "pseudo" or one_item:
        return _post(sentence, end)
    return cue


def is_negated(sentence: str, start: int, end: int) -> bool:
    """Whether `sentence[start:end]` is stated as absent.

    >>> s = "History of non-insulin-dependent diabetes, ischemic stroke and a non-smoker."
    >>> is_negated(s, s.index("ischemic"), s.index("ischemic") + 15)
    False
    >>> s = "Admitted to rule out pulmonary embolism."
    >>> is_negated(s, s.index("pulmonary"), len(s) - 1)
    False
    """
    return negation(sentence, start, end) is not None


def family(sentence: str, start: int) -> Cue | None:
    """The family cue that makes the mention at `start` a relative's, if any.

    >>> family("The family denied any recent trauma.", 26) is None
    True
    """
    found = None
    for c in cues(sentence):
        if c.end > start:
            break
        if c.kind == "family":
            found = c
        elif c.kind == "contrast":
            found = None
    return found


def is_family(sentence: str, start: int) -> bool:
    """Whether the mention at `start` is about a relative, not the patient."""
    return family(sentence, start) is not None


def mentions_relative(text: str) -> bool:
    """Whether `text` names a relative as more than the informant.

    >>> mentions_relative("his father has"), mentions_relative("the family reports")
    (True, False)
    """
    return any(c.kind == "family" for c in cues(text))


def hypothetical(sentence: str, start: int) -> Cue | None:
    """The cue that makes the mention at `start` a possibility, if any.

    >>> s = "CT was done to rule out pulmonary embolism."
    >>> hypothetical(s, s.index("pulmonary")).text
    'to rule out'
    """
    return _forward(sentence, start, ("hypothetical",))


def is_hypothetical(sentence: str, start: int) -> bool:
    """Whether the mention at `start` is a possibility, neither present nor absent."""
    return hypothetical(sentence, start) is not None


def is_remote(sentence: str) -> bool:
    """Whether the sentence dates its events long ago (a year or more).

    >>> is_remote("She underwent a polypectomy a year before."), is_remote("In 2019, a cough.")
    (True, False)
    """
    return bool(REMOTE.search(sentence))


def same_list(between: str) -> bool:
    """Whether `between` (the text between two mentions of one sentence) only continues a list,
    so a negation of the first mention covers the second.

    >>> same_list(" events or known predisposition to "), same_list(" but he has ")
    (True, False)
    """
    return len(between) <= 80 and not any(
        c.kind in ("contrast", "clause", "verb") for c in cues(between)
    )


@dataclass(frozen=True)
class Context:
    """How a mention is qualified by its sentence."""

    negated: bool = False
    family: bool = False
    hypothetical: bool = False
    trigger: str = ""
    """The text of the deciding cue (family, else hypothetical, else negation)."""


_NORMAL = r"(?:normal|unremarkable)"
_NORMAL_BEFORE = re.compile(rf"(?i)(?<![\w-])({_NORMAL})\s+$")
_NORMAL_AFTER = re.compile(
    rf"(?i)^\s+(?:is|was|are|were|appears?|appeared|seems?|seemed|remains?|remained)\s+"
    rf"(?:(?:\w+ly|all)\s+)?({_NORMAL})(?![\w-])"
)


def stated_normal(sentence: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of the whole statement when the words `sentence[start:end]` are called normal
    ("normal hearing", "hearing is normal", "his tone was entirely normal"), else None.

    >>> s = "Hearing is normal; normal muscle tone."
    >>> stated_normal(s, 0, 7), stated_normal(s, 26, 37), stated_normal(s, 19, 25)
    ((0, 17), (19, 37), None)
    """
    before = _NORMAL_BEFORE.search(sentence[:start])
    if before is not None:
        return before.start(1), end
    after = _NORMAL_AFTER.match(sentence[end:])
    if after is not None:
        return start, end + after.end(1)
    return None


def context(sentence: str, start: int, end: int) -> Context:
    """Negation, family and hypothetical context of `sentence[start:end]`.

    >>> context("Evaluate for possible hepatomegaly.", 22, 34)
    Context(negated=False, family=False, hypothetical=True, trigger='possible')
    """
    neg = negation(sentence, start, end)
    fam, hyp = family(sentence, start), hypothetical(sentence, start)
    cue = fam or hyp or neg
    return Context(neg is not None, fam is not None, hyp is not None, cue.text if cue else "")
