"""Phenotype-driven diagnosis on phenopacket-store cases: clinreason's ranker vs plain similarity.

Runs in-process (no harness, no LLM) on ../shared/data/phenopacket-store/dev_cases.jsonl and
prints top-1/3/10 and MRR for the likelihood-ratio ranker and for hpo3's own set similarity
(graphic IC, funSimAvg) in the same run, plus graph load time and per-case time.

    .venv/bin/python bench/kg_eval.py [PATH] [--limit N] [--no-baseline] [--split]
    .venv/bin/python bench/kg_eval.py --recognition      # concept recognition P/R on tests/kg/data
    .venv/bin/python bench/kg_eval.py --timing [--limit N]  # load times, diagnose strategy s/case

`--split` also reports the figures on two halves of the cohorts (by a hash of the cohort name),
to show the fixed parameters are not tuned to one half.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

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

    rows = [json.loads(line) for line in args.path.read_text().splitlines() if line.strip()]
    if args.limit:
        rows = rows[: args.limit]
    t0 = time.perf_counter()
    from clinreason.tools.kg.hpo import HPOGraph

    graph = HPOGraph()
    load_s = time.perf_counter() - t0
    config = RankConfig(**json.loads(args.config)) if args.config else RankConfig()
    ranker = DifferentialRanker(graph, config)
    in_graph = [r for r in rows if graph.disease(r["diagnosis"][0]) is not None]
    print(
        f"cases {len(rows)}, diagnosis in graph {len(in_graph)}, absent {len(rows) - len(in_graph)}"
    )
    print(f"graph load {load_s:.2f} s ({graph.source}, {len(graph.disease_ids())} diseases)")

    ours: list[int | None] = []
    times: list[float] = []
    unknown = 0
    for r in in_graph:
        t = time.perf_counter()
        try:
            query = ranker.prepare(r["observed"], r["excluded"])
        except Exception:  # unknown ids: drop those ids, count the case
            unknown += 1
            known = [x for x in r["observed"] if graph.term(x)]
            query = ranker.prepare(known, [x for x in r["excluded"] if graph.term(x)])
        ours.append(ranker.rank_of(query, r["diagnosis"][0]) if query.observed else None)
        times.append(time.perf_counter() - t)
    golds = [r["diagnosis"][0] for r in in_graph]
    print(f"cases with unknown term ids (ids dropped): {unknown}")
    print(
        f"ranker time/case: median {statistics.median(times):.4f} s, "
        f"mean {statistics.fmean(times):.4f} s, max {max(times):.3f} s (first case builds indexes)"
    )
    print(fmt("likelihood-ratio ranker", rank_metrics(ours)))
    print(fmt("  per disease", per_disease_metrics(ours, golds)))
    if args.split:
        for half in (0, 1):
            sel = [i for i, r in enumerate(in_graph) if cohort_half(r["cohort"]) == half]
            print(fmt(f"  cohort half {half} (n={len(sel)})", rank_metrics([ours[i] for i in sel])))
    base: list[int | None] = []
    if not args.no_baseline:
        base, btimes = baseline(graph, in_graph)
        print(f"baseline time/case: median {statistics.median(btimes):.4f} s")
        print(fmt("hpo3 similarity (graphic, funSimAvg)", rank_metrics(base)))
        print(fmt("  per disease", per_disease_metrics(base, golds)))
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


def paired(ours: list[int | None], base: list[int | None]) -> None:
    """McNemar's exact test on top-1 and top-10 hits, same cases, ranker vs similarity."""
    from clinreason.bench.stats import mcnemar_exact

    for k in (1, 10):
        a = [r is not None and r <= k for r in ours]
        b = [r is not None and r <= k for r in base]
        m = mcnemar_exact(a, b)
        print(
            f"paired top-{k}: ranker only {m.only_a}, similarity only {m.only_b}, "
            f"McNemar exact p {m.p_value:.2g}"
        )


def baseline(graph: object, rows: list[dict]) -> tuple[list[int | None], list[float]]:
    """hpo3's HPOSet similarity of the observed terms to every OMIM disease."""
    from pyhpo import HPOSet, Ontology

    diseases = list(Ontology.omim_diseases)
    sets = [HPOSet.from_queries(list(d.hpo)) if d.hpo else HPOSet([]) for d in diseases]
    ids = [f"OMIM:{d.id}" for d in diseases]
    ranks: list[int | None] = []
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
        sims = patient.similarity_scores(sets, kind="omim", method="graphic", combine="funSimAvg")
        gold = r["diagnosis"][0]
        g = ids.index(gold)
        ranks.append(
            sum(1 for i, s in enumerate(sims) if s > sims[g] or (s == sims[g] and i < g)) + 1
        )
        times.append(time.perf_counter() - t)
    return ranks, times


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
    args = parser.parse_args()
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
