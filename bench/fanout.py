"""Fan-out throughput: the same evaluation against 1 and against 3 loopback OpenAI-compatible
servers (scripted, fixed latency per completion, no model), through `clinreason.backends`'
`FanoutBackend` and the real harness (`run_eval`, direct strategy, compact run directory).

Each server handles `--per-endpoint` requests at once, so one server caps throughput at
per_endpoint / latency; three should give about three times that. Target (issue 16): >= 2.5x.

Usage:
    .venv/bin/python bench/fanout.py [--cases 240] [--latency 0.2] [--per-endpoint 4]

Synthetic items only; no shared data is read.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import time
from pathlib import Path

from clinreason.backends import make_backend
from clinreason.backends.scripted_server import scripted_servers
from clinreason.bench import MirageBenchmark
from clinreason.bench.base import Dataset
from clinreason.bench.runner import run_eval
from clinreason.strategies import Direct
from clinreason.trace import Case


def dataset(n: int) -> Dataset:
    """`n` generated two-option items."""
    cases = tuple(
        Case(id=f"medqa/{i:05d}", question=f"Item {i}: which option?", options={"A": "x", "B": "y"},
             gold="A", metadata={"dataset": "medqa"})
        for i in range(n)
    )  # fmt: skip
    return Dataset("synthetic", "1", cases, "memory", "0" * 64)


def run(urls: list[str], n: int, per_endpoint: int, out: Path) -> tuple[float, list[dict]]:  # type: ignore[type-arg]
    """Wall seconds for `n` cases over `urls`, and per-endpoint stats (fan-out only)."""
    backend = make_backend(
        "openai", model="m", base_url=urls, per_endpoint=per_endpoint, cache=False
    )

    async def go() -> None:
        try:
            await run_eval(
                MirageBenchmark(), dataset(n), Direct(), backend, out_dir=out,
                concurrency=backend.max_concurrency, progress=False, verify=False,
            )  # fmt: skip
        finally:
            await backend.aclose()

    started = time.perf_counter()
    asyncio.run(go())
    wall = time.perf_counter() - started
    stats = backend.stats() if hasattr(backend, "stats") else []
    return wall, stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=240)
    parser.add_argument("--latency", type=float, default=0.2, help="Seconds per completion.")
    parser.add_argument("--per-endpoint", type=int, default=4)
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    print(f"{args.cases} cases, latency {args.latency} s, {args.per_endpoint} per endpoint")
    with tempfile.TemporaryDirectory() as tmp, scripted_servers(3, latency=args.latency) as servers:
        urls = [s.url for s in servers]
        one, _ = run(urls[:1], args.cases, args.per_endpoint, Path(tmp) / "one")
        three, stats = run(urls, args.cases, args.per_endpoint, Path(tmp) / "three")
    ceiling = args.per_endpoint / args.latency
    print(f"1 endpoint : {one:6.2f} s  {args.cases / one:6.1f} cases/s (ceiling {ceiling:.1f})")
    print(
        f"3 endpoints: {three:6.2f} s  {args.cases / three:6.1f} cases/s "
        f"(ceiling {3 * ceiling:.1f})"
    )
    for s in stats:
        print(f"  {s['url']}: {s['ok']} answered, {s['per_s']:.1f}/s, {s['state']}")
    print(f"throughput ratio 3 vs 1: {one / three:.2f}x (target >= 2.5x)")


if __name__ == "__main__":
    main()
