"""Phenotype-driven diagnosis on phenopacket-store cases: clinreason's ranker vs plain similarity.

Runs in-process (no harness, no LLM) on ../shared/data/phenopacket-store/dev_cases.jsonl and
prints top-1/3/10 and MRR for the ranker (likelihood ratios fused with set similarity) and for
hpo3's own set similarity (graphic IC, funSimAvg) in the same run, plus graph load time and
per-case time. Ties are counted three ways: in the graph's disease order (the headline, as the
differential lists them), against the gold disease (worst case) and as the expectation under
random tie breaking.

    .venv/bin/python bench/kg_eval.py [PATH] [--limit N] [--no-baseline] [--split] [--config JSON]
    .venv/bin/python bench/kg_eval.py --grid             # split-half choice of the free parameters
    .venv/bin/python bench/kg_eval.py --recognition      # concept recognition P/R on tests/kg/data
    .venv/bin/python bench/kg_eval.py --timing [--limit N]  # load times, diagnose strategy s/case

`--split` also reports the figures on two halves of the cohorts (by a hash of the cohort name).
`--grid` scores a grid of `excluded_frequency` x `similarity_weight` on both halves, picks the
setting with the best MRR on each half and reports it on the other half.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from clinreason.bench.phenopackets import cohort_half, per_disease_metrics, rank_metrics

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO.parent / "shared" / "data" / "phenopacket-store" / "dev_cases.jsonl"


def fmt(name: str, m: dict[str, float]) -> str:
    """One table row."""
    return (
        f"{name:<32} top1 {m['top1']:.3f}  top3 {m['top3']:.3f}  top10 {m['top10']:.3f}  "
        f"mrr {m['mrr']:.3f}"
    )


def run_ranking(args: argparse.Namespace) -> None:
    """Rank every case with both methods and print the figures."""
    from clinreason.tools.kg.rank import DifferentialRanker, RankConfig

    rows = read_rows(args)
    t0 = time.perf_counter()
    from clinreason.tools.kg.hpo import HPOGraph

    graph = HPOGraph(frequencies=not args.no_frequencies)
    load_s = time.perf_counter() - t0
    print(f"annotation frequencies: {graph.frequency_source}")
    config = RankConfig(**json.loads(args.config)) if args.config else RankConfig()
    ranker = DifferentialRanker(graph, config)
    in_graph = [r for r in rows if graph.disease(r["diagnosis"][0]) is not None]
    print(
        f"cases {len(rows)}, diagnosis in graph {len(in_graph)}, absent {len(rows) - len(in_graph)}"
    )
    print(f"graph load {load_s:.2f} s ({graph.source}, {len(graph.disease_ids())} diseases)")

    ours: list[int | None] = []
    spans: list[tuple[int, int] | None] = []
    times: list[float] = []
    for r in in_graph:
        t = time.perf_counter()
        query = prepare(ranker, graph, r)
        span = ranker.rank_span(query, r["diagnosis"][0]) if query.observed else None
        ours.append(None if span is None else span[0] + span[2])
        spans.append(None if span is None else (span[0], span[1]))
        times.append(time.perf_counter() - t)
    golds = [r["diagnosis"][0] for r in in_graph]
    unknown = sum(
        1 for r in in_graph if any(not graph.term(x) for x in [*r["observed"], *r["excluded"]])
    )
    print(f"cases with unknown term ids (ids dropped): {unknown}")
    print(
        f"ranker time/case: median {statistics.median(times):.4f} s, "
        f"mean {statistics.fmean(times):.4f} s, max {max(times):.3f} s (first case builds indexes)"
    )
    print(f"ranker config: {config}")
    print(fmt("ranker", rank_metrics(ours)))
    print(fmt("  per disease", per_disease_metrics(ours, golds)))
    tie_report(spans)
    if args.split:
        for half in (0, 1):
            sel = [i for i, r in enumerate(in_graph) if cohort_half(r["cohort"]) == half]
            print(fmt(f"  cohort half {half} (n={len(sel)})", rank_metrics([ours[i] for i in sel])))
            tie_report([spans[i] for i in sel], indent="    ")
    if args.ablate_frequencies:
        plain = HPOGraph(frequencies=False)
        ablation = DifferentialRanker(plain, config)
        nofreq = []
        for r in in_graph:
            query = prepare(ablation, plain, r)
            nofreq.append(ablation.rank_of(query, r["diagnosis"][0]) if query.observed else None)
        print(fmt("same config, no frequencies", rank_metrics(nofreq)))
        print(fmt("  per disease", per_disease_metrics(nofreq, golds)))
        for half in (0, 1):
            sel = [i for i, r in enumerate(in_graph) if cohort_half(r["cohort"]) == half]
            print(
                fmt(f"  cohort half {half} (n={len(sel)})", rank_metrics([nofreq[i] for i in sel]))
            )
        paired(ours, nofreq, "no frequencies")
    base: list[int | None] = []
    if not args.no_baseline:
        base, btimes, bspans = baseline(graph, in_graph)
        print(f"baseline time/case: median {statistics.median(btimes):.4f} s")
        print(fmt("hpo3 similarity (graphic, funSimAvg)", rank_metrics(base)))
        print(fmt("  per disease", per_disease_metrics(base, golds)))
        tie_report(bspans)
        if args.split:
            for half in (0, 1):
                sel = [i for i, r in enumerate(in_graph) if cohort_half(r["cohort"]) == half]
                print(
                    fmt(
                        f"  cohort half {half} (n={len(sel)})", rank_metrics([base[i] for i in sel])
                    )
                )
    if base:
        paired(ours, base)
    if args.save_ranks:
        rows_out = [
            {"id": r["id"], "cohort": r["cohort"], "gold": g, "ranker": a, "similarity": b}
            for r, g, a, b in zip(in_graph, golds, ours, base or [None] * len(ours), strict=True)
        ]
        args.save_ranks.write_text("".join(json.dumps(x) + "\n" for x in rows_out))


def read_rows(args: argparse.Namespace) -> list[dict]:
    """The JSON lines of the case file (the first `--limit` of them)."""
    rows = [json.loads(line) for line in args.path.read_text().splitlines() if line.strip()]
    return rows[: args.limit] if args.limit else rows


def prepare(ranker: Any, graph: Any, row: dict) -> Any:
    """The ranker's query for a case; ids unknown to the graph are dropped (and counted)."""
    known_obs = [x for x in row["observed"] if graph.term(x)]
    known_exc = [x for x in row["excluded"] if graph.term(x)]
    return ranker.prepare(known_obs, known_exc)


