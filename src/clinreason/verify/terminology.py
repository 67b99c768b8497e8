"""Concept readers of the second reader: HPO terms and ICD-10-CM codes named in a text.

- **HPO**: the shared concept recogniser (`tools.kg.recognize`) over the HPO graph, whose names
  include `hp.obo`'s EXACT synonyms (the one shared loader, `tools.kg.synonyms`).
- **ICD-10-CM** (`simple_icd_10_cm`): descriptions and inclusion terms matched as whole phrases
  (`IcdIndex`). An "X, unspecified" code (also "X of unspecified site", "X without
  specification of site") stands for its parent X; a block's range holds every code in it even
  where the package files a code under a narrower block (C44.91 lies in C00-C96 Malignant
  neoplasms); an inclusion note "X, except as in R" makes X cover the codes of R too (G83:
  "paralysis, except as in G80-G82").
- **HPO into ICD-10-CM** (`bridged_hits`): an HPO mention that no ICD-10-CM name covers is
  also read as the codes named by one of the HPO term's own names (label, EXACT synonyms).

Negation, family and hypothetical context come from the shared `tools.negation` module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Literal

from clinreason.tools.kg.recognize import ConceptRecognizer
from clinreason.tools.kg.text import Token, normalize, tokenize
from clinreason.tools.negation import context


@dataclass(frozen=True)
class Hit:
    """A concept mention in a text (criterion or note)."""

    reader: Literal["hpo", "icd10cm"]
    concepts: tuple[str, ...]
    """HPO term id, or the ICD-10-CM codes whose name matched."""
    label: str
    start: int
    end: int
    text: str
    status: Literal["present", "absent", "family", "hypothetical"]


@dataclass
class IcdIndex:
    """ICD-10-CM disease and symptom names (chapters A-N and R) -> codes, for phrase matching."""

    names: dict[tuple[str, ...], frozenset[str]]
    abbreviations: dict[str, frozenset[str]]
    labels: dict[str, str]
    parents: dict[str, str]
    max_len: int
    blocks: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Block code ('C00-C96') -> its first and last category."""
    _anc: dict[str, frozenset[str]] = field(default_factory=dict)
    _bridge: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """HPO term -> the codes its names name (`bridged_hits`)."""

    def ancestors(self, code: str) -> frozenset[str]:
        """All ancestors of a code: categories and blocks up its parent chain, and every block
        whose range holds it."""
        found = self._anc.get(code)
        if found is None:
            acc: list[str] = []
            for p in (self.parents.get(code), *self._ranges_of(code)):
                while p is not None and p not in acc:
                    acc.append(p)
                    p = self.parents.get(p)
            found = self._anc[code] = frozenset(acc)
        return found

    def _ranges_of(self, code: str) -> list[str]:
        """Blocks whose range holds the code (or the whole of a narrower block), narrowest
        first."""
        lo, hi = _bounds(code)
        out = [b for b, (s, e) in self.blocks.items() if b != code and s <= lo and hi <= e]
        return sorted(out, key=lambda b: (self.blocks[b][1] > hi, self.blocks[b]))

    def general(self, code: str) -> str:
        """The code an "X, unspecified" code stands for: its parent X, or a block X whose range
        holds it (repeatedly)."""
        seen = {code}
        while True:
            mine = normalize(_clean(self.labels.get(code, "")))
            wider = [self.parents.get(code), *self._ranges_of(code)]
            nxt = next(
                (
                    p
                    for p in wider
                    if p is not None
                    and p not in seen
                    and mine
                    and mine == normalize(re.sub(r"(?i)^other\s+", "", self.labels.get(p, "")))
                ),
                None,
            )
            if nxt is None:
                return code
            code = nxt
            seen.add(code)


def _bounds(code: str) -> tuple[str, str]:
    """(first, last) category a code or block covers: 'C44.91' -> ('C44', 'C44')."""
    if "-" in code:
        a, b = code.split("-", 1)
        return a[:3], b[:3]
    return code[:3], code[:3]


