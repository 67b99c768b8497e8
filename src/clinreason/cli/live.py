"""What `clinreason explain` shows while it works: a spinner with the model call under way, the
end of what the model has written so far, and the time elapsed (stderr, on a terminal), and one
closing line with the calls made and the time."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from clinreason.backends.streaming import model_words, stream_text
from clinreason.trace import ComponentSpec, GenerateRequest, Generation

TAIL = 60
"""Characters of the model's latest words shown beside the spinner."""


class LiveBackend:
    """A backend wrapper that shows each model call as it runs (the answer is unchanged)."""

    def __init__(self, inner: Any, console: Console | None = None) -> None:
        self.inner = inner
        self.console = console or Console(stderr=True)
        self.calls = 0
        self.tokens = 0
        self.started = time.perf_counter()
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self._task = self._progress.add_task("preparing", total=None)
        self._progress.start()

    @property
    def spec(self) -> ComponentSpec:
        """The wrapped backend's spec (recorded in traces)."""
        return self.inner.spec  # type: ignore[no-any-return]

    @property
    def max_concurrency(self) -> int:
        """The wrapped backend's concurrency."""
        return int(self.inner.max_concurrency)

    async def generate(self, request: GenerateRequest) -> Generation:
        """Call the wrapped backend, showing which call this is."""
        self.calls += 1
        model = self.inner.spec.params.get("model") or self.inner.spec.name
        loads = self.calls == 1 and self.inner.spec.name == "embedded"
        first = " (loading the model first)" if loads else ""
        doing = f"model call {self.calls} to {model}"
        self._progress.update(self._task, description=f"{doing}{first}")

        def show(text: str) -> None:  # in the generating thread; rich's update takes a lock
            words = " ".join(model_words(text).split())
            tail = words if len(words) <= TAIL else "…" + words[-TAIL:]
            self._progress.update(self._task, description=f"{doing}: {tail}" if tail else doing)

        with stream_text(show):
            generation = await self.inner.generate(request)
        self.tokens += generation.usage.completion_tokens
        self._progress.update(self._task, description=f"model call {self.calls} done; working")
        return generation  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        """Close the wrapped backend, stop the spinner and say what was done."""
        try:
            await self.inner.aclose()
        finally:
            self._progress.stop()
            seconds = time.perf_counter() - self.started
            calls = f"{self.calls} model call{'s' if self.calls != 1 else ''}"
            self.console.print(
                f"answered in {seconds:.1f} s ({calls}, {self.tokens} tokens generated)",
                highlight=False,
            )
