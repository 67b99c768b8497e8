"""phenopacket-store (GA4GH phenopackets, published case reports): rank the patient's disease.

Reads the JSON-lines export in `../shared/data/phenopacket-store/` (one case per line: `id,
cohort, refs, sex, age, observed, excluded, diseases, diagnosis, genes, status, hpo_version`;
`observed`/`excluded` are HPO ids, `diagnosis` OMIM ids). Each line becomes a `Case` whose
metadata carries the HPO ids, so the `diagnose` strategy ranks on them directly.

Scoring: the rank of the gold diagnosis in the strategy's differential (recomputed from the
recorded query when it is below the listed top-k). `summarize` reports top-1/3/10 and MRR over
the cases whose diagnosis is in the graph (the headline, with `n_unranked`: cases in the graph
that got no ranking, e.g. no usable term, counted as misses), the same averaged per disease,
and over all cases; cases whose diagnosis the graph lacks are counted in `not_in_graph`.
"""

from __future__ import annotations

import hashlib
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from pydantic import JsonValue

from clinreason.bench.base import CaseResult, CaseScore, Dataset
from clinreason.bench.files import field, read_jsonl, require_file, sha256_files
from clinreason.bench.stats import wilson_interval
from clinreason.errors import DatasetError
from clinreason.tools.kg.base import KnowledgeGraph
from clinreason.tools.kg.hpo import load_hpo
from clinreason.tools.kg.rank import Query, RankConfig, ranker_for
from clinreason.trace import Case, ToolCall, Trace

QUESTION = "Which disease best explains this patient's phenotype?"
SOURCE = "monarch-initiative/phenopacket-store (JSON-lines export, see ../shared/data/README.md)"
KEYS = ("top1", "top3", "top10", "mrr")


def rank_metrics(ranks: Sequence[int | None]) -> dict[str, Any]:
    """top-1/3/10, MRR, n, n_unranked and the Wilson 95% interval of top-1 (None = a miss).

    >>> m = rank_metrics([1, 2, None, 12])
    >>> m["top1"], m["top3"], m["top10"], round(m["mrr"], 3), m["n_unranked"]
    (0.25, 0.5, 0.5, 0.396, 1)
    """
    n = len(ranks)
    hits1 = sum(1 for r in ranks if r is not None and r <= 1)

    def top(k: int) -> float | None:
        return sum(1 for r in ranks if r is not None and r <= k) / n if n else None

    iv = wilson_interval(hits1, n)
    return {
        "top1": top(1),
        "top3": top(3),
        "top10": top(10),
        "mrr": sum(1 / r for r in ranks if r) / n if n else None,
        "n": n,
        "n_unranked": sum(r is None for r in ranks),
        "ci95_top1": [iv.low, iv.high],
    }


def per_disease_metrics(ranks: Sequence[int | None], golds: Sequence[str]) -> dict[str, Any]:
    """The same figures averaged over diseases first (large cohorts do not dominate).

    >>> per_disease_metrics([1, 1, 1, None], ["A", "A", "A", "B"])["top1"]
    0.5
    """
    groups: dict[str, list[int | None]] = defaultdict(list)
    for r, g in zip(ranks, golds, strict=True):
        groups[g].append(r)
    per = [rank_metrics(v) for v in groups.values()]
    out: dict[str, Any] = {k: statistics.fmean(m[k] for m in per) if per else None for k in KEYS}
    out["n_diseases"] = len(per)
    out["n"] = len(ranks)
    return out


def cluster_interval(
    hits: Sequence[bool], clusters: Sequence[str], *, seed: int = 0, resamples: int = 2000
) -> list[float] | None:
    """95% bootstrap interval of a hit rate resampling whole clusters (cohorts)."""
    groups: dict[str, list[bool]] = defaultdict(list)
    for h, c in zip(hits, clusters, strict=True):
        groups[c].append(h)
    if len(groups) < 2:
        return None
    sums = np.array([sum(v) for v in groups.values()], dtype=float)
    sizes = np.array([len(v) for v in groups.values()], dtype=float)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(sums), size=(resamples, len(sums)))
    rates = sums[pick].sum(axis=1) / sizes[pick].sum(axis=1)
    low, high = np.quantile(rates, [0.025, 0.975])
    return [float(low), float(high)]


def cohort_half(cohort: str) -> int:
    """0 or 1 from a hash of the cohort name (a fixed split-half check, not a tuned one)."""
    return hashlib.sha256(cohort.encode()).digest()[0] % 2


def record_to_case(row: dict[str, Any], where: str) -> Case:
    """One JSON line as a `Case` (pure).

    Raises:
        DatasetError: missing or mistyped fields, naming file and line.
    """
    cid = field(row, "id", where=where)
    diagnosis = field(row, "diagnosis", where=where, kind=list)
    if not diagnosis or not all(isinstance(d, str) for d in diagnosis):
        raise DatasetError(f"{where}: field 'diagnosis' should be a non-empty list of ids")
    observed = field(row, "observed", where=where, kind=list)
    excluded = row.get("excluded") or []
    for key, ids in (("observed", observed), ("excluded", excluded)):
        if not isinstance(ids, list) or not all(isinstance(t, str) for t in ids):
            raise DatasetError(f"{where}: field {key!r} should be a list of HPO ids")
    return Case(
        id=cid,
        question=QUESTION,
        gold=diagnosis[0],
        dataset="phenopacket-store",
        metadata={
            "observed": list(observed),
            "excluded": list(excluded),
            "cohort": str(row.get("cohort") or ""),
            "diagnosis": list(diagnosis),
            "genes": list(row.get("genes") or []),
            "sex": row.get("sex"),
            "age": row.get("age"),
            "refs": list(row.get("refs") or []),
            "hpo_version": row.get("hpo_version"),
        },
    )


