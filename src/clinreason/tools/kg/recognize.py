"""Concept recognition: free text -> phenotype terms with exact spans and negation.

Dictionary matching on labels and synonyms of the graph's phenotypic-abnormality terms:
words are lower-cased, plural-stripped and spelling-normalised (`text.stem`); hyphens and
slashes split words; parenthesised parts of names are ignored; "X, Y" names also match as
"Y X". At each position the longest name in the text's order wins; failing that, a short
window whose content words equal a 2-4 word name in another order (only across the filler
words "of the in on a an both") matches ("pain in the chest" -> Chest pain). Upper-case
abbreviations from the synonym table (HCM, VSD) and a short table of unambiguous clinical ones
(HTN, LVH) match case-sensitively. Matches never cross punctuation. Each match is then put in
context within its sentence (`tools.negation.context`).

Paraphrases, all general: in the other-word-order window, modifiers count by meaning (low /
reduced / decreased; high / raised / elevated / increased), measurement words of lab names
("circulating ... concentration", "count", "level") may be left out and a copula may sit in
between ("renin is raised" -> Increased circulating renin concentration); hypo-/hyper-X-emia
names also match as "low / high X" ("low potassium" -> Hypokalemia). A window that starts with
a modifier must end its noun phrase ("low potassium diet" is not Hypokalemia), and a window key
shared by two terms' labels matches neither. The adjective of a one-word finding ("ataxic",
"thrombocytopenic") matches it when used predicatively (it ends the phrase or is followed by a
function word or a number, not by a noun it modifies: "cyanotic heart disease").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from clinreason.tools.kg.base import KnowledgeGraph, Term
from clinreason.tools.kg.text import Token, normalize, tokenize
from clinreason.tools.negation import context
from clinreason.trace import Span

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
_EMIA = re.compile(r"hyp(o|er)([a-z]+?)emia")
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
MAX_WINDOW = 7
MIN_CHARS = 4


@dataclass(frozen=True)
class Mention:
    """One recognised phenotype mention."""

    term: str
    label: str
    span: Span
    matched: str
    """The dictionary name that matched (label or synonym)."""
    method: Literal["label", "synonym", "reordered", "adjective"]
    negated: bool = False
    family: bool = False
    """The finding is reported for a relative, not the patient."""
    hypothetical: bool = False
    """Mentioned as a possibility to rule out, not as present or absent."""
    trigger: str = ""
    """The text that made it negated / family / hypothetical."""

    @property
    def status(self) -> Literal["present", "absent", "family", "hypothetical"]:
        """How the patient's finding counts."""
        if self.family:
            return "family"
        if self.hypothetical:
            return "hypothetical"
        return "absent" if self.negated else "present"


@dataclass(frozen=True)
class _Entry:
    term: str
    name: str
    is_label: bool


def _bag(words: Iterable[str]) -> tuple[str, ...]:
    """The other-word-order key: content words by meaning, sorted, measurement words dropped.

    >>> _bag(("decreased", "total", "lymphocyte", "count"))
    ('decreased', 'lymphocyte')
    >>> _bag(("lymphocyte", "low"))
    ('decreased', 'lymphocyte')
    """
    return tuple(sorted(MODIFIER.get(w, w) for w in words if w not in FILLER and w not in MEASURE))


def _variants(name: str) -> Iterable[str]:
    yield name
    if name.count(",") == 1:
        head, tail = (x.strip() for x in name.split(","))
        if head and tail:
            yield f"{tail} {head}"