def tie_report(spans: list[tuple[int, int] | None], indent: str = "  ") -> None:
    """top-1/10 and MRR with ties counted against the gold and under random tie breaking."""
    n = len(spans)
    if not n:
        return
    tied = [s for s in spans if s is not None and s[1] > 0]
    worst = [None if s is None else s[0] + s[1] for s in spans]
    m = rank_metrics(worst)

    def expected(k: int) -> float:
        return sum(min(max((k - b + 1) / (t + 1), 0.0), 1.0) for b, t in filter(None, spans)) / n

    mrr = sum(sum(1 / r for r in range(b, b + t + 1)) / (t + 1) for b, t in filter(None, spans))
    print(
        f"{indent}gold tied with others in {len(tied)} of {n} cases "
        f"(median {statistics.median([t for _, t in tied]) if tied else 0} others); "
        f"ties against: top1 {m['top1']:.3f} top10 {m['top10']:.3f} mrr {m['mrr']:.3f}; "
        f"random tie order: top1 {expected(1):.3f} top10 {expected(10):.3f} mrr {mrr / n:.3f}"
    )


def run_grid(args: argparse.Namespace) -> None:
    """Split-half choice of `excluded_frequency` and `similarity_weight` (best MRR per half)."""
    import numpy as np

    from clinreason.tools.kg.hpo import HPOGraph
    from clinreason.tools.kg.rank import DifferentialRanker, RankConfig

    excl = (0.0, 0.05, 0.1, 0.2, 0.3)
    weights = (0.0, 1.0, 2.0, 3.0, 5.0, 10.0)
    graph = HPOGraph()
    base = DifferentialRanker(graph, RankConfig())
    by_e = {e: DifferentialRanker(graph, RankConfig(excluded_frequency=e)) for e in excl}
    rows = [r for r in read_rows(args) if graph.disease(r["diagnosis"][0]) is not None]
    # (excluded_frequency, similarity_weight) -> per-case rank (ties in the graph's order)
    ranks: dict[tuple[float, float], list[int | None]] = {(e, w): [] for e in excl for w in weights}
    n = len(base.ids)
    for r in rows:
        query = prepare(base, graph, r)
        gold = base.position(r["diagnosis"][0])
        if not query.observed or gold is None:
            for key in ranks:
                ranks[key].append(None)
            continue
        observed = sum((base.observed_scores(t) for t in query.observed), np.zeros(n))
        sim = base.set_similarity().scores(query.observed) * len(query.observed)
        for e, ranker in by_e.items():
            lr = observed + sum((ranker.excluded_scores(t) for t in query.excluded), np.zeros(n))
            for w in weights:
                ranks[(e, w)].append(_gold_rank(lr + w * sim, gold))
    _choose_per_half(
        ranks,
        rows,
        header="excluded_frequency similarity_weight | half 0 top1 top10 mrr | "
        "half 1 top1 top10 mrr",
        names=("excluded_frequency", "similarity_weight"),
        widths=(18, 17),
        metrics=("top1", "top10", "mrr"),
    )


