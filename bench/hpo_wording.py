"""Phenotypes from the words clinicians write: recognition and differential, end to end (issue 18).

Two measurements, no language model:

* `--notes`: recognition precision/recall over (HPO id, present/absent) pairs on the frozen
  hand-written notes in tests/kg/data/clinician_notes.jsonl (findings reported for relatives are
  not gold: recognising one as the patient's counts as a false positive).
* `--cases`: phenopacket-store dev cases rendered as short notes three ways: the HPO ids
  themselves (no recognition), each finding's HPO label, and one of its hp.obo EXACT synonyms
  chosen with a seeded `random.Random` per case (the label when the term has none). For each:
  the differential's top-1/top-10 over cases whose diagnosis is in the graph, and recognition
  precision/recall against the case's own terms (ids unknown to the graph dropped).
* `--timing`: graph + synonym load in a fresh process, recogniser build, and recognition time
  per 300-word note (the frozen notes concatenated).

    .venv/bin/python bench/hpo_wording.py --notes [-v]
    .venv/bin/python bench/hpo_wording.py --cases [--limit N] [--seed 0] [PATH]
    .venv/bin/python bench/hpo_wording.py --timing

`--no-obo` builds the graph without hp.obo's synonyms (curated table only): the state before
issue 18, for before/after figures.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
NOTES = REPO / "tests" / "kg" / "data" / "clinician_notes.jsonl"
CASES = REPO.parent / "shared" / "data" / "phenopacket-store" / "dev_cases.jsonl"

Pair = tuple[str, str]
"""(HPO id, 'present' | 'absent')."""


def prf(gold: set[Pair], found: set[Pair], counts: list[int]) -> None:
    """Add true positives, false positives and false negatives to `counts`."""
    counts[0] += len(gold & found)
    counts[1] += len(found - gold)
    counts[2] += len(gold - found)


def fmt_prf(counts: list[int]) -> str:
    tp, fp, fn = counts
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    return f"tp {tp} fp {fp} fn {fn}  precision {p:.3f}  recall {r:.3f}"


def recognised(rec: Any, text: str) -> set[Pair]:
    """The patient's present/absent findings in `text` (relatives and possibilities left out)."""
    return {(m.term, m.status) for m in rec.recognize(text) if m.status in ("present", "absent")}


def graph_for(args: argparse.Namespace) -> Any:
    """The shared HPO graph, or one without hp.obo synonyms (`--no-obo`)."""
    from clinreason.tools.kg.hpo import HPOGraph, load_hpo

    return HPOGraph(synonyms=False) if args.no_obo else load_hpo()


def run_notes(args: argparse.Namespace) -> None:
    """Recognition P/R on the frozen hand-written notes."""
    from clinreason.tools.kg.recognize import ConceptRecognizer

    verbose = args.verbose
    graph = graph_for(args)
    rec = ConceptRecognizer.for_graph(graph)
    counts = [0, 0, 0]
    notes = [json.loads(line) for line in NOTES.read_text().splitlines() if line.strip()]
    for note in notes:
        gold = {(g["id"], g["status"]) for g in note["gold"]}
        found = recognised(rec, note["text"])
        prf(gold, found, counts)
        if verbose:
            for what, items in (("missed", gold - found), ("extra ", found - gold)):
                for tid, status in sorted(items):
                    term = graph.term(tid)
                    print(f"  {note['id']} {what} {tid} {status:<7} {term.label if term else ''}")
    print(f"graph {graph.source}; synonyms: {graph.synonym_source}")
    print(f"{len(notes)} notes: {fmt_prf(counts)}")


def render(findings: Iterable[str], excluded: Iterable[str]) -> str:
    """A short note: one sentence per finding, absent findings as 'There is no X.'"""
    parts = ["The patient was examined."]
    parts += [f"{name[0].upper()}{name[1:]}." for name in findings]
    parts += [f"There is no {name[0].lower()}{name[1:]}." for name in excluded]
    return " ".join(parts)


def names(graph: Any, table: Any, ids: list[str], how: str, rng: random.Random) -> list[str]:
    """Each term written as its label or as a seeded choice among its EXACT synonyms."""
    out = []
    for t in ids:
        label = graph.term(t).label
        if how == "synonyms":
            pool = [s.text for s in table.synonyms(t) if s.scope == "EXACT"] if table else []
            out.append(rng.choice(pool) if pool else label)
        else:
            out.append(label)
    return out