@dataclass
class ConceptRecognizer:
    """Dictionary-based recogniser over the phenotypic-abnormality terms of a graph.

    >>> from clinreason.tools.kg.memory import demo_graph
    >>> rec = ConceptRecognizer.for_graph(demo_graph())
    >>> [(m.term, m.negated) for m in rec.recognize("Focal seizures; no short stature.")]
    [('HP:4', False), ('HP:3', True)]
    """

    terms: list[Term]
    exact: dict[tuple[str, ...], _Entry] = field(default_factory=dict)
    bags: dict[tuple[str, ...], _Entry] = field(default_factory=dict)
    ambiguous: set[tuple[str, ...]] = field(default_factory=set)
    """Other-word-order keys shared by two terms' labels: they match nothing."""
    abbreviations: dict[str, _Entry] = field(default_factory=dict)
    """Upper-case abbreviations (HCM, VSD): matched case-sensitively as whole words."""

    def __post_init__(self) -> None:
        self.max_len = 1
        for t in self.terms:
            names = [(t.label, True), *((s, False) for s in t.synonyms)]
            for name, is_label in names:
                for variant in _variants(name):
                    self._add(t.id, variant, is_label)
        for words, entry in list(self.exact.items()):  # after all names: theirs win
            m = _EMIA.fullmatch(words[0]) if len(words) == 1 else None
            if m:
                modifier = "decreased" if m.group(1) == "o" else "increased"
                key = _bag((modifier, *normalize(ANALYTE.get(m.group(2), m.group(2)))))
                if key not in self.ambiguous:
                    self.bags.setdefault(key, _Entry(entry.term, entry.name, False))
        ids = {t.id for t in self.terms}
        for abbreviation, term in ABBREVIATIONS.items():
            if term in ids:
                self.abbreviations.setdefault(abbreviation, _Entry(term, abbreviation, False))

    def _add(self, term: str, name: str, is_label: bool) -> None:
        if name.isupper() and name.isalnum() and len(name) <= 5:
            self.abbreviations.setdefault(name, _Entry(term, name, is_label))
            return
        key = normalize(name)
        if not key or len(" ".join(key)) < MIN_CHARS:
            return
        entry = _Entry(term, name, is_label)
        old = self.exact.get(key)
        if old is None or (is_label and not old.is_label):
            self.exact[key] = entry
        self.max_len = max(self.max_len, len(key))
        content = _bag(key)
        if 2 <= len(content) <= 4 and content not in self.ambiguous:
            old = self.bags.get(content)
            if old is None or (is_label and not old.is_label):
                self.bags[content] = entry
            elif is_label and old.is_label and old.term != term:
                del self.bags[content]  # "left-to-right" / "right-to-left shunt": neither
                self.ambiguous.add(content)

    @classmethod
    def for_graph(cls, graph: KnowledgeGraph) -> ConceptRecognizer:
        """The recogniser for a graph, built once per graph object and cached."""
        return _cached(graph)

    def recognize(
        self, text: str, source: Literal["context", "question"] = "context"
    ) -> list[Mention]:
        """Every mention in `text`, in text order (spans index into `text`)."""
        tokens = tokenize(text)
        bounds = _sentence_bounds(tokens)
        out: list[Mention] = []
        i = 0
        while i < len(tokens):
            exact, reordered = self._longest(tokens, i), self._reordered(tokens, i)
            if exact and reordered and reordered[0] > exact[0]:
                exact = None  # a longer span in another word order wins
            found = (
                exact or reordered or self._abbreviation(tokens, i) or self._adjective(tokens, i)
            )
            if found is None:
                i += 1
                continue
            end, entry, method = found
            start_c, end_c = tokens[i].start, tokens[end - 1].end
            s_start, s_end = bounds[i]
            ctx = context(text[s_start:s_end], start_c - s_start, end_c - s_start)
            out.append(
                Mention(
                    term=entry.term,
                    label=self._label(entry.term),
                    span=Span(start=start_c, end=end_c, text=text[start_c:end_c], source=source),
                    matched=entry.name,
                    method=method,
                    negated=ctx.negated,
                    family=ctx.family,
                    hypothetical=ctx.hypothetical,
                    trigger=ctx.trigger,
                )
            )
            i = end
        return out

    def _label(self, term: str) -> str:
        if not hasattr(self, "_labels"):
            self._labels = {t.id: t.label for t in self.terms}
        return self._labels.get(term, term)

    def _longest(self, tokens: list[Token], i: int) -> tuple[int, _Entry, str] | None:
        limit = min(len(tokens), i + self.max_len)
        best = None
        for end in range(i + 1, limit + 1):
            if end - 1 > i and tokens[end - 1].phrase_break:
                break
            entry = self.exact.get(tuple(t.norm for t in tokens[i:end]))
            if entry is not None:
                best = (end, entry, "label" if entry.is_label else "synonym")
        return best

    def _abbreviation(self, tokens: list[Token], i: int) -> tuple[int, _Entry, str] | None:
        entry = self.abbreviations.get(tokens[i].text)
        return (i + 1, entry, "synonym") if entry else None

    def _adjective(self, tokens: list[Token], i: int) -> tuple[int, _Entry, str] | None:
        """An adjective -> its one-word finding ("ataxic" -> Ataxia), only when predicative."""
        if not _ends_noun_phrase(tokens, i + 1):
            return None
        word = tokens[i].norm
        for adjective, noun in ADJECTIVE_ENDINGS:
            if word.endswith(adjective) and len(word) > len(adjective) + 3:
                entry = self.exact.get((word[: -len(adjective)] + noun,))
                if entry is not None:
                    return (i + 1, entry, "adjective")
        return None

    def _reordered(self, tokens: list[Token], i: int) -> tuple[int, _Entry, str] | None:
        skip = FILLER | COPULA | MEASURE
        if tokens[i].norm in skip:
            return None
        best = None
        content: list[str] = []
        for end in range(i + 1, min(len(tokens), i + MAX_WINDOW) + 1):
            tok = tokens[end - 1]
            if end - 1 > i and tok.phrase_break:
                break
            if tok.norm in skip:
                if tok.norm in MEASURE and best is not None and best[0] == end - 1:
                    best = (end, best[1], best[2])  # "low lymphocyte count": span takes "count"
                continue
            content.append(tok.norm)
            if len(content) > 4:
                break
            entry = self.bags.get(_bag(content))
            if entry is not None and len(content) >= 2:
                best = (end, entry, "reordered")
        if best and tokens[i].norm in MODIFIER and not _ends_noun_phrase(tokens, best[0]):
            return None  # "low potassium diet": the modifier is not about the analyte
        return best


def _ends_noun_phrase(tokens: list[Token], k: int) -> bool:
    """No noun can follow at token k: the text or phrase ends, or a function word or number.

    >>> from clinreason.tools.kg.text import tokenize
    >>> toks = tokenize("low potassium diet, low potassium and low potassium 2.9")
    >>> [_ends_noun_phrase(toks, k) for k in (2, 3, 5, 8)]
    [False, True, True, True]
    """
    if k >= len(tokens) or tokens[k].phrase_break:
        return True
    word = tokens[k].norm
    return word in PREDICATIVE_NEXT or word in COPULA or word in FILLER or word[0].isdigit()


def _sentence_bounds(tokens: list[Token]) -> list[tuple[int, int]]:
    """For each token, the character span of its sentence (first to last token).

    >>> from clinreason.tools.kg.text import tokenize
    >>> _sentence_bounds(tokenize("No fever; cough."))
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


@lru_cache(maxsize=8)
def _cached(graph: KnowledgeGraph) -> ConceptRecognizer:
    root = graph.phenotype_root
    terms = [t for t in graph.terms() if t.id != root and root in graph.ancestors(t.id)]
    return ConceptRecognizer(terms)
