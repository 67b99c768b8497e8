"""Why a disease ranks where it does: the per-finding likelihood ratios with ontology paths.

`explain_disease` re-derives, for one disease, the likelihood ratio `DifferentialRanker` gave each
observed and excluded term, together with the annotated term that earned it and the is-a path
from the patient's term to that annotated term. The log LRs of an explanation add up to the
ranker's log LR for the disease, and with the similarity term (λ · n_observed · set similarity)
they give its ranking score (tests check both), so the explanation is the computation, not a
story told afterwards. `render_differential` turns the JSON form stored in a trace into text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from clinreason.errors import InputError
from clinreason.tools.kg.base import KnowledgeGraph, is_a_path
from clinreason.tools.kg.rank import DifferentialRanker, Query, Ranked

Relation = Literal["exact", "annotated_more_specific", "patient_more_specific", "related"]
MAX_MISSING = 5


@dataclass(frozen=True)
class Match:
    """An observed (or excluded) patient term linked to a term the disease is annotated with."""

    patient_term: str
    annotated_term: str
    relation: Relation
    path: tuple[str, ...]
    """is-a path from the patient's term to the annotated term (through `via` when related)."""
    log_lr: float
    frequency: float | None = None
    """Annotated frequency of the matched term (None = not given by the source)."""
    via: str | None = None
    """The shared ancestor, for `related` matches."""
    weighed: bool = True
    """For an absent finding: whether its absence counts against the disease in the score (no:
    the frequency is unknown, or `RankConfig.excluded_frequency_scale` is 0)."""


@dataclass(frozen=True)
class DiseaseExplanation:
    """Which findings a disease explains, which it does not, and what speaks against it."""

    ranked: Ranked
    explained: tuple[Match, ...]
    unexplained: tuple[tuple[str, float], ...]
    """(observed term, log LR) for findings unrelated to every annotation of the disease."""
    contradicted: tuple[Match, ...]
    """Excluded terms the disease is annotated with (or with a descendant)."""
    excluded_ok: tuple[tuple[str, float], ...]
    """(excluded term, log LR) for absent findings the disease is not annotated with."""
    missing: tuple[tuple[str, float | None], ...]
    """Typical annotated findings neither reported nor excluded: (term, frequency)."""
    n_missing: int
    """How many annotated findings were neither reported nor excluded in all."""
    similarity: float = 0.0
    """Set similarity of the patient's terms to the disease's annotations (0..1)."""
    similarity_term: float = 0.0
    """λ · n_observed · similarity, the similarity's share of the ranking score."""

    @property
    def log_lr_total(self) -> float:
        """Sum of every finding's log LR (equals the ranker's `log_lr`)."""
        return (
            sum(m.log_lr for m in self.explained)
            + sum(x for _, x in self.unexplained)
            + sum(m.log_lr for m in self.contradicted)
            + sum(x for _, x in self.excluded_ok)
        )

    @property
    def total(self) -> float:
        """log LRs plus the similarity term (equals the ranker's score)."""
        return self.log_lr_total + self.similarity_term

    def to_json(self, graph: KnowledgeGraph) -> dict[str, Any]:
        """A JSON-serialisable dict with labels, for traces."""

        def label(t: str) -> str:
            term = graph.term(t)
            return term.label if term else t

        def match(m: Match) -> dict[str, Any]:
            return {
                "term": m.patient_term,
                "label": label(m.patient_term),
                "annotated": m.annotated_term,
                "annotated_label": label(m.annotated_term),
                "relation": m.relation,
                "path": [[t, label(t)] for t in m.path],
                "via": m.via,
                "log_lr": round(m.log_lr, 3),
                "frequency": m.frequency,
                "weighed": m.weighed,
            }

        r = self.ranked
        return {
            "rank": r.rank,
            "disease": r.disease,
            "label": r.label,
            "score": round(r.score, 3),
            "log_lr": round(self.log_lr_total, 3),
            "similarity": round(self.similarity, 4),
            "similarity_term": round(self.similarity_term, 3),
            "posterior": r.posterior,
            "explained": [match(m) for m in self.explained],
            "unexplained": [
                {"term": t, "label": label(t), "log_lr": round(x, 3)} for t, x in self.unexplained
            ],
            "contradicted": [match(m) for m in self.contradicted],
            "missing": [{"term": t, "label": label(t), "frequency": f} for t, f in self.missing],
            "n_missing": self.n_missing,
        }


