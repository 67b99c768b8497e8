"""The typed steps of a trace: a discriminated union on `kind`.

Each step has an id, the ids of the steps it builds on (`parents`), its inputs and outputs as
typed fields, a duration, and token counts where a model was called. `summary()` is the one
line a clinician reads in `clinreason explain`.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import Field, JsonValue

from clinreason.trace._base import DataModel, fallback_step_id
from clinreason.trace.evidence import ArgumentGraph, Document, Span, Triple
from clinreason.trace.messages import GenerateRequest, Generation, Usage
from clinreason.trace.verdict import Verdict


def _short(value: object, limit: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class StepBase(DataModel):
    """Fields every step has."""

    id: str = Field(default_factory=fallback_step_id)
    """Short id unique within the trace (s1, s2, ...), assigned by `TraceBuilder`."""
    parents: list[str] = []
    """Ids of the steps this one builds on; the trace is a DAG."""
    duration_s: float | None = None
    """Wall-clock seconds the step took, where measured."""

    def summary(self) -> str:
        """One readable line describing the step."""
        raise NotImplementedError


class LLMCall(StepBase):
    """A call to the language model: the request (input) and the generation (output)."""

    kind: Literal["llm_call"] = "llm_call"
    purpose: str = ""
    """Why the model was called ('answer', 'extract:heart_rate', 'propose_arguments', ...)."""
    request: GenerateRequest
    response: Generation | None = None
    """None when the call failed; see `error`."""
    error: str | None = None
    usage: Usage = Usage()

    def summary(self) -> str:
        """One readable line describing the step."""
        if self.error:
            return f"model call ({self.purpose}) FAILED: {self.error}"
        model = self.response.model if self.response else "?"
        tokens = f"{self.usage.prompt_tokens}+{self.usage.completion_tokens} tokens"
        return f"model call ({self.purpose}) to {model}, {tokens}"


class Thought(StepBase):
    """One piece of reasoning taken from model output (a chain-of-thought sentence or claim)."""

    kind: Literal["thought"] = "thought"
    text: str
    cited: bool | None = None
    """For reasoning that should rest on sources (`rag`): whether a `citation` step backs this
    sentence. None where citations are not asked for."""

    def summary(self) -> str:
        """One readable line describing the step."""
        flag = " [no citation]" if self.cited is False else ""
        return _short(self.text, 400) + flag


class Candidate(DataModel, frozen=True):
    """Another value of the same quantity found in the note (see `Extraction.candidates`)."""

    value: JsonValue
    unit: str | None = None
    span: Span | None = None


class Extraction(StepBase):
    """A value taken from the patient note, with where it was found or why it was assumed."""

    kind: Literal["extraction"] = "extraction"
    name: str
    """Parameter name (e.g. 'creatinine', 'age', 'history')."""
    value: JsonValue
    unit: str | None = None
    span: Span | None = None
    """The evidence in the note. For an assumed value: None, or the text that was read and
    rejected (an absurd value such as "creatinine 0 mg/dL", explained in `note`)."""
    method: Literal["rule", "llm", "assumed", "given"] = "rule"
    """How it was obtained: a rule-based extractor, the model, an explicit assumption, or input."""
    note: str = ""
    """The assumption made, or any conversion applied (e.g. 'not mentioned -> absent')."""
    candidates: list[Candidate] = []
    """The other values of the same quantity the extractor found in the note, in note order
    (empty: it found one). With several, `selection` says which rule chose `value`."""
    selection: Literal["first", "last"] | None = None
    """How `value` was chosen among several: 'first' = the first written, taken as the value at
    presentation; 'last' = the last written, because the question asks for the latest."""

    def summary(self) -> str:
        """One readable line describing the step."""
        unit = f" {self.unit}" if self.unit else ""
        where = f' from "{_short(self.span.text, 80)}"' if self.span else ""
        extra = f" ({self.note})" if self.note else ""
        return f"{self.name} = {_short(self.value)}{unit} [{self.method}]{where}{extra}"


class ToolCall(StepBase):
    """A deterministic tool (calculator, solver, ranker) called with arguments."""

    kind: Literal["tool_call"] = "tool_call"
    tool: str
    """Tool id, e.g. 'calculator.creatinine_clearance'."""
    arguments: dict[str, JsonValue] = {}
    result: JsonValue = None
    error: str | None = None
    explanation: list[str] = []
    """Human-checkable lines: the formula, each input with unit, intermediate results."""

    def summary(self) -> str:
        """One readable line describing the step."""
        if self.error:
            return f"{self.tool} FAILED: {self.error}"
        return f"{self.tool}({_short(self.arguments, 200)}) = {_short(self.result)}"


class Retrieval(StepBase):
    """Documents retrieved for a query."""

    kind: Literal["retrieval"] = "retrieval"
    query: str
    documents: list[Document] = []

    def summary(self) -> str:
        """One readable line describing the step."""
        shown = "; ".join(
            f"[{n}] {_short(d.title, 60)} ({d.id})" if d.title else f"[{n}] {d.id}"
            for n, d in enumerate(self.documents[:5], 1)
        )
        return f'retrieved {len(self.documents)} documents for "{_short(self.query, 80)}": {shown}'


class Citation(StepBase):
    """A reasoning sentence and the passage it cites, with the words quoted from that passage.

    Parents: the `thought` holding the sentence and the `retrieval` step that returned the
    passage. The citation verifier checks that `quote` occurs in the passage (looked up in the
    index by `passage_id`) and whether the passage supports `statement`.
    """

    kind: Literal["citation"] = "citation"
    marker: int
    """The number the passage had in the prompt ([1], [2], ...)."""
    passage_id: str
    quote: str
    """The words of the passage the sentence rests on, as the model quoted them."""
    statement: str
    """The sentence that cites the passage."""
    source: str | None = None
    title: str | None = None
    reference: str | None = None
    """DOI, PMID or URL of the source document, where known."""

    def summary(self) -> str:
        """One readable line describing the step."""
        where = ", ".join(x for x in (self.title or self.source, self.reference) if x)
        return (
            f'[{self.marker}] {self.passage_id} ({where}): "{_short(self.quote, 120)}" '
            f'for "{_short(self.statement, 100)}"'
        )


class KGLink(StepBase):
    """A mention in the text linked to a knowledge-graph entity, with the facts or path used."""

    kind: Literal["kg_link"] = "kg_link"
    mention: str
    span: Span | None = None
    entity: str | None = None
    """e.g. 'HP:0001250'; None = not linked."""
    label: str | None = None
    negated: bool = False
    """True when the note states the finding is absent."""
    facts: list[Triple] = []
    """Facts or an ordered path of facts that justify the link's use."""

    def summary(self) -> str:
        """One readable line describing the step."""
        target = f"{self.entity} ({self.label})" if self.entity else "not linked"
        neg = " [absent]" if self.negated else ""
        synonyms = [f for f in self.facts if f.relation == "has_synonym"]
        path = " -> ".join(
            f.object_label or f.object for f in self.facts[:4] if f.relation != "has_synonym"
        )
        tail = f"; path: {path}" if path else ""
        if synonyms:
            kind = synonyms[0].details.get("kind")
            tail += f'; matched the synonym "{synonyms[0].object}"'
            tail += f" ({kind})" if isinstance(kind, str) and kind else ""
        return f'"{_short(self.mention, 60)}"{neg} -> {target}{tail}'


