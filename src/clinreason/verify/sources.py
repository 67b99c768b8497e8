"""`knowledge_source`: medical-knowledge sentences of the reasoning checked against the corpus.

Issue 12, item 3: a `thought` sentence that states general medical knowledge (not a fact about
this patient, not a choice of option) is looked up in a retrieval index: the run's own
(`strategy.params.index`, e.g. `rag -S index=...`) when the trace records one, else the default
clinical corpus (`tools.retrieval.default_index`: open-medicine guideline summaries with DOIs,
HPO terms, ICD-10-CM codes). One verdict per knowledge sentence:

- **supported** only when one *unit* of a retrieved passage states every part of the sentence:
  each medical concept it names (HPO term, or ICD-10-CM code, by the project's recognisers;
  a more specific concept in the unit counts) and each other content word (stemmed; relating
  words such as "indicates" or "typically" aside) occur in the unit, and the unit negates the
  sentence's words exactly when the sentence does (the shared NegEx rules, `tools.negation`).
  A unit is one sentence of a guideline summary with the heading it sits under, an HPO term's
  passage (name, definition, synonyms), or an ICD-10-CM code's passage read with its parent
  codes' names and its category's inclusion notes (a code means what its headings say). The
  evidence names the passage id, its source, DOI where known, and the sentence.
- **contradicted** only with positive evidence of a swap, from the ICD-10-CM hierarchy: within
  one category (e.g. I21 Acute myocardial infarction), the sentence's words fit no single code,
  but split into A, found with code c1 and not with c2, and B, found with c2 and not c1; c1 and
  c2 are distinct codes of the category, neither within the other (mutually exclusive by the
  classification); c1's own name says something the sentence does not (B', a qualifier such as
  "unspecified trimester" does not count); the sentence names all that c2's own name adds to
  c1's (B is a whole alternative, not one word of it); every code holding A lies in c1's branch
  of the category (A points to one alternative); the sentence names at least `MIN_SHARED`
  words of what c1 and c2 share (it is about their subject: "ST elevation" for two STEMI
  codes); and no code of the category links A with B.
  An initialism ("LAD") counts as the words of a code name it abbreviates. Example: "ST
  elevation in II, III and aVF indicates occlusion of the left anterior descending artery" —
  I21.11 files the right coronary artery under I21.1 *inferior wall*, while the left anterior
  descending artery is filed (I21.02) under I21.0 *anterior wall*, never with the inferior
  wall. Both codes' passages must be in the index used. Negated, contrasted, conditional or
  listing sentences ("not", "but", "or", "if", "unlike") are never contradicted.
- **unverifiable** otherwise: "no source in the index states this" (never supported by default).

ECG leads are read as the wall they face (`LEAD_WALLS`): no terminology or passage the project
ships names the leads over each wall (HPO says "inferior leads: II, III, and aVF" only in a
comment, which the corpus leaves out), so these three textbook groups are a table here; the
evidence says when it was used.

Evidence and independence: the retrieval index (passages read by id, the ICD-10-CM hierarchy of
`simple_icd_10_cm`, the HPO graph's is-a relation for concept coverage) and the lead table.
Independent of the model that wrote the sentence (no model call, no use of the answer); NOT
independent of the retrieval index `rag` uses, when the trace is a `rag` trace over the same
index (the sentence may paraphrase a passage it was shown). It shares the concept recognisers
(`tools.kg.recognize`, `verify.terminology`) with the `kg` and `second_reader` checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any, ClassVar

from clinreason.trace import Case, Thought, Trace, Verdict
from clinreason.verify.base import verdict
from clinreason.verify.text import sentences as split_sentences
from clinreason.verify.trust import carries_inference

VERIFIER = "knowledge_source"
_v = partial(verdict, VERIFIER)
K = 8
"""Passages retrieved per sentence (declared before measuring)."""
MIN_WORDS = 2
"""A sentence with fewer content words (relating words aside) is not a checkable claim."""
MIN_SHARED = 2
"""Words of the context two codes share (their names' common part, the category's notes aside)
a sentence must name to be read as a swap between them: the sentence is about that subject."""
MAX_FAMILY = 300
"""ICD-10-CM categories with more codes than this are not searched for swaps (cost)."""
ICD_CHAPTERS = "ABCDEFGHIJKLMNOPQR"
"""Diseases, symptoms and findings; injuries, external causes and Z codes are left out."""

LEAD_WALLS: tuple[tuple[frozenset[str], frozenset[str], str], ...] = (
    (frozenset({"ii", "iii", "avf"}), frozenset({"avf"}), "inferior wall"),
    (frozenset({"v1", "v2", "v3", "v4"}), frozenset({"v1", "v2", "v3", "v4"}), "anterior wall"),
    (frozenset({"i", "avl", "v5", "v6"}), frozenset({"avl", "v5", "v6"}), "lateral wall"),
)
"""(leads of a group, leads that identify it unambiguously, the wall they face): textbook ECG
lead groups, a table because no shipped terminology or passage names them (see the module
docstring). Two leads of a group, one of them identifying, read as that wall."""

_RELATING = (
    "indicate indicates indicating indicative suggest suggests suggesting suggestive "
    "typically typical usually commonly common often classically classic characteristic "
    "characteristically associated association consistent likely most may can could "
    "cause causes caused causing result results resulting lead leads leading due seen found "
    "occur occurs feature features sign signs finding findings hallmark manifestation "
    "manifestations known recognised recognized frequently frequent also well important "
    "key main major primary involve involves involving affect affects affected type kind "
    "include includes including example called considered defined refers refer "
    "point points expected mean means represent represents reflect reflects show shows "
    "presence present presents typical therefore thus hence"
)
"""Words that relate the parts of a statement; they need not occur in a source unit."""
_GENERIC = "other unspecified site sites specified nos elsewhere classified involving type"
"""ICD-10-CM words that do not tell two codes apart."""
_WORD = re.compile(r"[^\W_]+")


def negated(text: str, stems: Iterable[str]) -> bool:
    """Whether a word of `text` whose stem is in `stems` is negated there (the shared NegEx
    rules, `tools.negation`, sentence by sentence): a cue that reaches the claim's own words,
    not any "no" in the sentence ("If no contraindications, give metoprolol" is not negated).

    >>> negated("Sepsis is not caused by a virus.", words("virus"))
    True
    >>> negated("If no contraindications, give IV metoprolol.", words("metoprolol"))
    False
    """
    from clinreason.tools.negation import is_negated

    wanted = set(stems)
    clauses = (c for _, s in split_sentences(text) for c in re.split(r"[,:]\s", s))
    for sentence in clauses:  # a comma ends a cue's reach here ("If no X, give Y")
        for m in _WORD.finditer(sentence):
            stem = words(m.group())
            if stem and stem[0] in wanted and is_negated(sentence, m.start(), m.end()):
                return True
    return False


_NO_SWAP = re.compile(
    r"(?i)\b(?:not|no|never|without|n't|unlike|whereas|but|however|although|or|versus|vs|"
    r"rather|instead|if|unless|except|either|neither|nor|compared|whether)\b|\?"
)
"""Sentences never read as a swap: negated, contrasted, conditional or listing alternatives."""
_PATIENT = re.compile(
    r"(?i)\b(?:the|this|our|that)\s+(?:patient|man|woman|boy|girl|child|infant|case|"
    r"scenario|vignette|note|question)\b|\b(?:patient'?s|he|she|his|her|him|hers)\b|"
    r"\b(?:options?|answer|choices?|correct|incorrect)\b|\([A-E]\)"
)
"""A sentence about this patient or about the options is not general knowledge."""
_DEFINITION = re.compile(r"(?i)^[\w ,()'-]+?\s+(?:is|are)\s+(?:an?|the)\s+\w")
"""'X is a Y': a definition or class statement ("Metoprolol is a beta blocker")."""


@lru_cache(maxsize=1)
def _tokenizer() -> Callable[[str], list[str]]:
    from clinreason.tools.retrieval.tokenize import Tokenizer

    return Tokenizer()


def words(text: str) -> list[str]:
    """Content-word stems of `text` (the retrieval tokenizer's), in order.

    >>> words("ST elevation in leads II, III and aVF")
    ['st', 'elev', 'lead', 'ii', 'iii', 'avf']
    """
    return _tokenizer()(text)


@lru_cache(maxsize=1)
def _relating() -> frozenset[str]:
    return frozenset(words(_RELATING))


@lru_cache(maxsize=1)
def _generic() -> frozenset[str]:
    return frozenset(words(_GENERIC))


def is_knowledge(sentence: str) -> bool:
    """Whether a sentence states general medical knowledge: a relating word or an 'X is a Y'
    form (`verify.trust.carries_inference`), and nothing about this patient or the options.

    >>> is_knowledge("Metoprolol is a beta blocker.")
    True
    >>> is_knowledge("ST elevation in II, III and aVF indicates an inferior infarction.")
    True
    >>> is_knowledge("The patient's ECG suggests an inferior infarction.")
    False
    >>> is_knowledge("Therefore, the answer is C.")
    False
    """
    if _PATIENT.search(sentence):
        return False
    return carries_inference(sentence) or bool(_DEFINITION.match(sentence.strip()))


def lead_walls(text: str) -> list[tuple[list[str], str]]:
    """(leads named, wall) for each ECG lead group `text` names (`LEAD_WALLS`).

    >>> lead_walls("ST elevation in leads II, III and aVF")
    [(['ii', 'iii', 'avf'], 'inferior wall')]
    >>> lead_walls("type II and III collagen")
    []
    """
    named = set(_plain_words(text))
    out = []
    for group, identifying, wall in LEAD_WALLS:
        found = group & named
        if len(found) >= 2 and found & identifying:
            out.append(([w for w in _plain_words(text) if w in found], wall))
    return out


def _plain_words(text: str) -> list[str]:
    """Lower-cased words of `text`, stop words kept (lead names are not stemmed)."""
    from clinreason.tools.retrieval.tokenize import Tokenizer

    return Tokenizer.words(text)


# -- concepts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Concepts:
    """The concept readers: HPO (graph + recogniser) and ICD-10-CM (name index)."""

    graph: Any
    recognizer: Any
    icd: Any

    def mentions(self, text: str) -> list[tuple[str, frozenset[str], int, int]]:
        """(reader, concept ids, start, end) of each present concept mention in `text`."""
        from clinreason.verify.terminology import concept_hits

        return [
            (h.reader, frozenset(h.concepts), h.start, h.end)
            for h in concept_hits(self.recognizer, self.icd, text)
            if h.status == "present"
        ]

    def within(self, reader: str, found: str, wanted: frozenset[str]) -> bool:
        """Whether concept `found` is one of `wanted` or more specific than one of them."""
        if found in wanted:
            return True
        if reader == "hpo":
            return bool(self.graph.ancestors(found) & wanted)
        return self.icd is not None and bool(self.icd.ancestors(found) & wanted)


@lru_cache(maxsize=1)
def default_concepts() -> Concepts:
    """The HPO graph, its recogniser and the ICD-10-CM index (loaded once per process)."""
    from clinreason.tools.kg.hpo import load_hpo
    from clinreason.tools.kg.recognize import ConceptRecognizer
    from clinreason.verify.terminology import icd_index

    graph = load_hpo()
    return Concepts(graph, ConceptRecognizer.for_graph(graph), icd_index())


# -- claims and units ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A knowledge sentence as the check reads it."""

    sentence: str
    required: frozenset[str]
    """Content-word stems a unit must hold (relating words, lead names and concept words out)."""
    concepts: tuple[tuple[str, frozenset[str], frozenset[str]], ...]
    """(reader, concept ids, the mention's word stems) per concept mention."""
    all_words: frozenset[str]
    """Every content-word stem, lead groups read as their wall, relating words out."""
    negated: bool
    walls: tuple[tuple[tuple[str, ...], str], ...] = ()


def read_claim(sentence: str, concepts: Concepts | None) -> Claim:
    """The parts of a sentence a source unit must state."""
    walls = lead_walls(sentence)
    leads = {w for named, _ in walls for w in named} | ({"lead"} if walls else set())
    mentions = concepts.mentions(sentence) if concepts is not None else []
    inside: set[str] = set()
    found = []
    for reader, ids, start, end in mentions:
        stems = frozenset(words(sentence[start:end])) - _relating()
        inside |= stems
        found.append((reader, ids, stems))
    base = set(words(sentence)) - _relating() - leads
    wall_words = {w for _, wall in walls for w in words(wall)}
    return Claim(
        sentence=sentence,
        required=frozenset((base - inside) | wall_words),
        concepts=tuple(found),
        all_words=frozenset(base | wall_words),
        negated=negated(sentence, base | inside),
        walls=tuple((tuple(named), wall) for named, wall in walls),
    )


@dataclass(frozen=True)
class Unit:
    """A piece of a passage that can state a claim: a sentence with its heading, or a whole
    term/code passage."""

    passage: Any
    text: str
    heading: str | None
    extra: str = ""
    """Text the unit inherits (an ICD-10-CM code's parent names and category notes)."""

    @property
    def full(self) -> str:
        return " ".join(x for x in (self.heading, self.text, self.extra) if x)


def _icd_code(passage: Any) -> str | None:
    pid = str(passage.id)
    return pid.split(":", 1)[1] if pid.startswith("ICD10CM:") else None


@lru_cache(maxsize=4096)
def icd_context(code: str) -> str:
    """The names of a code's parent codes up to its category, and the category's inclusion
    notes: what the code inherits from its headings."""
    import simple_icd_10_cm as icd

    if not icd.is_valid_item(code):
        return ""
    parts: list[str] = []
    for a in icd.get_ancestors(code):
        if icd.is_chapter_or_block(a):
            break
        parts.append(icd.get_description(a))
        if icd.is_category(a):
            parts.extend(icd.get_includes(a))
            parts.extend(icd.get_inclusion_term(a))
    if icd.is_category(code):
        parts.extend(icd.get_includes(code))
    return ". ".join(parts)


_BULLET = re.compile(r"(?m)^\s*(?:[-*+]|\d+[.)]|#+)\s+")


def units_of(passage: Any) -> list[Unit]:
    """The units of a passage (see `Unit`)."""
    code = _icd_code(passage)
    if code is not None:
        return [Unit(passage, passage.text, None, icd_context(code))]
    if passage.source == "hpo" or str(passage.id).startswith("HP:"):
        return [Unit(passage, passage.text, None)]
    text = _BULLET.sub("", passage.text.replace("**", "").replace("|", " ; "))
    heading = passage.section
    return [Unit(passage, s, heading) for _, s in split_sentences(text) if len(s) > 3]


# -- support ---------------------------------------------------------------------------------------


def covers(claim: Claim, unit: Unit, concepts: Concepts | None) -> bool:
    """Whether `unit` states every part of `claim` with the same polarity: its required words,
    and each concept by id (or, failing that, by the mention's own words)."""
    text = unit.full
    have = set(words(text))
    if not claim.required <= have:
        return False
    if claim.concepts:
        found = concepts.mentions(text) if concepts is not None else []
        code = _icd_code(unit.passage)
        if code is not None:
            found.append(("icd10cm", frozenset({code}), 0, 0))
        for reader, ids, stems in claim.concepts:
            by_id = concepts is not None and any(
                r == reader and any(concepts.within(reader, f, ids) for f in fids)
                for r, fids, _, _ in found
            )
            if not by_id and not stems <= have:
                return False
    return negated(unit.text, claim.all_words) == claim.negated


# -- contradiction: a swap between codes of one ICD-10-CM category --------------------------


@dataclass(frozen=True)
class Family:
    """One ICD-10-CM category: each code's frame (the stems of its name and its headings')."""

    category: str
    frames: dict[str, frozenset[str]]
    own: dict[str, frozenset[str]]
    """The stems of each code's own name (without its headings')."""
    names: dict[str, str]
    ancestors: dict[str, frozenset[str]]
    notes: frozenset[str] = frozenset()
    """The stems of the category's inclusion notes (in every frame)."""

    @property
    def vocabulary(self) -> frozenset[str]:
        return frozenset().union(*self.frames.values())


@lru_cache(maxsize=512)
def family(category: str) -> Family | None:
    """The category's codes and frames (None outside `ICD_CHAPTERS` or above `MAX_FAMILY`)."""
    import simple_icd_10_cm as icd

    if not icd.is_valid_item(category) or not icd.is_category(category):
        return None
    if category[0] not in ICD_CHAPTERS:
        return None
    codes = [category] + [
        c for c in icd.get_descendants(category) if not icd.is_extended_subcategory(c)
    ]
    if len(codes) > MAX_FAMILY:
        return None
    generic = _generic()
    notes = " ".join([*icd.get_includes(category), *icd.get_inclusion_term(category)])
    common = frozenset(words(notes))
    frames, own, names, anc = {}, {}, {}, {}
    for c in codes:
        names[c] = icd.get_description(c)
        chain = [c, *(a for a in icd.get_ancestors(c) if a in codes)]
        stems = {w for x in chain for w in words(icd.get_description(x))}
        frames[c] = frozenset(stems | common) - generic
        own[c] = frozenset(words(_UNSPECIFIED.sub("", names[c]))) - generic
        anc[c] = frozenset(a for a in icd.get_ancestors(c) if a in codes)
    return Family(category, frames, own, names, anc, common)


_UNSPECIFIED = re.compile(r"(?i),?\s*(?:of\s+|at\s+)?unspecified\b[^,;]*")
"""'..., unspecified trimester' says nothing in place of another code's words: not a code's own
name for a swap."""


def branch(fam: Family, code: str) -> str:
    """The child of the category that holds `code` (the category itself for the category)."""
    chain = [code, *sorted(fam.ancestors[code], key=lambda a: -len(fam.ancestors[a]))]
    return next((c for c in chain if fam.ancestors[c] == {fam.category}), fam.category)


@dataclass(frozen=True)
class Swap:
    """The evidence of a swap: the sentence links `a` with `b`; code `c1` links `a` with `alt`;
    `b` belongs to code `c2`; no code of the category links `a` with `b`."""

    category: str
    c1: str
    c2: str
    a: frozenset[str]
    b: frozenset[str]
    alt: frozenset[str]


def find_swap(claim_words: frozenset[str], fam: Family) -> Swap | None:
    """The best swap witness for a sentence's words in a category, or None (see the module
    docstring): most of the sentence on c1's side, then the most specific c1 (deepest, then
    fewest alternative words) and c2."""
    w = claim_words & fam.vocabulary
    frames = fam.frames
    if len(w) < 2 or any(w <= f for f in frames.values()):
        return None
    best: tuple[Any, ...] | None = None
    for c1, f1 in frames.items():
        a, b = w & f1, w - f1
        if not a or not b:
            continue
        for c2, f2 in frames.items():
            if c2 == c1 or c2 in fam.ancestors[c1] or c1 in fam.ancestors[c2] or not b <= f2:
                continue
            # B': what c1's own name says where the sentence says B
            core, alt = a - f2, fam.own[c1] - f2 - w
            if not core or not alt or any(core | b <= f for f in frames.values()):
                continue
            # the sentence names c2's whole alternative, not one word of it ...
            if not fam.own[c2] - f1 <= w:
                continue
            # ... A points to c1's branch of the category alone ...
            if any(core <= f and branch(fam, c) != branch(fam, c1) for c, f in frames.items()):
                continue
            # ... and the sentence is about what c1 and c2 share (e.g. "ST elevation")
            if len(w & f1 & f2 - fam.notes) < MIN_SHARED:
                continue
            key = (-len(a), -len(fam.ancestors[c1]), len(alt), len(f2), c1, c2)
            if best is None or key < best[0]:
                best = (key, Swap(fam.category, c1, c2, frozenset(core), frozenset(b), alt))
    return best[1] if best else None


_INITIALISM = re.compile(r"\b[A-Z]{3,5}\b")


def initialisms(sentence: str, fam: Family) -> frozenset[str]:
    """The stems of the name words that an initialism of the sentence abbreviates in one of the
    category's code names ("LAD": left anterior descending; "RCA": right coronary artery).

    >>> sorted(initialisms("ST elevation in II, III and aVF means LAD occlusion.", family("I21")))
    ['anterior', 'descend', 'left']
    """
    found: set[str] = set()
    for m in _INITIALISM.finditer(sentence):
        letters = m.group().lower()
        n = len(letters)
        for name in fam.names.values():
            plain = [w for w in _plain_words(name) if w.isalpha()]
            for i in range(len(plain) - n + 1):
                if "".join(w[0] for w in plain[i : i + n]) == letters:
                    found.update(words(" ".join(plain[i : i + n])))
    return frozenset(found)


def _phrase(stems: Iterable[str], text: str) -> str:
    """The words of `text` whose stems are in `stems`, in order ('left anterior descending')."""
    keep = set(stems)
    shown = [w for w in _plain_words(text) if (stem := words(w)) and stem[0] in keep]
    return " ".join(dict.fromkeys(shown)) or ", ".join(sorted(keep))


# -- the verifier ----------------------------------------------------------------------------------


def _passage_ref(p: Any) -> str:
    ref = f"{p.id} ({p.source}"
    if p.doi:
        ref += f", doi:{p.doi}"
    return ref + ")"


def _details(p: Any, sentence: str) -> dict[str, Any]:
    return {
        "passage": p.id,
        "source": p.source,
        "doi": p.doi,
        "title": p.title,
        "sentence": sentence,
    }


@dataclass(frozen=True)
class KnowledgeSourceCheck:
    """Knowledge sentences of `thought` steps against a retrieval index (module docstring)."""

    name: ClassVar[str] = VERIFIER
    k: int = K
    index: Any = field(default=None, repr=False, compare=False)
    """An index object (tests); default the trace's `strategy.params.index` or 'default'."""
    concepts: Concepts | None = field(default=None, repr=False, compare=False)
    """Concept readers (tests); default HPO + ICD-10-CM, loaded on first need."""

    def verify(self, trace: Trace, case: Case) -> list[Verdict]:
        """One verdict per knowledge sentence of the model's reasoning."""
        todo = [
            (step.id, s)
            for step in trace.steps_of(Thought)
            for _, s in split_sentences(step.text)
            if is_knowledge(s)
        ]
        if not todo:
            return []
        index, where = self._index(trace)
        if index is None:
            return [_v("unverifiable", sid, s, where, failure="no_index") for sid, s in todo]
        concepts = self.concepts if self.concepts is not None else default_concepts()
        out = []
        for sid, s in todo:
            claim = read_claim(s, concepts)
            if len(claim.all_words) < MIN_WORDS:
                continue
            out.append(self.judge(claim, sid, index, where, concepts))
        return out

    def _index(self, trace: Trace) -> tuple[Any, str]:
        if self.index is not None:
            return self.index, "the given index"
        spec = str(trace.strategy.params.get("index") or "default")
        from clinreason.tools.retrieval import open_index

        try:
            return open_index(spec), (
                "the default corpus" if spec == "default" else f"the index {spec}"
            )
        except Exception as exc:  # an index that cannot be opened here: say so, once per sentence
            return None, f"the index {spec} cannot be opened here: {exc}"

    def judge(
        self, claim: Claim, step_id: str | None, index: Any, where: str, concepts: Concepts | None
    ) -> Verdict:
        """The verdict on one knowledge sentence."""
        query = " ".join([claim.sentence, *(wall for _, wall in claim.walls)])
        hits = index.search(query, k=self.k)
        note = "".join(
            f"; leads {', '.join(n.upper() if n != 'avf' else 'aVF' for n in named)} read as "
            f"the {wall} (textbook ECG lead groups, not from the corpus)"
            for named, wall in claim.walls
        )
        for hit in hits:
            for unit in units_of(hit.passage):
                if covers(claim, unit, concepts):
                    shown = f"{unit.heading}: {unit.text}" if unit.heading else unit.text
                    if unit.extra:
                        shown += f" [under: {unit.extra}]"
                    return _v(
                        "supported",
                        step_id,
                        claim.sentence,
                        f'{_passage_ref(hit.passage)} states it: "{" ".join(shown.split())}"'
                        + note,
                        **_details(hit.passage, unit.text),
                        walls=[w for _, w in claim.walls] or None,
                    )
        swap = None if _NO_SWAP.search(claim.sentence) else self._swap(claim, hits, index)
        if swap is not None:
            return self._contradicted(claim, step_id, swap, index, note)
        return _v(
            "unverifiable",
            step_id,
            claim.sentence,
            f"no passage of {where} states this (searched the {len(hits)} best)" + note,
            failure="no_source",
            searched=[h.passage.id for h in hits],
        )

    def _swap(self, claim: Claim, hits: Sequence[Any], index: Any) -> Swap | None:
        categories = []
        for hit in hits:
            code = _icd_code(hit.passage)
            if code is not None and code[:3] not in categories:
                categories.append(code[:3])
        for cat in categories:
            fam = family(cat)
            if fam is None:
                continue
            swap = find_swap(claim.all_words | initialisms(claim.sentence, fam), fam)
            if swap is not None and all(
                index.get(f"ICD10CM:{c}") is not None for c in (swap.c1, swap.c2)
            ):
                return swap
        return None

    def _contradicted(
        self, claim: Claim, step_id: str | None, swap: Swap, index: Any, note: str
    ) -> Verdict:
        fam = family(swap.category)
        assert fam is not None
        n1, n2 = fam.names[swap.c1], fam.names[swap.c2]
        ctx1 = icd_context(swap.c1).split(". ")[0]
        ctx2 = icd_context(swap.c2).split(". ")[0]
        a = _phrase(swap.a, f"{n1} {ctx1}")
        b = _phrase(swap.b, f"{n2} {ctx2}")
        alt = _phrase(swap.alt, f"{n1} {ctx1}")
        evidence = (
            f"ICD-10-CM, in the index (passages ICD10CM:{swap.c1}, ICD10CM:{swap.c2}): "
            f'{swap.c1} "{n1}" sits under "{ctx1}", while "{b}" is filed only under {swap.c2} '
            f'"{n2}" (under "{ctx2}"); no code of {swap.category} "{fam.names[swap.category]}" '
            f'links "{a}" with "{b}". Distinct codes of one category are alternatives: the '
            f'sentence says "{b}" where the source says "{alt}"' + note
        )
        p1, p2 = index.get(f"ICD10CM:{swap.c1}"), index.get(f"ICD10CM:{swap.c2}")
        return _v(
            "contradicted",
            step_id,
            claim.sentence,
            evidence,
            passage=p1.id if p1 else None,
            passages=[p.id for p in (p1, p2) if p is not None],
            source="icd10cm",
            swap={
                "category": swap.category,
                "source_code": swap.c1,
                "claimed_code": swap.c2,
                "a": a,
                "b": b,
                "alternative": alt,
            },
            walls=[w for _, w in claim.walls] or None,
        )


VERIFIERS = {VERIFIER: KnowledgeSourceCheck}
