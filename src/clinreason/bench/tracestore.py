"""The compact run layout: a small `results.jsonl` line per case plus a compressed trace store.

A compact line is a `CaseResult` without its trace, verdicts, rationale, metadata and
reasoning-quality details, plus two extra keys: `frame` (`[offset, length]` of the case's frame
in `traces.gz`) and `checks` (verdict counts by status, for readers of the raw file). A frame
holds two JSON lines: a `FrameHeader` (case id, metadata, rationale, verdicts, quality details)
and the trace, whose case metadata is left out when it is the header's metadata minus the gold
keys (the case metadata is stored once). Frames are compressed one by one, each decodable on
its own (`clinreason.bench.framecodec`: packed JSON, zlib with a shipped preset dictionary;
frames written before that are gzip members and read as they are). The file keeps its name;
`python -m clinreason.bench.tracestore RUN_DIR` prints its frames (`zcat` reads only the old
gzip frames).

Frames are written before their line, each with one `os.write` on an O_APPEND file, so a
killed run leaves at most an unreferenced last frame (truncated on resume). A damaged frame
(checksum or length mismatch, or another case's frame) loses only its case: `read_run`
reports it. Lines written inline by older versions (`trace` in the line) are read as they are.
"""

from __future__ import annotations

import json
import mmap
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import JsonValue, ValidationError
from pydantic_core import to_json

from clinreason.bench.base import CaseResult
from clinreason.bench.framecodec import CodecError, compress, decompress, frames, load_line, pack
from clinreason.trace import DataModel, Verdict
from clinreason.trace.case import GOLD_METADATA_KEYS

STORE = "traces.gz"
FRAME = "frame"
CHECKS = "checks"
_LINE_EXCLUDE = {"trace", "verdicts", "rationale", "metadata", "details"}
_MOVED_DETAILS = ("quality",)
"""Large `details` entries kept in the frame header, not on the line."""


class FrameHeader(DataModel):
    """First line of a frame: what the compact line leaves out, besides the trace."""

    case_id: str
    metadata: dict[str, JsonValue] = {}
    rationale: str | None = None
    details: dict[str, JsonValue] = {}
    """The `details` entries left off the line (`_MOVED_DETAILS`)."""
    verdicts: list[Verdict] = []
    case_metadata: dict[str, JsonValue] | None = None
    """The trace case's metadata when it is not the line's metadata minus the gold keys."""


def _derived_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in metadata.items() if k not in GOLD_METADATA_KEYS}


def split_result(result: CaseResult) -> tuple[bytes, bytes]:
    """(compact line without its frame reference and newline, compressed frame)."""
    line = result.model_dump_json(exclude=_LINE_EXCLUDE).encode("utf-8")
    kept = {k: v for k, v in result.details.items() if k not in _MOVED_DETAILS}
    counts = Counter(v.status for v in result.verdicts)
    line = line[:-1] + b"," + _json({"details": kept, CHECKS: counts})[1:]
    return line, compress(frame_payload(result))


def frame_payload(result: CaseResult) -> bytes:
    """What a frame holds before compression: the header and the trace, packed JSON lines."""
    trace = result.trace
    derived = trace is not None and trace.case.metadata == _derived_metadata(result.metadata)
    header = FrameHeader.model_construct(  # from a validated result: no second validation
        case_id=result.case_id,
        metadata=result.metadata,
        rationale=result.rationale,
        details={k: v for k, v in result.details.items() if k in _MOVED_DETAILS},
        verdicts=list(result.verdicts),
        case_metadata=None if derived or trace is None else dict(trace.case.metadata),
    )
    parts = [header.model_dump(mode="json")]
    if trace is not None:
        exclude = {"case": {"metadata"}} if derived else None
        parts.append(trace.model_dump(mode="json", exclude=exclude))
    return b"".join(to_json(pack(part)) + b"\n" for part in parts)  # as model_dump_json


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def with_frame(line: bytes, offset: int, length: int) -> bytes:
    """The compact line with its frame reference, ending in a newline."""
    return line[:-1] + b',"' + FRAME.encode() + f'":[{offset},{length}]}}\n'.encode()


@dataclass
class LostCase:
    """A result whose frame could not be read."""

    case_id: str
    reason: str


class FrameError(Exception):
    """A frame that cannot be read (reason in the message)."""


