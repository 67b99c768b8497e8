"""Trace-store frame codec: packing is lossless for any JSON, frames decode on their own and
name their dictionary, damage is reported, and the shipped dictionary never changes."""

from __future__ import annotations

import gzip
import json
import zlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinreason.bench.framecodec import (
    COLUMNS,
    CodecError,
    compress,
    decompress,
    dictionaries,
    frames,
    pack,
    unpack,
)

V1_ID = 0x4180B080
"""Adler-32 of tracedicts/v1.zdict: frames written with it name it so; it must never change."""

keys = st.sampled_from(["a", "b", "id", COLUMNS, "x y", ""]) | st.text(max_size=4)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=40,
)


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@given(json_values)
def test_pack_then_unpack_gives_the_same_json_back(value: Any) -> None:
    packed = json.loads(_text(pack(value)))  # through JSON text, as in a frame
    assert _text(unpack(packed)) == _text(value)  # same values, types and key order


@given(
    st.lists(st.builds(lambda i, t: {"id": i, "label": t}, st.integers(), st.text()), min_size=2)
)
def test_a_run_of_same_keyed_dicts_becomes_one_column_block(rows: list[dict[str, Any]]) -> None:
    assert pack(rows) == [
        {COLUMNS: {"id": [r["id"] for r in rows], "label": [r["label"] for r in rows]}}
    ]


def test_edge_cases_pack_losslessly() -> None:
    for value in (
        [{}, {}, {}],  # empty dicts are never a run (their count would be lost)
        [{COLUMNS: 1}],  # a lone dict that looks like a block is written as a one-row block
        [{COLUMNS: {"a": [1]}}, {COLUMNS: {"a": [1]}}],
        [[{"a": 1}, {"a": 2}], [{"a": [{"b": 1}, {"b": 2}]}, {"a": []}]],
    ):
        assert unpack(pack(value)) == value


@pytest.mark.parametrize(
    "bad", [[{COLUMNS: {"a": [1, 2], "b": [1]}}], [{COLUMNS: [1, 2]}], [{COLUMNS: {"a": 1}}]]
)
def test_malformed_column_blocks_raise(bad: Any) -> None:
    with pytest.raises(CodecError):
        unpack(bad)


def test_frames_round_trip_and_name_the_shipped_dictionary() -> None:
    payload = b'{"case_id":"x"}\n{"steps":[]}\n'
    frame = compress(payload)
    assert frame[1] & 0x20 and int.from_bytes(frame[2:6], "big") == V1_ID  # FDICT + DICTID
    assert decompress(frame) == (payload, True)
    old = gzip.compress(payload)  # a frame written before the dictionary
    assert decompress(old) == (payload, False)
    store = frame + old + frame
    assert [(o, p) for o, p, _ in frames(store)] == [
        (0, payload), (len(frame), payload), (len(frame) + len(old), payload)
    ]  # fmt: skip


def test_shipped_dictionary_is_unchanged_and_ids_are_distinct() -> None:
    found = dictionaries()
    assert V1_ID in found and len(found[V1_ID]) == 32768
    assert all(zlib.adler32(data) == i for i, data in found.items())


def test_damage_and_unknown_dictionaries_are_errors_not_garbage() -> None:
    payload = json.dumps({"case_id": "x", "text": "a long enough line " * 20}).encode()
    frame = bytearray(compress(payload))
    for bad, message in (
        (bytes(frame[:-3]), "truncated"),
        (bytes(frame) + b"\x00", "unexpected bytes"),
        (b"plain text", "not a gzip member"),
    ):
        with pytest.raises(CodecError, match=message):
            decompress(bad)
    frame[len(frame) // 2] ^= 0xFF
    with pytest.raises(CodecError):
        decompress(bytes(frame))
    other = zlib.compressobj(zdict=b"a dictionary this package does not ship")
    foreign = other.compress(payload) + other.flush()
    with pytest.raises(CodecError, match="upgrade clinreason"):
        decompress(foreign)
    with pytest.raises(CodecError, match="frame at byte 0"):
        list(frames(foreign))
