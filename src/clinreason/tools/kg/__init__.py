"""Knowledge-graph layer: phenotype ontology, disease annotations, recognition, ranking."""

from clinreason.tools.kg.base import (
    Annotation,
    Disease,
    KnowledgeGraph,
    Term,
    is_a_path,
    require_terms,
)
from clinreason.tools.kg.hpo import HPOGraph, load_hpo
from clinreason.tools.kg.memory import InMemoryGraph, demo_graph

__all__ = [
    "Annotation",
    "Disease",
    "HPOGraph",
    "InMemoryGraph",
    "KnowledgeGraph",
    "Term",
    "demo_graph",
    "is_a_path",
    "load_hpo",
    "require_terms",
]