def _clean(name: str) -> str:
    name = re.sub(r"\bNOS\b", "", name)
    name = re.sub(r"(?i)\s+without\s+specification\s+of\s+site\b", "", name)
    name = re.sub(r"(?i),?\s*(?:of\s+|at\s+)?unspecified\s+sites?\b", "", name)
    name = re.sub(r"(?i),?\s*(?:unspecified|not elsewhere classified)\b", "", name)
    return " ".join(name.split()).strip(" ,;")


_ABBR = re.compile(r"[(\[]([A-Z][A-Z0-9]{2,5})[)\]]")
_EXCEPT = re.compile(
    r"(?i)^(?P<name>.+?),?\s+except\s+(?:as\s+in|those\s+in)\s+"
    r"(?P<first>[A-Z]\d[0-9A-Z])(?:\.-)?(?:-(?P<last>[A-Z]\d[0-9A-Z]))?\.?-?$"
)
"""An inclusion note "X, except as in G80-G82": X at this code, and X as well in those codes."""


@lru_cache(maxsize=1)
def icd_index() -> IcdIndex | None:
    """The ICD-10-CM name index (built once per process), or None without simple_icd_10_cm."""
    try:
        import simple_icd_10_cm as icd
    except ImportError:  # pragma: no cover - a core dependency
        return None
    names: dict[tuple[str, ...], set[str]] = {}
    abbreviations: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    parents: dict[str, str] = {}
    excepted: list[tuple[tuple[str, ...], str, str, str]] = []
    max_len = 1
    for code in icd.get_all_codes(True):
        if icd.is_chapter(code) or code[0] not in "ABCDEFGHIJKLMNR":
            continue
        if icd.is_extended_subcategory(code):
            continue
        labels[code] = icd.get_description(code)
        parent = icd.get_parent(code)
        if parent and parent != code and not icd.is_chapter(parent):
            parents[code] = parent
        texts = [labels[code], *icd.get_inclusion_term(code)]
        for note in icd.get_includes(code):
            if (m := _EXCEPT.match(note)) is not None:
                excepted.append((normalize(m.group("name")), code, m.group("first"),
                                 m.group("last") or m.group("first")))  # fmt: skip
            elif len(note.split()) <= 6:
                texts.append(note)
        for text in texts:
            for ab in _ABBR.findall(text):
                abbreviations.setdefault(ab, set()).add(code)
            bare = _clean(text)
            if re.fullmatch(r"[A-Z][A-Z0-9]{2,5}", bare):
                abbreviations.setdefault(bare, set()).add(code)
                continue
            if re.match(r"(?i)other\b", bare) or "unspecified" in bare.lower():
                continue
            key = normalize(bare)
            if len(" ".join(key)) < 4:
                continue
            names.setdefault(key, set()).add(code)
            if re.search(r"\bNOS\b", text) and code in parents:
                # "X NOS" is X in general, filed under one code ("diabetes NOS" under E11, type 2):
                # it also stands for the code's parent, so "diabetes mellitus" (E08-E13) is found
                names[key].add(parents[code])
            max_len = max(max_len, len(key))
    for key, code, first, last in excepted:
        cats = {c for c in labels if len(c) == 3 and first <= c <= last}
        names.setdefault(key, set()).update({code, *cats})
    blocks = {c: _bounds(c) for c in labels if "-" in c}
    return IcdIndex(
        names={k: frozenset(v) for k, v in names.items()},
        abbreviations={k: frozenset(v) for k, v in abbreviations.items() if len(v) <= 3},
        labels=labels,
        parents=parents,
        max_len=max_len,
        blocks=blocks,
    )


