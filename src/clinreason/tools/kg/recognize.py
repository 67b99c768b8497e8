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

Names come from the graph's terms: labels, EXACT synonyms (HPO's, with layperson terms, UK
spellings and abbreviations, and clinreason's curated ones) at full confidence, and RELATED /
BROAD / NARROW synonyms (`Term.related`) only where no full-confidence name matches, with
confidence `RELATED_CONFIDENCE`. A label always wins; a synonym two unrelated terms share names
neither; shared by a term and its descendant, it names the descendant (most specific). A second
pass (`compose`) upgrades a match by the modifier before it, adds mentions that share a head or
modifier across "and", and keeps an abbreviation only where the note supports one sense.
Each mention says which name matched and of what kind (`Mention.synonym`, `Mention.facts()`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from clinreason.tools.kg.base import KnowledgeGraph, Term
from clinreason.tools.kg.compose import (
    Entry,
    Match,
    comma_only,
    distribute,
    extend_modifiers,
    normal_findings,
    resolve_abbreviations,
)
from clinreason.tools.kg.lexicon import (
    ABBREVIATIONS,
    ADJECTIVE_ENDINGS,
    ANALYTE,
    COPULA,
    EMIA,
    FILLER,
    MEASURE,
    MODIFIER,
    bag,
    ends_noun_phrase,
    name_variants,
)
from clinreason.tools.kg.text import Token, normalize, sentence_bounds, tokenize
from clinreason.tools.negation import Context, context, stated_normal
from clinreason.trace import Span, Triple

MAX_WINDOW = 7
MIN_CHARS = 4
RELATED_CONFIDENCE = 0.6
"""Confidence of a mention matched by a RELATED / BROAD / NARROW synonym (others: 1.0)."""
_SKIP = FILLER | COPULA | MEASURE
"""Words a window in another word order passes over."""
_RANK = {"label": 0, "curated": 1, "vetted": 1, "synonym": 2, "related": 3}
"""Which name wins when two terms share it: the label, then clinreason's curated synonyms and
abbreviations, then HPO's EXACT synonyms, then the rest."""
Method = Literal[
    "label", "synonym", "related", "reordered", "adjective", "modified", "coordinated",
    "abbreviation", "normality",
]  # fmt: skip


@dataclass(frozen=True)
class Mention:
    """One recognised phenotype mention."""

    term: str
    label: str
    span: Span
    matched: str
    """The dictionary name that matched (label or synonym)."""
    method: Method
    negated: bool = False
    family: bool = False
    """The finding is reported for a relative, not the patient."""
    hypothetical: bool = False
    """Mentioned as a possibility to rule out, not as present or absent."""
    trigger: str = ""
    """The text that made it negated / family / hypothetical."""
    synonym: str = ""
    """What kind of name matched when not the label, e.g. 'hp.obo@2025-01-16 EXACT layperson'."""
    confidence: float = 1.0
    """1.0, or `RELATED_CONFIDENCE` for a RELATED / BROAD / NARROW synonym."""

    def facts(self, source: str | None = None) -> list[Triple]:
        """The synonym fact behind the link (none for a label match), for `KGLink.facts`."""
        if self.method == "label" or not self.synonym:
            return []
        return [
            Triple(
                subject=self.term,
                relation="has_synonym",
                object=self.matched,
                subject_label=self.label,
                source=source,
                details={"kind": self.synonym, "method": self.method,
                         "confidence": self.confidence},
            )
        ]  # fmt: skip

    @property
    def status(self) -> Literal["present", "absent", "family", "hypothetical"]:
        """How the patient's finding counts."""
        if self.family:
            return "family"
        if self.hypothetical:
            return "hypothetical"
        return "absent" if self.negated else "present"


@dataclass
class ConceptRecognizer:
    """Dictionary-based recogniser over the phenotypic-abnormality terms of a graph.

    >>> from clinreason.tools.kg.memory import demo_graph
    >>> rec = ConceptRecognizer.for_graph(demo_graph())
    >>> [(m.term, m.negated) for m in rec.recognize("Focal seizures; no short stature.")]
    [('HP:4', False), ('HP:3', True)]
    """

    terms: list[Term]
    ancestors: Callable[[str], frozenset[str]] = lambda _t: frozenset()
    """Is-a ancestors of a term (resolves shared names and guards modifier upgrades)."""
    systems: Callable[[str], frozenset[str]] = lambda _t: frozenset()
    """Organ systems of a term (the context of an abbreviation with several senses)."""
    describe: Callable[[str, str], str] = lambda _t, _n: ""
    """(term, synonym) -> its kind, e.g. 'hp.obo@2025-01-16 EXACT layperson'."""
    exact: dict[tuple[str, ...], Entry] = field(default_factory=dict)
    related: dict[tuple[str, ...], Entry] = field(default_factory=dict)
    """Names from RELATED / BROAD / NARROW synonyms: used where no other name matches."""
    bags: dict[tuple[str, ...], Entry] = field(default_factory=dict)
    ambiguous: set[tuple[str, ...]] = field(default_factory=set)
    """Other-word-order keys shared by two terms' labels: they match nothing."""
    abbreviations: dict[str, tuple[Entry, ...]] = field(default_factory=dict)
    """Upper-case abbreviations (HCM, VSD) and their senses: matched case-sensitively."""

    def __post_init__(self) -> None:
        self.max_len = 1
        exact: dict[tuple[str, ...], list[Entry]] = {}
        related: dict[tuple[str, ...], list[Entry]] = {}
        bags: dict[tuple[str, ...], list[Entry]] = {}
        senses: dict[str, list[Entry]] = {}
        self.label_key: dict[str, tuple[str, ...]] = {}
        self.comma_prefixes: set[tuple[str, ...]] = set()
        """Words of a name up to one of its commas ("Soft, doughy skin"): matching goes on
        across a comma in the text there."""
        for t in self.terms:
            names = [
                *((n, "label") for n in [t.label]),
                *((n, self._synonym_kind(t.id, n)) for n in t.synonyms),
                *((n, "related") for n in t.related),
            ]
            for name, kind in names:
                if name.isupper() and name.isalnum() and len(name) <= 5:
                    if kind != "related":
                        senses.setdefault(name, []).append(Entry(t.id, name, kind))
                    continue
                for variant in name_variants(name):
                    key = normalize(variant)
                    if kind == "label" and variant is name:
                        self.label_key[t.id] = key
                    if not key or len(" ".join(key)) < MIN_CHARS:
                        continue
                    entry = Entry(t.id, name, kind)
                    if "," in variant:
                        self._comma_prefixes(variant)
                    (related if kind == "related" else exact).setdefault(key, []).append(entry)
                    self.max_len = max(self.max_len, len(key))
                    content = bag(key)
                    if kind != "related" and 2 <= len(content) <= 4:
                        bags.setdefault(content, []).append(entry)
        self.exact = {k: e for k, c in exact.items() if (e := self._resolve(c))}
        self.related = {
            k: e for k, c in related.items() if k not in self.exact and (e := self._resolve(c))
        }
        names = (*self.exact, *self.related)
        self.prefixes = {key[:k] for key in names for k in range(1, len(key))}
        """Word tuples that begin a longer name: matching stops where none does."""
        for key, cands in bags.items():
            labels = {e.term for e in cands if e.kind == "label"}
            if len(labels) > 1:  # "left-to-right" / "right-to-left shunt": neither
                self.ambiguous.add(key)
            elif (entry := self._resolve(cands)) is not None:
                self.bags[key] = entry
        for words, entry in list(self.exact.items()):  # after all names: theirs win
            m = EMIA.fullmatch(words[0]) if len(words) == 1 else None
            if m:
                modifier = "decreased" if m.group(1) == "o" else "increased"
                key = bag((modifier, *normalize(ANALYTE.get(m.group(2), m.group(2)))))
                if key not in self.ambiguous:
                    self.bags.setdefault(key, entry)
        ids = {t.id for t in self.terms}
        for abbreviation, term in ABBREVIATIONS.items():
            if term in ids:
                senses[abbreviation] = [Entry(term, abbreviation, "vetted")]
        self.abbreviations = {k: tuple({e.term: e for e in v}.values()) for k, v in senses.items()}
        self.bag_words = {word for key in self.bags for word in key}
        """Words of the other-word-order keys: a window holding another word matches none."""

    def _comma_prefixes(self, name: str) -> None:
        parts = name.split(",")
        for k in range(1, len(parts)):
            self.comma_prefixes.add(normalize(",".join(parts[:k]).replace(",", " ")))

    def _synonym_kind(self, term: str, name: str) -> str:
        return "synonym" if " EXACT" in self.describe(term, name) else "curated"

    def _resolve(self, cands: list[Entry]) -> Entry | None:
        """The entry a name stands for: a label first; among synonyms of several terms, the
        most specific (a descendant of all the others); otherwise none (ambiguous)."""
        if len(cands) == 1:
            return cands[0]
        best = min(_RANK[e.kind] for e in cands)
        top = [e for e in cands if _RANK[e.kind] == best]
        terms = {e.term for e in top}
        if len(terms) == 1:
            return top[0]
        if best == 0:
            return top[0]  # two labels normalising alike: keep the first, as before
        for e in top:
            if all(o.term == e.term or o.term in self.ancestors(e.term) for o in top):
                return e
        return None

    @classmethod
    def for_graph(cls, graph: KnowledgeGraph) -> ConceptRecognizer:
        """The recogniser for a graph, built once per graph object and cached."""
        return _cached(graph)

    def recognize(
        self, text: str, source: Literal["context", "question"] = "context"
    ) -> list[Mention]:
        """Every mention in `text`, in text order (spans index into `text`)."""
        tokens = tokenize(text)
        bounds = sentence_bounds(tokens)
        matches = self._first_pass(tokens, text)
        matches = resolve_abbreviations(matches, tokens, text, self.systems)
        matches = extend_modifiers(matches, tokens, text, self._lookup, self.label_key, self._is_a)
        matches = distribute(matches, tokens, self._lookup)
        matches += normal_findings(matches, tokens, text, self.exact, bounds)
        out: list[Mention] = []
        for found in sorted(matches, key=lambda m: m.start):
            entry = found.entry
            start_c, end_c = tokens[found.start].start, tokens[found.end - 1].end
            s_start, s_end = bounds[found.start]
            ctx = context(text[s_start:s_end], start_c - s_start, end_c - s_start)
            if found.method == "normality":  # "hearing is normal": the abnormality is absent
                statement = stated_normal(text[s_start:s_end], start_c - s_start, end_c - s_start)
                if statement is not None:
                    start_c, end_c = s_start + statement[0], s_start + statement[1]
                ctx = Context(negated=True, family=ctx.family, hypothetical=False,
                              trigger="normal")  # fmt: skip
            out.append(
                Mention(
                    term=entry.term,
                    label=self._label(entry.term),
                    span=Span(start=start_c, end=end_c, text=text[start_c:end_c], source=source),
                    matched=entry.name,
                    method=found.method,  # type: ignore[arg-type]
                    negated=ctx.negated,
                    family=ctx.family,
                    hypothetical=ctx.hypothetical,
                    trigger=ctx.trigger,
                    synonym=self._kind(entry),
                    confidence=RELATED_CONFIDENCE if entry.kind == "related" else 1.0,
                )
            )
        return out

    def _first_pass(self, tokens: list[Token], text: str) -> list[Match]:
        """Greedy left to right: at each position the longest name in any word order."""
        out: list[Match] = []
        i = 0
        while i < len(tokens):
            exact, reordered = self._longest(tokens, i, text), self._reordered(tokens, i)
            if exact and reordered and reordered[0] > exact[0]:
                exact = None  # a longer span in another word order wins
            found = (
                exact
                or reordered
                or self._longest(tokens, i, text, self.related, "related")
                or self._abbreviation(tokens, i)
                or self._adjective(tokens, i)
            )
            if found is None:
                i += 1
                continue
            end, entry, method = found
            senses = self.abbreviations.get(tokens[i].text, ()) if method == "abbreviation" else ()
            out.append(Match(i, end, entry, method, senses))
            i = end
        return out

    def _lookup(self, words: tuple[str, ...]) -> Entry | None:
        """A name in text order, else in another word order (2-4 content words)."""
        found = self.exact.get(words)
        if found is None:
            content = bag(words)
            found = self.bags.get(content) if len(content) >= 2 else None
        return found

    def _is_a(self, child: str, parent: str) -> bool:
        return parent in self.ancestors(child)

    def _kind(self, entry: Entry) -> str:
        if entry.kind == "label":
            return ""
        if entry.kind == "vetted":
            return "clinreason abbreviation table"
        if entry.kind == "curated":
            return "clinreason curated synonym"
        return self.describe(entry.term, entry.name)

    def _label(self, term: str) -> str:
        found = self.term(term)
        return found.label if found is not None else term

    def term(self, term_id: str) -> Term | None:
        """One of the recogniser's terms (with its names), or None."""
        if not hasattr(self, "_by_id"):
            self._by_id = {t.id: t for t in self.terms}
        return self._by_id.get(term_id)

    def _longest(
        self,
        tokens: list[Token],
        i: int,
        text: str,
        names: dict[tuple[str, ...], Entry] | None = None,
        method: str | None = None,
    ) -> tuple[int, Entry, str] | None:
        names = self.exact if names is None else names
        limit = min(len(tokens), i + self.max_len)
        best = None
        crossed = False  # a comma inside the name: it must then end its phrase
        words: tuple[str, ...] = ()
        for end in range(i + 1, limit + 1):
            if end - 1 > i and tokens[end - 1].phrase_break:
                if not (comma_only(text, tokens, end - 1) and words in self.comma_prefixes):
                    break
                crossed = True
            words += (tokens[end - 1].norm,)
            entry = names.get(words)
            if entry is None and words not in self.prefixes:
                break  # no longer name starts with these words
            ends_phrase = end == len(tokens) or tokens[end].phrase_break
            if entry is not None and (ends_phrase or not crossed):
                best = (end, entry, method or ("label" if entry.kind == "label" else "synonym"))
        return best

    def _abbreviation(self, tokens: list[Token], i: int) -> tuple[int, Entry, str] | None:
        senses = self.abbreviations.get(tokens[i].text)
        return (i + 1, senses[0], "abbreviation") if senses else None

    def _adjective(self, tokens: list[Token], i: int) -> tuple[int, Entry, str] | None:
        """An adjective -> its one-word finding ("ataxic" -> Ataxia), only when predicative."""
        if not ends_noun_phrase(tokens, i + 1):
            return None
        word = tokens[i].norm
        for adjective, noun in ADJECTIVE_ENDINGS:
            if word.endswith(adjective) and len(word) > len(adjective) + 3:
                entry = self.exact.get((word[: -len(adjective)] + noun,))
                if entry is not None:
                    return (i + 1, entry, "adjective")
        return None

    def _reordered(self, tokens: list[Token], i: int) -> tuple[int, Entry, str] | None:
        if tokens[i].norm in _SKIP:
            return None
        best = None
        content: list[str] = []  # the window's content words by meaning (`bag` unsorted)
        for end in range(i + 1, min(len(tokens), i + MAX_WINDOW) + 1):
            tok = tokens[end - 1]
            if end - 1 > i and tok.phrase_break:
                break
            if tok.norm in _SKIP:
                if tok.norm in MEASURE and best is not None and best[0] == end - 1:
                    best = (end, best[1], best[2])  # "low lymphocyte count": span takes "count"
                continue
            content.append(MODIFIER.get(tok.norm, tok.norm))
            if len(content) > 4 or content[-1] not in self.bag_words:
                break  # no key holds this word: no longer window matches either
            entry = self.bags.get(tuple(sorted(content))) if len(content) >= 2 else None
            if entry is not None:
                best = (end, entry, "reordered")
        if best and tokens[i].norm in MODIFIER and not ends_noun_phrase(tokens, best[0]):
            return None  # "low potassium diet": the modifier is not about the analyte
        return best


@lru_cache(maxsize=8)
def _cached(graph: KnowledgeGraph) -> ConceptRecognizer:
    root = graph.phenotype_root
    terms = [t for t in graph.terms() if t.id != root and root in graph.ancestors(t.id)]
    top = frozenset(t.id for t in terms if root in graph.parents(t.id))

    def systems(term: str) -> frozenset[str]:
        return (graph.ancestors(term) | {term}) & top

    return ConceptRecognizer(
        terms, ancestors=graph.ancestors, systems=systems, describe=_describer(graph)
    )


def _describer(graph: KnowledgeGraph) -> Callable[[str, str], str]:
    """(term, name) -> the kind of hp.obo synonym it is, when the graph has an hp.obo table."""
    table = getattr(graph, "synonym_table", None)
    if table is None:
        return lambda _t, _n: ""

    def describe(term: str, name: str) -> str:
        found = table.find(term, name)
        return f"hp.obo@{table.release} {found.describe()}" if found else ""

    return describe