def _gold_rank(scores: Any, gold: int) -> int:
    """1-based rank of the gold disease, ties broken by the graph's disease order."""
    v = scores[gold]
    return int((scores > v).sum() + (scores[:gold] == v).sum()) + 1


def _choose_per_half(
    ranks: dict[tuple[float, ...], list[int | None]],
    rows: list[dict[str, Any]],
    *,
    header: str,
    names: tuple[str, ...],
    widths: tuple[int, ...],
    metrics: tuple[str, ...],
) -> None:
    """Print each setting's metrics per cohort half, then the setting with the best MRR on each
    half and its figures on the other half."""
    halves = [cohort_half(r["cohort"]) for r in rows]
    table: dict[tuple[float, ...], list[dict[str, Any]]] = {}
    print(header)
    for key, rk in ranks.items():
        per_half = ([x for x, h in zip(rk, halves, strict=True) if h == k] for k in (0, 1))
        table[key] = [rank_metrics(part) for part in per_half]
        cells = " | ".join(" ".join(f"{m[f]:.3f}" for f in metrics) for m in table[key])
        label = " ".join(f"{v:<{w}}" for v, w in zip(key, widths, strict=True))
        print(f"{label} | {cells}")
    for pick in (0, 1):
        best = max(table, key=lambda k: table[k][pick]["mrr"])
        other = table[best][1 - pick]
        setting = ", ".join(f"{n} {v}" for n, v in zip(names, best, strict=True))
        print(
            f"chosen on half {pick}: {setting} -> half {1 - pick}: top1 {other['top1']:.3f} "
            f"top10 {other['top10']:.3f} mrr {other['mrr']:.3f}"
        )


