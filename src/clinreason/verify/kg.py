"""`kg`: relation claims in the reasoning, checked against the phenotype knowledge graph.

A `thought` sentence that asserts a disease-finding relation ("Marfan syndrome presents with
ectopia lentis", "arachnodactyly suggests Marfan syndrome", "X is characterised by Y",
"patients with X often have Y") is linked to a disease (by its name, or an id such as
OMIM:154700; a name shared by numbered subtypes, "Loeys-Dietz syndrome", links the family) and
to phenotype terms (concept recognition). A sentence in none of these forms is still read when
it names exactly one disease beside findings and a relating word ("F is a recognised
manifestation of D", "In D, F is common"), and is not negated, contrasted, conditional or about
the patient (`comention_claims`). Each finding is then judged:

- **supported**: the disease is annotated with the term or a more specific one (evidence: the
  annotated term and its is-a path up to the claimed term);
- **unverifiable**: the graph only has a more general term, or a term sharing a specific
  ancestor with it, or the disease has too few annotations to judge, or the finding could not
  be linked;
- **contradicted**: the disease is well annotated (`min_annotations`, default 10) and no
  annotation shares anything with the finding below the organ-system level (the graph's
  closed-world reading, stated as evidence).

A sentence whose disease cannot be linked yields nothing (never a false contradiction). The
`kg.diagnose` tool output is re-checked too: every explained finding of the top disease must be
an annotation of that disease reached by a real is-a path. The HPO graph is loaded lazily, once
per process, and only when a trace has something to check.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any, ClassVar

from clinreason.tools.kg.base import KnowledgeGraph, is_a_path
from clinreason.tools.kg.hpo import load_hpo
from clinreason.tools.kg.recognize import ConceptRecognizer
from clinreason.tools.kg.text import normalize
from clinreason.trace import Case, Thought, ToolCall, Trace, Verdict
from clinreason.verify.base import verdict

_ADV = r"(?:(?:typically|commonly|often|usually|classically|characteristically|frequently|may)\s+)?"
_FORWARD = re.compile(
    rf"^(?P<d>.+?)\s+{_ADV}(?:presents?\s+with|presenting\s+with|is\s+characteri[sz]ed\s+by|"
    r"are\s+characteri[sz]ed\s+by|is\s+associated\s+with|causes|manifests\s+(?:as|with)|"
    r"features|leads\s+to|results\s+in|includes?)\s+(?P<f>.+)$",
    re.IGNORECASE,
)
_PATIENTS = re.compile(
    rf"^(?:patients|people|children|individuals)\s+with\s+(?P<d>.+?)\s+{_ADV}"
    r"(?:have|has|show|develop|present\s+with)\s+(?P<f>.+)$",
    re.IGNORECASE,
)
_BACKWARD = re.compile(
    r"^(?P<f>.+?)\s+(?:strongly\s+)?(?:suggests?|is\s+suggestive\s+of|are\s+suggestive\s+of|"
    r"indicates?|points?\s+to(?:wards)?|supports?|"
    r"(?:is|are)\s+(?:an?\s+)?(?:typical|characteristic|classic|common|hallmark|cardinal|key)\s+"
    r"(?:features?|signs?|findings?|manifestations?)\s+of|"
    r"(?:is|are)\s+(?:typical|characteristic)\s+of|(?:is|are)\s+(?:seen|found|common)\s+in)"
    r"\s+(?P<d>.+)$",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_ASSOCIATION = re.compile(
    r"(?i)\b(?:features?|signs?|hallmarks?|manifest\w*|symptoms?\s+of|characteri[sz]\w*|"
    r"typical\w*|classic\w*|common\w*|frequent\w*|(?:seen|observed|found|encountered|noted)\s+"
    r"in|occur\w*|caus\w*|leads?\s+to|results?\s+in|produc\w*|associat\w*|linked|"
    r"suggest\w*|indicat\w*|points?\s+to|expected|present(?:s|ing)?\s+with)\b"
)
"""Words that relate a finding to a disease, in any sentence form (the co-mention reading)."""
_DISSOCIATION = re.compile(
    r"(?i)\b(?:not|no|never|n't|unlikely|rules?\s+out|ruled\s+out|against|rather|instead|"
    r"exclud\w*|absent|absence|without|lack\w*|unless|except|whereas|but|however|although|"
    r"though|differential|versus|vs|or|unlike|rare\w*|uncommon|atypical|if|whether|patient\w*|"
    r"(?:s?he|his|her|they|their)\b)\b|\?"
)
"""A negated, contrasted, conditional or patient-specific sentence is not read by co-mention."""
_WORD_SPAN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*|OMIM:\d+|ORPHA:\d+")
MAX_COMENTION_WORDS = 40
_ID = re.compile(r"\b(?:OMIM|ORPHA):\d+\b")
_SUFFIX = re.compile(r"^(?:\d+[a-z]?|[a-z]\d*|type|[ivx]+)$")
MIN_ANNOTATIONS = 10
"""Fewer phenotype annotations than this: a missing link says nothing (unverifiable)."""
SPECIFIC_DEPTH = 3
"""A shared ancestor this many is-a steps below the phenotype root makes two terms related."""


_v = partial(verdict, "kg")


def relation_claims(text: str) -> list[tuple[str, str, str]]:
    """(sentence, disease phrase, finding phrase) for each sentence asserting a relation.

    >>> relation_claims("Marfan syndrome presents with ectopia lentis. Fever is common.")
    [('Marfan syndrome presents with ectopia lentis.', 'Marfan syndrome', 'ectopia lentis')]
    """
    out = []
    for sentence in _SENTENCE.split(text):
        s = sentence.strip()
        core = s.rstrip(".!?; ")
        for pattern in (_PATIENTS, _FORWARD, _BACKWARD):
            m = pattern.match(core)
            if m:
                out.append((s, m.group("d").strip(" ,"), m.group("f").strip(" ,")))
                break
    return out


def comention_claims(
    text: str,
    index: DiseaseIndex,
    skip: Iterable[str] = (),
    phenotype_spans: Callable[[str], Iterable[tuple[int, int]]] = lambda s: (),
) -> list[tuple[str, str, str]]:
    """(sentence, disease, rest of the sentence) for sentences that name exactly one disease
    beside relating words ("F is a recognised manifestation of D", "In D, F is common"), read
    without a sentence form: the rest is searched for findings.

    Negated, contrasted, conditional and patient-specific sentences, and sentences naming two
    diseases, are left alone (`_DISSOCIATION`); so are the sentences in `skip` (read by a form
    already). A disease name that is also a phenotype mention (`phenotype_spans`, e.g.
    "obesity") counts as a finding, not as the disease.
    """
    done = set(skip)
    out = []
    for sentence in _SENTENCE.split(text):
        s = sentence.strip()
        if not s or s in done or not _ASSOCIATION.search(s) or _DISSOCIATION.search(s):
            continue
        words = list(_WORD_SPAN.finditer(s))
        if len(words) > MAX_COMENTION_WORDS:
            continue
        findings = set(phenotype_spans(s))
        found: list[tuple[int, int, tuple[str, ...]]] = []
        i = 0
        while i < len(words):
            linked = index.link(" ".join(w.group() for w in words[i : i + index.max_len]))
            if linked is None or not _key(words[i].group()):
                i += 1
                continue
            need, n = len(linked[0].split()), 0
            while need > 0 and i + n < len(words):
                need -= max(1, len(_key(words[i + n].group())))
                n += 1
            start, end = words[i].start(), words[i + n - 1].end()
            if (start, end) not in findings:
                found.append((start, end, linked[1]))
            i += n
        if len({ids for _, _, ids in found}) != 1:
            continue
        start, end, _ = found[0]
        out.append((s, s[start:end], f"{s[:start]} ; {s[end:]}"))
    return out


def _key(text: str) -> tuple[str, ...]:
    return tuple(w for w in normalize(text.replace("-", " ")) if w not in ("the", "a", "an"))


def _variants(label: str) -> Iterable[str]:
    yield label
    parts = [p.strip() for p in label.split(",")]
    if len(parts) == 2 and all(parts):
        yield f"{parts[1]} {parts[0]}"


@dataclass
class DiseaseIndex:
    """Disease names -> ids: exact labels, and families of numbered subtypes."""

    exact: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    family: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    max_len: int = 1

    @classmethod
    def build(cls, graph: KnowledgeGraph) -> DiseaseIndex:
        """Index every disease label of the graph."""
        index = cls()
        fast = getattr(graph, "disease_label", None)
        for did in graph.disease_ids():
            if fast is not None:
                label = fast(did)
            else:
                d = graph.disease(did)
                label = d.label if d else None
            if not label:
                continue
            for variant in _variants(label):
                key = _key(variant)
                if not key:
                    continue
                index.exact.setdefault(key, set()).add(did)
                index.max_len = max(index.max_len, len(key))
                stem = list(key)
                while len(stem) > 1 and _SUFFIX.match(stem[-1]):
                    stem.pop()
                if len(stem) < len(key):
                    index.family.setdefault(tuple(stem), set()).add(did)
        return index

    def link(self, phrase: str) -> tuple[str, tuple[str, ...]] | None:
        """(matched name, disease ids) for the longest leading part of `phrase` that names one."""
        ids = _ID.findall(phrase)
        if ids:
            return phrase, tuple(dict.fromkeys(ids))
        words = _key(phrase)
        for n in range(min(len(words), self.max_len), 0, -1):
            key = words[:n]
            found = self.exact.get(key) or self.family.get(key)
            if found and (n > 1 or len(key[0]) > 3):
                return " ".join(key), tuple(sorted(found))
        return None


def _matched_text(phrase: str, key: str) -> str:
    """The leading words of `phrase` that matched the normalised name `key`."""
    words = phrase.split()
    n = len(key.split())
    return " ".join(words[:n]) if len(words) >= n else phrase


@lru_cache(maxsize=4)
def _index(graph: KnowledgeGraph) -> DiseaseIndex:
    return DiseaseIndex.build(graph)


def _depth(graph: KnowledgeGraph, term: str) -> int:
    return len(is_a_path(graph, term, graph.phenotype_root)) - 1


def judge(
    graph: KnowledgeGraph, disease_id: str, term: str, *, min_annotations: int = MIN_ANNOTATIONS
) -> tuple[str, str, dict[str, Any]]:
    """(status, evidence, details) for "disease presents with term"."""
    disease = graph.disease(disease_id)
    root = graph.phenotype_root
    label = graph.term(term).label if graph.term(term) else term
    if disease is None:
        return "unverifiable", f"{disease_id} is not in {graph.source}", {}
    ann = [a.term for a in disease.annotations if root in graph.ancestors(a.term)]
    name = f"{disease.label} ({disease_id})"
    below = [d for d in ann if d == term or term in graph.ancestors(d)]
    if below:
        d = min(below, key=lambda x: (len(is_a_path(graph, x, term)), x))
        path = [graph.term(t).label for t in reversed(is_a_path(graph, d, term))]  # type: ignore[union-attr]
        how = "" if d == term else f" — {' → '.join(reversed(path))}"
        return (
            "supported",
            f"{graph.source}: {name} is annotated with {path[-1]} ({d}){how}",
            {"annotated": d},
        )
    above = [d for d in ann if d in graph.ancestors(term)]
    if above:
        d = max(above, key=lambda x: (len(graph.ancestors(x)), x))
        return (
            "unverifiable",
            f"{graph.source}: {name} is annotated only with the more general "
            f"{graph.term(d).label} ({d}), not with {label}",  # type: ignore[union-attr]
            {"annotated": d, "failure": "more_general"},
        )
    mine = graph.ancestors(term)
    shared = {a for d in ann for a in (graph.ancestors(d) & mine)} - {root}
    deep = [a for a in shared if _depth(graph, a) >= SPECIFIC_DEPTH]
    if deep:
        a = max(deep, key=lambda x: (_depth(graph, x), x))
        return (
            "unverifiable",
            f"{graph.source}: {name} is not annotated with {label}; it has related findings "
            f"under {graph.term(a).label} ({a})",  # type: ignore[union-attr]
            {"related_via": a, "failure": "related_only"},
        )
    if len(ann) < min_annotations:
        return (
            "unverifiable",
            f"{graph.source}: {name} has only {len(ann)} phenotype annotations",
            {"failure": "sparse"},
        )
    return (
        "contradicted",
        f"{graph.source}: none of the {len(ann)} findings annotated to {name} is {label} "
        "or related to it below the organ-system level",
        {"n_annotations": len(ann)},
    )


@dataclass(frozen=True)
class KGCheck:
    """Disease-finding claims and `kg.diagnose` explanations, checked against the graph."""

    name: ClassVar[str] = "kg"
    sources: tuple[str, ...] = ("OMIM",)
    min_annotations: int = MIN_ANNOTATIONS
    """A disease with fewer phenotype annotations is never contradicted (too incomplete)."""
    graph: KnowledgeGraph | None = field(default=None, repr=False, compare=False)
    """Another graph (tests); default the HPO graph, loaded on first need."""

    def _graph(self) -> KnowledgeGraph:
        return self.graph if self.graph is not None else load_hpo(tuple(self.sources))

    def verify(self, trace: Trace, case: Case) -> list[Verdict]:
        """One verdict per (linked disease claim, finding) and per explained diagnosis finding."""
        out: list[Verdict] = []
        for step in trace.steps:
            if isinstance(step, Thought):
                claims = relation_claims(step.text)
                if _ASSOCIATION.search(step.text):
                    claims += self._comentions(step.text, claims)
                if claims:
                    out.extend(self._claims(step.id, claims))
            elif isinstance(step, ToolCall) and step.tool == "kg.diagnose" and not step.error:
                out.extend(self._diagnosis(step))
        return out

    def check_relation(
        self, disease: str, finding: str, step_id: str | None = None
    ) -> list[Verdict]:
        """Verdicts on "`disease` presents with `finding`" (none when the disease is not named
        in the graph), e.g. for an argument that a finding supports an option."""
        return self._claims(step_id, [(f"{disease} — {finding}", disease, finding)])

    def _comentions(
        self, text: str, by_form: list[tuple[str, str, str]]
    ) -> list[tuple[str, str, str]]:
        """Co-mention claims of the sentences that no form-read claim (`by_form`) links."""
        graph = self._graph()
        index = _index(graph)
        rec = ConceptRecognizer.for_graph(graph)

        def spans(sentence: str) -> list[tuple[int, int]]:
            return [(m.span.start, m.span.end) for m in rec.recognize(sentence)]

        linked = [sentence for sentence, disease, _ in by_form if index.link(disease)]
        return comention_claims(text, index, linked, spans)

    def _claims(self, step_id: str | None, claims: list[tuple[str, str, str]]) -> list[Verdict]:
        graph = self._graph()
        index = _index(graph)
        rec = ConceptRecognizer.for_graph(graph)
        out: list[Verdict] = []
        for sentence, dphrase, fphrase in claims:
            linked = index.link(dphrase)
            if linked is None:
                continue
            ids = linked[1]
            name = dphrase if linked[0] == dphrase else _matched_text(dphrase, linked[0])
            terms = [m for m in rec.recognize(fphrase) if m.status == "present"]
            if not terms:
                out.append(
                    _v(
                        "unverifiable",
                        step_id,
                        sentence,
                        f'no phenotype term of {graph.source} found in "{fphrase}"',
                        diseases=list(ids),
                        failure="finding_not_linked",
                    )
                )
                continue
            for m in terms:
                out.append(self._one(step_id, graph, name, ids, m.term, m.label))
        return out

    def _one(
        self,
        step_id: str | None,
        graph: KnowledgeGraph,
        name: str,
        ids: tuple[str, ...],
        term: str,
        label: str,
    ) -> Verdict:
        claim = f"{name} — {label} ({term})"
        results = {d: judge(graph, d, term, min_annotations=self.min_annotations) for d in ids}
        good = [d for d, r in results.items() if r[0] == "supported"]
        if good:
            status, evidence, details = results[good[0]]
        elif all(r[0] == "contradicted" for r in results.values()):
            status, evidence, details = results[ids[0]]
            if len(ids) > 1:
                evidence = f"none of the {len(ids)} diseases named {name} has it; e.g. {evidence}"
        else:
            first = next(d for d, r in results.items() if r[0] == "unverifiable")
            status, evidence, details = results[first]
        return _v(status, step_id, claim, evidence, diseases=list(ids), term=term, **details)

    def _diagnosis(self, step: ToolCall) -> list[Verdict]:
        result = step.result if isinstance(step.result, Mapping) else {}
        graph = self._graph()
        if result.get("graph") != graph.source:
            return []
        items = result.get("differential") or []
        if not items or not isinstance(items[0], Mapping):
            return []
        top = items[0]
        disease = graph.disease(str(top.get("disease")))
        annotated = {a.term for a in disease.annotations} if disease else set()
        out = []
        for m in top.get("explained") or []:
            path = [p[0] for p in m.get("path") or []]
            ok_ann = m.get("annotated") in annotated
            ok_path = len(path) >= 1 and all(
                b in graph.parents(a) or a in graph.parents(b) for a, b in itertools.pairwise(path)
            )
            ok_ends = bool(path) and path[0] == m.get("term") and path[-1] == m.get("annotated")
            ok = ok_ann and ok_path and ok_ends
            why = (
                "annotation and is-a path confirmed"
                if ok
                else ("not an annotation of the disease" if not ok_ann else "not an is-a path")
            )
            out.append(
                _v(
                    "supported" if ok else "contradicted",
                    step.id,
                    f"{top.get('label')} explains {m.get('label')} via {m.get('annotated_label')}",
                    f"{graph.source}: {why}",
                    disease=top.get("disease"),
                    term=m.get("term"),
                )
            )
        return out


VERIFIERS = {"kg": KGCheck}
