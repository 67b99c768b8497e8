"""Citation precision on hand-labelled citations, and how well the `citation` verifier agrees.

Two steps, so the labels are made blind and frozen before anything is tuned:

1. `sample`: picks `--n` citations from finished `rag` runs (round-robin over the runs, in
   result order, at most `--per-case` per case) and prints, for each, the statement, the quote and
   the cited passage — nothing of the verifier's or the judge's verdicts, the answer or the gold.
   The labeller writes one jsonl line per item: its `key` plus `supported` (does the passage
   support the medical knowledge in the statement?) and `verbatim` (is the quote the passage's
   own words?), and a `note`. The labels file holds keys and labels only (no passage text).
2. `score`: joins the labels with the runs and reports citation precision (share of citations
   whose passage supports the statement), the verbatim share, and the verifier's verdicts
   against the labels (its precision when it says supported, the share of unsupported citations
   it does not call supported) — plus the same for the model judge alone.

Usage:
    .venv/bin/python bench/citation_labels.py sample runs/pubmedqa-rag runs/mirage-rag/* --n 50
    .venv/bin/python bench/citation_labels.py score runs/pubmedqa-rag runs/mirage-rag/* \\
        --labels bench/labels/citations.jsonl
    # a second, later set, labelled before a change to the verifier is measured on it:
    .venv/bin/python bench/citation_labels.py sample runs/pubmedqa-rag --skip 50 --n 30
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

from clinreason.bench.rundir import read_results
from clinreason.trace import Check, Citation, Retrieval, Trace
from clinreason.verify import verify_trace

REPO = Path(__file__).resolve().parents[1]
LABELS = REPO / "bench" / "labels" / "citations.jsonl"


def key_of(run: Path, trace: Trace, c: Citation) -> str:
    """A stable key: run folder, case, citation step, and a hash of what was cited."""
    digest = hashlib.sha256(f"{c.passage_id}\n{c.quote}\n{c.statement}".encode()).hexdigest()
    return f"{run.name}/{trace.case.id}/{c.id}/{digest[:12]}"


def citations(runs: list[Path], per_case: int) -> list[tuple[str, Trace, Citation]]:
    """All citations, round-robin over runs, at most `per_case` per case."""
    queues: list[list[tuple[str, Trace, Citation]]] = []
    for run in runs:
        queue = []
        for result in read_results(run):
            if result.trace is None:
                continue
            for c in result.trace.steps_of(Citation)[:per_case]:
                queue.append((key_of(run, result.trace, c), result.trace, c))
        queues.append(queue)
    out = []
    while any(queues):
        for queue in queues:
            if queue:
                out.append(queue.pop(0))
    return out


def passage_text(trace: Trace, c: Citation) -> str:
    docs = {d.id: d.text for r in trace.steps_of(Retrieval) for d in r.documents}
    return docs.get(c.passage_id, "(passage not among the retrieved)")


def sample(args: argparse.Namespace) -> None:
    chosen = citations(args.runs, args.per_case)[args.skip : args.skip + args.n]
    for i, (key, trace, c) in enumerate(chosen, args.skip + 1):
        print(f"=== {i} key={key}")
        print(f"STATEMENT: {c.statement}")
        print(f"QUOTE [{c.marker}] {c.passage_id}: {c.quote}")
        print(f"PASSAGE: {' '.join(passage_text(trace, c).split())}\n")


def score(args: argparse.Namespace) -> None:
    labels = {}
    for line in args.labels.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            labels[item["key"]] = item
    found: dict[str, tuple[Trace, Citation]] = {
        key: (trace, c) for key, trace, c in citations(args.runs, per_case=100)
    }
    missing = sorted(set(labels) - set(found))
    rows: list[dict[str, Any]] = []
    for key, label in labels.items():
        if key not in found:
            continue
        trace, c = found[key]
        verdicts = verify_trace(trace, ["citation"])
        mine = [v for v in verdicts if v.details.get("citation") == c.id]
        judge = [s.verdict for s in trace.steps_of(Check) if s.verdict.step_id == c.id]
        rows.append(
            {
                "supported": bool(label["supported"]),
                "verbatim": bool(label["verbatim"]),
                "verifier": mine[0].status if mine else "none",
                "check": mine[0].details.get("check") if mine else None,
                "judge": judge[0].status if judge else "none",
                "dataset": key.split("/")[0],
            }
        )
    n = len(rows)
    if not n:
        print(f"no labelled citation found in the runs ({len(missing)} labels unmatched)")
        return
    good = [r for r in rows if r["supported"]]
    bad = [r for r in rows if not r["supported"]]
    said_ok = [r for r in rows if r["verifier"] == "supported"]
    judge_ok = [r for r in rows if r["judge"] == "supported"]
    report = {
        "labelled": len(labels),
        "matched": n,
        "unmatched_labels": len(missing),
        "citation_precision": round(len(good) / n, 3),
        "verbatim_share": round(sum(r["verbatim"] for r in rows) / n, 3),
        "by_run": {
            d: round(
                sum(r["supported"] for r in rows if r["dataset"] == d)
                / sum(r["dataset"] == d for r in rows),
                3,
            )
            for d in sorted({r["dataset"] for r in rows})
        },
        "verifier_counts": dict(Counter(r["verifier"] for r in rows)),
        "verifier_precision_when_supported": (
            round(sum(r["supported"] for r in said_ok) / len(said_ok), 3) if said_ok else None
        ),
        "unsupported_not_called_supported": (
            round(sum(r["verifier"] != "supported" for r in bad) / len(bad), 3) if bad else None
        ),
        "supported_called_supported": (
            round(sum(r["verifier"] == "supported" for r in good) / len(good), 3) if good else None
        ),
        "verbatim_check_agrees": round(
            sum((r["check"] != "quote") == r["verbatim"] for r in rows) / n, 3
        ),
        "judge_counts": dict(Counter(r["judge"] for r in rows)),
        "judge_precision_when_yes": (
            round(sum(r["supported"] for r in judge_ok) / len(judge_ok), 3) if judge_ok else None
        ),
        "judge_unsupported_said_no": (
            round(sum(r["judge"] == "contradicted" for r in bad) / len(bad), 3) if bad else None
        ),
    }
    print(json.dumps(report, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample", help="print citations to label (blind)")
    s.add_argument("runs", nargs="+", type=Path)
    s.add_argument("--n", type=int, default=50)
    s.add_argument("--per-case", type=int, default=2)
    s.add_argument("--skip", type=int, default=0, help="leave out the first N (a further set)")
    c = sub.add_parser("score", help="precision and verifier agreement on the labels")
    c.add_argument("runs", nargs="+", type=Path)
    c.add_argument("--labels", type=Path, default=LABELS)
    c.add_argument(
        "--without",
        action="append",
        choices=["aim", "figures"],
        default=[],
        help="score the verifier without this check (repeatable; for before/after figures)",
    )
    args = parser.parse_args()
    runs = [r for r in args.runs if (r / "results.jsonl").is_file()]
    if not runs:
        print("skipped: no finished run directory given (see the usage in this file)")
        return
    args.runs = runs
    from clinreason.verify import citations as checks

    if "aim" in getattr(args, "without", []):
        checks.rests_on_an_aim = lambda statement, passage: None  # type: ignore[assignment]
    if "figures" in getattr(args, "without", []):
        checks.unsourced_figures = lambda statement, passage, case_text="": []  # type: ignore[assignment]
    sample(args) if args.command == "sample" else score(args)


if __name__ == "__main__":
    main()