def run_frequency_grid(args: argparse.Namespace) -> None:
    """Split-half choice with and without hpoa frequencies: no frequencies or the fractions'
    pseudocount k x `excluded_frequency_scale` x `similarity_weight` (best MRR per half)."""
    import numpy as np

    from clinreason.tools.kg.hpo import HPOGraph
    from clinreason.tools.kg.rank import DifferentialRanker, RankConfig

    scales = (0.0, 0.5, 1.0)
    weights = (1.0, 2.0, 3.0, 5.0)
    # graph key: the fractions' pseudocount k, or -1 for no frequencies
    pseudo = (0.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0)
    graphs = {k: HPOGraph(fraction_pseudocount=k) for k in pseudo}
    graphs[-1.0] = HPOGraph(frequencies=False)
    print(f"annotation frequencies: {graphs[0.0].frequency_source}")
    rankers = {
        (u, e): DifferentialRanker(graphs[u], RankConfig(excluded_frequency_scale=e))
        for u in graphs
        for e in (scales if u >= 0 else (1.0,))
    }
    first = rankers[(-1.0, 1.0)]
    rows = [r for r in read_rows(args) if graphs[-1.0].disease(r["diagnosis"][0]) is not None]
    keys = [(u, e, w) for (u, e) in rankers for w in weights]
    ranks: dict[tuple[float, float, float], list[int | None]] = {k: [] for k in keys}
    n = len(first.ids)
    for r in rows:
        query = prepare(first, graphs[-1.0], r)
        gold = first.position(r["diagnosis"][0])
        if not query.observed or gold is None:
            for key in ranks:
                ranks[key].append(None)
            continue
        sim = first.set_similarity().scores(query.observed) * len(query.observed)
        observed = {
            u: sum((rankers[(u, 1.0)].observed_scores(t) for t in query.observed), np.zeros(n))
            for u in graphs
        }
        for (u, e), ranker in rankers.items():
            lr = observed[u] + sum((ranker.excluded_scores(t) for t in query.excluded), np.zeros(n))
            for w in weights:
                ranks[(u, e, w)].append(_gold_rank(lr + w * sim, gold))
    _choose_per_half(
        ranks,
        rows,
        header="pseudocount (-1: no frequencies) scale weight | half 0 top1 top3 top10 mrr | "
        "half 1 ...",
        names=("pseudocount", "excluded_frequency_scale", "similarity_weight"),
        widths=(5, 5, 6),
        metrics=("top1", "top3", "top10", "mrr"),
    )


def paired(ours: list[int | None], base: list[int | None], other: str = "similarity") -> None:
    """McNemar's exact test on top-1 and top-10 hits, same cases, ranker vs another method."""
    from clinreason.bench.stats import mcnemar_exact

    for k in (1, 10):
        a = [r is not None and r <= k for r in ours]
        b = [r is not None and r <= k for r in base]
        m = mcnemar_exact(a, b)
        print(
            f"paired top-{k}: ranker only {m.only_a}, {other} only {m.only_b}, "
            f"McNemar exact p {m.p_value:.2g}"
        )


def baseline(
    graph: object, rows: list[dict]
) -> tuple[list[int | None], list[float], list[tuple[int, int] | None]]:
    """hpo3's HPOSet similarity of the observed terms to every OMIM disease (ties in hpo3's
    disease order; also (best rank, number tied) per case)."""
    import numpy as np
    from pyhpo import HPOSet, Ontology

    diseases = list(Ontology.omim_diseases)
    sets = [HPOSet.from_queries(list(d.hpo)) if d.hpo else HPOSet([]) for d in diseases]
    ids = [f"OMIM:{d.id}" for d in diseases]
    ranks: list[int | None] = []
    spans: list[tuple[int, int] | None] = []
    times: list[float] = []
    for r in rows:
        t = time.perf_counter()
        terms = []
        for x in r["observed"]:
            try:
                terms.append(Ontology.get_hpo_object(x))
            except (KeyError, RuntimeError, ValueError):
                continue
        patient = HPOSet(terms)
        sims = np.array(
            patient.similarity_scores(sets, kind="omim", method="graphic", combine="funSimAvg")
        )
        g = ids.index(r["diagnosis"][0])
        better = int((sims > sims[g]).sum())
        tied = sims == sims[g]
        ranks.append(better + int(tied[:g].sum()) + 1)
        spans.append((better + 1, int(tied.sum()) - 1))
        times.append(time.perf_counter() - t)
    return ranks, times, spans


def run_recognition() -> None:
    """Precision/recall of concept recognition on the hand-annotated notes."""
    from clinreason.tools.kg.hpo import load_hpo
    from clinreason.tools.kg.recognize import ConceptRecognizer

    data = REPO / "tests" / "kg" / "data" / "annotated_notes.jsonl"
    graph = load_hpo()
    rec = ConceptRecognizer.for_graph(graph)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for line in data.read_text().splitlines():
        if not line.strip():
            continue
        note = json.loads(line)
        gold = {(g["id"], g["negated"]) for g in note["gold"]}
        found = {(m.term, m.negated) for m in rec.recognize(note["text"]) if not m.family}
        for key in ("all", note.get("split", "dev")):
            c = totals[key]
            c[0] += len(gold & found)
            c[1] += len(found - gold)
            c[2] += len(gold - found)
        for what, items in (("missed", gold - found), ("extra ", found - gold)):
            for item in sorted(items):
                term = graph.term(item[0])
                print(f"  {note['id']} {what} {item} {term.label if term else ''}")
    for key, (tp, fp, fn) in sorted(totals.items()):
        p = tp / (tp + fp) if tp + fp else float("nan")
        r = tp / (tp + fn) if tp + fn else float("nan")
        print(f"{key:<8} tp {tp:3d} fp {fp:3d} fn {fn:3d}  precision {p:.3f}  recall {r:.3f}")


