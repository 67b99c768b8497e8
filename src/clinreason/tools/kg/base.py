"""The `KnowledgeGraph` protocol and the plain records it returns.

A knowledge graph here is a phenotype ontology (terms with labels, synonyms and an is-a
hierarchy) plus diseases annotated with ontology terms (with a frequency where the source gives
one) and the genes linked to each disease. `HPOGraph` implements it on the Human Phenotype
Ontology (`hpo3`), `InMemoryGraph` on hand-made data for tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from clinreason.errors import InputError


@dataclass(frozen=True)
class Term:
    """One ontology term."""

    id: str
    """e.g. 'HP:0001250'."""
    label: str
    synonyms: tuple[str, ...] = ()
    """Names recognised like the label (HPO's EXACT synonyms, clinreason's curated ones)."""
    definition: str = ""
    related: tuple[str, ...] = ()
    """HPO's RELATED, BROAD and NARROW synonyms: recognised with a lower confidence."""


@dataclass(frozen=True)
class Annotation:
    """A disease is annotated with a term, seen in a fraction of patients when known."""

    term: str
    frequency: float | None = None
    """Fraction of patients with the disease who show the term; None = not given by the source."""


@dataclass(frozen=True)
class Disease:
    """A disease with its annotated phenotype terms (genes: `KnowledgeGraph.genes`)."""

    id: str
    """e.g. 'OMIM:154700' or 'ORPHA:558'."""
    label: str
    annotations: tuple[Annotation, ...] = ()

    def frequency(self, term: str) -> float | None:
        """The annotated frequency of `term` (None when not annotated or not given)."""
        for a in self.annotations:
            if a.term == term:
                return a.frequency
        return None


@runtime_checkable
class KnowledgeGraph(Protocol):
    """What the recogniser, the ranker and the verifier need from a phenotype graph."""

    @property
    def source(self) -> str:
        """Name and version, e.g. 'hpo@2025-11-24' (recorded in traces)."""
        ...

    @property
    def phenotype_root(self) -> str:
        """Root of the phenotypic-abnormality branch (terms outside it are not findings)."""
        ...

    def term(self, term_id: str) -> Term | None:
        """The term, or None when the id is unknown."""
        ...

    def terms(self) -> Iterable[Term]:
        """Every (non-obsolete) term."""
        ...

    def parents(self, term_id: str) -> tuple[str, ...]:
        """Direct is-a parents."""
        ...

    def ancestors(self, term_id: str) -> frozenset[str]:
        """All is-a ancestors (excluding the term itself)."""
        ...

    def disease(self, disease_id: str) -> Disease | None:
        """The disease, or None when the id is unknown."""
        ...

    def disease_ids(self) -> tuple[str, ...]:
        """Every disease id, in a stable order."""
        ...

    def genes(self, disease_id: str) -> tuple[str, ...]:
        """Gene symbols linked to the disease (may be empty)."""
        ...

    def diseases_with(self, term_id: str) -> Mapping[str, float | None]:
        """Diseases annotated with the term or a descendant (true-path rule).

        Values: the highest annotated frequency within the term's subtree (None = not given).
        """
        ...

    def icd10(self, disease_id: str) -> tuple[str, ...]:
        """ICD-10-CM codes for the disease where a mapping exists (may be empty)."""
        ...


def require_terms(graph: KnowledgeGraph, term_ids: Iterable[str]) -> None:
    """Raise `InputError` listing every id the graph does not know."""
    unknown = sorted({t for t in term_ids if graph.term(t) is None})
    if unknown:
        raise InputError(
            f"unknown phenotype term id(s) for {graph.source}: {', '.join(unknown)} "
            "(expected ids like HP:0001250 that exist in this ontology version)"
        )


def is_a_path(graph: KnowledgeGraph, start: str, ancestor: str) -> list[str]:
    """Shortest is-a path from `start` up to `ancestor`, both included ([] if not an ancestor).

    >>> from clinreason.tools.kg.memory import demo_graph
    >>> is_a_path(demo_graph(), "HP:4", "HP:1")
    ['HP:4', 'HP:2', 'HP:1']
    """
    if start == ancestor:
        return [start]
    if ancestor not in graph.ancestors(start):
        return []
    previous: dict[str, str] = {}
    frontier = [start]
    seen = {start}
    while frontier:
        nxt: list[str] = []
        for node in frontier:
            for parent in graph.parents(node):
                if parent in seen:
                    continue
                seen.add(parent)
                previous[parent] = node
                if parent == ancestor:
                    path = [parent]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return path[::-1]
                nxt.append(parent)
        frontier = nxt
    return []
