"""Scale of the BM25 index: build time, peak memory, load time and query latency.

For each size N (default 100,000 then 1,000,000):
1. generate N synthetic passages into a .jsonl corpus (not timed): 100-220 words each, cut to
   at most 1,000 characters (one record is one passage; ~920 characters on average), words
   drawn from a Zipf distribution over a vocabulary that starts with the real words of the
   default corpus's guideline summaries and PubMedQA abstracts (by frequency) and continues
   with max(200,000, 2N) made-up rare words, so the vocabulary grows with N as in real text;
2. in a fresh child process, build the index from that file exactly as `clinreason index build`
   does (jsonl reader, chunker, tokenizer, score matrix, files): wall and CPU seconds, peak RSS
   (`resource.getrusage(RUSAGE_SELF).ru_maxrss`);
3. in another fresh child, load the index memory-mapped (wall seconds, peak RSS) and run 200
   queries of 2-6 words taken from random passages: p50/p95 latency, and how often the passage the
   words came from is ranked first (a sanity check, not a quality figure).

Usage:
    .venv/bin/python bench/retrieval_scale.py [--sizes 100000 1000000] [--queries 200]
        [--workdir /tmp/retrieval-scale] [--keep]

The machine is shared (2 cores, other jobs running): CPU seconds are less sensitive to the
neighbours than wall seconds; the load average is printed with each figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
PUBMEDQA = REPO.parent / "shared" / "data" / "pubmedqa" / "dev_pqal.json"
SEED = 13
MAX_TEXT = 999


def _real_words() -> list[str]:
    """Words of real clinical text, most frequent first."""
    from clinreason.tools.retrieval.corpora import open_medicine_documents

    texts = [d.text for d in open_medicine_documents()]
    if PUBMEDQA.is_file():
        for item in json.loads(PUBMEDQA.read_text()).values():
            texts.extend(item["CONTEXTS"])
    counts = Counter(w for t in texts for w in re.findall(r"[A-Za-z][A-Za-z-]+|\d+", t))
    return [w for w, _ in counts.most_common()]


def generate(path: Path, n: int) -> None:
    """N passages as jsonl records {id, text}, seeded; max(200,000, 2N) made-up words."""
    rng = np.random.default_rng(SEED)
    real = _real_words()
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    n_fake = max(200_000, 2 * n)
    codes = rng.integers(0, 26, size=(n_fake, 9))
    sizes = rng.integers(5, 10, size=n_fake)
    fake = ["".join(letters[row[:size]]) for row, size in zip(codes, sizes, strict=True)]
    words = np.array(real + fake, dtype=object)
    ranks = np.arange(1, len(words) + 1, dtype=np.float64)
    cdf = np.cumsum(1.0 / (ranks + 2.7) ** 1.07)
    cdf /= cdf[-1]
    with path.open("w", encoding="utf-8") as out:
        batch = 10_000
        for start in range(0, n, batch):
            m = min(batch, n - start)
            lengths = rng.integers(100, 221, size=m)
            flat = np.minimum(np.searchsorted(cdf, rng.random(int(lengths.sum()))), len(words) - 1)
            pos = 0
            lines = []
            for i, length in enumerate(lengths):
                text = " ".join(words[flat[pos : pos + length]])
                pos += length
                if len(text) >= MAX_TEXT:  # one passage per record: cut at a space
                    text = text[: text.rfind(" ", 0, MAX_TEXT)]
                text += "."
                lines.append(json.dumps({"id": f"s{start + i}", "text": text}) + "\n")
            out.write("".join(lines))


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _rusage() -> dict[str, float]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_s": r.ru_utime + r.ru_stime, "peak_rss_mb": r.ru_maxrss / 1024}


def child_build(corpus: Path, out: Path) -> dict[str, object]:
    """Build as the CLI does; returns timings and peak memory."""
    from clinreason.tools.retrieval import build_index

    load_before = _load()
    t0 = time.perf_counter()
    report = build_index([corpus], out)
    wall = time.perf_counter() - t0
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    return {
        "passages": report.passages,
        "vocabulary": len(report.index._engine.vocab_dict),
        "build_wall_s": round(wall, 1),
        **{k: round(v, 1) for k, v in _rusage().items()},
        "index_mb": round(size / 2**20),
        "load_before": load_before,
        "load_after": _load(),
    }


def child_query(corpus: Path, out: Path, n_queries: int) -> dict[str, object]:
    """Load memory-mapped and time `n_queries` searches of words from random passages."""
    from clinreason.tools.retrieval import BM25Index

    rng = np.random.default_rng(SEED + 1)
    t0 = time.perf_counter()
    index = BM25Index.load(out)
    load_wall = time.perf_counter() - t0
    rss_after_load = _rusage()["peak_rss_mb"]
    n = len(index)
    queries: list[tuple[str, str]] = []
    for row in rng.choice(n, size=n_queries, replace=False):
        p = index.passage(int(row))
        words = p.text.rstrip(".").split()
        k = min(int(rng.integers(2, 7)), len(words))
        picked = [words[i] for i in sorted(rng.choice(len(words), size=k, replace=False))]
        queries.append((" ".join(picked), p.id))
    times, first = [], 0
    for query, pid in queries:
        t = time.perf_counter()
        hits = index.search(query, k=10)
        times.append((time.perf_counter() - t) * 1000)
        first += bool(hits) and hits[0].passage.id == pid
    arr = np.array(times)
    return {
        "load_wall_s": round(load_wall, 2),
        "rss_after_load_mb": round(rss_after_load),
        "query_p50_ms": round(float(np.percentile(arr, 50)), 2),
        "query_p95_ms": round(float(np.percentile(arr, 95)), 2),
        "query_max_ms": round(float(arr.max()), 1),
        "source_ranked_first": f"{first}/{n_queries}",
        "peak_rss_mb": round(_rusage()["peak_rss_mb"]),
        "load": _load(),
    }


def _child(*args: str) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"child {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/retrieval-scale"))
    parser.add_argument("--keep", action="store_true", help="Keep corpora and indexes.")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, corpus, out, *rest = args.child
        if kind == "build":
            print(json.dumps(child_build(Path(corpus), Path(out))))
        else:
            print(json.dumps(child_query(Path(corpus), Path(out), int(rest[0]))))
        return
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load {_load()}")  # fmt: skip
    args.workdir.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        corpus = args.workdir / f"synthetic-{n}.jsonl"
        out = args.workdir / f"index-{n}"
        if not corpus.is_file():
            t = time.perf_counter()
            generate(corpus, n)
            print(f"generated {n:,} passages ({corpus.stat().st_size / 2**20:.0f} MB) in "
                  f"{time.perf_counter() - t:.0f} s", flush=True)  # fmt: skip
        shutil.rmtree(out, ignore_errors=True)
        built = _child("--child", "build", str(corpus), str(out))
        print(json.dumps({"n": n, **built}), flush=True)
        queried = _child("--child", "query", str(corpus), str(out), str(args.queries))
        print(json.dumps({"n": n, **queried}), flush=True)
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
            corpus.unlink()


if __name__ == "__main__":
    main()