class StoreReader:
    """Reads frames of one run directory's store (memory-mapped on first use; `close` it)."""

    def __init__(self, run_dir: Path) -> None:
        self.path = Path(run_dir) / STORE
        self._data: mmap.mmap | bytes | None = None

    def _bytes(self) -> mmap.mmap | bytes:
        if self._data is None:
            size = self.path.stat().st_size if self.path.is_file() else 0
            if size == 0:
                self._data = b""
            else:
                with open(self.path, "rb") as handle:
                    self._data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        return self._data

    def close(self) -> None:
        """Unmap the store."""
        if isinstance(self._data, mmap.mmap):
            self._data.close()
        self._data = None

    def payload(self, case_id: str, ref: Any) -> tuple[dict[str, Any], bytes, bool]:
        """(header as a dict, trace JSON, whether that JSON is packed) of the frame `ref` =
        [offset, length]."""
        if (
            not isinstance(ref, list)
            or len(ref) != 2
            or not all(isinstance(x, int) and x >= 0 for x in ref)
        ):
            raise FrameError(f"bad frame reference {ref!r}")
        offset, length = ref
        blob = self._bytes()[offset : offset + length]
        if len(blob) != length:
            raise FrameError(f"{STORE} ends before the frame at byte {offset}")
        try:
            payload, packed = decompress(blob)
        except CodecError as exc:
            raise FrameError(f"frame at byte {offset} is damaged ({exc})") from None
        head, _, trace = payload.partition(b"\n")
        try:
            header = load_line(head, packed)
        except (json.JSONDecodeError, UnicodeDecodeError, CodecError):
            raise FrameError(f"frame at byte {offset} has an unreadable header") from None
        if not isinstance(header, dict) or header.get("case_id") != case_id:
            raise FrameError(f"frame at byte {offset} belongs to another case")
        return header, trace, packed


def full_record(obj: dict[str, Any], store: StoreReader, *, traces: bool) -> dict[str, Any]:
    """A compact line (parsed) joined with its frame: the fields of an inline line.

    Raises:
        FrameError: the frame cannot be read.
    """
    ref = obj.pop(FRAME)
    obj.pop(CHECKS, None)
    header, trace_json, packed = store.payload(str(obj.get("case_id")), ref)
    try:
        checked = FrameHeader.model_validate(header)
    except ValidationError as exc:
        raise FrameError(f"frame header: {exc.errors()[0]['msg']}") from None
    obj["metadata"] = header.get("metadata", {})
    obj["rationale"] = checked.rationale
    obj["details"] = {**obj.get("details", {}), **header.get("details", {})}
    obj["verdicts"] = header.get("verdicts", [])
    obj["trace"] = None
    if traces and trace_json:
        try:
            trace = load_line(trace_json, packed)
        except (json.JSONDecodeError, UnicodeDecodeError, CodecError):
            raise FrameError("frame trace is not JSON") from None
        if not isinstance(trace, dict) or not isinstance(trace.get("case"), dict):
            raise FrameError("frame trace has no case")
        metadata = checked.case_metadata
        if metadata is None:
            metadata = _derived_metadata(obj.get("metadata") or {})
        trace["case"]["metadata"] = metadata
        obj["trace"] = trace
    return obj


def store_end(lines: list[bytes]) -> int:
    """The end of the last frame that `lines` reference (0 without compact lines)."""
    end = 0
    for line in lines:
        at = line.rfind(b',"' + FRAME.encode() + b'":[')
        try:
            if at >= 0:  # as `with_frame` writes it
                offset, length = json.loads(line[at + len(FRAME) + 4 : line.rindex(b"]") + 1])
            elif b'"' + FRAME.encode() + b'"' in line:  # rewritten by another JSON writer
                offset, length = json.loads(line)[FRAME]
            else:
                continue
            end = max(end, int(offset) + int(length))
        except (ValueError, TypeError, KeyError):
            continue
    return end


def trim_store(run_dir: Path, lines: list[bytes]) -> int:
    """Drop store bytes after the last referenced frame (a frame whose line was never
    written: the run was killed between the two writes). Returns the bytes dropped."""
    path = Path(run_dir) / STORE
    if not path.is_file():
        return 0
    size = path.stat().st_size
    end = store_end(lines)
    if size > end:
        os.truncate(path, end)
    return max(0, size - end)


def print_frames(run_dir: Path) -> int:
    """Write every frame of the run's store to stdout as JSON lines (header, then trace), as
    `zcat` did for gzip frames; returns 1 after a message if a frame is unreadable."""
    path = Path(run_dir) / STORE
    try:
        for _, payload, packed in frames(path.read_bytes()):
            for part in payload.splitlines():
                line = _json(load_line(part, packed)) if packed else part
                sys.stdout.buffer.write(line + b"\n")
    except BrokenPipeError:  # `| head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, CodecError, json.JSONDecodeError) as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m clinreason.bench.tracestore RUN_DIR")
    sys.exit(print_frames(Path(sys.argv[1])))
