"""How a trace-store frame is compressed: packed JSON lines in a zlib stream with a preset
dictionary shipped in the package (older frames: plain JSON lines in a gzip member).

Packing (`pack`, undone exactly by `unpack`) writes every run of two or more consecutive list
items that are dicts with the same keys in the same order as one column block
`{"@columns": {key: [values...]}}` (applied again inside the columns). A trace is mostly such
runs (steps, verdicts, claims, ranked diseases and their findings), and columns put similar
values side by side, which deflate compresses better. A lone dict whose only key is
`@columns` is written as a one-row block, so any JSON packs and unpacks unchanged.

The preset dictionary (`tracedicts/*.zdict`, 32 KB) holds packed frames of clinreason's own
traces on synthetic cases (`bench/make_trace_dictionary.py`): field names, step and verdict
vocabulary, fixed phrases. It is made from code, never from a run, and never changes once
shipped: each frame names its dictionary in the standard zlib header (DICTID, the Adler-32 of
the dictionary; RFC 1950), so every frame decodes on its own, and a new dictionary is a new
file next to the old ones.
"""

from __future__ import annotations

import functools
import json
import zlib
from collections.abc import Iterator
from importlib import resources
from typing import Any

COLUMNS = "@columns"
COMPRESSLEVEL = 6
DICTIONARY = "v1.zdict"
"""The dictionary new frames are written with (every file in `tracedicts/` is read). Writing
with a new one needs `rundir.RUN_SCHEMA_VERSION` raised, so that older versions refuse such
runs rather than report their cases lost (and `score` drop them)."""
_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 31
_ZLIB_WBITS = 15
_FDICT = 0x20
_CHUNK = 1 << 16


class CodecError(ValueError):
    """Bytes that are not a readable frame (reason in the message)."""


def pack(value: Any) -> Any:
    """`value` (parsed JSON) with runs of same-keyed dicts in lists as column blocks.

    >>> pack([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}, 3])
    [{'@columns': {'a': [1, 2], 'b': ['x', 'y']}}, 3]
    """
    if isinstance(value, dict):
        return {k: pack(v) for k, v in value.items()}
    if isinstance(value, list):
        return _runs([pack(v) for v in value])
    return value


def _keys(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, dict) else ()


def _runs(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    i = 0
    while i < len(items):
        keys = _keys(items[i])
        j = i + 1
        while keys and j < len(items) and _keys(items[j]) == keys:
            j += 1
        if j - i > 1 or keys == (COLUMNS,):
            out.append({COLUMNS: {k: _runs([row[k] for row in items[i:j]]) for k in keys}})
        else:
            out.append(items[i])
        i = j
    return out


def unpack(value: Any) -> Any:
    """The JSON value `pack` was given.

    Raises:
        CodecError: a malformed column block.
    """
    if isinstance(value, dict):
        return {k: unpack(v) for k, v in value.items()}
    if not isinstance(value, list):
        return value
    out: list[Any] = []
    for item in value:
        if _keys(item) != (COLUMNS,):
            out.append(unpack(item))
            continue
        block = item[COLUMNS]
        if not isinstance(block, dict) or not all(isinstance(c, list) for c in block.values()):
            raise CodecError("a column block is not an object of lists")
        columns = [unpack(c) for c in block.values()]
        try:
            out.extend(dict(zip(block, row, strict=True)) for row in zip(*columns, strict=True))
        except ValueError:
            raise CodecError("a column block has columns of different lengths") from None
    return out


def load_line(line: bytes, packed: bool) -> Any:
    """One JSON line of a frame's payload, unpacked when the frame is packed.

    Raises:
        json.JSONDecodeError, UnicodeDecodeError: not JSON; CodecError: a malformed block.
    """
    value = json.loads(line)
    return unpack(value) if packed else value


@functools.cache
def dictionaries() -> dict[int, bytes]:
    """Every shipped dictionary by its zlib DICTID (Adler-32)."""
    folder = resources.files(__package__) / "tracedicts"
    found = [f.read_bytes() for f in folder.iterdir() if f.name.endswith(".zdict")]
    return {zlib.adler32(data): data for data in found}


@functools.cache
def _primed() -> Any:
    """A compressor with the current dictionary loaded; each frame starts from a copy (cheaper
    than loading the dictionary again)."""
    zdict = (resources.files(__package__) / "tracedicts" / DICTIONARY).read_bytes()
    return zlib.compressobj(COMPRESSLEVEL, zlib.DEFLATED, _ZLIB_WBITS, zdict=zdict)


def compress(payload: bytes) -> bytes:
    """One frame: `payload` (packed JSON lines) deflated with the current dictionary."""
    writer = _primed().copy()
    return writer.compress(payload) + writer.flush()


def decompress(blob: bytes) -> tuple[bytes, bool]:
    """(payload, packed) of one whole frame: a zlib stream naming a shipped dictionary
    (packed lines) or a gzip member (plain lines, as written before the dictionary).

    Raises:
        CodecError: damaged, truncated, followed by other bytes, or an unknown dictionary.
    """
    payload, packed, used = _decode(blob)
    if used != len(blob):
        raise CodecError("followed by unexpected bytes")
    return payload, packed


def frames(data: bytes) -> Iterator[tuple[int, bytes, bool]]:
    """(offset, payload, packed) of each frame of a whole store, in order.

    Raises:
        CodecError: a frame that cannot be read (the ones before it were yielded).
    """
    view, offset = memoryview(data), 0
    while offset < len(data):
        try:
            payload, packed, used = _decode(view[offset:])
        except CodecError as exc:
            raise CodecError(f"frame at byte {offset}: {exc}") from None
        yield offset, payload, packed
        offset += used


def _decode(blob: bytes | memoryview) -> tuple[bytes, bool, int]:
    """(payload, packed, bytes used) of the frame `blob` starts with (read in chunks, so that
    the bytes after it are never copied)."""
    if blob[:2] == _GZIP_MAGIC:
        reader, packed = zlib.decompressobj(_GZIP_WBITS), False
    elif len(blob) >= 6 and blob[1] & _FDICT and (blob[0] << 8 | blob[1]) % 31 == 0:
        dict_id = int.from_bytes(blob[2:6], "big")
        zdict = dictionaries().get(dict_id)
        if zdict is None:
            raise CodecError(
                f"written with trace dictionary {dict_id:08x}, which this clinreason version "
                "lacks (upgrade clinreason to read it)"
            )
        reader, packed = zlib.decompressobj(_ZLIB_WBITS, zdict=zdict), True
    else:
        raise CodecError("not a gzip member or a zlib stream with a trace dictionary")
    parts, used = [], 0
    try:
        while not reader.eof and used < len(blob):
            chunk = blob[used : used + _CHUNK]
            parts.append(reader.decompress(chunk))
            used += len(chunk)
    except zlib.error as exc:
        raise CodecError(str(exc)) from None
    if not reader.eof:
        raise CodecError("truncated")
    return b"".join(parts), packed, used - len(reader.unused_data)
