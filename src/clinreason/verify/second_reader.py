"""`second_reader`: re-read the note for each calculator input, without the extractor's tables.

The other verifiers check a calculator trace with the extractor's own code paths (its negation
rules, its calculator), so they confirm the extractor's mistakes. This one reads the patient note
a second time through independent sources and compares, one verdict per `extraction` step of a
trace that called a calculator (`calculator.<slug>`; traces without one get no verdicts):

- **yes/no criteria** (`bool` parameters, and `choice` parameters with a plain "none" / "absent"
  choice): the criterion's own words (name, else aliases, else description) are mapped to
  ontology concepts by the same concept recognisers that then read the note: HPO terms
  (`tools.kg.recognize` over the hpo3 graph with hp.obo's synonyms, is-a descendants included)
  and ICD-10-CM codes (descriptions and inclusion terms of `simple_icd_10_cm`, matched as whole
  phrases; an "X, unspecified" code stands for its parent X; code descendants and the codes in
  a block's range included); an HPO mention is also read as the ICD-10-CM codes its term's own
  names name (`verify.terminology`). Initialisms of the mapped multi-word names ("Chronic
  Obstructive Pulmonary Disease" -> COPD) are read too.
  Negation, family and hypothetical context come from the shared `tools.negation` module (the
  one part shared with the extractor). No table of the extractor (`tools.extract`) is used and
  there are no per-calculator phrase lists.

  A mapping is *exact* when every content word of the criterion lies inside a concept the
  reader recognised ("Hypertension history", "Stroke", "Melena present", "Peptic ulcer
  disease"). Words such as "in the last month", "previously documented", "criteria for the
  rule", "recent", "severity" are *qualifiers* the reader cannot check: such a criterion is
  never contradicted or supported; a present mention of its concept only raises the ambiguity
  flag when the extractor read the criterion as absent. A criterion that is itself negated or
  about a relative ("Cough Absent", "Family history of thrombosis") or maps to nothing gets no
  verdict, nor does an assumed *presence* (a default of True). A note mention that matches a
  more specific criterion of the same calculator counts for that one only (a TIA is not also
  a "Stroke" in CHA2DS2-VASc, though HPO files TIA under Stroke).

  | extracted | second reader (exact mapping) | verdict |
  |---|---|---|
  | assumed absent | a present mention, no denial | contradicted |
  | assumed absent | present and denied mentions | unverifiable, ambiguous |
  | assumed absent | no present mention | unverifiable, agrees (an assumption stays one) |
  | read by rule / model | a mention of the same polarity | supported (ambiguous if both) |
  | read by rule / model | only the opposite polarity | contradicted |
  | read by rule / model | nothing, or only family / hypothetical | unverifiable |

- **numbers** (`measurement` / `number` parameters read by rule or model, whose name is an
  analyte of `verify.units`: 'high-density lipoprotein cholesterol' is not cholesterol): the
  numbers verifier's own quantity reader (`verify.text.quantities`: analyte labels and units,
  sharing only the unit spellings with the extractor) lists every value of that quantity in
  the note, compared after unit conversion (2% apart counting as equal). Left out: reference
  values and thresholds, another specimen ("urine sodium" for serum sodium), modified labels
  ("HDL cholesterol", "weight loss", "at the age of 40"), values outside the parameter's
  plausible range. Values that may be another specimen (a "urine" earlier in the sentence)
  and a number at the extractor's own span that the reader cannot attribute only add to the
  count. Exactly the extracted value: supported; a single different value: contradicted; none:
  unverifiable. Two or more different values: when the question names no other time, the time
  words attached to each (`verify.value_time`: "on admission", "on day 3", "baseline ...")
  decide which one was measured at presentation: the extracted value alone there is supported,
  an extracted value from another time contradicted; otherwise unverifiable and ambiguous
  (which one the extractor used is stated).

Verdict `details`, always present: `reader`, `kind` ("criterion" | "value"), `ambiguous`
(bool: the note holds readings the second reader cannot choose between), `agrees` (True: the
second reading agrees with the extracted value; False: it disagrees; None: cannot tell).

- criterion verdicts: `reader` is the reader of the cited note mention ("hpo" | "icd10cm"),
  else the readers that mapped the criterion ("hpo", "icd10cm" or "hpo+icd10cm");
  `extracted` ("present" | "absent"), `method` (the extraction's), `concepts` (mapped HPO ids /
  ICD-10-CM codes), `exact` (bool), `qualifiers` (unchecked words of the criterion), `span`
  ([start, end] of the cited mention in the note, or None); with a cited mention also `term`
  (its HPO id or first ICD-10-CM code) and `label`.
- value verdicts: `reader` "note_values"; `values` (the distinct values in note order, each
  {"value": in the extracted unit, "text": as written, "span": [start, end] or None}),
  `extracted_value`, `unit` (the extraction's), `position` (1-based index of the extracted
  value among `values`, None when it is not among them); when time words decided, `times` (per
  value: `when`, `cue`, `scope`, `value`).

The HPO graph and the ICD-10-CM index are loaded once per process, only when a trace has a
criterion to check (about 3 s and 4 s). Figures: docs/benchmarks/verifiers.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, ClassVar, Literal

from clinreason.tools.calculators.base import Calculator, Param
from clinreason.tools.kg.base import KnowledgeGraph
from clinreason.tools.kg.recognize import ConceptRecognizer
from clinreason.tools.kg.text import tokenize
from clinreason.trace import Case, Extraction, Trace, Verdict
from clinreason.verify.calculation import calculator_used
from clinreason.verify.terminology import (
    Hit,
    IcdIndex,
    concept_hits,
    icd_index,
    status_at,
)
from clinreason.verify.text import Quantity, quantities, same_value, unit_key
from clinreason.verify.text import normalize as normalize_text
from clinreason.verify.units import analytes_in, convert
from clinreason.verify.value_time import at_presentation, time_of, wanted

NAME = "second_reader"
GENERIC = frozenset(
    ("history", "of", "the", "a", "an", "or", "present", "presence", "known", "disease", "disorder")
)
"""Criterion words that add nothing to the concept ("Hypertension history", "Melena present",
"Peptic ulcer disease")."""
NONE_CHOICE = re.compile(r"(?i)^(?:none|absent|no\s+\w+)$")
"""A choice that means the criterion is absent ('none', 'Absent', 'No Encephalopathy')."""
MIN_ACRONYM = 3
VALUE_WORDS = frozenset(
    {
        *("serum", "blood", "plasma", "level", "count", "percentage", "or", "of", "the", "for"),
        *("s", "pre", "operative", "preoperative", "apache", "ii", "urine", "urinary"),
    }
)
"""Words a numeric parameter's name may have besides its analyte ('Pre-operative creatinine')."""
SPECIMEN = re.compile(
    r"(?i)(?<![a-z])(?:urine|urinary|u|csf|cerebrospinal|pleural|peritoneal|ascitic|fluid|"
    r"stool|dialysate|synovial|bal)(?![a-z])"
)
"""A value of another body fluid than blood."""
REFERENCE = re.compile(
    r"(?i)(?:(?<![a-z])(?:normal|reference|ref|range|target|goal|threshold|cut-?off|limit|"
    r"uln|lln)(?:\s+(?:range|value|limit|level))?\s*(?:[:=]|of|is|was)?\s*|"
    r"(?<![a-z])(?:less|more|greater|higher|lower)\s+than\s*|(?<![a-z])(?:above|below|under|over|"
    r"exceeding|up\s+to|at\s+least|at\s+most)\s*|[<>≤≥]\s*=?\s*)$|"
    r"(?<![a-z])(?:if|dose|per|corrected|adjusted|estimated|calculated|expected|predicted|"
    r"ideal)(?![a-z])(?:\W+\S+){0,2}?\W*$"
)
"""Just before a value: a reference value, threshold or derived value, not the patient's
('normal 0.6', '< 1.2', 'corrected calcium 9.1'; 'normal at 0.9' is the patient's)."""
MODIFIED_BEFORE = re.compile(
    r"(?i)(?<![a-z])(?:lipoprotein|hdl|ldl|vldl|non|ionized|ionised|free|corrected|adjusted|"
    r"ideal|predicted|target|desired|dry|birth|molecular|lean|usual|goal|baseline\s+ideal)"
    r"[\s-]*$"
)
"""Just before an analyte label: the words make it another quantity ('HDL cholesterol',
'molecular weight', 'ideal body weight', 'ionized calcium')."""
MODIFIED_AFTER = re.compile(
    r"(?i)^\s*(?:loss|lost|gain|gained|change|difference|clearance|ratio|excretion|index)\b"
)
"""Right after the label: a change or a derived quantity ('weight loss of 10 kg')."""
AGE_AT = re.compile(r"(?i)\b(?:at|since|from|until|by)\s+(?:the\s+)?age[ds]?\s*(?:of\s*)?$")
"""An age at some past event ('diagnosed at the age of 40'), not the patient's age now."""
CONNECT = frozenset(
    {
        *("and", "then", "to", "from", "rose", "increased", "decreased", "fell", "dropped"),
        *("peaked", "was", "were", "is", "it", "at", "by", "on", "day", "days", "hours", "hour"),
        *("later", "after", "subsequently", "further", "again", "next", "up", "down", "with"),
        *("repeat", "follow", "followed", "trended", "improved", "worsened", "admission"),
        *("discharge", "its", "value"),
    }
)
"""Words that may sit between a labelled value and an unlabelled one of the same quantity in
one sentence ('creatinine rose from 1.2 mg/dL on day 1 to 2.1 mg/dL')."""
SAME_REL = 0.02
"""Two values of one quantity this close (relative) count as the same value."""
_SENTENCE_END = re.compile(r"[.!?]\s|\n")
_SLASH = re.compile(r"\s*/\s*")