def sentence_spans(tokens: list[Token]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    first = 0
    for k in range(1, len(tokens) + 1):
        if k == len(tokens) or tokens[k].sentence_break:
            out.extend([(tokens[first].start, tokens[k - 1].end)] * (k - first))
            first = k
    return out


def status_at(text: str, bounds: tuple[int, int], start: int, end: int) -> Any:
    s0, s1 = bounds
    ctx = context(text[s0:s1], start - s0, end - s0)
    if ctx.family:
        return "family"
    if ctx.hypothetical:
        return "hypothetical"
    return "absent" if ctx.negated else "present"


def icd_hits(index: IcdIndex, text: str) -> list[Hit]:
    """ICD-10-CM names (longest at each position, never across punctuation) in `text`."""
    tokens = tokenize(text)
    bounds = sentence_spans(tokens)
    out: list[Hit] = []
    i = 0
    while i < len(tokens):
        best: tuple[int, frozenset[str]] | None = None
        for end in range(i + 1, min(len(tokens), i + index.max_len) + 1):
            if end - 1 > i and tokens[end - 1].phrase_break:
                break
            codes = index.names.get(tuple(t.norm for t in tokens[i:end]))
            if codes:
                best = (end, codes)
        if best is None:
            codes = index.abbreviations.get(tokens[i].text)
            if codes:
                best = (i + 1, codes)
        if best is None:
            i += 1
            continue
        end, codes = best
        start_c, end_c = tokens[i].start, tokens[end - 1].end
        ordered = tuple(sorted(codes))
        out.append(
            Hit(
                "icd10cm",
                ordered,
                index.labels.get(ordered[0], ordered[0]),
                start_c,
                end_c,
                text[start_c:end_c],
                status_at(text, bounds[i], start_c, end_c),
            )
        )
        i = end
    return out


def hpo_hits(rec: ConceptRecognizer, text: str) -> list[Hit]:
    """HPO mentions in `text` (the shared concept recogniser)."""
    return [
        Hit("hpo", (m.term,), m.label, m.span.start, m.span.end, m.span.text, m.status)
        for m in rec.recognize(text)
    ]


def bridged_hits(rec: ConceptRecognizer, index: IcdIndex, hits: list[Hit]) -> list[Hit]:
    """ICD-10-CM readings of HPO mentions that no ICD-10-CM name covers: the codes whose name
    is one of the HPO term's own names (its label or an EXACT synonym of `hp.obo`), so wording
    only HPO knows ("cerebrovascular accident": Stroke) reaches the ICD-10-CM hierarchy too
    (I63 Cerebral infarction, under I60-I69 Cerebrovascular diseases)."""
    covered = [(h.start, h.end) for h in hits if h.reader == "icd10cm"]
    out: list[Hit] = []
    for h in hits:
        if h.reader != "hpo" or any(s < h.end and h.start < e for s, e in covered):
            continue
        codes = _icd_codes_of(rec, index, h.concepts[0])
        if codes:
            label = index.labels.get(codes[0], codes[0])
            out.append(replace(h, reader="icd10cm", concepts=codes, label=label))
    return out


def _icd_codes_of(rec: ConceptRecognizer, index: IcdIndex, term: str) -> tuple[str, ...]:
    cache: dict[str, tuple[str, ...]] = index._bridge
    found = cache.get(term)
    if found is None:
        t = rec.term(term)
        names = (t.label, *t.synonyms) if t is not None else ()
        codes: set[str] = set()
        for name in names:
            codes |= index.names.get(normalize(_clean(name)), frozenset())
        found = cache[term] = tuple(sorted(codes))
    return found


def concept_hits(rec: ConceptRecognizer | None, icd: IcdIndex | None, text: str) -> list[Hit]:
    """Concept mentions of both readers, HPO mentions also read into ICD-10-CM."""
    hits = (hpo_hits(rec, text) if rec else []) + (icd_hits(icd, text) if icd else [])
    if rec is not None and icd is not None:
        hits += bridged_hits(rec, icd, hits)
    return hits
