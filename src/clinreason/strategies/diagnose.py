"""`diagnose`: phenotype-driven differential diagnosis on a knowledge graph, no language model.

Pipeline (every step is recorded in the trace):

1. **Findings**: HPO ids given in `case.metadata` (`observed`, `excluded`; phenopacket cases) are
   used as they are; otherwise the note (`case.context`, or the question when there is no
   note) goes through concept recognition with negation. One `kg_link` step per finding:
   the text span, the HPO id and label, and whether the note says it is absent. Findings
   reported for a relative or only as a possibility are listed in a `thought` and not used.
2. **Rank**: `DifferentialRanker` (likelihood ratios with term specificity, annotation
   frequencies and excluded-term penalties) over every disease of the graph.
3. **Explain**: one `tool_call` step `kg.diagnose` whose result holds the ranked differential;
   for the top `explain_top` diseases it lists the findings explained (with the is-a path from
   the patient's term to the annotated term), those not explained, the absent findings that
   contradict the disease and its typical findings that were not reported.

The answer is the top disease id; its confidence is that disease's posterior (uniform prior).
The backend is not used.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from clinreason.backends.base import Backend
from clinreason.errors import ConfigError, InputError
from clinreason.tools.kg.base import KnowledgeGraph
from clinreason.tools.kg.explain import explain_disease
from clinreason.tools.kg.hpo import load_hpo
from clinreason.tools.kg.rank import RankConfig, ranker_for
from clinreason.tools.kg.recognize import ConceptRecognizer
from clinreason.trace import Answer, Case, KGLink, Thought, ToolCall, TraceBuilder

TOOL = "kg.diagnose"


def _id_list(case: Case, key: str) -> list[str]:
    value = case.metadata.get(key) or []
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise InputError(f"case {case.id}: metadata[{key!r}] must be a list of HPO id strings")
    return list(value)


@dataclass(frozen=True)
class Diagnose:
    """Rank the diseases of a phenotype graph for the case's findings and explain the ranking.

    >>> import asyncio
    >>> from clinreason.backends.fake import FakeBackend
    >>> from clinreason.strategies import run
    >>> from clinreason.tools.kg import demo_graph
    >>> case = Case(id="c", question="Differential?", context="Focal seizures.")
    >>> trace = asyncio.run(run(Diagnose(graph=demo_graph()), case, FakeBackend([])))
    >>> trace.answer.value
    'D:A'
    """

    name: ClassVar[str] = "diagnose"
    version: ClassVar[int] = 1
    top_k: int = 10
    """Diseases listed in the differential."""
    explain_top: int = 5
    """Diseases (from the top) given a full explanation."""
    sources: tuple[str, ...] = ("OMIM",)
    """Disease annotation sources of the HPO graph ('OMIM', 'ORPHA')."""
    unknown_ids: Literal["error", "drop"] = "error"
    """Given HPO ids the graph does not know: fail with their list, or drop them (recorded)."""
    config: RankConfig = field(default_factory=RankConfig)
    """Parameters of the likelihood-ratio model."""
    graph: KnowledgeGraph | None = field(default=None, repr=False, compare=False)
    """Another graph (tests, custom data); default the HPO graph of `sources`."""

    def __post_init__(self) -> None:
        if isinstance(self.config, dict):  # from the CLI: -S config='{"related_factor": 0.2}'
            raw = self.config
            if set(raw) == {"name", "version", "params"}:  # as recorded in a trace's spec
                raw = raw["params"]
            try:
                object.__setattr__(self, "config", RankConfig(**raw))
            except TypeError as exc:
                raise ConfigError(f"diagnose: bad config: {exc}") from None
        object.__setattr__(self, "sources", tuple(self.sources))
        if self.unknown_ids not in ("error", "drop"):
            raise ConfigError("diagnose: unknown_ids must be 'error' or 'drop'")
        if self.top_k < 1 or self.explain_top < 0:
            raise ConfigError("diagnose: top_k must be >= 1 and explain_top >= 0")

    def knowledge_graph(self) -> KnowledgeGraph:
        """The graph in use (the HPO graph is loaded once per process)."""
        return self.graph if self.graph is not None else load_hpo(self.sources)

    async def solve(self, case: Case, backend: Backend, tb: TraceBuilder) -> Answer:
        """Findings -> kg_link steps -> ranking -> explained differential."""
        graph = self.knowledge_graph()
        started = time.perf_counter()
        observed, excluded, links, dropped = self._findings(case, graph, tb)
        ranker = ranker_for(graph, self.config)
        query = ranker.prepare(observed, excluded)
        query = dataclasses.replace(query, dropped=(*dropped, *query.dropped))
        if not query.observed:
            raise InputError(
                f"case {case.id}: no observed phenotypic-abnormality term to rank diseases on"
                + (" (no finding in the note matches a term of the graph)" if not links else "")
            )
        ranked = ranker.rank_query(query, top_k=self.top_k)
        differential: list[dict[str, Any]] = []
        for r in ranked:
            if r.rank <= self.explain_top:
                differential.append(explain_disease(ranker, query, r).to_json(graph))
            else:
                differential.append(
                    {
                        "rank": r.rank,
                        "disease": r.disease,
                        "label": r.label,
                        "score": round(r.score, 3),
                        "posterior": r.posterior,
                    }
                )
        top = ranked[0]
        tool = tb.add(
            ToolCall(
                tool=TOOL,
                arguments={
                    "observed": list(query.observed),
                    "excluded": list(query.excluded),
                    "graph": graph.source,
                    "config": dataclasses.asdict(self.config),
                    "top_k": self.top_k,
                },
                result={
                    "value": top.disease,
                    "label": top.label,
                    "graph": graph.source,
                    "differential": differential,  # type: ignore[dict-item]
                    "dropped": [list(d) for d in query.dropped],  # type: ignore[misc]
                },
                explanation=_summary_lines(differential),
                parents=links,
                duration_s=time.perf_counter() - started,
            )
        )
        return Answer(value=top.disease, confidence=top.posterior, support=[tool.id])

    def _findings(
        self, case: Case, graph: KnowledgeGraph, tb: TraceBuilder
    ) -> tuple[list[str], list[str], list[str], list[tuple[str, str]]]:
        """(observed ids, excluded ids, kg_link step ids, dropped (id, why))."""
        if "observed" in case.metadata or "excluded" in case.metadata:
            return self._given(case, graph, tb)
        source: Literal["context", "question"] = "context" if case.context.strip() else "question"
        text = case.context if source == "context" else case.question
        mentions = ConceptRecognizer.for_graph(graph).recognize(text, source)
        observed: list[str] = []
        excluded: list[str] = []
        links: list[str] = []
        ignored: list[str] = []
        for m in mentions:
            if m.status in ("family", "hypothetical"):
                ignored.append(f'"{m.span.text}" ({m.label}): {m.status}, cue "{m.trigger}"')
                continue
            step = tb.add(
                KGLink(
                    mention=m.span.text,
                    span=m.span,
                    entity=m.term,
                    label=m.label,
                    negated=m.negated,
                    facts=m.facts(graph.source),
                )
            )
            links.append(step.id)
            (excluded if m.negated else observed).append(m.term)
        if ignored:
            tb.add(Thought(text="Not counted as the patient's findings: " + "; ".join(ignored)))
        return observed, excluded, links, []

    def _given(
        self, case: Case, graph: KnowledgeGraph, tb: TraceBuilder
    ) -> tuple[list[str], list[str], list[str], list[tuple[str, str]]]:
        observed, excluded = _id_list(case, "observed"), _id_list(case, "excluded")
        dropped: list[tuple[str, str]] = []
        if self.unknown_ids == "drop":
            unknown = [t for t in (*observed, *excluded) if graph.term(t) is None]
            dropped = [(t, f"unknown to {graph.source}") for t in dict.fromkeys(unknown)]
            observed = [t for t in observed if graph.term(t) is not None]
            excluded = [t for t in excluded if graph.term(t) is not None]
        links: list[str] = []
        for ids, negated in ((observed, False), (excluded, True)):
            for t in ids:
                term = graph.term(t)
                step = tb.add(
                    KGLink(
                        mention=t,
                        entity=t,
                        label=term.label if term else None,
                        negated=negated,
                    )
                )
                links.append(step.id)
        return observed, excluded, links, dropped


def _summary_lines(differential: Sequence[dict[str, Any]], n: int = 5) -> list[str]:
    """Short lines for `ToolCall.explanation` (the full explanation is in the result)."""
    out = []
    for item in differential[:n]:
        line = f"{item['rank']}. {item['label']} ({item['disease']}) p={item['posterior']:.3f}"
        if "explained" in item:
            line += (
                f": explains {len(item['explained'])}, not {len(item['unexplained'])}, "
                f"contradicted by {len(item['contradicted'])} absent"
            )
        out.append(line)
    return out