# -- criterion mapping -----------------------------------------------------------------------


_SEX_WORDS = {
    "Male": r"\b(?:he|him|his|man|men|male|boy|gentleman|Mr)\b",
    "Female": r"\b(?:she|her|hers|woman|women|female|girl|lady|Mrs|Ms)\b",
}
"""Gendered English words for the patient (not relatives), counted in the note to read the
patient's sex a second way."""


def _sex(step: Extraction, note: str) -> Verdict:
    """The patient's sex read from the note's gendered words (their majority), not from the
    extractor's rules: supported when it is the extracted one, contradicted when the other sex
    clearly dominates (3:1), else unverifiable."""
    counts = {sex: len(re.findall(rx, note, flags=re.IGNORECASE)) for sex, rx in _SEX_WORDS.items()}
    extracted = str(step.value)
    other = "Female" if extracted == "Male" else "Male"
    mine, theirs = counts.get(extracted, 0), counts[other]
    evidence = f"gendered words in the note: {counts['Male']} male, {counts['Female']} female"
    if mine > theirs:
        status, agrees = "supported", True
    elif theirs >= 3 * max(mine, 1):
        status, agrees = "contradicted", False
    else:
        status, agrees = "unverifiable", None
    return Verdict(
        verifier=NAME,
        status=status,  # type: ignore[arg-type]
        step_id=step.id,
        claim=f"sex = {extracted}",
        evidence=evidence + " (a second reader)",
        details={"reader": "sex_words", "kind": "value", "ambiguous": False, "agrees": agrees},
    )


