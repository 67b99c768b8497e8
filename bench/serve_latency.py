"""Latency of `clinreason serve` (issue 14's targets; a benchmark, not a test).

1. **Time to the first streamed step**: a real `clinreason serve` on loopback with the embedded
   model, loaded by one warm-up request; then `--repeats` runs of `POST /v1/explain/stream` on
   `examples/note.txt` (`cot`: its first step is the model call, so it arrives when the model
   has answered) and `examples/crcl_case.json` (`calculator`: steps read from the note come
   first), timing the first `step` event and the `done` event from the request.
2. **Concurrent clients**: `--clients` clients at once on `POST /v1/explain` against a server with
   the fake backend (the server's own overhead) and against the embedded one (queueing: the model
   runs one generation at a time, `--queue` requests wait, the rest get 503 with Retry-After).
   Reports status counts and p50/p95 latency; any status other than 200 or 503 is an error.

Usage:
    .venv/bin/python bench/serve_latency.py [--model smollm2-135m] [--repeats 5] [--clients 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
from collections import Counter
from pathlib import Path

import httpx

from clinreason.api.local import local_server
from clinreason.trace import case_from_text

REPO = Path(__file__).resolve().parents[1]
CRCL = json.loads((REPO / "examples" / "crcl_case.json").read_text())
CASE = case_from_text((REPO / "examples" / "note.txt").read_text(), case_id="bench").model_dump(
    mode="json"
)


def first_step_times(url: str, case: dict[str, object], strategy: str) -> tuple[float, float]:
    """Seconds from the request to the first `step` event and to the `done` event."""
    start = time.perf_counter()
    first = None
    body = {"case": case, "strategy": strategy}
    with httpx.stream("POST", f"{url}/v1/explain/stream", json=body, timeout=600) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if line == "event: step" and first is None:
                first = time.perf_counter() - start
            if line in ("event: done", "event: error"):
                break
    total = time.perf_counter() - start
    return (first if first is not None else float("nan")), total


async def clients(url: str, n: int, strategy: str) -> tuple[Counter[int], list[float]]:
    """`n` clients posting at once; their status codes and latencies (seconds)."""
    async with httpx.AsyncClient(timeout=600) as http:

        async def one() -> tuple[int, float]:
            start = time.perf_counter()
            r = await http.post(f"{url}/v1/explain", json={"case": CASE, "strategy": strategy})
            return r.status_code, time.perf_counter() - start

        got = await asyncio.gather(*(one() for _ in range(n)))
    return Counter(code for code, _ in got), [t for _, t in got]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report_clients(name: str, codes: Counter[int], times: list[float]) -> None:
    errors = sum(n for code, n in codes.items() if code not in (200, 503))
    print(
        f"{name}: statuses {dict(codes)}; errors (not 200/503): {errors}; "
        f"latency p50 {pct(times, 0.5):.3f} s, p95 {pct(times, 0.95):.3f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--strategy", default="cot")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--queue", type=int, default=4)
    args = parser.parse_args()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")

    embedded = ("--backend", "embedded", "--model", args.model, "--no-cache")
    with local_server(*embedded, "--queue", str(args.queue), timeout=120) as url:
        warm = time.perf_counter()
        httpx.post(f"{url}/v1/explain", json={"case": CASE, "strategy": args.strategy}, timeout=600)
        loaded = time.perf_counter() - warm
        print(f"embedded {args.model}: warm-up request (loads the model) {loaded:.1f} s")
        for name, case, strategy in (
            ("note.txt", CASE, args.strategy),
            ("crcl_case.json", CRCL, "calculator"),
        ):
            runs = [first_step_times(url, case, strategy) for _ in range(args.repeats)]
            firsts = [f for f, _ in runs]
            totals = [t for _, t in runs]
            print(
                f"{name}, {strategy}: time to the first streamed step ({args.repeats} runs) median "
                f"{statistics.median(firsts):.3f} s, max {max(firsts):.3f} s; to done: median "
                f"{statistics.median(totals):.2f} s"
            )
        report_clients(
            f"{args.clients} clients, embedded, --queue {args.queue}",
            *asyncio.run(clients(url, args.clients, args.strategy)),
        )
    with local_server("--backend", "fake", "--no-cache", "--queue", str(args.clients)) as url:
        report_clients(
            f"{args.clients} clients, fake backend, --queue {args.clients}",
            *asyncio.run(clients(url, args.clients, args.strategy)),
        )


if __name__ == "__main__":
    main()
