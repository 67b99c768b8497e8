"""`HPOGraph`: the Human Phenotype Ontology with OMIM/Orphanet annotations, from `hpo3`.

`hpo3` (module `pyhpo`) ships HPO 2025-11 with its disease annotations. The built-in data has
labels and the is-a hierarchy but no synonyms, definitions or annotation frequencies. Synonyms
come from HPO's `hp.obo` when one is found (`synonyms.load_synonyms`; `make kg-data` puts release
2025-01-16 in the user data directory): EXACT ones (layperson terms, UK spellings, abbreviations
included) become `Term.synonyms` beside a small curated table shipped with clinreason
(`data/synonyms.json`), RELATED/BROAD/NARROW ones `Term.related`; which file, its release and
how many of the graph's terms it lacks are in `HPOGraph.synonym_source`. Frequencies come
from an HPO `phenotype.hpoa` file when one is found (`hpoa.find_hpoa`: $CLINREASON_HPOA, the
user data directory where `make kg-data` puts it, or an installed `pyhpo` distribution's copy)
and are attached to hpo3's own (disease, term) pairs;
annotations the file gives no frequency for, or every annotation when no file is found (logged
as a warning and recorded in `HPOGraph.frequency_source`), keep None (the ranker then uses its
default).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from clinreason.errors import MissingDependencyError
from clinreason.tools.kg.base import Annotation, Disease, Term
from clinreason.tools.kg.hpoa import (
    ENV_VAR,
    FRACTION_PSEUDOCOUNT,
    data_path,
    find_hpoa,
    load_frequencies,
)
from clinreason.tools.kg.icd import icd10_for_label
from clinreason.tools.kg.synonyms import Synonym, SynonymTable, load_synonyms

PHENOTYPE_ROOT = "HP:0000118"
_LOCK = threading.Lock()
logger = logging.getLogger(__name__)


def hpo_ontology() -> Any:
    """hpo3's Ontology, built once per process (building it again prints a notice on stdout)."""
    from pyhpo import Ontology

    with _LOCK:
        try:
            len(Ontology)
        except NameError:
            Ontology()
    return Ontology


def _hp(i: int) -> str:
    return f"HP:{i:07d}"


def curated_synonyms() -> dict[str, tuple[str, ...]]:
    """term id -> extra synonyms from clinreason's curated table."""
    text = resources.files("clinreason.tools.kg").joinpath("data/synonyms.json").read_text("utf-8")
    raw: dict[str, list[str]] = json.loads(text)
    return {k: tuple(v) for k, v in raw.items() if not k.startswith("_")}