@dataclass(frozen=True)
class Mapping:
    """A criterion's concepts in one reader."""

    reader: Literal["hpo", "icd10cm"]
    concepts: tuple[str, ...]
    labels: tuple[str, ...]
    exact: bool
    """Every content word of the criterion lies inside a concept this reader recognised."""
    qualifiers: tuple[str, ...]
    acronyms: tuple[tuple[str, str], ...] = ()
    """(initialism, concept) of the mapped multi-word names, read case-sensitively."""


@dataclass(frozen=True)
class CriterionMap:
    """How a yes/no parameter is read: its mappings per reader, or why it is not read."""

    text: str
    mappings: tuple[Mapping, ...]


def _initialism(name: str) -> str | None:
    words = [w for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in ("of", "the", "and")]
    acr = "".join(w[0].upper() for w in words)
    return acr if len(words) >= MIN_ACRONYM else None


def map_criterion(
    texts: Sequence[str], rec: ConceptRecognizer | None, icd: IcdIndex | None
) -> CriterionMap | None:
    """The concepts of the first of `texts` (name, aliases, description) that names any.

    None when no text maps to a concept, or when the criterion is itself negated, about a
    relative or hypothetical ('Cough Absent', 'Family history of thrombosis').
    """
    for text in texts:
        if not text:
            continue
        hits = concept_hits(rec, icd, text)
        if not hits:
            continue
        if any(h.status != "present" for h in hits):
            return None
        tokens = tokenize(text)
        quals = []
        for t in tokens:
            inside = any(h.start <= t.start and t.end <= h.end for h in hits)
            if not inside and t.norm not in GENERIC:
                quals.append(t.text)
        exact = not quals
        out = []
        for reader in ("hpo", "icd10cm"):
            mine = [h for h in hits if h.reader == reader]
            if not mine:
                continue
            concepts: list[str] = []
            labels: list[str] = []
            acronyms: list[tuple[str, str]] = []
            for h in mine:
                codes = h.concepts
                if reader == "icd10cm" and icd is not None:
                    codes = tuple(dict.fromkeys(icd.general(c) for c in codes))
                for c in codes:
                    if c not in concepts:
                        concepts.append(c)
                        labels.append(
                            icd.labels.get(c, c) if reader == "icd10cm" and icd else h.label
                        )
                acr = _initialism(h.text)
                if acr:
                    acronyms.extend((acr, c) for c in codes)
            # a reader whose own mentions leave content words uncovered is not exact on its own
            own = not [
                t
                for t in tokens
                if t.norm not in GENERIC and not any(h.start <= t.start < h.end for h in mine)
            ]
            out.append(
                Mapping(
                    reader,  # type: ignore[arg-type]
                    tuple(concepts),
                    tuple(labels),
                    exact and own,
                    tuple(quals),
                    tuple(dict.fromkeys(acronyms)),
                )
            )
        return CriterionMap(text, tuple(out))
    return None


def read_inputs(trace: Trace) -> list[tuple[Extraction, Param]]:
    """The calculator trace's extractions with the parameter each fills (given values left out:
    they are not read from the note)."""
    calc = calculator_used(trace)
    if calc is None:
        return []
    params: dict[str, Param] = {}
    for p in calc.params:
        for key in (p.name, *p.aliases):
            params.setdefault(key, p)
    return [
        (s, params[s.name])
        for s in trace.steps
        if isinstance(s, Extraction) and s.name in params and s.method != "given"
    ]


def none_choice(p: Param) -> str | None:
    """The one choice of a choice parameter that means absent ('None', 'No Encephalopathy')."""
    found = [c for c in p.choices if NONE_CHOICE.match(c.strip())]
    return found[0] if len(found) == 1 else None


