"""Progress reporting for runs: a rich progress bar (rate, ETA, errors) or nothing."""

from __future__ import annotations

import sys
from typing import Any, Protocol, runtime_checkable

from clinreason.bench.base import CaseResult


@runtime_checkable
class ProgressSink(Protocol):
    """Receives run progress. `start` once, `advance` per finished case, `stop` at the end."""

    def start(self, total: int, done: int) -> None:
        """`total` cases selected, `done` of them already finished (resume)."""
        ...

    def advance(self, result: CaseResult) -> None:
        """One more case finished."""
        ...

    def stop(self) -> None:
        """The run ended (normally or not)."""
        ...


class NoProgress:
    """Reports nothing."""

    def start(self, total: int, done: int) -> None:
        """Nothing."""

    def advance(self, result: CaseResult) -> None:
        """Nothing."""

    def stop(self) -> None:
        """Nothing."""


class RichProgress:
    """A progress bar on stderr: done/total, cases/s, elapsed, ETA, errors and no-answers."""

    def __init__(self, description: str = "eval") -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[problems]}"),
            console=Console(stderr=True),
            transient=False,
        )
        self._description = description
        self._task: Any = None
        self._errors = 0
        self._no_answer = 0

    def start(self, total: int, done: int) -> None:
        """Show the bar (already finished cases count as done)."""
        self._progress.start()
        self._task = self._progress.add_task(
            self._description, total=total, completed=done, rate="", problems=""
        )

    def advance(self, result: CaseResult) -> None:
        """Advance by one; show the rate of this session and error counts."""
        self._errors += result.status == "error"
        self._no_answer += result.status == "no_answer"
        task = self._progress.tasks[0]
        speed = task.speed
        rate = f"{speed:.1f} cases/s" if speed else ""
        problems = f"errors {self._errors}, no answer {self._no_answer}"
        self._progress.update(self._task, advance=1, rate=rate, problems=problems)

    def stop(self) -> None:
        """Remove the live display."""
        self._progress.stop()


def make_progress(progress: bool | ProgressSink | None, description: str) -> ProgressSink:
    """A sink from the `progress` argument: None = a bar only when stderr is a terminal."""
    if isinstance(progress, ProgressSink):
        return progress
    if progress is None:
        progress = sys.stderr.isatty()
    return RichProgress(description) if progress else NoProgress()
