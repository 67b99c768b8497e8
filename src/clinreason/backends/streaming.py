"""Streaming a generation's text to a caller while it is produced, without changing its result.

A caller that wants the text as it grows (the web page's live step, the CLI spinner) runs the
call inside `stream_text(sink)`; every backend that can stream then calls `sink(text_so_far)`
each time the text of the first completion grows, from whatever thread generates it. The
`Generation` that `Backend.generate` returns is unchanged (same texts, usage, finish reasons,
logprobs), and so are the cache key and the trace: streaming is observation only.

`sink` always receives the *whole* text so far, not a delta, so a restart needs no protocol: a
retry or a fan-out failover starts again from `""`, and a cached answer arrives whole at once.
Where a backend cannot stream (see each backend), the sink hears nothing and the call is plain.

The sink travels in a context variable (copied into tasks and `asyncio.to_thread` workers), so
wrappers (cache, retries, fan-out, the CLI's progress) pass it through without code of their
own. It is not a dependency: a call without a sink behaves exactly as before.

>>> import asyncio
>>> from clinreason.backends.fake import FakeBackend
>>> from clinreason.trace import Message
>>> seen = []
>>> request = GenerateRequest(messages=(Message(role="user", content="q"),))
>>> with stream_text(seen.append):
...     generation = asyncio.run(FakeBackend(["ANSWER: B"]).generate(request))
>>> seen, generation.texts
(['', 'ANSWER: ', 'ANSWER: B'], ['ANSWER: B'])
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pydantic_core import from_json

from clinreason.trace import GenerateRequest

TextSink = Callable[[str], None]
"""Receives the whole text generated so far; must be quick and must not raise."""

logger = logging.getLogger(__name__)

_SINK: ContextVar[TextSink | None] = ContextVar("clinreason_text_sink", default=None)


@contextmanager
def stream_text(sink: TextSink) -> Iterator[None]:
    """Send the text of generations made inside this block to `sink` as it grows."""
    token = _SINK.set(sink)
    try:
        yield
    finally:
        _SINK.reset(token)


def current_sink() -> TextSink | None:
    """The sink of the enclosing `stream_text` block, if any."""
    return _SINK.get()


class TextStream:
    """The text of one completion as it grows, handed to the current sink piece by piece.

    A backend makes one per attempt: making it tells the sink `""` (a new start), `add`
    appends a piece and tells the sink the text so far. A sink that fails is dropped (and
    logged), never the generation: streaming only observes.
    """

    def __init__(self) -> None:
        self.sink = current_sink()
        self.text = ""
        self._tell()

    def add(self, piece: str) -> None:
        """Append `piece` (ignored when empty)."""
        if piece:
            self.text += piece
            self._tell()

    def _tell(self) -> None:
        if self.sink is None:
            return
        try:
            self.sink(self.text)
        except Exception as exc:
            logger.warning("stopped streaming text: the sink failed (%s)", type(exc).__name__)
            self.sink = None


def word_pieces(text: str) -> list[str]:
    """`text` cut after each run of spaces, as the fake backends stream it (the pieces join back
    to `text`).

    >>> word_pieces("ANSWER: B ")
    ['ANSWER: ', 'B ']
    """
    return [piece for piece in re.findall(r"\S*\s*", text) if piece]


def wants_stream(request: GenerateRequest) -> bool:
    """Whether an HTTP call should stream: a sink is listening and the request asks for one
    completion (several come back whole, from the plain call)."""
    return current_sink() is not None and request.n == 1


def model_words(text: str) -> str:
    """A model's text as it is being written, in words (for display): a (partial) JSON object
    becomes its fields' values, one paragraph each; other text stays as it is.

    >>> model_words('{"reasoning": "ST elevation in II, III')
    'Reasoning: ST elevation in II, III'
    >>> model_words('{"reasoning": "Inferior.", "answer": "C"}')
    'Reasoning: Inferior.\\n\\nAnswer: C'
    >>> model_words("ANSWER: C")
    'ANSWER: C'
    """
    if not text.lstrip().startswith("{"):
        return text
    try:
        data = from_json(text, allow_partial="trailing-strings")
    except ValueError:
        return text
    if not isinstance(data, dict):
        return text
    return "\n\n".join(
        f"{str(key).replace('_', ' ').capitalize()}: "
        + (value if isinstance(value, str) else json.dumps(value))
        for key, value in data.items()
    )


__all__ = [
    "TextSink",
    "TextStream",
    "current_sink",
    "model_words",
    "stream_text",
    "wants_stream",
    "word_pieces",
]
