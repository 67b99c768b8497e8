"""Benchmark the harness itself with an instant scripted backend.

1. Throughput, end to end: load a synthetic MIRAGE-format file, run every case (strategy +
   backend + scoring), append each result line, write summary.json. Reported as wall-clock
   cases/s and as cases per CPU-second (less sensitive to other load on the machine), for the
   real `direct` and `cot` strategies and for a minimal pass-through strategy (harness cost
   alone), with group commit (default), per-line fsync and no fsync, with and without the
   per-case verifiers and reasoning-quality columns (`--no-verify`; `clinreason score` adds
   them later).
2. Kill and resume: a child process runs an eval with a slightly slow backend, is killed with
   SIGKILL midway, and the run is resumed; we count cases started but not recorded (lost in
   flight), duplicates, and how many cases the resume re-ran.

3. With `--against OLD_SRC` (the `src` folder of another checkout, e.g. from `git archive`):
   only the write cost, old against this code, in fresh processes interleaved `--rounds` times
   (passthrough and cot without verification, cot with it), as cases per CPU-second and their
   ratio within each round.

Usage:
    .venv/bin/python bench/harness_throughput.py [--cases 5000] [--concurrency 16]
    .venv/bin/python bench/harness_throughput.py --against /tmp/old/src [--cases 3000] [--rounds 2]

Synthetic items only (generated here); no shared data is read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from clinreason.backends.fake import FakeBackend
from clinreason.bench import MirageBenchmark
from clinreason.bench.rundir import RESULTS, read_results, scan_results
from clinreason.bench.runner import rescore, run_eval
from clinreason.strategies import STRATEGIES
from clinreason.trace import Answer, Case, GenerateRequest, Message, Thought, TraceBuilder

REPLY = (
    '{"reasoning": "Fever and a rash on the trunk. The rash spared the face. So B.", "answer": "B"}'
)


def write_synthetic(path: Path, n: int) -> None:
    """A MIRAGE-shaped file with `n` generated items over five subsets."""
    subsets = ("mmlu", "medqa", "medmcqa", "pubmedqa", "bioasq")
    data: dict[str, dict[str, Any]] = {s: {} for s in subsets}
    for i in range(n):
        data[subsets[i % 5]][f"{i:06d}"] = {
            "question": f"A {20 + i % 60}-year-old patient (item {i}) has fever and a rash on the "
            "trunk for three days. Which is the most likely diagnosis?",
            "options": {"A": "Measles", "B": "Rubella", "C": "Roseola", "D": "Scarlet fever"},
            "answer": "ABCD"[i % 4],
        }
    path.write_text(json.dumps(data))


@dataclass(frozen=True)
class PassThrough:
    """Minimal strategy: one backend call, one thought, the answer. Isolates the harness cost."""

    name: ClassVar[str] = "passthrough"
    version: ClassVar[int] = 1

    async def solve(self, case: Case, backend: Any, tb: TraceBuilder) -> Answer:
        request = GenerateRequest(messages=(Message(role="user", content=case.question),))
        generation = await backend.generate(request)
        thought = tb.add(Thought(text="scripted"))
        return Answer(value="B", raw=generation.texts[0], support=[thought.id])


def measure(
    data: Path,
    out: Path,
    strategy: Any,
    *,
    fsync: str,
    concurrency: int,
    limit: int | None,
    verify: bool = True,
) -> dict[str, Any]:
    """One end-to-end run; wall and CPU seconds."""
    shutil.rmtree(out, ignore_errors=True)
    backend = FakeBackend(lambda r: REPLY, max_concurrency=concurrency)
    wall, cpu = time.perf_counter(), time.process_time()
    bench = MirageBenchmark()
    dataset = bench.load(data)
    summary = asyncio.run(
        run_eval(
            bench, dataset, strategy, backend, out_dir=out, concurrency=concurrency, limit=limit,
            progress=False, fsync=fsync, verify=verify,  # type: ignore[arg-type]
        )
    )  # fmt: skip
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    n = int(summary["n"])  # type: ignore[arg-type]
    assert n == len(scan_results(out / RESULTS).lines)
    return {"n": n, "wall_s": wall, "cases_per_s": n / wall, "cases_per_cpu_s": n / cpu}


_CHILD = """
import asyncio, os, sys
from pathlib import Path
from clinreason.backends.fake import FakeBackend
from clinreason.bench import MirageBenchmark
from clinreason.bench.runner import run_eval
from clinreason.strategies import STRATEGIES

data, out, log, resume = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)

class Logged(FakeBackend):
    async def generate(self, request):
        item = request.messages[-1].content.split("(item ")[1].split(")")[0]
        os.write(fd, (item + "\\n").encode())
        await asyncio.sleep(0.002)
        return await super().generate(request)

bench = MirageBenchmark()
backend = Logged(lambda r: '{"answer": "B"}')
asyncio.run(run_eval(bench, bench.load(data), STRATEGIES["direct"](), backend, out_dir=out,
            concurrency=int(sys.argv[5]), resume=resume, progress=False))
