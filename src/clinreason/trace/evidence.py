"""Evidence carried by steps: text spans, documents, graph facts, arguments. Data only."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, JsonValue, model_validator

from clinreason.trace._base import DataModel


class Span(DataModel, frozen=True):
    """Where a piece of evidence sits in the case text: `text == source[start:end]`."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    source: Literal["context", "question"] = "context"
    """Which field of the case the offsets refer to."""

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end < self.start:
            raise ValueError(f"span end {self.end} precedes start {self.start}")
        return self


class Document(DataModel, frozen=True):
    """A retrieved passage."""

    id: str
    text: str
    title: str | None = None
    score: float | None = None
    source: str | None = None
    reference: str | None = None
    """DOI, PMID or URL of the source document, where known."""


class Triple(DataModel, frozen=True):
    """One knowledge-graph fact: subject --relation--> object (ids with labels)."""

    subject: str
    relation: str
    object: str
    subject_label: str | None = None
    object_label: str | None = None
    source: str | None = None
    """Which graph the fact comes from (e.g. 'hpo@2025-11')."""
    details: dict[str, JsonValue] = {}


class Argument(DataModel, frozen=True):
    """One argument of a clinical debate (an instance of an argumentation scheme)."""

    id: str
    claim: str
    """What the argument concludes, e.g. 'choose option B' or 'finding X is absent'."""
    scheme: str
    """The argumentation scheme it instantiates (e.g. 'clinical_evidence', 'contraindication')."""
    option: str | None = None
    """The option the argument is for (support) or against (attack), if any."""
    premises: list[str] = []
    """Findings or facts the argument relies on."""
    author: str = "generator"
    """Which role produced it (generator, verifier, text_check, ...)."""


class Attack(DataModel, frozen=True):
    """`source` attacks `target`, for a stated reason (a critical question or a conflict)."""

    source: str
    target: str
    reason: str = ""


class ArgumentGraph(DataModel):
    """A Dung argumentation framework, with optional support edges kept for display."""

    arguments: list[Argument] = []
    attacks: list[Attack] = []
    supports: list[Attack] = []
    """source supports target (display only; semantics use attacks)."""

    @model_validator(mode="after")
    def _well_formed(self) -> ArgumentGraph:
        ids = [a.id for a in self.arguments]
        if len(set(ids)) != len(ids):
            raise ValueError("argument ids are not unique")
        known = set(ids)
        for edge in [*self.attacks, *self.supports]:
            if edge.source not in known or edge.target not in known:
                raise ValueError(f"edge {edge.source}->{edge.target} names an unknown argument")
        return self
