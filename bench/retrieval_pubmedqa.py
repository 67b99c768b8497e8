"""PubMedQA retrieval: recall@1/@5 of a question's own abstract, question-only queries.

Corpus: the 500 abstracts of the development file `../shared/data/pubmedqa/dev_pqal.json` (its
CONTEXTS, i.e. the abstract without its conclusion; the paper's title is not in the file, and the
question is usually the title rephrased). Each abstract is one jsonl record with the PMID as id,
indexed exactly as `clinreason index build` does. Query: the QUESTION alone. A hit is the
question's own abstract among the first k *documents* (an abstract cut into several passages
counts once, at its best passage). Reported for the default passage size (1,000 characters) and
for whole abstracts (one passage each).

Usage:
    .venv/bin/python bench/retrieval_pubmedqa.py [--data ../shared/data/pubmedqa/dev_pqal.json]
    # the corpus file alone, for `clinreason index build` and `--strategy rag`:
    .venv/bin/python bench/retrieval_pubmedqa.py --corpus-out runs/pubmedqa-abstracts.jsonl
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from clinreason.tools.retrieval import Index

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO.parent / "shared" / "data" / "pubmedqa" / "dev_pqal.json"


def documents_ranked(index: Index, query: str, k: int) -> list[str]:
    """The first `k` distinct documents among the passage hits."""
    out: list[str] = []
    for hit in index.search(query, k=k * 10):
        doc = hit.passage.document
        if doc not in out:
            out.append(doc)
        if len(out) == k:
            break
    return out


def write_corpus(data: dict[str, dict], corpus: Path) -> None:
    """One jsonl record per abstract: the PMID as id, the CONTEXTS as text."""
    with corpus.open("w", encoding="utf-8") as out:
        for pmid, item in data.items():
            text = "\n\n".join(item["CONTEXTS"])
            out.write(json.dumps({"id": pmid, "text": text, "pmid": pmid}) + "\n")


def evaluate(
    data: dict[str, dict], max_chars: int, workdir: Path, rerank: int = 0
) -> dict[str, object]:
    from clinreason.tools.retrieval import Reranked, build_index

    corpus = workdir / "pubmedqa-dev-abstracts.jsonl"
    write_corpus(data, corpus)
    t = time.perf_counter()
    report = build_index([corpus], workdir / f"ix-{max_chars}-{rerank}", max_chars=max_chars)
    build_s = time.perf_counter() - t
    index: Index = Reranked(report.index, candidates=rerank) if rerank else report.index
    ranks: list[int | None] = []
    misses: list[tuple[str, str, str]] = []
    times = []
    for pmid, item in data.items():
        t = time.perf_counter()
        docs = documents_ranked(index, item["QUESTION"], 10)
        times.append((time.perf_counter() - t) * 1000)
        rank = docs.index(pmid) + 1 if pmid in docs else None
        ranks.append(rank)
        if rank is None or rank > 5:
            misses.append((pmid, item["QUESTION"], docs[0] if docs else "-"))
    n = len(ranks)
    return {
        "max_chars": max_chars,
        "rerank": rerank,
        "abstracts": len(data),
        "passages": report.passages,
        "build_s": round(build_s, 2),
        "recall@1": round(sum(r == 1 for r in ranks) / n, 3),
        "recall@5": round(sum(r is not None and r <= 5 for r in ranks) / n, 3),
        "recall@10": round(sum(r is not None for r in ranks) / n, 3),
        "mrr@10": round(sum(1 / r for r in ranks if r) / n, 3),
        "query_p50_ms": round(statistics.median(times), 2),
        "misses@5": misses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--show-misses", type=int, default=10)
    parser.add_argument("--corpus-out", type=Path, help="only write the abstracts as jsonl here")
    parser.add_argument(
        "--rerank", type=int, default=0, help="also: the best N hits re-ranked by MiniLM"
    )
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"skipped: no PubMedQA dev file at {args.data} (see ../shared/data/README.md)")
        return
    data = json.loads(args.data.read_text(encoding="utf-8"))
    if args.corpus_out:
        write_corpus(data, args.corpus_out)
        print(f"wrote {len(data)} abstracts to {args.corpus_out}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        settings = [(1000, 0), (100_000, 0)] + ([(1000, args.rerank)] if args.rerank else [])
        for max_chars, rerank in settings:
            result = evaluate(data, max_chars, Path(tmp), rerank)
            misses = result.pop("misses@5")
            print(json.dumps(result))
            for pmid, question, top in misses[: args.show_misses]:
                print(f"  miss@5 {pmid}: {question!r} (first: {top})")


if __name__ == "__main__":
    main()