def polarity(p: Param, value: Any) -> str | None:
    """'present' or 'absent' for a yes/no reading of `p` (None when it is not one)."""
    if p.kind == "bool":
        return None if not isinstance(value, bool) else ("present" if value else "absent")
    none = none_choice(p)
    if none is None or not isinstance(value, str):
        return None
    if value.strip().lower() == none.lower():
        return "absent"
    return "present" if value in p.choices else None


# -- numbers ------------------------------------------------------------------------------------


def value_analyte(p: Param) -> tuple[str, bool] | None:
    """(analyte of `verify.units`, urine specimen) a numeric parameter measures, or None.

    The analyte must account for the whole name (apart from specimen and filler words):
    'high-density lipoprotein cholesterol' is not total cholesterol.
    """
    for text in (p.name, *p.aliases):
        plain = normalize_text(text)
        inner = re.findall(r"\(([^)]*)\)", plain)
        for part in inner:
            found = analytes_in(part)
            if len(found) == 1 and found[0][1] == 0 and found[0][2] == len(part.strip()):
                return found[0][0], bool(re.search(r"(?i)\burin", plain))
        outer = re.sub(r"\([^)]*\)", " ", plain)
        found = analytes_in(outer)
        if not found or len({a for a, _, _ in found}) != 1:
            continue
        rest = outer
        for _, s, e in reversed(found):
            rest = rest[:s] + " " + rest[e:]
        words = [w.lower() for w in re.findall(r"[A-Za-z]+", rest)]
        if all(w in VALUE_WORDS for w in words):
            return found[0][0], bool(re.search(r"(?i)\burin", plain))
    return None


@dataclass(frozen=True)
class _Value:
    value: float
    """In the extracted unit (or as written when either side has no unit)."""
    text: str
    start: int
    end: int


@lru_cache(maxsize=64)
def _note_quantities(note: str) -> tuple[Quantity, ...]:
    """`quantities`, plus: heights in feet and inches joined; "BP 85/45." (a pair the reader
    left as one 'bp' number) split into systolic and diastolic; an unlabelled value right after
    a labelled one of the same unit in the same sentence, with only connecting words between
    ('creatinine 1.2 mg/dL on day 1, then 2.1 mg/dL'), given that analyte. Memoized: every value
    step of a trace, and the time reading, read the same note."""
    qs = quantities(note)
    text = normalize_text(note)
    out: list[Quantity] = []
    skip = -1
    for i, q in enumerate(qs):
        if i == skip:
            continue
        nxt = qs[i + 1] if i + 1 < len(qs) else None
        if q.unit == "ft" and nxt is not None:
            gap = text[q.end : nxt.start]
            tail = text[nxt.end : nxt.end + 8]
            if re.fullmatch(r"\s*(?:and\s*)?", gap) and (
                nxt.unit == "in" or (nxt.unit is None and re.match(r"\s*(?:in\b|inch|\"|'')", tail))
            ):
                q = replace(
                    q,
                    value=q.value * 12 + nxt.value,
                    decimals=1,
                    unit="in",
                    analyte=q.analyte or "height",
                    end=nxt.end,
                    text=text[q.start : nxt.end],
                )
                skip = i + 1
        elif q.analyte == "bp" and nxt is not None and _SLASH.fullmatch(text[q.end : nxt.start]):
            out.append(replace(q, analyte="sbp"))
            out.append(replace(nxt, analyte="dbp", unit=nxt.unit or q.unit))
            skip = i + 1
            continue
        if q.analyte is None and q.unit is not None and out:
            prev = next((p for p in reversed(out) if p.analyte), None)
            if prev is not None and prev.unit == q.unit:
                between = text[prev.end : q.start]
                words = re.findall(r"[A-Za-z]{3,}", between)
                sentence = text[_sentence_start(text, prev.start) : prev.start]
                if (
                    not _SENTENCE_END.search(between)
                    and not analytes_in(between)
                    and all(w.lower() in CONNECT for w in words)
                    and len({a for a, _, _ in analytes_in(sentence)}) <= 1
                ):
                    q = replace(q, analyte=prev.analyte)
        out.append(q)
    return tuple(out)


def _same_analyte(want: str, got: str | None) -> bool:
    return got == want


def _in_unit(q: Quantity, key: str | None, analyte: str) -> float | None:
    if key is None or q.unit is None or q.unit == key:
        return q.value
    return convert(q.value, q.unit, key, analyte=analyte)


def _close(a: float, b: float) -> bool:
    if same_value(a, 6, None, b, 6, None):
        return True
    return abs(a - b) <= SAME_REL * max(abs(a), abs(b))


def _count_close(a: float, b: float) -> bool:
    return any(_close(a, b * k) for k in (1.0, 1e3, 1e-3, 1e6, 1e-6))


# -- the verifier ----------------------------------------------------------------------------


_MAPS: dict[tuple[str, int, bool], dict[Param, CriterionMap | None]] = {}