def run_timing(args: argparse.Namespace) -> None:
    """Graph load (fresh process), recogniser build, and the full `diagnose` strategy per case."""
    import asyncio
    import subprocess

    from clinreason.backends.fake import FakeBackend
    from clinreason.bench.phenopackets import load
    from clinreason.strategies import run
    from clinreason.strategies.diagnose import Diagnose
    from clinreason.tools.kg.hpo import load_hpo
    from clinreason.tools.kg.recognize import ConceptRecognizer
    from clinreason.trace import read_case

    code = (
        "import time; t=time.perf_counter(); from clinreason.tools.kg.hpo import HPOGraph; "
        "HPOGraph(); print(time.perf_counter()-t)"
    )
    loads = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout)
        for _ in range(3)
    ]  # fmt: skip
    print(f"graph load in a fresh process (import + HPOGraph), 3 runs: {loads}")
    graph = load_hpo()
    t = time.perf_counter()
    ConceptRecognizer.for_graph(graph)
    print(f"recogniser build (once per process): {time.perf_counter() - t:.2f} s")
    from clinreason.tools.kg.rank import RankConfig, ranker_for

    t = time.perf_counter()
    ranker_for(graph, RankConfig()).set_similarity()
    print(f"similarity index build (once per process): {time.perf_counter() - t:.2f} s")
    cases = [c for c in load(args.path).cases if c.metadata.get("observed")]
    step = max(1, len(cases) // (args.limit or 200))
    cases = cases[::step]
    strategy = Diagnose(unknown_ids="drop")

    async def go() -> list[float]:
        await run(strategy, cases[0], FakeBackend([]))  # warm-up: builds the ranker indexes
        out = []
        for case in cases:
            t0 = time.perf_counter()
            await run(strategy, case, FakeBackend([]))
            out.append(time.perf_counter() - t0)
        return out

    times = asyncio.run(go())
    times.sort()
    print(
        f"diagnose strategy (ranking + explanations of the top 5), {len(times)} cases: "
        f"median {statistics.median(times):.3f} s, p90 {times[int(0.9 * len(times))]:.3f} s, "
        f"max {times[-1]:.3f} s"
    )
    note = read_case(REPO / "examples" / "phenotype_case.json")
    t0 = time.perf_counter()
    asyncio.run(run(strategy, note, FakeBackend([])))
    print(f"free-text example note (recognition + ranking): {time.perf_counter() - t0:.3f} s")


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--split", action="store_true", help="also report two cohort halves")
    parser.add_argument("--config", default="", help="RankConfig overrides as JSON")
    parser.add_argument("--recognition", action="store_true")
    parser.add_argument("--timing", action="store_true", help="load times and s/case")
    parser.add_argument("--save-ranks", type=Path, help="write per-case ranks (JSON lines)")
    parser.add_argument("--grid", action="store_true", help="split-half parameter choice")
    parser.add_argument(
        "--no-frequencies", action="store_true", help="graph without hpoa frequencies"
    )
    parser.add_argument(
        "--frequency-grid",
        action="store_true",
        help="with --grid: frequencies on/off x excluded_frequency_scale x similarity_weight",
    )
    parser.add_argument(
        "--ablate-frequencies",
        action="store_true",
        help="also rank without frequencies in the same run (same config)",
    )
    args = parser.parse_args()
    if args.grid and args.frequency_grid:
        run_frequency_grid(args)
        return
    if args.grid:
        run_grid(args)
        return
    if args.recognition:
        run_recognition()
        return
    if args.timing:
        run_timing(args)
        return
    if not args.path.exists():
        sys.exit(f"not found: {args.path}")
    run_ranking(args)


if __name__ == "__main__":
    main()
