"""`InMemoryGraph`: a small phenotype graph built from plain data (tests, demos, custom graphs)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property

from clinreason.errors import ConfigError
from clinreason.tools.kg.base import Annotation, Disease, Term


class InMemoryGraph:
    """A `KnowledgeGraph` held in dictionaries.

    Args:
        terms: the ontology terms.
        parents: term id -> its direct is-a parents.
        diseases: the annotated diseases.
        root: root of the phenotypic-abnormality branch.
        source: name recorded in traces.
        icd: disease id -> ICD-10-CM codes.
        genes: disease id -> gene symbols.
    """

    def __init__(
        self,
        terms: Iterable[Term],
        parents: Mapping[str, Sequence[str]],
        diseases: Iterable[Disease],
        *,
        root: str,
        source: str = "memory",
        icd: Mapping[str, Sequence[str]] | None = None,
        genes: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self._terms = {t.id: t for t in terms}
        self._parents = {k: tuple(v) for k, v in parents.items()}
        self._diseases = {d.id: d for d in diseases}
        self._root = root
        self._source = source
        self._icd = {k: tuple(v) for k, v in (icd or {}).items()}
        self._genes = {k: tuple(v) for k, v in (genes or {}).items()}
        for child, ps in self._parents.items():
            for p in (child, *ps):
                if p not in self._terms:
                    raise ConfigError(f"graph {source}: is-a edge names unknown term {p}")
        for d in self._diseases.values():
            for a in d.annotations:
                if a.term not in self._terms:
                    raise ConfigError(f"graph {source}: {d.id} is annotated with unknown {a.term}")
        if root not in self._terms:
            raise ConfigError(f"graph {source}: root {root} is not a term")

    @property
    def source(self) -> str:
        """Name recorded in traces."""
        return self._source

    @property
    def phenotype_root(self) -> str:
        """Root of the phenotypic-abnormality branch."""
        return self._root

    def term(self, term_id: str) -> Term | None:
        """The term, or None."""
        return self._terms.get(term_id)

    def terms(self) -> Iterable[Term]:
        """Every term."""
        return self._terms.values()

    def parents(self, term_id: str) -> tuple[str, ...]:
        """Direct parents."""
        return self._parents.get(term_id, ())

    def ancestors(self, term_id: str) -> frozenset[str]:
        """All ancestors, excluding the term."""
        return self._ancestors.get(term_id, frozenset())

    @cached_property
    def _ancestors(self) -> dict[str, frozenset[str]]:
        out: dict[str, frozenset[str]] = {}

        def visit(node: str, stack: tuple[str, ...]) -> frozenset[str]:
            if node in out:
                return out[node]
            if node in stack:
                raise ConfigError(f"graph {self._source}: is-a cycle through {node}")
            acc: set[str] = set()
            for p in self._parents.get(node, ()):
                acc.add(p)
                acc |= visit(p, (*stack, node))
            out[node] = frozenset(acc)
            return out[node]

        for t in self._terms:
            visit(t, ())
        return out

    def disease(self, disease_id: str) -> Disease | None:
        """The disease, or None."""
        return self._diseases.get(disease_id)

    def disease_ids(self) -> tuple[str, ...]:
        """Every disease id in insertion order."""
        return tuple(self._diseases)

    @cached_property
    def _propagated(self) -> dict[str, dict[str, float | None]]:
        out: dict[str, dict[str, float | None]] = {}
        for d in self._diseases.values():
            for a in d.annotations:
                for t in (a.term, *self.ancestors(a.term)):
                    slot = out.setdefault(t, {})
                    old = slot.get(d.id, None)
                    if d.id not in slot or (a.frequency is not None and (old or 0) < a.frequency):
                        slot[d.id] = a.frequency
        return out

    def diseases_with(self, term_id: str) -> Mapping[str, float | None]:
        """Diseases annotated with the term or a descendant, with the highest frequency."""
        return self._propagated.get(term_id, {})

    def genes(self, disease_id: str) -> tuple[str, ...]:
        """Gene symbols given at construction."""
        return self._genes.get(disease_id, ())

    def icd10(self, disease_id: str) -> tuple[str, ...]:
        """ICD-10-CM codes given at construction."""
        return self._icd.get(disease_id, ())


def demo_graph() -> InMemoryGraph:
    """A six-term toy graph with three diseases (doctests and examples).

    HP:1 root; HP:2, HP:3 children of HP:1; HP:4, HP:5 children of HP:2; HP:6 child of HP:3.
    """
    labels = {
        "HP:1": "Phenotypic abnormality",
        "HP:2": "Seizure",
        "HP:3": "Short stature",
        "HP:4": "Focal seizure",
        "HP:5": "Generalized seizure",
        "HP:6": "Severe short stature",
    }
    parents = {
        "HP:2": ["HP:1"],
        "HP:3": ["HP:1"],
        "HP:4": ["HP:2"],
        "HP:5": ["HP:2"],
        "HP:6": ["HP:3"],
    }
    diseases = [
        Disease("D:A", "Disease A", (Annotation("HP:4", 0.9), Annotation("HP:6", 0.5))),
        Disease("D:B", "Disease B", (Annotation("HP:5", 0.9),)),
        Disease("D:C", "Disease C", (Annotation("HP:3", None),)),
    ]
    return InMemoryGraph(
        [Term(k, v) for k, v in labels.items()], parents, diseases, root="HP:1", source="demo"
    )
