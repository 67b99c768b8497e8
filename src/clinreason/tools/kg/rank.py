"""Phenotype-driven differential diagnosis: a likelihood-ratio ranking in the spirit of LIRICAL.

For each disease D and each observed term t the ranker asks how much more likely a patient with
D shows t than a patient with some other disease (a likelihood ratio, LR), and multiplies the
LRs of all observed and excluded terms. With q(x) the fraction of diseases annotated with x or
a descendant (so -log q(x) is the term's information content) and f the annotated frequency
(or `RankConfig.default_frequency` when the source gives none):

* implied match: D is annotated with t or a descendant of t         LR = f / (f̄ q(t))
* covered: D is annotated with an ancestor x of t (t more specific)   LR = f / (f̄ q(x))
* related: D and t only share an ancestor a below the root           LR = γ f / (f̄ q(a))
* unrelated: nothing shared below the phenotype root                 LR = ε
* excluded term t that D shows with frequency f                      LR = (1 - f) / (1 - f̄ q(t))

The best of these per (t, D) counts. Without a source frequency, f̄ = f cancels for observed
terms, and an excluded term of unknown frequency is no evidence against the disease
(`RankConfig.excluded_frequency` = 0): curators and clinicians record an absent finding because
it is typical of the disease they consider, so its absence alone cannot be weighed without
knowing how often the disease shows it. Excluded terms with a source frequency are weighed by
(1 - s f) with s = `RankConfig.excluded_frequency_scale`, by default 0: on phenopacket-store
(where absent findings are mostly features of the case's own disease) any weighing hurt.

The ranking score adds a set-similarity term to the sum of log LRs (rank fusion):

    score(D) = Σ log LR(t, D) + λ · n_observed · sim(patient, D)

with sim the funSimAvg graphic-IC similarity of `similarity.SetSimilarity` (in [0, 1]) and λ =
`RankConfig.similarity_weight`. The LR part rewards the findings a disease explains; the
similarity also charges a disease for annotations the patient lacks and credits partial matches
gradually. `posterior` normalises exp(score) over all diseases (uniform prior).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from clinreason.errors import InputError
from clinreason.tools.kg.base import KnowledgeGraph, require_terms
from clinreason.tools.kg.similarity import SetSimilarity


@dataclass(frozen=True)
class RankConfig:
    """Parameters of the likelihood-ratio model (fixed a priori, see docs/benchmarks/kg.md)."""

    default_frequency: float = 0.5
    """f and f̄ when the source gives no frequency."""
    related_factor: float = 0.1
    """γ: credit for findings that only share an ancestor with an annotated term."""
    unrelated_lr: float = 0.01
    """ε: LR of a finding unrelated to everything annotated to the disease."""
    excluded_frequency: float = 0.0
    """f used for excluded terms when the source gives no frequency (0: such an absence is no
    evidence; chosen on cohort half 0 of phenopacket-store dev, checked on half 1)."""
    excluded_frequency_scale: float = 0.0
    """Multiplies a source frequency f before it weighs an excluded term, (1 - s f): 1 takes the
    source at its word, 0 weighs no absence at all (chosen on cohort half 0 of phenopacket-store
    dev among 0, 0.5, 1 with the HPO annotation frequencies, checked on half 1: every weighing
    lowers top-1 on both halves, because curators record absent findings that are typical of
    the case's own disease)."""
    feature_budget: float | None = None
    """Without source frequencies, assume a patient shows about this many of the disease's
    annotated features: f = min(default_frequency, feature_budget / n_annotations)."""
    similarity_weight: float = 2.0
    """λ: weight of the set similarity per observed term in the ranking score (0: LRs only;
    chosen on cohort half 0 of phenopacket-store dev, checked on half 1)."""


@dataclass(frozen=True)
class Ranked:
    """One disease in the differential."""

    disease: str
    label: str
    rank: int
    score: float
    """Ranking score: `log_lr` + `similarity_term`."""
    posterior: float
    """exp(score) normalised over all diseases (uniform prior)."""
    log_lr: float = 0.0
    """Sum of log likelihood ratios of the observed and excluded terms."""
    similarity: float = 0.0
    """funSimAvg similarity of the patient's terms to the disease's annotations (0..1)."""
    similarity_term: float = 0.0
    """λ · n_observed · similarity (the similarity's share of the score)."""


@dataclass(frozen=True)
class Query:
    """A patient's findings after cleaning: the terms that actually enter the score."""

    observed: tuple[str, ...]
    excluded: tuple[str, ...]
    dropped: tuple[tuple[str, str], ...] = ()
    """(term id, why it was not used)."""


@dataclass
class _TermIndex:
    idx: np.ndarray
    logf: np.ndarray


@dataclass
class DifferentialRanker:
    """Ranks a graph's diseases for observed and excluded phenotype terms.

    >>> from clinreason.tools.kg.memory import demo_graph
    >>> r = DifferentialRanker(demo_graph())
    >>> [x.disease for x in r.rank(["HP:4"])][:2]
    ['D:A', 'D:B']
    """

    graph: KnowledgeGraph
    config: RankConfig = field(default_factory=RankConfig)

    def __post_init__(self) -> None:
        self.ids: tuple[str, ...] = self.graph.disease_ids()
        self._pos = {d: i for i, d in enumerate(self.ids)}
        self._n = len(self.ids)
        self._prop: dict[str, _TermIndex] = {}
        self._direct: dict[str, _TermIndex] = {}
        self._raw: dict[str, tuple[list[int], list[float | None]]] | None = None
        self._pheno: dict[str, bool] = {}
        self._default_logf: np.ndarray | None = None
        self._n_annotations = np.zeros(self._n)
        self._similarity: SetSimilarity | None = None

    # ---- indexes -------------------------------------------------------------------------
    def _logf(self, idx: np.ndarray, freqs: list[float | None]) -> np.ndarray:
        default = self.default_logf()[idx]
        known = np.array([np.nan if f is None else max(f, 1e-3) for f in freqs], dtype=float)
        return np.where(np.isnan(known), default, np.log(np.nan_to_num(known, nan=1.0)))

    def default_logf(self) -> np.ndarray:
        """log of the frequency assumed per disease when the source gives none."""
        if self._default_logf is None:
            cfg = self.config
            f = np.full(self._n, cfg.default_frequency)
            if cfg.feature_budget:
                self._direct_raw()
                n = np.maximum(self._n_annotations, 1)
                f = np.minimum(f, cfg.feature_budget / n)
            self._default_logf = np.log(f)
        return self._default_logf

    def prop(self, term: str) -> _TermIndex:
        """Diseases annotated with the term or a descendant (indices, log frequency)."""
        found = self._prop.get(term)
        if found is None:
            with_ = self.graph.diseases_with(term)
            keys = [k for k in with_ if k in self._pos]
            idx = np.fromiter((self._pos[k] for k in keys), dtype=np.int64, count=len(keys))
            found = _TermIndex(idx, self._logf(idx, [with_[k] for k in keys]))
            self._prop[term] = found
        return found

    def _direct_raw(self) -> dict[str, tuple[list[int], list[float | None]]]:
        if self._raw is None:
            raw: dict[str, tuple[list[int], list[float | None]]] = {}
            for i, did in enumerate(self.ids):
                disease = self.graph.disease(did)
                for a in disease.annotations if disease else ():
                    slot = raw.setdefault(a.term, ([], []))
                    slot[0].append(i)
                    slot[1].append(a.frequency)
                    self._n_annotations[i] += self.is_phenotype(a.term)
            self._raw = raw
        return self._raw

    def direct(self, term: str) -> _TermIndex:
        """Diseases annotated with exactly this term."""
        found = self._direct.get(term)
        if found is None:
            ix, fs = self._direct_raw().get(term, ([], []))
            idx = np.array(ix, dtype=np.int64)
            found = self._direct[term] = _TermIndex(idx, self._logf(idx, fs))
        return found

    def position(self, disease_id: str) -> int | None:
        """Index of a disease in `ids` (None when the graph does not have it)."""
        return self._pos.get(disease_id)

    def q(self, term: str) -> float:
        """Smoothed fraction of diseases annotated with the term or a descendant."""
        return (len(self.prop(term).idx) + 1) / (self._n + 1)

    def is_phenotype(self, term: str) -> bool:
        """True for terms in the phenotypic-abnormality branch (below the root)."""
        found = self._pheno.get(term)
        if found is None:
            found = self._pheno[term] = self.graph.phenotype_root in self.graph.ancestors(term)
        return found

    # ---- query cleaning --------------------------------------------------------------------
    def prepare(self, observed: Sequence[str], excluded: Sequence[str] = ()) -> Query:
        """Validate ids, replace obsolete terms, keep the most specific observed terms.

        Raises:
            InputError: listing every unknown id.
        """
        require_terms(self.graph, [*observed, *excluded])
        dropped: list[tuple[str, str]] = []

        def resolve(terms: Sequence[str]) -> list[str]:
            out: list[str] = []
            replacement = getattr(self.graph, "replacement", None)
            for t in dict.fromkeys(terms):
                new = replacement(t) if replacement else None
                if new:
                    dropped.append((t, f"obsolete, replaced by {new}"))
                    t = new
                if not self.is_phenotype(t):
                    dropped.append((t, "not a phenotypic abnormality term"))
                    continue
                out.append(t)
            return out

        obs = resolve(observed)
        exc = resolve(excluded)
        obs_anc = set().union(*(self.graph.ancestors(t) for t in obs)) if obs else set()
        kept_obs = [t for t in obs if t not in obs_anc]
        dropped += [(t, "implied by a more specific observed term") for t in obs if t in obs_anc]
        obs_set = set(obs)
        kept_exc: list[str] = []
        for t in exc:
            if t in obs_set or t in obs_anc:
                dropped.append((t, "excluded but implied by an observed term"))
            elif self.graph.ancestors(t) & set(exc):
                dropped.append((t, "implied by a more general excluded term"))
            else:
                kept_exc.append(t)
        return Query(tuple(kept_obs), tuple(kept_exc), tuple(dropped))

    # ---- scoring -------------------------------------------------------------------------------
    def observed_scores(self, term: str) -> np.ndarray:
        """log LR of one observed term for every disease."""
        cfg = self.config
        fbar = math.log(cfg.default_frequency)
        out = np.full(self._n, math.log(cfg.unrelated_lr))
        root = self.graph.phenotype_root
        chain = [a for a in self.graph.ancestors(term) if a != root and self.is_phenotype(a)]
        related = math.log(cfg.related_factor)
        for a in chain:
            lq = math.log(self.q(a))
            p = self.prop(a)
            np.maximum.at(out, p.idx, p.logf + related - fbar - lq)
            d = self.direct(a)
            np.maximum.at(out, d.idx, d.logf - fbar - lq)
        p = self.prop(term)
        np.maximum.at(out, p.idx, p.logf - fbar - math.log(self.q(term)))
        return out

    def excluded_scores(self, term: str) -> np.ndarray:
        """log LR of one excluded term for every disease."""
        cfg = self.config
        base = -math.log(1 - cfg.default_frequency * self.q(term))
        out = np.full(self._n, base)
        p = self.prop(term)
        with_ = self.graph.diseases_with(term)
        freqs = [with_[self.ids[i]] for i in p.idx]
        scale = cfg.excluded_frequency_scale
        f = np.array(
            [cfg.excluded_frequency if x is None else scale * x for x in freqs], dtype=float
        )
        out[p.idx] = np.log(np.clip(1 - f, 1e-3, 1.0)) + base
        return out

    def log_lr(self, query: Query) -> np.ndarray:
        """Sum of log LRs of the observed and excluded terms per disease (aligned with `ids`)."""
        total = np.zeros(self._n)
        for t in query.observed:
            total += self.observed_scores(t)
        for t in query.excluded:
            total += self.excluded_scores(t)
        return total

    def set_similarity(self) -> SetSimilarity:
        """The similarity index over the ranker's diseases (built on first use).

        Disease term sets keep every annotation, mode of inheritance included, as hpo3's own
        similarity does: a disease with few phenotype annotations then cannot match a patient
        perfectly on those few alone.
        """
        if self._similarity is None:
            self._similarity = SetSimilarity(self.graph, self.ids, phenotype_only=False)
        return self._similarity

    def similarity(self, query: Query) -> np.ndarray:
        """funSimAvg similarity of the observed terms to every disease (zeros when λ = 0)."""
        if not self.config.similarity_weight or not query.observed:
            return np.zeros(self._n)
        return self.set_similarity().scores(query.observed)

    def components(self, query: Query) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ranking score, sum of log LRs, similarity) per disease."""
        lr = self.log_lr(query)
        sim = self.similarity(query)
        weight = self.config.similarity_weight * len(query.observed)
        return lr + weight * sim, lr, sim

    def scores(self, query: Query) -> np.ndarray:
        """Ranking score per disease (aligned with `self.ids`)."""
        return self.components(query)[0]

    def rank(
        self, observed: Sequence[str], excluded: Sequence[str] = (), *, top_k: int | None = 10
    ) -> list[Ranked]:
        """The differential, best first (ties broken by the graph's disease order).

        Raises:
            InputError: unknown term ids, or no usable observed term.
        """
        query = self.prepare(observed, excluded)
        if not query.observed:
            raise InputError("no observed phenotypic-abnormality term to rank diseases on")
        return self.rank_query(query, top_k=top_k)

    def rank_query(self, query: Query, *, top_k: int | None = 10) -> list[Ranked]:
        """Like `rank` for an already prepared query."""
        s, lr, sim = self.components(query)
        weight = self.config.similarity_weight * len(query.observed)
        order = np.lexsort((np.arange(self._n), -s))
        z = s - s.max()
        post = np.exp(z) / np.exp(z).sum()
        chosen = order if top_k is None else order[:top_k]
        out = []
        for r, i in enumerate(chosen, 1):
            disease = self.graph.disease(self.ids[i])
            out.append(
                Ranked(
                    self.ids[i],
                    disease.label if disease else self.ids[i],
                    r,
                    float(s[i]),
                    float(post[i]),
                    float(lr[i]),
                    float(sim[i]),
                    float(weight * sim[i]),
                )
            )
        return out

    def rank_of(self, query: Query, disease_id: str) -> int | None:
        """1-based rank of one disease for the query, ties in the graph's disease order (None
        when the graph does not have the disease)."""
        span = self.rank_span(query, disease_id)
        return None if span is None else span[0] + span[2]

    def rank_span(self, query: Query, disease_id: str) -> tuple[int, int, int] | None:
        """(best possible rank, diseases tied with it, tied ones listed before it).

        The rank under ties counted against the disease is best + tied; under random tie
        breaking it is uniform on best .. best + tied.
        """
        i = self._pos.get(disease_id)
        if i is None:
            return None
        s = self.scores(query)
        tied = s == s[i]
        before = int((tied & (np.arange(self._n) < i)).sum())
        return int((s > s[i]).sum()) + 1, int(tied.sum()) - 1, before


def ranker_for(graph: KnowledgeGraph, config: RankConfig | None = None) -> DifferentialRanker:
    """One ranker per (graph, config) per process, so its term indexes are built only once."""
    return _ranker(graph, config or RankConfig())


@lru_cache(maxsize=8)
def _ranker(graph: KnowledgeGraph, config: RankConfig) -> DifferentialRanker:
    return DifferentialRanker(graph, config)