def _freq_log(ranker: DifferentialRanker, i: int, f: float | None) -> float:
    return float(ranker.default_logf()[i]) if f is None else math.log(max(f, 1e-3))


def _best_freq(freqs: Sequence[float | None]) -> float | None:
    known = [f for f in freqs if f is not None]
    return max(known) if known else None


def _observed_match(
    ranker: DifferentialRanker, i: int, t: str, ann: Mapping[str, float | None]
) -> Match | None:
    """The best-scoring link of observed term `t` to the disease's annotations (ranker rules)."""
    g, cfg = ranker.graph, ranker.config
    lfbar = math.log(cfg.default_frequency)
    chain = {a for a in g.ancestors(t) if a != g.phenotype_root and ranker.is_phenotype(a)}
    best: Match | None = None

    def offer(m: Match) -> None:
        nonlocal best
        if best is None or m.log_lr > best.log_lr + 1e-12:
            best = m

    below = [d for d in ann if d == t or t in g.ancestors(d)]
    if below:
        f = _best_freq([ann[d] for d in below])
        d = min(below, key=lambda x: (ann[x] != f, len(is_a_path(g, x, t)), x))
        rel: Relation = "exact" if d == t else "annotated_more_specific"
        value = _freq_log(ranker, i, f) - lfbar - math.log(ranker.q(t))
        offer(Match(t, d, rel, tuple(reversed(is_a_path(g, d, t))), value, f))
    for d, f in ann.items():
        if d in chain:
            value = _freq_log(ranker, i, f) - lfbar - math.log(ranker.q(d))
            offer(Match(t, d, "patient_more_specific", tuple(is_a_path(g, t, d)), value, f))
    related = math.log(cfg.related_factor)
    for a in chain:
        sub = [d for d in ann if d == a or a in g.ancestors(d)]
        if not sub:
            continue
        f = _best_freq([ann[d] for d in sub])
        value = _freq_log(ranker, i, f) + related - lfbar - math.log(ranker.q(a))
        if best is not None and value <= best.log_lr + 1e-12:
            continue
        d = min(sub, key=lambda x: (ann[x] != f, len(is_a_path(g, x, a)), x))
        down = list(reversed(is_a_path(g, d, a)))[1:]
        offer(Match(t, d, "related", (*is_a_path(g, t, a), *down), value, f, via=a))
    return best


def explain_disease(
    ranker: DifferentialRanker, query: Query, ranked: Ranked, *, max_missing: int = MAX_MISSING
) -> DiseaseExplanation:
    """The explanation of one ranked disease for a prepared query.

    Raises:
        InputError: the disease is not in the ranker's graph.
    """
    g, cfg = ranker.graph, ranker.config
    disease = g.disease(ranked.disease)
    i = ranker.position(ranked.disease)
    if disease is None or i is None:
        raise InputError(f"unknown disease id {ranked.disease} for {g.source}")
    ann: dict[str, float | None] = {}
    for a in disease.annotations:
        if ranker.is_phenotype(a.term):
            old = ann.get(a.term)
            ann[a.term] = a.frequency if old is None else max(old, a.frequency or 0.0)
    explained: list[Match] = []
    unexplained: list[tuple[str, float]] = []
    eps = math.log(cfg.unrelated_lr)
    for t in query.observed:
        m = _observed_match(ranker, i, t, ann)
        if m is None or m.log_lr <= eps:
            unexplained.append((t, eps))
        else:
            explained.append(m)
    contradicted: list[Match] = []
    excluded_ok: list[tuple[str, float]] = []
    for t in query.excluded:
        base = -math.log(1 - cfg.default_frequency * ranker.q(t))
        below = [d for d in ann if d == t or t in g.ancestors(d)]
        if not below:
            excluded_ok.append((t, base))
            continue
        f = g.diseases_with(t).get(ranked.disease)
        fx = cfg.excluded_frequency if f is None else cfg.excluded_frequency_scale * f
        value = math.log(min(max(1 - fx, 1e-3), 1.0)) + base
        d = min(below, key=lambda x: (len(is_a_path(g, x, t)), x))
        rel: Relation = "exact" if d == t else "annotated_more_specific"
        path = tuple(reversed(is_a_path(g, d, t)))
        contradicted.append(Match(t, d, rel, path, value, f, weighed=fx > 0))
    reported = set(query.observed) | set(query.excluded)
    touched = set(reported)
    for t in reported:
        touched |= g.ancestors(t)
    absent = [
        d for d in ann if d not in touched and not (g.ancestors(d) & reported) and d not in reported
    ]
    absent.sort(key=lambda d: (-(ann[d] or 0.0), ranker.q(d), d))
    missing = tuple((d, ann[d]) for d in absent[:max_missing])
    return DiseaseExplanation(
        ranked,
        tuple(explained),
        tuple(unexplained),
        tuple(contradicted),
        tuple(excluded_ok),
        missing,
        len(absent),
        ranked.similarity,
        ranked.similarity_term,
    )


