"""Benchmark: EmbeddedBackend tokens/s versus raw llama-cpp-python, same model, same run.

Both paths use the *same* loaded `llama_cpp.Llama` instance, the same prompt, greedy decoding
and the same fresh-state policy (the backend resets the model state before each request so
output never depends on earlier requests; the raw path calls `reset()` too), so they produce
the same tokens and differ only by clinreason's overhead: request/response models, the
`asyncio.to_thread` hop, the locks, and (for the JSON case) building the grammar from the
schema. Repetitions are interleaved (raw, backend, backend, raw, ...) so a busy neighbour
process slows both alike; medians are reported with their ratio. Target: overhead < 10%.

Usage:
    .venv/bin/python bench/embedded_overhead.py                   # qwen if available
    .venv/bin/python bench/embedded_overhead.py --model smollm2-135m --reps 7 --threads 2
    .venv/bin/python bench/embedded_overhead.py --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from clinreason.backends.grammar import schema_to_gbnf
from clinreason.backends.llama_cpp import EmbeddedBackend
from clinreason.backends.models import list_models
from clinreason.trace import GenerateRequest, Message

NOTE = (
    "A 67-year-old woman with type 2 diabetes and hypertension presents with two days of "
    "fever, dysuria and right flank pain. Temperature 38.9 C, heart rate 112/min, blood "
    "pressure 96/58 mmHg. Creatinine 1.9 mg/dL (baseline 1.0). Urinalysis shows pyuria."
)
QUESTION = "What is the most likely diagnosis, and what are the first three steps in management?"
SCHEMA = {
    "type": "object",
    "properties": {
        "diagnosis": {"type": "string", "maxLength": 120},
        "steps": {"type": "array", "items": {"type": "string", "maxLength": 120}, "maxItems": 3},
    },
    "required": ["diagnosis", "steps"],
}


def machine() -> dict[str, Any]:
    """CPU, cores, load and versions, for the record."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import llama_cpp

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_avg_1m": os.getloadavg()[0],
        "python": platform.python_version(),
        "llama_cpp_python": llama_cpp.__version__,
    }


def default_model() -> str:
    """The main-job model when installed, else the small one."""
    installed = {m.name for m in list_models() if m.installed}
    return "qwen2.5-coder-1.5b" if "qwen2.5-coder-1.5b" in installed else "smollm2-135m"


def raw_call(llm: Any, request: GenerateRequest, grammar: Any) -> tuple[int, float, str]:
    """One raw llama-cpp-python chat completion: (completion tokens, seconds, text)."""
    started = time.perf_counter()
    llm.reset()
    kwargs: dict[str, Any] = {"grammar": grammar} if grammar is not None else {}
    out = llm.create_chat_completion(
        messages=[{"role": m.role, "content": m.content} for m in request.messages],
        temperature=request.temperature,
        max_tokens=request.max_tokens,
        stop=[],
        seed=0,
        **kwargs,
    )
    elapsed = time.perf_counter() - started
    return out["usage"]["completion_tokens"], elapsed, out["choices"][0]["message"]["content"]


async def backend_call(
    backend: EmbeddedBackend, request: GenerateRequest
) -> tuple[int, float, str]:
    """The same request through clinreason's backend."""
    started = time.perf_counter()
    generation = await backend.generate(request)
    elapsed = time.perf_counter() - started
    return generation.usage.completion_tokens, elapsed, generation.texts[0]


async def measure(backend: EmbeddedBackend, request: GenerateRequest, reps: int) -> dict[str, Any]:
    """Interleaved repetitions after one warm-up of each; medians and the ratio."""
    import llama_cpp

    llm = backend.loaded_model()
    grammar = None
    if request.json_schema is not None:
        # The raw path gets the grammar prebuilt (its cost is part of clinreason's overhead).
        grammar = llama_cpp.LlamaGrammar.from_string(schema_to_gbnf(request.json_schema))
    raw_call(llm, request, grammar)
    await backend_call(backend, request)
    raw: list[float] = []
    ours: list[float] = []
    same_text = True
    tokens = 0
    for rep in range(reps):
        order = ("raw", "backend") if rep % 2 == 0 else ("backend", "raw")
        texts = {}
        for which in order:
            if which == "raw":
                n, seconds, texts["raw"] = raw_call(llm, request, grammar)
                raw.append(n / seconds)
            else:
                n, seconds, texts["backend"] = await backend_call(backend, request)
                ours.append(n / seconds)
            tokens = n
        same_text &= texts["raw"] == texts["backend"]
    raw_median, our_median = statistics.median(raw), statistics.median(ours)
    return {
        "completion_tokens": tokens,
        "raw_tokens_per_s": [round(x, 2) for x in raw],
        "backend_tokens_per_s": [round(x, 2) for x in ours],
        "raw_median": round(raw_median, 2),
        "backend_median": round(our_median, 2),
        "ratio": round(our_median / raw_median, 4),
        "overhead_pct": round(100 * (1 - our_median / raw_median), 2),
        "identical_output": same_text,
    }


async def main() -> None:
    """Parse arguments, run both cases, print a table (and write JSON if asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="default: qwen2.5-coder-1.5b if installed")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None, help="write results here")
    args = parser.parse_args()

    model = args.model or default_model()
    backend = EmbeddedBackend(model=model, n_ctx=2048, n_threads=args.threads)
    info = machine()
    started = time.perf_counter()
    backend.loaded_model()
    load_s = time.perf_counter() - started
    messages = (Message(role="user", content=f"{NOTE}\n\n{QUESTION}"),)
    cases = {
        "plain": GenerateRequest(messages=messages, max_tokens=args.max_tokens),
        "json_schema": GenerateRequest(
            messages=messages, max_tokens=args.max_tokens, json_schema=SCHEMA
        ),
    }
    results = {name: await measure(backend, req, args.reps) for name, req in cases.items()}
    info["load_avg_1m_end"] = os.getloadavg()[0]
    await backend.aclose()

    print(f"model {model}, {backend.threads} threads, load {load_s:.1f} s, reps {args.reps}")
    print(f"machine: {info}")
    print("| case | tokens | raw tok/s (median) | clinreason tok/s (median) | ratio | overhead |")
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['completion_tokens']} | {r['raw_median']} | {r['backend_median']} "
            f"| {r['ratio']} | {r['overhead_pct']}% |"
        )
    for name, r in results.items():
        print(
            f"{name}: identical output: {r['identical_output']}; raw {r['raw_tokens_per_s']}; "
            f"clinreason {r['backend_tokens_per_s']}"
        )
    if args.json:
        payload = {"model": model, "threads": backend.threads, "machine": info, "results": results}
        args.json.write_text(json.dumps(payload, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