class HPOGraph:
    """A `KnowledgeGraph` over hpo3's built-in HPO release. Use `load_hpo()` to share one.

    Args:
        sources: which disease annotation sources to expose ('OMIM', 'ORPHA').
        frequencies: True to look for an HPO `phenotype.hpoa` with annotation frequencies
            (`hpoa.find_hpoa`), a path to use that file, False for no frequencies.
        fraction_pseudocount: k in (n + k/2) / (m + k) for the file's n/m fractions.
        synonyms: True to look for HPO's `hp.obo` (`synonyms.find_obo`), a path to use that
            file, False for the curated table only.
    """

    def __init__(
        self,
        sources: tuple[str, ...] = ("OMIM",),
        frequencies: bool | str | os.PathLike[str] = True,
        fraction_pseudocount: float = FRACTION_PSEUDOCOUNT,
        synonyms: bool | str | os.PathLike[str] = True,
    ) -> None:
        try:
            Ontology = hpo_ontology()  # noqa: N806 - hpo3's class-level singleton
        except ImportError as exc:  # pragma: no cover - hpo3 is a core dependency
            raise MissingDependencyError("the HPO graph needs hpo3: pip install hpo3") from exc
        self._ont: Any = Ontology
        self._version = str(Ontology.version())
        self._sources = sources
        self._labels: dict[str, str] = {}
        self._parents: dict[str, tuple[str, ...]] = {}
        self._obsolete: dict[str, str | None] = {}
        for t in Ontology:
            tid = t.id
            self._labels[tid] = t.name
            if t.is_obsolete:
                self._obsolete[tid] = t.replaced_by
            else:
                self._parents[tid] = tuple(_hp(p) for p in t.parent_ids())
        self._diseases: dict[str, tuple[str, tuple[int, ...]]] = {}
        if "OMIM" in sources:
            for d in sorted(Ontology.omim_diseases, key=lambda x: int(x.id)):
                self._diseases[f"OMIM:{d.id}"] = (d.name, tuple(sorted(d.hpo)))
        if "ORPHA" in sources:
            for d in sorted(Ontology.orpha_diseases, key=lambda x: int(x.id)):
                self._diseases[f"ORPHA:{d.id}"] = (d.name, tuple(sorted(d.hpo)))
        self._synonyms = curated_synonyms()
        self._related: dict[str, tuple[str, ...]] = {}
        self.synonym_table: SynonymTable | None = None
        """HPO's synonyms with scope and type (None: no hp.obo found or synonyms=False)."""
        self.synonym_source = "curated table only (synonyms=False)"
        """Where the synonyms come from, its release, and the graph's terms it does not cover."""
        if synonyms is not False:
            self._attach_synonyms(None if synonyms is True else synonyms)
        self._anc: dict[str, frozenset[str]] = {}
        self._with: dict[str, dict[str, float | None]] = {}
        self._genes: dict[int, list[tuple[str, frozenset[int]]]] | None = None
        self._freq: dict[str, dict[str, float]] = {}
        self._freq_up: dict[str, dict[str, float]] | None = None
        self.frequency_source = "none (frequencies=False)"
        """Where the annotation frequencies come from, or why there are none."""
        if frequencies is not False:
            path = None if frequencies is True else frequencies
            self._attach_frequencies(path, fraction_pseudocount)

    def _attach_synonyms(self, path: str | os.PathLike[str] | None) -> None:
        try:
            table = load_synonyms(path)
        except OSError as exc:
            table, why = None, f"cannot read hp.obo: {exc}"
        else:
            why = "no hp.obo found (run `make kg-data` or set CLINREASON_HP_OBO)"
        if table is None:
            self.synonym_source = f"curated table only: {why}"
            logger.warning("HPO graph without HPO synonyms: %s", self.synonym_source)
            return
        self.synonym_table = table
        exact: dict[str, list[str]] = {}
        for tid, syns in table.by_term.items():
            if tid in self._parents:
                exact[tid] = [s.text for s in syns if s.scope == "EXACT"]
                self._related[tid] = tuple(s.text for s in syns if s.scope != "EXACT")
        for tid, extra in self._synonyms.items():
            have = {x.lower() for x in exact.setdefault(tid, [])}
            exact[tid].extend(x for x in extra if x.lower() not in have)
        self._synonyms = {t: tuple(v) for t, v in exact.items() if v}
        newer = sum(1 for t in self._parents if t not in table.terms)
        gone = sum(1 for t in table.terms if t.startswith("HP:") and t not in self._parents)
        self.synonym_source = (
            f"{table.describe()}; graph {self.source}: {newer} of its {len(self._parents)} terms "
            f"are not in the file (newer), {gone} of the file's terms are not current in the graph"
        )

    def synonym(self, term_id: str, text: str) -> Synonym | None:
        """The hp.obo synonym of the term written `text` (None: the label, curated or unknown)."""
        return self.synonym_table.find(term_id, text) if self.synonym_table else None

    def _attach_frequencies(self, path: str | os.PathLike[str] | None, k: float) -> None:
        found = find_hpoa(path)
        if found is None:
            self.frequency_source = (
                f"none: no phenotype.hpoa found (set {ENV_VAR} to the file's path "
                f"or put it at {data_path()})"
            )
            logger.warning("HPO graph without annotation frequencies: %s", self.frequency_source)
            return
        try:
            version, table = load_frequencies(found, tuple(self._sources), pseudocount=k)
        except (OSError, UnicodeError) as exc:
            self.frequency_source = f"none: cannot read {found}: {exc}"
            logger.warning("HPO graph without annotation frequencies: %s", self.frequency_source)
            return
        given = matched = 0
        for did, (_name, hpo) in self._diseases.items():
            row = table.get(did)
            if not row:
                continue
            given += len(row)
            mine = {_hp(i) for i in hpo}
            kept = {t: f for t, f in row.items() if t in mine}
            matched += len(kept)
            if kept:
                self._freq[did] = kept
        self.frequency_source = (
            f"hpoa@{version} ({found}, fractions with k={k:g}): {matched} of hpo3's "
            f"annotations have a frequency "
            f"({given - matched} of the file's pairs for these diseases are not in hpo3's data)"
        )

    @property
    def source(self) -> str:
        """'hpo@<release date>'."""
        return f"hpo@{self._version}"

    @property
    def phenotype_root(self) -> str:
        """HP:0000118 Phenotypic abnormality."""
        return PHENOTYPE_ROOT

    def term(self, term_id: str) -> Term | None:
        """The term (obsolete terms too, labelled 'obsolete ...'), or None."""
        label = self._labels.get(term_id)
        if label is None:
            return None
        return self._term(term_id)

    def _term(self, tid: str) -> Term:
        return Term(
            tid, self._labels[tid], self._synonyms.get(tid, ()), related=self._related.get(tid, ())
        )

    def replacement(self, term_id: str) -> str | None:
        """The term replacing an obsolete one (None when not obsolete or no replacement)."""
        return self._obsolete.get(term_id)

    def terms(self) -> Iterable[Term]:
        """Every non-obsolete term."""
        for tid in self._parents:
            yield self._term(tid)

    def parents(self, term_id: str) -> tuple[str, ...]:
        """Direct is-a parents."""
        return self._parents.get(term_id, ())

    def ancestors(self, term_id: str) -> frozenset[str]:
        """All ancestors (memoised)."""
        found = self._anc.get(term_id)
        if found is None:
            acc: set[str] = set()
            for p in self._parents.get(term_id, ()):
                acc.add(p)
                acc |= self.ancestors(p)
            found = self._anc[term_id] = frozenset(acc)
        return found

    def disease(self, disease_id: str) -> Disease | None:
        """The disease with its annotations (frequency None where the hpoa file gives none)."""
        entry = self._diseases.get(disease_id)
        if entry is None:
            return None
        name, hpo = entry
        freq = self._freq.get(disease_id, {})
        return Disease(disease_id, name, tuple(Annotation(t, freq.get(t)) for t in map(_hp, hpo)))

    def disease_label(self, disease_id: str) -> str | None:
        """The disease's name without building its annotation list (None when unknown)."""
        entry = self._diseases.get(disease_id)
        return entry[0] if entry else None

    def disease_ids(self) -> tuple[str, ...]:
        """Every disease id, by source then number (the ranker breaks ties in this order)."""
        return tuple(self._diseases)

    def diseases_with(self, term_id: str) -> Mapping[str, float | None]:
        """Diseases annotated with the term or a descendant (hpo3 propagates annotations)."""
        found = self._with.get(term_id)
        if found is None:
            found = {}
            if term_id in self._parents:
                t = self._ont.get_hpo_object(term_id)
                if "OMIM" in self._sources:
                    found.update((f"OMIM:{d.id}", None) for d in t.omim_diseases)
                if "ORPHA" in self._sources:
                    found.update((f"ORPHA:{d.id}", None) for d in t.orpha_diseases)
                if self._freq:
                    for did, f in self._frequencies_up().get(term_id, {}).items():
                        if did in found:
                            found[did] = f
            self._with[term_id] = found
        return found

    def _frequencies_up(self) -> dict[str, dict[str, float]]:
        """term -> disease -> highest known frequency of an annotation in the term's subtree."""
        if self._freq_up is None:
            up: dict[str, dict[str, float]] = {}
            for did, row in self._freq.items():
                for t, f in row.items():
                    for a in (t, *self.ancestors(t)):
                        slot = up.setdefault(a, {})
                        if f > slot.get(did, -1.0):
                            slot[did] = f
            self._freq_up = up
        return self._freq_up

    def genes(self, disease_id: str) -> tuple[str, ...]:
        """Genes linked to the disease, inferred from hpo3's gene annotations.

        hpo3 exposes no disease-gene table; HPO derives each gene's phenotypes from its
        diseases, so a gene whose term set contains all of the disease's terms is reported.
        """
        entry = self._diseases.get(disease_id)
        if entry is None or not entry[1]:
            return ()
        if self._genes is None:
            by_term: dict[int, list[tuple[str, frozenset[int]]]] = {}
            for g in self._ont.genes:
                terms = frozenset(g.hpo)
                for t in terms:
                    by_term.setdefault(t, []).append((g.name, terms))
            self._genes = by_term
        index = self._genes
        wanted = set(entry[1])
        rarest = min(wanted, key=lambda t: len(index.get(t, ())))
        return tuple(sorted(name for name, terms in index.get(rarest, ()) if wanted <= terms))

    def icd10(self, disease_id: str) -> tuple[str, ...]:
        """ICD-10-CM codes whose description matches the disease label exactly."""
        entry = self._diseases.get(disease_id)
        return icd10_for_label(entry[0]) if entry else ()


def load_hpo(sources: tuple[str, ...] = ("OMIM",)) -> HPOGraph:
    """The HPO graph, loaded once per process (per set of sources) and shared."""
    return _load(tuple(sources))


@lru_cache(maxsize=4)
def _load(sources: tuple[str, ...]) -> HPOGraph:
    return HPOGraph(sources)