def run_cases(args: argparse.Namespace) -> None:
    """Three renderings of each case: ids, labels, synonyms -> differential and recognition."""
    from clinreason.tools.kg.rank import RankConfig, ranker_for
    from clinreason.tools.kg.recognize import ConceptRecognizer
    from clinreason.tools.kg.synonyms import load_synonyms

    if not args.path.is_file():
        print(f"skipped: {args.path} not found (see ../shared/data/README.md)")
        return
    graph = graph_for(args)
    table = load_synonyms()
    print(f"graph {graph.source}; synonyms {table.describe() if table else 'none found'}")
    rec = ConceptRecognizer.for_graph(graph)
    ranker = ranker_for(graph, RankConfig())
    rows = [json.loads(x) for x in args.path.read_text().splitlines() if x.strip()]
    rows = [r for r in rows if r["diagnosis"] and graph.disease(r["diagnosis"][0]) is not None]
    if args.limit:
        rows = rows[:: max(1, len(rows) // args.limit)][: args.limit]
    ranks: dict[str, list[int | None]] = {k: [] for k in ("ids", "labels", "synonyms")}
    counts: dict[str, list[int]] = {k: [0, 0, 0] for k in ("labels", "synonyms")}
    seconds: list[float] = []
    for row in rows:
        known = [t for t in row["observed"] if graph.term(t) and ranker.is_phenotype(t)]
        gone = [t for t in row["excluded"] if graph.term(t) and ranker.is_phenotype(t)]
        known, gone = list(dict.fromkeys(known)), [t for t in dict.fromkeys(gone) if t not in known]
        gold_dx = row["diagnosis"][0]
        query = ranker.prepare(known, gone)
        ranks["ids"].append(ranker.rank_of(query, gold_dx) if query.observed else None)
        gold = {(t, "present") for t in known} | {(t, "absent") for t in gone}
        for how in ("labels", "synonyms"):
            rng = random.Random(f"{args.seed}:{row['id']}")
            text = render(names(graph, table, known, how, rng), names(graph, table, gone, how, rng))
            t0 = time.perf_counter()
            found = recognised(rec, text)
            seconds.append(time.perf_counter() - t0)
            prf(gold, found, counts[how])
            obs = [t for t, s in found if s == "present"]
            exc = [t for t, s in found if s == "absent" and t not in obs]
            q = ranker.prepare(obs, exc)
            ranks[how].append(ranker.rank_of(q, gold_dx) if q.observed else None)
            if args.verbose and how == "synonyms":
                for tid, status in sorted(gold - found):
                    print(f"  {row['id']} missed {tid} {status} {graph.term(tid).label!r}")
    print(f"cases with the diagnosis in the graph: {len(rows)} (seed {args.seed})")
    for how, rk in ranks.items():
        top1 = sum(r == 1 for r in rk) / len(rk)
        top10 = sum(r is not None and r <= 10 for r in rk) / len(rk)
        line = f"{how:<9} top-1 {100 * top1:.1f}%  top-10 {100 * top10:.1f}%"
        if how in counts:
            line += "  recognition " + fmt_prf(counts[how])
        print(line)
    print(f"recognition per rendered note: median {1000 * statistics.median(seconds):.2f} ms")


def run_timing() -> None:
    """Load times in fresh processes and recognition time per 300-word note."""
    from clinreason.tools.kg.hpo import load_hpo
    from clinreason.tools.kg.recognize import ConceptRecognizer

    for synonyms in (True, False):
        code = (
            "import time; w=time.perf_counter(); c=time.process_time(); "
            "from clinreason.tools.kg.hpo import HPOGraph; "
            f"g=HPOGraph(synonyms={synonyms}); "
            "print(f'{time.perf_counter()-w:.2f} s wall, {time.process_time()-c:.2f} s CPU')"
        )
        for _ in range(3):
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            print(f"fresh process, import + HPOGraph(synonyms={synonyms}): {out.stdout.strip()}")
    graph = load_hpo()
    t, c = time.perf_counter(), time.process_time()
    rec = ConceptRecognizer.for_graph(graph)
    print(
        f"recogniser build: {time.perf_counter() - t:.2f} s wall, "
        f"{time.process_time() - c:.2f} s CPU"
    )
    words = " ".join(json.loads(x)["text"] for x in NOTES.read_text().splitlines() if x.strip())
    words_list = words.split()
    note = " ".join((words_list * 3)[:300])
    times, cpu = [], []
    for _ in range(30):
        t0, c0 = time.perf_counter(), time.process_time()
        rec.recognize(note)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(
        f"recognition of a 300-word note, 30 runs: median {1000 * statistics.median(times):.1f} ms"
        f" wall ({1000 * statistics.median(cpu):.1f} ms CPU), max {1000 * max(times):.1f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", type=Path, default=CASES)
    ap.add_argument("--notes", action="store_true")
    ap.add_argument("--cases", action="store_true")
    ap.add_argument("--timing", action="store_true")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--no-obo", action="store_true", help="graph without hp.obo synonyms")
    args = ap.parse_args()
    if args.notes:
        run_notes(args)
    if args.cases:
        run_cases(args)
    if args.timing:
        run_timing()


if __name__ == "__main__":
    main()