def load(path: Path) -> Dataset:
    """Read a phenopacket-store JSON-lines file.

    Raises:
        DatasetError: file missing, bad JSON, a malformed line or a duplicate id.
    """
    require_file(path, what="phenopacket-store cases", source=SOURCE, suffixes=(".jsonl",))
    cases: list[Case] = []
    seen: set[str] = set()
    for number, row in read_jsonl(path, what="phenopacket-store cases"):
        case = record_to_case(row, f"{path} line {number}")
        if case.id in seen:
            raise DatasetError(f"{path} line {number}: duplicate id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
    return Dataset(
        name="phenopacket-store",
        version="1",
        cases=tuple(cases),
        source=str(path),
        sha256=sha256_files([path]),
    )


def gold_rank(trace: Trace, gold: str, graph: KnowledgeGraph) -> int | None:
    """Rank of `gold` in the trace's `kg.diagnose` differential (recomputed when not listed)."""
    calls = [s for s in trace.steps if isinstance(s, ToolCall) and s.tool == "kg.diagnose"]
    if not calls or calls[-1].error or not isinstance(calls[-1].result, dict):
        return None
    call = calls[-1]
    for item in call.result.get("differential") or []:  # type: ignore[union-attr]
        if isinstance(item, dict) and item.get("disease") == gold:
            return int(item["rank"])  # type: ignore[arg-type]
    args: dict[str, Any] = dict(call.arguments)
    if args.get("graph") != graph.source:
        return None
    ranker = ranker_for(graph, RankConfig(**(args.get("config") or {})))
    query = Query(tuple(args.get("observed") or ()), tuple(args.get("excluded") or ()))
    return ranker.rank_of(query, gold) if query.observed else None


@dataclass(frozen=True)
class PhenopacketsBenchmark:
    """phenopacket-store JSON lines; default strategy `diagnose` (no language model)."""

    name: ClassVar[str] = "phenopackets"
    sources: tuple[str, ...] = ("OMIM",)
    """Disease sources of the HPO graph the diagnoses are looked up in."""
    seed: int = 0
    """Seed of the cohort-clustered bootstrap."""

    def load(self, path: Path) -> Dataset:
        """Read the JSON-lines file (see `load`)."""
        return load(path)

    def default_strategy(self) -> Any:
        """`diagnose` on the given HPO ids; ids unknown to the graph are dropped (recorded)."""
        from clinreason.strategies.diagnose import Diagnose

        return Diagnose(sources=tuple(self.sources), unknown_ids="drop")

    def score(self, case: Case, trace: Trace) -> CaseScore:
        """Correct when the gold diagnosis is ranked first; details: rank, in_graph."""
        gold = case.gold or ""
        graph = load_hpo(tuple(self.sources))
        in_graph = graph.disease(gold) is not None
        rank = gold_rank(trace, gold, graph) if in_graph else None
        answer = trace.answer.value if trace.answer else None
        return CaseScore(
            correct=rank == 1,
            score=1 / rank if rank else 0.0,
            details={"rank": rank, "in_graph": in_graph, "answer": answer},
        )

    def summarize(self, results: Sequence[CaseResult]) -> dict[str, JsonValue]:
        """Headline over cases whose diagnosis is in the graph; the rest counted separately."""
        graph = load_hpo(tuple(self.sources))
        inside: list[CaseResult] = []
        outside: list[CaseResult] = []
        for r in results:
            (inside if r.gold and graph.disease(r.gold) is not None else outside).append(r)
        ranks = [_rank(r) for r in inside]
        golds = [r.gold or "" for r in inside]
        head = rank_metrics(ranks)
        hits = [x is not None and x == 1 for x in ranks]
        cohorts = [str(r.metadata.get("cohort") or r.case_id) for r in inside]
        lat = [r.latency_s for r in results if r.latency_s is not None]
        summary: dict[str, Any] = {
            "benchmark": self.name,
            "scope": "cases whose diagnosis is in the graph",
            "graph": graph.source,
            **{k: head[k] for k in (*KEYS, "n_unranked", "ci95_top1")},
            "n_scored": len(inside),
            "accuracy": head["top1"],
            "ci_wilson": head["ci95_top1"],
            "ci95_top1_cohort_bootstrap": cluster_interval(hits, cohorts, seed=self.seed),
            "in_graph": head,
            "per_disease": per_disease_metrics(ranks, golds),
            "all_cases": rank_metrics([*ranks, *(None for _ in outside)]),
            "not_in_graph": {
                "n": len(outside),
                "diseases": sorted({r.gold or "" for r in outside}),
            },
            "n_cohorts": len(set(cohorts)),
            "latency_median_s": statistics.median(lat) if lat else None,
            "latency_max_s": max(lat) if lat else None,
        }
        return summary


def _rank(result: CaseResult) -> int | None:
    value = result.details.get("rank") if result.status == "ok" else None
    return int(value) if isinstance(value, int) else None