def _maps(
    calc: Calculator, rec: ConceptRecognizer, icd: IcdIndex | None
) -> dict[Param, CriterionMap | None]:
    """Every yes/no parameter of a calculator mapped to concepts (cached per calculator)."""
    key = (calc.slug, id(rec), icd is not None)
    found = _MAPS.get(key)
    if found is None:
        found = {}
        for p in calc.params:
            if p.kind == "bool" or (p.kind == "choice" and none_choice(p) is not None):
                found[p] = map_criterion((p.name, *p.aliases, p.description), rec, icd)
        _MAPS[key] = found
    return found


def _labels(cmap: CriterionMap) -> str:
    shown = [
        f"{c} {lab}" for m in cmap.mappings for c, lab in zip(m.concepts, m.labels, strict=True)
    ]
    return ", ".join(shown[:4])


def _acronym_hits(note: str, acronym: str, reader: str, concept: str, label: str) -> list[Hit]:
    """Case-sensitive whole-word occurrences of an initialism ('COPD', 'TIAs') in the note."""
    out = []
    for m in re.finditer(rf"(?<![A-Za-z0-9]){re.escape(acronym)}s?(?![A-Za-z0-9])", note):
        s0 = max(note.rfind(c, 0, m.start()) for c in ".;!?\n") + 1
        ends = [i for i in (note.find(c, m.end()) for c in ".;!?\n") if i != -1]
        s1 = min(ends) if ends else len(note)
        out.append(
            Hit(
                reader,  # type: ignore[arg-type]
                (concept,),
                label,
                m.start(),
                m.end(),
                m.group(),
                status_at(note, (s0, s1), m.start(), m.end()),
            )
        )
    return out


def _window(note: str, start: int, end: int, width: int = 70) -> str:
    left = max(note.rfind(".", 0, start) + 1, note.rfind("\n", 0, start) + 1, start - width)
    stops = [i for i in (note.find(".", end), note.find("\n", end)) if i != -1]
    right = min([*stops, end + width, len(note)])
    text = " ".join(note[left:right].split())
    return text


def _verdict(status: str, step_id: str, claim: str, evidence: str, **details: Any) -> Verdict:
    return Verdict(
        verifier=NAME,
        status=status,  # type: ignore[arg-type]
        step_id=step_id,
        claim=claim,
        evidence=evidence,
        details=details,
    )


def _ordinal(i: int, n: int) -> str:
    if n > 1 and i == 0:
        return "the first"
    if n > 1 and i == n - 1:
        return "the last"
    return f"number {i + 1} of {n}"


