"""Run-directory bytes per case: the compact layout (small `results.jsonl` lines plus the
`traces.gz` frame store) against the inline layout used before (the whole `CaseResult`, trace
included, on each line), for a phenopacket-store run with the rules-only `diagnose` strategy
(no language model). Also prints what other per-frame codecs would store for the same frames:
plain JSON in gzip (the previous frame format), gzip 9, xz, packed JSON without a dictionary,
deflate with a dictionary from the run's own first frames, and zstd with and without a trained
dictionary when the optional `zstandard` package is importable.

The "before" figure re-serializes the same results the way the inline writer did
(`rundir.result_line`), so both layouts hold exactly the same records.

Usage:
    .venv/bin/python bench/storage.py ../shared/data/phenopacket-store/dev_cases.jsonl \
        [--limit 400] [--out runs/storage]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import lzma
import os
import platform
import statistics
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from clinreason.backends import make_backend
from clinreason.bench.framecodec import compress, decompress, pack, unpack
from clinreason.bench.registry import make_benchmark
from clinreason.bench.rundir import RESULTS, read_results, result_line, scan_results
from clinreason.bench.runner import run_eval
from clinreason.bench.tracestore import STORE


def _frame(line: bytes) -> tuple[int, int]:
    offset, length = json.loads(line)["frame"]
    return int(offset), int(length)


def _plain(frame: bytes) -> bytes:
    """A frame's payload as plain (unpacked) JSON lines."""
    payload, packed = decompress(frame)
    if not packed:
        return payload
    return b"".join(_json(unpack(json.loads(x))) + b"\n" for x in payload.splitlines())


def _packed(payload: bytes) -> bytes:
    return b"".join(_json(pack(json.loads(x))) + b"\n" for x in payload.splitlines())


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="phenopacket-store dev_cases.jsonl")
    parser.add_argument("--limit", type=int, default=400, help="First N cases.")
    parser.add_argument("--out", type=Path, default=None, help="Keep the run here.")
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    bench = make_benchmark("phenopackets", {})
    dataset = bench.load(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "run"
        started = time.perf_counter()
        asyncio.run(
            run_eval(
                bench,
                dataset,
                bench.default_strategy(),
                make_backend("fake", cache=False),
                out_dir=out,
                limit=args.limit,
                progress=True,
            )
        )
        run_s = time.perf_counter() - started
        lines = scan_results(out / RESULTS).lines
        n = len(lines)
        line_bytes = (out / RESULTS).stat().st_size
        store_bytes = (out / STORE).stat().st_size
        started = time.perf_counter()
        results = read_results(out)
        read_s = time.perf_counter() - started
        inline_sizes = [len(result_line(r)) for r in results]
        inline = sum(inline_sizes)
        store = (out / STORE).read_bytes()
        payloads = [_plain(store[o : o + k]) for o, k in map(_frame, lines)]
    sizes = [len(x) for x in lines]
    compact = line_bytes + store_bytes
    print(f"{n} cases ({run_s:.1f} s to run, {read_s:.2f} s to read back with traces)")
    print(f"before (inline lines): {inline / n:9,.0f} bytes/case  {inline:12,d} bytes")
    print(
        f"after, results.jsonl : {line_bytes / n:9,.0f} bytes/case  (median "
        f"{statistics.median(sizes):,.0f}, max {max(sizes):,d})"
    )
    print(f"after, traces.gz     : {store_bytes / n:9,.0f} bytes/case")
    print(f"after, total         : {compact / n:9,.0f} bytes/case  {compact:12,d} bytes")
    print(f"total after / before : {100 * compact / inline:.1f}% (target <= 10%)")
    print(f"largest line <= 2 KB : {max(sizes) <= 2048}")
    print("other codecs, same frame payloads (bytes/case of the store; cases 51-; first 50 train):")
    rest = slice(50, None) if n > 50 else slice(None)  # the cases the codecs are compared on
    rest_before, rest_lines = sum(inline_sizes[rest]), sum(sizes[rest])
    for name, size in alternatives(payloads).items():
        total = 100 * (size * len(sizes[rest]) + rest_lines) / rest_before
        print(f"  {name:38s} {size:7,.0f}  total {total:.1f}% of the same cases' inline bytes")


def alternatives(payloads: list[bytes]) -> dict[str, float]:
    """Store bytes per case with other per-frame codecs (frames must stay independent)."""
    train, test = payloads[:50], payloads[50:] if len(payloads) > 50 else payloads
    zdict = b"".join(train[:5])[-32768:]

    def deflate_dict(p: bytes) -> bytes:
        c = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, zdict=zdict)
        return c.compress(p) + c.flush()

    def packed_gzip(p: bytes) -> bytes:
        return gzip.compress(_packed(p), 6, mtime=0)

    codecs: dict[str, Callable[[bytes], bytes]] = {
        "packed JSON + shipped dictionary (ships)": lambda p: compress(_packed(p)),
        "plain JSON, gzip 6 (previous format)": lambda p: gzip.compress(p, 6, mtime=0),
        "plain JSON, gzip 9": lambda p: gzip.compress(p, 9, mtime=0),
        "packed JSON, gzip 6 (no dictionary)": packed_gzip,
        "xz (lzma preset 6)": lzma.compress,
        "deflate + run dictionary (32 KB)": deflate_dict,
    }
    try:
        import zstandard  # optional: not a clinreason dependency

        trained = zstandard.train_dictionary(32768, train)
        codecs["zstd 9"] = zstandard.ZstdCompressor(level=9).compress
        codecs["zstd 9 + trained dictionary"] = zstandard.ZstdCompressor(
            level=9, dict_data=trained
        ).compress
    except ImportError:
        pass
    return {name: sum(len(f(p)) for p in test) / len(test) for name, f in codecs.items()}


if __name__ == "__main__":
    main()
