"""Benchmark: argumentation framework construction and clingo solving time.

(a) Per case: build the clinical argument graph from proposals and challenges (text check
    included), solve it and justify every argument — what the `argumentation` strategy adds
    on top of its model calls — for frameworks of 10..200 arguments. Target: <= 50 ms.
(b) Solver alone on random frameworks (each argument attacks ~2 random others), 100..10,000
    arguments: grounded (clingo and pure Python) and one preferred extension. Target: the
    10,000-argument framework within 1 s for each.

Usage:
    .venv/bin/python bench/argumentation_solve.py            # both parts, median of 5 runs
    .venv/bin/python bench/argumentation_solve.py --repeat 3 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import clingo

from clinreason.tools.argumentation import (
    CaseText,
    Challenge,
    Framework,
    Proposal,
    build_graph,
    decide,
    grounded,
    grounded_extension,
    load_schemes,
    one_extension,
    option_nodes,
    solved_step,
)

OPTIONS = ["A", "B", "C", "D", "E"]
_VOCABULARY = """
fever cough dyspnea tachycardia hypotension rash jaundice edema confusion headache
nausea vomiting diarrhea anemia leukocytosis creatinine troponin lactate sodium potassium
murmur wheeze crackles stiffness weakness numbness syncope palpitations hematuria proteinuria
"""
WORDS = _VOCABULARY.split()


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(median wall seconds, median CPU seconds of this process, last result).

    The machine is shared; CPU time (clingo solves in this process, single-threaded) is less
    sensitive to other processes than wall time, so both are reported.
    """
    wall: list[float] = []
    cpu: list[float] = []
    result: Any = None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu), result


def clinical_case(
    n_args: int, rng: random.Random
) -> tuple[CaseText, list[Proposal], list[Challenge]]:
    """A synthetic case: a note and ~n_args arguments (80% generator, 20% verifier)."""
    note = CaseText(" ".join(rng.choice(WORDS) for _ in range(120)) + ".")
    book = load_schemes()
    n_gen = max(2, round(n_args * 0.8))
    proposals = []
    for i in range(n_gen):
        scheme = rng.choices(book.ids, weights=[12, 1, 2])[0]
        finding = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}"  # the number is never in the note
        if rng.random() < 0.6:
            finding = f"{rng.choice(WORDS)} {rng.choice(WORDS)}"
        proposals.append(Proposal(rng.choice(OPTIONS), scheme, finding))
    challenges = []
    for _ in range(n_args - n_gen):
        target = rng.randrange(n_gen)
        question = {
            "clinical_evidence": "weak_evidence",
            "side_effect": "harm_outweighed",
            "best_decision": "better_option",
        }[proposals[target].scheme]
        challenges.append(Challenge(f"G{target + 1}", question, rng.choice(WORDS)))
    return note, proposals, challenges


def per_case(n_args: int, repeat: int, semantics: str, seed: int) -> dict[str, Any]:
    """Time graph construction + decision + justification for one synthetic case."""
    rng = random.Random(seed)
    note, proposals, challenges = clinical_case(n_args, rng)
    book = load_schemes()

    def work() -> Any:
        graph = build_graph(note, proposals, challenges, book)
        fw = Framework.from_graph(graph)
        decision = decide(fw, option_nodes(graph, book), OPTIONS, semantics=semantics)  # type: ignore[arg-type]
        return solved_step(graph, decision.extension, decision.semantics, framework=fw), decision

    work()  # warm-up: loads the schemes and encodings once
    median, cpu, (step, decision) = _timed(work, repeat)
    return {
        "arguments": len(step.graph.arguments),
        "attacks": len(step.graph.attacks),
        "semantics": semantics,
        "decided_by": decision.status,
        "median_ms": round(median * 1000, 2),
        "cpu_ms": round(cpu * 1000, 2),
    }


def random_framework(n: int, per_arg: float, seed: int) -> Framework:
    """n arguments, round(n * per_arg) uniformly random attacks (self-attacks possible)."""
    rng = random.Random(seed)
    names = [f"a{i}" for i in range(n)]
    attacks = [
        (names[rng.randrange(n)], names[rng.randrange(n)]) for _ in range(round(n * per_arg))
    ]
    return Framework.of(names, attacks)


def solver_curve(n: int, repeat: int, seed: int) -> dict[str, Any]:
    """Solver-only times on a random framework of n arguments, ~2 attacks each."""
    fw = random_framework(n, 2.0, seed)
    g_clingo, g_clingo_cpu, g = _timed(lambda: grounded(fw), repeat)
    g_py, g_py_cpu, g2 = _timed(lambda: grounded_extension(fw), repeat)
    if g != g2:
        raise SystemExit(f"grounded mismatch at n={n}: clingo and pure Python disagree")
    pref, pref_cpu, p = _timed(lambda: one_extension(fw, "preferred"), repeat)
    return {
        "arguments": n,
        "attacks": len(fw.attacks),
        "grounded_size": len(g),
        "preferred_size": len(p or ()),
        "grounded_clingo_s": round(g_clingo, 4),
        "grounded_clingo_cpu_s": round(g_clingo_cpu, 4),
        "grounded_python_s": round(g_py, 4),
        "grounded_python_cpu_s": round(g_py_cpu, 4),
        "preferred_one_s": round(pref, 4),
        "preferred_one_cpu_s": round(pref_cpu, 4),
    }


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "clingo": clingo.__version__,
        "load_average_1m_at_start": round(load[0], 2) if load else None,
    }


def main() -> None:
    """Run both parts and print tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--sizes", default="100,300,1000,3000,10000", help="solver curve sizes (comma-separated)"
    )
    args = parser.parse_args()
    info = machine()
    print(f"machine: {info}")

    cases = [
        per_case(n, args.repeat, semantics, args.seed + n)
        for n in (10, 25, 50, 100, 200)
        for semantics in ("grounded", "preferred")
    ]
    print("\n(a) per case: build graph + text check + solve + decide + justify (target <= 50 ms)")
    head = ("args", "attacks", "semantics", "decided by", "wall ms", "cpu ms")
    print("{:>5} {:>8} {:>10} {:>20} {:>9} {:>8}".format(*head))
    for r in cases:
        print(
            f"{r['arguments']:>5} {r['attacks']:>8} {r['semantics']:>10} {r['decided_by']:>20} "
            f"{r['median_ms']:>9.2f} {r['cpu_ms']:>8.2f}"
        )

    sizes = [int(s) for s in args.sizes.split(",")]
    curve = [solver_curve(n, args.repeat, args.seed + n) for n in sizes]
    print("\n(b) solver alone, random frameworks, 2 attacks per argument (target <= 1 s at 10,000)")
    head = ("args", "attacks", "|grounded|", "grounded clingo", "grounded python", "1 preferred")
    print("{:>6} {:>8} {:>10} {:>22} {:>22} {:>22}".format(*head))
    print("{:>6} {:>8} {:>10} {:>22} {:>22} {:>22}".format("", "", "", *["wall s / cpu s"] * 3))
    for r in curve:
        cells = [
            f"{r[k + '_s']:.4f} / {r[k + '_cpu_s']:.4f}"
            for k in ("grounded_clingo", "grounded_python", "preferred_one")
        ]
        print(
            f"{r['arguments']:>6} {r['attacks']:>8} {r['grounded_size']:>10} "
            + " ".join(f"{c:>22}" for c in cells)
        )
    if args.json:
        args.json.write_text(
            json.dumps({"machine": info, "per_case": cases, "curve": curve}, indent=2)
        )


if __name__ == "__main__":
    main()