@dataclass(frozen=True)
class SecondReader:
    """Each calculator input re-read from the note through independent terminology readers.

    >>> from clinreason.trace import Case, ComponentSpec, Extraction, ToolCall, Trace, Span
    >>> note = "Creatinine 1.2 mg/dL on admission, 2.3 mg/dL on day 3."
    >>> case = Case(id="c", question="eGFR?", context=note)
    >>> steps = [Extraction(id="s1", name="creatinine", value=1.2, unit="mg/dL",
    ...                     span=Span(start=11, end=20, text="1.2 mg/dL")),
    ...          ToolCall(id="s2", tool="calculator.egfr_ckd_epi_2021")]
    >>> t = Trace(case=case, strategy=ComponentSpec(name="calculator"), steps=steps)
    >>> [(v.status, v.details["ambiguous"]) for v in SecondReader().verify(t, case)]
    [('supported', False)]
    """

    name: ClassVar[str] = NAME
    graph: KnowledgeGraph | None = field(default=None, repr=False, compare=False)
    """Another phenotype graph (tests); default the HPO graph, loaded on first need."""
    use_icd: bool = True
    """Also read ICD-10-CM names (simple_icd_10_cm)."""

    def _recognizer(self) -> ConceptRecognizer:
        if self.graph is None:
            from clinreason.tools.kg.hpo import load_hpo

            return ConceptRecognizer.for_graph(load_hpo())
        return ConceptRecognizer.for_graph(self.graph)

    def _graph(self) -> KnowledgeGraph:
        if self.graph is None:
            from clinreason.tools.kg.hpo import load_hpo

            return load_hpo()
        return self.graph

    def verify(self, trace: Trace, case: Case) -> list[Verdict]:
        """One verdict per checked extraction step of a calculator trace."""
        calc = calculator_used(trace)
        if calc is None:
            return []
        steps = read_inputs(trace)
        note = case.context
        out: list[Verdict] = []
        criteria = [
            (s, p)
            for s, p in steps
            if (pol := polarity(p, s.value)) is not None
            and (s.method != "assumed" or pol == "absent")  # an assumed presence: not read
        ]
        if criteria:
            out.extend(self._criteria(calc, criteria, note))
        for s, p in steps:
            if p.name == "sex" and s.method in ("rule", "llm"):
                out.append(_sex(s, note))
            if p.kind in ("measurement", "number") and s.method in ("rule", "llm"):
                v = self._value(s, p, note, case.question)
                if v is not None:
                    out.append(v)
        order = {s.id: i for i, s in enumerate(trace.steps)}
        return sorted(out, key=lambda v: order.get(v.step_id or "", 0))

    # -- criteria ---------------------------------------------------------------------------
    def _criteria(
        self, calc: Calculator, items: list[tuple[Extraction, Param]], note: str
    ) -> list[Verdict]:
        rec = self._recognizer()
        icd = icd_index() if self.use_icd else None
        maps = _maps(calc, rec, icd)
        all_maps = {p.name: m for p, m in maps.items() if m is not None}
        hits = concept_hits(rec, icd, note)
        out = []
        for step, p in items:
            cmap = all_maps.get(p.name)
            if cmap is None or not cmap.mappings:
                continue
            found = self._matching(p.name, cmap, all_maps, hits, note, icd)
            out.append(self._judge(step, p, cmap, found, note))
        return out

    def _is_under(self, reader: str, concept: str, code: str, icd: IcdIndex | None) -> bool:
        if concept == code:
            return True
        if reader == "hpo":
            return concept in self._graph().ancestors(code)
        return icd is not None and concept in icd.ancestors(code)

    def _matching(
        self,
        pname: str,
        cmap: CriterionMap,
        all_maps: dict[str, CriterionMap],
        hits: list[Hit],
        note: str,
        icd: IcdIndex | None,
    ) -> list[tuple[Hit, Mapping]]:
        """Note mentions of the criterion's concepts (or descendants), with the mapping they
        matched; a mention that matches a more specific criterion of the calculator is left
        to that one."""
        out: list[tuple[Hit, Mapping]] = []
        for m in cmap.mappings:
            for h in hits:
                if h.reader != m.reader:
                    continue
                mine = [c for c in m.concepts if any(self._is_under(m.reader, c, x, icd)
                                                      for x in h.concepts)]  # fmt: skip
                if not mine:
                    continue
                if self._claimed_elsewhere(pname, m.reader, mine, h, all_maps, icd):
                    continue
                out.append((h, m))
            for acronym, concept in m.acronyms:
                label = m.labels[m.concepts.index(concept)] if concept in m.concepts else concept
                for hit in _acronym_hits(note, acronym, m.reader, concept, label):
                    out.append((hit, m))
        out.sort(key=lambda x: x[0].start)
        return out

    def _claimed_elsewhere(
        self,
        pname: str,
        reader: str,
        mine: list[str],
        h: Hit,
        all_maps: dict[str, CriterionMap],
        icd: IcdIndex | None,
    ) -> bool:
        for other, cmap in all_maps.items():
            if other == pname:
                continue
            for m in cmap.mappings:
                if m.reader != reader:
                    continue
                for c in m.concepts:
                    if c in mine or not any(self._is_under(reader, c, x, icd) for x in h.concepts):
                        continue
                    if any(self._is_under(reader, mc, c, icd) for mc in mine):
                        return True  # the other criterion's concept is more specific
        return False

    def _judge(
        self,
        step: Extraction,
        p: Param,
        cmap: CriterionMap,
        found: list[tuple[Hit, Mapping]],
        note: str,
    ) -> Verdict:
        extracted = polarity(p, step.value)
        readers = "+".join(m.reader for m in cmap.mappings)
        concepts = [c for m in cmap.mappings for c in m.concepts]
        exact_readers = {m.reader for m in cmap.mappings if m.exact}
        quals = list(cmap.mappings[0].qualifiers)
        present = [(h, m) for h, m in found if h.status == "present"]
        absent = [(h, m) for h, m in found if h.status == "absent"]
        decisive_present = [(h, m) for h, m in present if m.exact]
        decisive_absent = [(h, m) for h, m in absent if m.exact]
        what = step.name
        assumed = step.method == "assumed"
        if assumed:
            why = step.note or "assumed"
            claim = f"'{what}' assumed absent ({why})"
        else:
            claim = f"'{what}' {extracted} ({step.method})"
        base: dict[str, Any] = {
            "reader": readers,
            "kind": "criterion",
            "extracted": extracted,
            "method": step.method,
            "concepts": concepts,
            "exact": bool(exact_readers),
            "qualifiers": quals,
            "span": None,
        }

        def cite(hit: Hit) -> dict[str, Any]:
            return {
                "reader": hit.reader,
                "span": [hit.start, hit.end],
                "term": hit.concepts[0],
                "label": hit.label,
            }

        def says(hit: Hit, suffix: str = "") -> str:
            how = {"absent": "denies ", "present": "says "}.get(hit.status, "says ")
            return (
                f"the note {how}'{_window(note, hit.start, hit.end)}' "
                f"({hit.concepts[0]} {hit.label}){suffix}"
            )

        indep = ", a second reader independent of the extractor"
        unchecked = (
            f"; the criterion's qualifier ({' '.join(quals)}) is not checked" if quals else ""
        )

        def verdict(status: str, hit: Hit | None, evidence: str, **flags: Any) -> Verdict:
            cited = cite(hit) if hit is not None else {}
            return _verdict(status, step.id, claim, evidence, **{**base, **cited, **flags})

        def both(a: Hit, b: Hit) -> str:
            return f"{says(a)}; but also '{_window(note, b.start, b.end)}'"

        if assumed:  # an assumed absence
            if decisive_present and not absent:
                hit = decisive_present[0][0]
                return verdict("contradicted", hit, says(hit, indep), ambiguous=False, agrees=False)
            if present:
                hit = present[0][0]
                why = both(hit, absent[0][0]) if absent else says(hit, unchecked)
                return verdict("unverifiable", hit, why, ambiguous=True, agrees=None)
            denial = (
                f"; it denies it: '{_window(note, absent[0][0].start, absent[0][0].end)}'"
                if absent
                else ""
            )
            return verdict(
                "unverifiable",
                None,
                f"a second reader found no mention of {_labels(cmap)} either{denial}",
                ambiguous=False,
                agrees=True,
            )
        same, opposite = (
            (decisive_absent, decisive_present)
            if extracted == "absent"
            else (decisive_present, decisive_absent)
        )
        other_side = present if extracted == "absent" else absent
        this_side = absent if extracted == "absent" else present
        if same:
            hit = same[0][0]
            return verdict("supported", hit, says(hit), ambiguous=bool(other_side), agrees=True)
        if opposite and not this_side:
            hit = opposite[0][0]
            return verdict("contradicted", hit, says(hit, indep), ambiguous=False, agrees=False)
        if present:  # only through a qualified criterion: a conflict only if read as absent
            hit = present[0][0]
            flag = extracted == "absent"
            return verdict("unverifiable", hit, says(hit, unchecked), ambiguous=flag, agrees=None)
        if found:
            hit = found[0][0]
            return verdict(
                "unverifiable",
                hit,
                f"the second reader found only a mention that is {hit.status}: "
                f"'{_window(note, hit.start, hit.end)}'{unchecked}",
                ambiguous=False,
                agrees=None,
            )
        return verdict(
            "unverifiable",
            None,
            f"a second reader found no mention of {_labels(cmap)}",
            ambiguous=False,
            agrees=None,
        )

    # -- values -------------------------------------------------------------------------------
    def _value(self, step: Extraction, p: Param, note: str, question: str) -> Verdict | None:
        raw = step.value
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            return None
        if step.span is not None and step.span.source == "question":
            return None
        found = value_analyte(p)
        if found is None:
            return None
        analyte, urine = found
        key = unit_key(step.unit) if step.unit else unit_key(p.unit)
        if step.unit and key is None:
            return None  # a unit the reader cannot convert: no comparison
        reading = _read_values(note, p, analyte, urine, key, step)
        if reading is None:
            return None
        values, weak = reading
        extracted = float(raw)
        counts = analyte in ("wbc", "platelets")

        def same(a: float, b: float) -> bool:
            return _count_close(a, b) if counts else _close(a, b)

        distinct: list[_Value] = []
        for v in [*values, *weak]:
            if not any(same(v.value, d.value) for d in distinct):
                distinct.append(v)
        distinct.sort(key=lambda d: d.start)
        strong = [d for d in distinct if any(same(d.value, v.value) for v in values)]
        mine = next((i for i, d in enumerate(distinct) if same(d.value, extracted)), None)
        claim = f"{step.name} = {raw:g}{' ' + step.unit if step.unit else ''}"
        label = analyte.replace("_", " ")
        details: dict[str, Any] = {
            "reader": "note_values",
            "kind": "value",
            "values": [
                {
                    "value": round(d.value, 4),
                    "text": d.text,
                    "span": [d.start, d.end] if d.start >= 0 else None,
                }
                for d in distinct
            ],
            "extracted_value": raw,
            "unit": step.unit,
            "position": None if mine is None else mine + 1,
        }
        shown = ", ".join(f"'{d.text}'" for d in distinct[:6])
        if not strong:
            return _verdict(
                "unverifiable",
                step.id,
                claim,
                f"a second reader found no labelled {label} value in the note",
                **details,
                ambiguous=False,
                agrees=None,
            )
        if len(distinct) == 1:
            if mine == 0:
                return _verdict(
                    "supported",
                    step.id,
                    claim,
                    f"the only {label} value in the note is {shown} (a second reader)",
                    **details,
                    ambiguous=False,
                    agrees=True,
                )
            return _verdict(
                "contradicted",
                step.id,
                claim,
                f"the only {label} value in the note is {shown}; a second reader, independent "
                "of the extractor",
                **details,
                ambiguous=False,
                agrees=False,
            )
        timed = _by_time(note, question, distinct, mine)
        if timed is not None:
            status, evidence, times = timed
            return _verdict(
                status,
                step.id,
                claim,
                f"the note has {len(distinct)} {label} values: {shown}; {evidence} (a second "
                "reader of the note's time words, independent of the extractor's order rule)",
                **details,
                times=times,
                ambiguous=False,
                agrees=status == "supported",
            )
        used = (
            f"the extractor used {raw:g} ({_ordinal(mine, len(distinct))})"
            if mine is not None
            else f"the extractor's {raw:g} is none of them"
        )
        return _verdict(
            "unverifiable",
            step.id,
            claim,
            f"the note has {len(distinct)} {label} values: {shown}; {used}",
            **details,
            ambiguous=True,
            agrees=mine is not None,
        )


