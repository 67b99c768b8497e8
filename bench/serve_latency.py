"""Latency of `clinreason serve` (issue 14's targets; a benchmark, not a test).

1. **Time to the first streamed step**: a real `clinreason serve` on loopback, its model loaded
   by one warm-up request; then `--repeats` runs of `POST /v1/explain/stream` on
   `examples/note.txt` (`cot`: its first step is the model call) and `examples/crcl_case.json`
   (`calculator`: steps read from the note come first), timing from the request:
   - *first step shown*: the first `step` or `model_start` event (the page shows a model call
     under way as its step: "Step 1 · Model call · under way, asking the model (...)");
   - *first model words*: the first `model_text` event (the model's text as it grows);
   - *first finished step*: the first `step` event (before streaming, the only step event);
   - *done*: the verified trace; and, in turn with each streamed run, `POST /v1/explain` (not
     streamed), so streaming's cost shows as the ratio of the two medians.
2. **Concurrent clients**: `--clients` clients at once on `POST /v1/explain` against the server
   of `--backend` (queueing: the embedded model runs one generation at a time, `--queue`
   requests wait, the rest get 503 with Retry-After) and against the fake backend (the server's
   own overhead). Reports status counts and p50/p95 latency; any status other than 200 or 503
   is an error.

`--backend embedded` (default) runs the packaged model (issue 14's target is for it);
`--backend scripted` a scripted OpenAI-compatible server on loopback that streams its reply
word by word (`--latency` before the first word, `--token-delay` between words; no model: the
plumbing alone); `--backend fake` the fake backend (instant replies).

Usage (the lead measures the target with the default model, Qwen2.5-Coder-1.5B):
    nice -n 19 .venv/bin/python bench/serve_latency.py --backend embedded \\
        --model qwen2.5-coder-1.5b --repeats 5 --clients 20
    .venv/bin/python bench/serve_latency.py --backend scripted --latency 0.5 --token-delay 0.03
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import statistics
import time
from collections import Counter
from pathlib import Path

import httpx

from clinreason.api.local import local_server
from clinreason.backends.scripted_server import scripted_server_thread
from clinreason.trace import case_from_text

REPO = Path(__file__).resolve().parents[1]
CRCL = json.loads((REPO / "examples" / "crcl_case.json").read_text())
CASE = case_from_text((REPO / "examples" / "note.txt").read_text(), case_id="bench").model_dump(
    mode="json"
)


def stream_times(url: str, case: dict[str, object], strategy: str) -> dict[str, float]:
    """Seconds from the request to the first event of each kind (NaN: none came) and to the
    end: `shown` (a step or a model call under way), `words`, `step`, `done`."""
    start = time.perf_counter()
    times: dict[str, float] = {}
    body = {"case": case, "strategy": strategy}
    with httpx.stream("POST", f"{url}/v1/explain/stream", json=body, timeout=600) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            event = line.removeprefix("event: ") if line.startswith("event: ") else None
            name = {"model_start": "shown", "model_text": "words", "step": "step"}.get(event or "")
            if name is not None:
                times.setdefault(name, time.perf_counter() - start)
                if name == "step":
                    times.setdefault("shown", times[name])
            if event in ("done", "error"):
                break
    times["done"] = time.perf_counter() - start
    return {key: times.get(key, float("nan")) for key in ("shown", "words", "step", "done")}


def plain_time(url: str, case: dict[str, object], strategy: str) -> float:
    """Seconds for `POST /v1/explain` (no events, no streaming)."""
    start = time.perf_counter()
    r = httpx.post(f"{url}/v1/explain", json={"case": case, "strategy": strategy}, timeout=600)
    r.raise_for_status()
    return time.perf_counter() - start


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


def server_options(args: argparse.Namespace, scripted_url: str | None) -> tuple[str, ...]:
    """The `clinreason serve` options of `--backend`."""
    if args.backend == "embedded":
        return ("--backend", "embedded", "--model", args.model, "--no-cache")
    if args.backend == "scripted":
        assert scripted_url is not None
        return ("--backend", "openai", "--base-url", scripted_url, "--model", "scripted",
                "--no-cache")  # fmt: skip
    return ("--backend", "fake", "--no-cache")


def summary(values: list[float]) -> str:
    """Median and max of the runs that had the event."""
    had = [v for v in values if not math.isnan(v)]
    if not had:
        return "none (no such event)"
    missing = (
        f"; none in {len(values) - len(had)} of {len(values)} runs"
        if len(had) < len(values)
        else ""
    )
    return f"median {statistics.median(had):.3f} s (max {max(had):.3f}){missing}"


def measure(args: argparse.Namespace, scripted_url: str | None) -> None:
    options = server_options(args, scripted_url)
    label = args.model if args.backend == "embedded" else args.backend
    with local_server(*options, "--queue", str(args.queue), timeout=120) as url:
        warm = time.perf_counter()
        httpx.post(f"{url}/v1/explain", json={"case": CASE, "strategy": args.strategy}, timeout=600)
        print(f"{label}: warm-up request (loads the model) {time.perf_counter() - warm:.1f} s")
        for name, case, strategy in (
            ("note.txt", CASE, args.strategy),
            ("crcl_case.json", CRCL, "calculator"),
        ):
            runs, plain = [], []
            for _ in range(args.repeats):  # streamed and plain in turn: the same load for both
                runs.append(stream_times(url, case, strategy))
                plain.append(plain_time(url, case, strategy))
            print(f"{name}, {strategy}, {label} ({args.repeats} runs), seconds from the request:")
            for key, words in (
                ("shown", "first step shown (a step or a model call under way)"),
                ("words", "first model words"),
                ("step", "first finished step"),
                ("done", "done (verified trace)"),
            ):
                print(f"  {words}: {summary([run[key] for run in runs])}")
            ratio = statistics.median(run["done"] for run in runs) / statistics.median(plain)
            print(f"  /v1/explain (not streamed): {summary(plain)}; streamed/plain {ratio:.2f}")
        if args.clients < 1:
            return  # latency only
        report_clients(
            f"{args.clients} clients, {label}, --queue {args.queue}",
            *asyncio.run(clients(url, args.clients, args.strategy)),
        )
    with local_server("--backend", "fake", "--no-cache", "--queue", str(args.clients)) as url:
        report_clients(
            f"{args.clients} clients, fake backend, --queue {args.clients}",
            *asyncio.run(clients(url, args.clients, args.strategy)),
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("embedded", "scripted", "fake"), default="embedded")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b", help="Embedded model.")
    parser.add_argument("--latency", type=float, default=0.5, help="Scripted: s to first word.")
    parser.add_argument("--token-delay", type=float, default=0.03, help="Scripted: s per word.")
    parser.add_argument("--strategy", default="cot")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--clients", type=int, default=20, help="0: latency only")
    parser.add_argument("--queue", type=int, default=4)
    args = parser.parse_args()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    if args.backend != "scripted":
        measure(args, None)
        return
    with scripted_server_thread(latency=args.latency, token_delay=args.token_delay) as base:
        print(f"scripted server: {args.latency:g} s to the first word, {args.token_delay:g} s/word")
        measure(args, base)


if __name__ == "__main__":
    main()