"""


def kill_and_resume(data: Path, work: Path, n: int, concurrency: int) -> dict[str, Any]:
    """Kill a child run midway with SIGKILL, inspect the directory, resume, verify."""
    out, log = work / "killed", work / "started.log"
    shutil.rmtree(out, ignore_errors=True)
    log.unlink(missing_ok=True)
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(data), str(out), str(log), "0", str(concurrency)]
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and child.poll() is None:
        done = (out / RESULTS).exists() and len((out / RESULTS).read_bytes().splitlines())
        if done and done >= n // 3:
            break
        time.sleep(0.005)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    scan = scan_results(out / RESULTS)
    started = set(log.read_text().split())
    recorded = len(scan.lines)
    lost = len(started) - recorded
    before = len(log.read_text().split())
    resumed = subprocess.run(
        [sys.executable, "-c", _CHILD, str(data), str(out), str(log), "1", str(concurrency)],
        check=False,
    )
    rerun = len(log.read_text().split()) - before
    results = read_results(out, traces=False)
    ids = [line.split(b'"')[3] for line in (out / RESULTS).read_bytes().splitlines()]
    return {
        "cases": n,
        "recorded_at_kill": recorded,
        "torn_last_line": scan.torn,
        "started_at_kill": len(started),
        "lost_in_flight": lost,
        "concurrency": concurrency,
        "resume_exit": resumed.returncode,
        "rerun_by_resume": rerun,
        "final_results": len(results),
        "duplicates": len(ids) - len(set(ids)),
    }


COMPARED = (("passthrough", False), ("cot", False), ("cot", True))


def one_config(data: Path, strategy: str, verify: bool, concurrency: int) -> None:
    """Child of `--against`: one `measure`, its result as JSON on stdout."""
    chosen = PassThrough() if strategy == "passthrough" else STRATEGIES[strategy]()
    with tempfile.TemporaryDirectory() as tmp:
        result = measure(
            data, Path(tmp) / "run", chosen, fsync="group", concurrency=concurrency, limit=None,
            verify=verify,
        )  # fmt: skip
    print(json.dumps(result))


def against(old_src: Path, cases: int, rounds: int, concurrency: int) -> None:
    """Old code (`old_src`) against this one, interleaved, in fresh processes."""
    this_src = Path(__file__).resolve().parents[1] / "src"
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "benchmark.json"
        write_synthetic(data, cases)
        print(f"machine: {platform.platform()}, {os.cpu_count()} cores, load {os.getloadavg()}")
        print("| round | strategy | verify | old cases/CPU-s | new cases/CPU-s | new/old |")
        print("|---|---|---|---|---|---|")
        for round_ in range(1, rounds + 1):
            for strategy, verify in COMPARED:
                rates = []
                for src in (old_src, this_src):
                    one = ["--one", strategy, str(int(verify)), str(data)]
                    child = subprocess.run(
                        [sys.executable, __file__, *one, "--concurrency", str(concurrency)],
                        env={**os.environ, "PYTHONPATH": str(src)},
                        capture_output=True, text=True, check=True,
                    )  # fmt: skip
                    rates.append(json.loads(child.stdout.splitlines()[-1])["cases_per_cpu_s"])
                flag = "yes" if verify else "no"
                print(
                    f"| {round_} | {strategy} | {flag} | {rates[0]:.0f} | {rates[1]:.0f} | "
                    f"{rates[1] / rates[0]:.2f} |",
                    flush=True,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--against", type=Path, help="Another checkout's src: compare writes.")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)  # child of --against
    args = parser.parse_args()
    if args.one:
        strategy, verify, data = args.one
        return one_config(Path(data), strategy, verify == "1", args.concurrency)
    if args.against:
        return against(args.against, args.cases, args.rounds, args.concurrency)
    work = Path(tempfile.mkdtemp(prefix="harness-bench-"))
    data = work / "benchmark.json"
    write_synthetic(data, args.cases)
    rows = []
    strategies = {
        "passthrough": PassThrough(),
        "direct": STRATEGIES["direct"](),
        "cot": STRATEGIES["cot"](),
    }
    for name, strategy in strategies.items():
        for fsync, verify in (("group", True), ("none", True), ("group", False)):
            result = measure(
                data, work / "run", strategy, fsync=fsync, concurrency=args.concurrency,
                limit=None, verify=verify,
            )  # fmt: skip
            rows.append((name, fsync, verify, result))
    line = measure(
        data, work / "run", strategies["cot"], fsync="line", concurrency=args.concurrency, limit=300
    )
    rows.append(("cot", "line", True, line))
    full = measure(
        data,
        work / "run",
        strategies["cot"],
        fsync="group",
        concurrency=args.concurrency,
        limit=None,
    )
    started = time.perf_counter()
    rescore(work / "run")
    rescore_rate = full["n"] / (time.perf_counter() - started)
    crash = kill_and_resume(data, work, args.cases, concurrency=8)
    load = os.getloadavg()
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, "
        f"load average {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}"
    )
    print("\n| strategy | fsync | verify | cases | wall s | cases/s | cases per CPU-s |")
    print("|---|---|---|---|---|---|---|")
    for name, fsync, verify, r in rows:
        rates = f"{r['cases_per_s']:.0f} | {r['cases_per_cpu_s']:.0f}"
        flag = "yes" if verify else "no"
        print(f"| {name} | {fsync} | {flag} | {r['n']} | {r['wall_s']:.2f} | {rates} |")
    print(f"\nre-score from stored traces (cot run, {full['n']} cases): {rescore_rate:.0f} cases/s")
    print("\nkill -9 midway and resume:")
    print(json.dumps(crash, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