def _by_time(
    note: str, question: str, distinct: list[_Value], mine: int | None
) -> tuple[str, str, list[dict[str, Any]]] | None:
    """Which of several values was measured at presentation, by the time words around each
    (`verify.value_time`): ('supported' | 'contradicted', evidence, each value's reading), or
    None when the words decide nothing, the question asks for another time, or the extracted
    value is not among the values."""
    if mine is None or wanted(question) != "presentation" or any(d.start < 0 for d in distinct):
        return None
    spans = [(q.start, q.end) for q in _note_quantities(note) if q.unit and q.start >= 0]
    readings = [
        time_of(note, d.start, d.end, [(a, b) for a, b in spans if b <= d.start or a >= d.end])
        for d in distinct
    ]
    first = at_presentation(readings)
    if not first or (mine in first and len(first) > 1):
        return None  # the words decide nothing, or several values at presentation

    def said(i: int) -> str:
        r = readings[i]
        return f"'{distinct[i].text}'" + (f" ({r.cue})" if r.when else " (no time words)")

    times = [
        {"when": r.when, "cue": r.cue, "scope": r.scope, "value": round(d.value, 4)}
        for r, d in zip(readings, distinct, strict=True)
    ]
    at_first = ", ".join(said(i) for i in first)
    if mine in first:
        others = ", ".join(said(i) for i in range(len(distinct)) if i not in first)
        return "supported", f"the value at presentation is {at_first}; the others: {others}", times
    return (
        "contradicted",
        f"the question asks no time, so the value at presentation is wanted: {at_first}; the "
        f"extractor used {said(mine)}",
        times,
    )


