"""`ResultWriter`: appends each finished case to a run directory, crash-safe.

Each case is one gzip frame appended to `traces.gz` and then one compact line appended to
`results.jsonl` (see `clinreason.bench.tracestore`), each with one `os.write` on an O_APPEND
file: a killed process leaves complete frames and lines plus at most a torn last line and an
unreferenced last frame. Durability against an OS crash is `fsync`: "line" syncs after every
case, "group" (default) from a background thread at most every `GROUP_COMMIT_INTERVAL`
seconds (each sync covering every case written before it), "none" leaves it to the OS.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Literal

from clinreason.bench.base import CaseResult
from clinreason.bench.tracestore import STORE, split_result, with_frame
from clinreason.errors import ConfigError

FsyncMode = Literal["line", "group", "none"]
GROUP_COMMIT_INTERVAL = 0.05
"""Seconds between group-commit fsyncs (while new lines keep arriving)."""


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class ResultWriter:
    """Appends frames and result lines (one `os.write` each, O_APPEND), synced per `fsync`.

    Only one writer per run directory (the caller holds `rundir.locked`), so the store's size
    at open plus the bytes written since is where the next frame starts.
    """

    def __init__(self, path: Path, *, fsync: FsyncMode = "group") -> None:
        if fsync not in ("line", "group", "none"):
            raise ConfigError(f"fsync must be line, group or none, got {fsync!r}")
        self.path = path
        self.mode = fsync
        self.written = 0
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
        self._store = os.open(Path(path).parent / STORE, flags, 0o644)
        self._fd = os.open(path, flags, 0o644)
        self._end = os.fstat(self._store).st_size
        self._dirty = threading.Event()
        self._wake = threading.Event()
        self._stop = False
        self._syncer: threading.Thread | None = None
        if fsync == "group":
            self._syncer = threading.Thread(
                target=self._sync_loop, name="results-fsync", daemon=True
            )
            self._syncer.start()

    def _sync(self) -> None:
        os.fsync(self._store)  # frames first: a synced line never points past synced frames
        os.fsync(self._fd)

    def _sync_loop(self) -> None:
        while not self._stop:
            if self._dirty.wait(timeout=0.5):
                self._dirty.clear()
                with contextlib.suppress(OSError):
                    self._sync()
                self._wake.wait(GROUP_COMMIT_INTERVAL)

    def write(self, result: CaseResult) -> None:
        """Append one case: its frame, then its line (each complete or not at all, barring
        a full disk)."""
        line, frame = split_result(result)
        _write_all(self._store, frame)
        offset, self._end = self._end, self._end + len(frame)
        self.write_line(with_frame(line, offset, len(frame)))

    def write_line(self, line: bytes) -> None:
        """Append one pre-serialized line."""
        _write_all(self._fd, line)
        self.written += 1
        if self.mode == "line":
            self._sync()
        elif self.mode == "group":
            self._dirty.set()

    def close(self) -> None:
        """Stop the sync thread, sync once more and close the files."""
        if self._fd < 0:
            return
        self._stop = True
        if self._syncer is not None:
            self._dirty.set()
            self._wake.set()
            self._syncer.join()
        if self.mode != "none":
            self._sync()
        os.close(self._fd)
        os.close(self._store)
        self._fd = -1