class ArgumentStep(StepBase):
    """An argumentation framework and the extension a solver computed for it."""

    kind: Literal["argument"] = "argument"
    graph: ArgumentGraph
    semantics: str = "grounded"
    accepted: list[str] = []
    """Ids of the accepted arguments (the chosen extension)."""
    rejected: list[str] = []
    """Ids attacked by an accepted argument."""
    reasons: dict[str, str] = {}
    """Argument id -> why it is in or out."""

    def summary(self) -> str:
        """One readable line describing the step."""
        return (
            f"argumentation ({self.semantics}): {len(self.graph.arguments)} arguments, "
            f"{len(self.graph.attacks)} attacks; accepted {', '.join(self.accepted) or 'none'}"
        )


class Vote(StepBase):
    """A majority vote over sampled answers."""

    kind: Literal["vote"] = "vote"
    counts: dict[str, int]
    """Normalized answer -> votes."""
    winner: str | None
    tie_break: Literal["first_seen", "lowest_label", "none"] = "first_seen"
    abstained: int = 0
    """Samples from which no answer could be extracted."""

    def summary(self) -> str:
        """One readable line describing the step."""
        counts = ", ".join(f"{k}: {v}" for k, v in self.counts.items())
        return f"vote {{{counts}}} (no answer: {self.abstained}) -> {self.winner}"


class Check(StepBase):
    """A verifier run inside a strategy (e.g. verify-then-retry), with its verdict."""

    kind: Literal["check"] = "check"
    verdict: Verdict

    def summary(self) -> str:
        """One readable line describing the step."""
        v = self.verdict
        return f"check {v.verifier}: {v.status} — {_short(v.claim, 100)} {_short(v.evidence, 100)}"


Step = Annotated[
    LLMCall
    | Thought
    | Extraction
    | ToolCall
    | Retrieval
    | Citation
    | KGLink
    | ArgumentStep
    | Vote
    | Check,
    Field(discriminator="kind"),
]
"""Any step of a trace."""