def _path_text(path: Sequence[Sequence[str]], via: str | None) -> str:
    """'Focal seizure → Seizure ← Generalized seizure' (→ up the is-a hierarchy, ← down)."""
    labels = [p[1] for p in path]
    ids = [p[0] for p in path]
    if via is not None and via in ids:
        k = ids.index(via)
        return " ← ".join([" → ".join(labels[: k + 1]), *labels[k + 1 :]])
    return " → ".join(labels)


def render_differential(result: Mapping[str, Any], *, max_items: int = 10) -> list[str]:
    """Readable lines for the `kg.diagnose` tool result stored in a trace."""
    lines = [f"Differential diagnosis ({result.get('graph', 'graph')}):"]
    for item in list(result.get("differential", []))[:max_items]:
        head = f"  {item['rank']:>2}. {item['label']} ({item['disease']})  "
        if "log_lr" in item:
            head += (
                f"posterior {item['posterior']:.3f}  score {item['score']:.1f} = log LR "
                f"{item['log_lr']:.1f} + similarity {item['similarity']:.2f} → "
                f"{item['similarity_term']:.1f}"
            )
        else:
            head += f"posterior {item['posterior']:.3f}  score {item['score']:.1f}"
        lines.append(head)
        for m in item.get("explained", []):
            how = {
                "exact": "annotated with the same term",
                "annotated_more_specific": "annotated with a more specific term",
                "patient_more_specific": "annotated with a more general term",
                "related": "related through a shared ancestor",
            }[m["relation"]]
            if m["relation"] == "exact":
                lines.append(f"        explains {m['label']} ({m['term']}): {how}")
            else:
                path = _path_text(m["path"], m.get("via"))
                lines.append(f"        explains {m['label']} ({m['term']}): {how} — {path}")
        for u in item.get("unexplained", []):
            lines.append(f"        does not explain {u['label']} ({u['term']})")
        for c in item.get("contradicted", []):
            f = c.get("frequency")
            known = "frequency not given" if f is None else f"frequency {f:.0%}"
            unweighed = f" ({known})" if c.get("weighed", True) else f" ({known}: not weighed)"
            lines.append(
                f"        contradicted: {c['label']} is absent but the disease shows "
                f"{c['annotated_label']} — {_path_text(c['path'], None)}{unweighed}"
            )
        missing = item.get("missing", [])
        if missing:
            more = int(item.get("n_missing", len(missing))) - len(missing)
            names = ", ".join(m["label"] for m in missing)
            tail = f" (+{more} more)" if more > 0 else ""
            known = any(m.get("frequency") is not None for m in missing)
            what = (
                "typical findings not reported (most frequent first)"
                if known
                else "annotated findings not reported (no frequencies given; most specific first)"
            )
            lines.append(f"        {what}: {names}{tail}")
    dropped = result.get("dropped") or []
    if dropped:
        lines.append("  Terms not used: " + "; ".join(f"{t} ({why})" for t, why in dropped))
    return lines