def _read_values(
    note: str, p: Param, analyte: str, urine: bool, key: str | None, step: Extraction
) -> tuple[list[_Value], list[_Value]] | None:
    """(values of the quantity the second reader attributes to it, and the number at the
    extractor's span when the reader sees a number there but cannot tell what it measures).

    Values are in unit `key`; reference values, other specimens, values whose label is
    modified ('HDL cholesterol', 'weight loss', 'at age 40') and values outside the
    parameter's plausible range are left out.
    """
    text = normalize_text(note)
    pkey = unit_key(p.unit)
    values: list[_Value] = []
    weak: list[_Value] = []
    span = step.span
    for q in _note_quantities(note):
        if q.in_range or not q.finite:
            continue
        v = _in_unit(q, key, analyte)
        if v is None or not _plausible(q, v, key, pkey, p, analyte):
            continue
        start, end = q.start, q.end
        if note[start:end] != text[start:end]:
            start = end = -1
        item = _Value(v, q.text, start, end)
        at_span = span is not None and q.start < span.end and span.start < q.end
        if not _same_analyte(analyte, q.analyte):
            if at_span and q.analyte is None and q.unit is not None:
                weak.append(item)  # e.g. "hypercalcemia at 17.95 mg/dL": unlabelled here
            continue
        if _not_the_patients(q, analyte):
            continue
        near = bool(SPECIMEN.search(q.before))
        if near != urine:
            continue  # "urine sodium 40" for serum sodium, or the reverse
        sentence = text[_sentence_start(text, q.start) : q.start]
        if not urine and SPECIMEN.search(sentence):
            weak.append(item)  # "urine electrolytes were sodium 179, ...": maybe urine
            continue
        values.append(item)
    return values, weak


def _sentence_start(text: str, pos: int) -> int:
    return max(text.rfind(". ", 0, pos) + 2, text.rfind("\n", 0, pos) + 1, 0)


def _plausible(
    q: Quantity, v: float, key: str | None, pkey: str | None, p: Param, analyte: str
) -> bool:
    """Within the parameter's plausible range (checked in its own unit)."""
    if p.bounds is None:
        return True
    if q.unit is None:
        x = v if key is None or pkey is None else convert(v, key, pkey, analyte=analyte)
    else:
        x = _in_unit(q, pkey, analyte) if pkey else None
    if x is None:
        return True
    lo, hi = p.bounds
    return (lo is None or x >= lo) and (hi is None or x <= hi)


def _not_the_patients(q: Quantity, analyte: str) -> bool:
    """A reference / threshold / derived value, or a label that names another quantity."""
    if REFERENCE.search(q.before):
        return True
    labels = analytes_in(q.before)
    if not labels:
        return False
    _, s, e = labels[-1]
    before_label = q.before[max(0, s - 30) : s]
    between = q.before[e:]
    if MODIFIED_BEFORE.search(before_label) or MODIFIED_AFTER.search(between):
        return True
    return analyte == "age" and bool(AGE_AT.search(q.before))


VERIFIERS = {NAME: SecondReader}
"""Registered by `clinreason.verify` under its name."""
