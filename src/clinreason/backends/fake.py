"""`FakeBackend`: a scripted backend for tests, docs and demos."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from clinreason.backends.streaming import TextStream, current_sink, word_pieces
from clinreason.errors import BackendError
from clinreason.trace import ComponentSpec, GenerateRequest, Generation, Usage

Script = Sequence[str | BaseException] | dict[str, str] | Callable[[GenerateRequest], str]


@dataclass
class FakeBackend:
    """Replies from a script and records every request.

    The script is one of:
    - a list of replies used in order (an exception in the list is raised instead; running out
      raises, so a test cannot loop silently);
    - a dict `{substring: reply}`: the first key found in the last user message wins;
    - a callable `request -> reply`.

    Inside `backends.streaming.stream_text(sink)` the first reply is streamed word by word,
    `stream_delay` seconds apart.

    >>> import asyncio
    >>> from clinreason.trace import Message
    >>> fb = FakeBackend(["ANSWER: B"])
    >>> req = GenerateRequest(messages=(Message(role="user", content="q"),))
    >>> asyncio.run(fb.generate(req)).texts
    ['ANSWER: B']
    """

    script: Script = field(default_factory=list)
    model: str = "fake"
    max_concurrency: int = 8
    stream_delay: float = 0.0
    requests: list[GenerateRequest] = field(default_factory=list)
    _position: int = 0

    @property
    def spec(self) -> ComponentSpec:
        """Backend spec recorded in traces."""
        return ComponentSpec(name="fake", params={"model": self.model})

    def _reply(self, request: GenerateRequest) -> str:
        script = self.script
        if callable(script):
            return script(request)
        if isinstance(script, dict):
            user = [m.content for m in request.messages if m.role == "user"][-1:]
            text = user[0] if user else ""
            for key, reply in script.items():
                if key in text:
                    return reply
            raise BackendError("no scripted reply matches the prompt", backend="fake")
        if self._position >= len(script):
            raise BackendError("the script is exhausted", backend="fake")
        item = script[self._position]
        self._position += 1
        if isinstance(item, BaseException):
            raise item
        return item

    async def generate(self, request: GenerateRequest) -> Generation:
        """Reply from the script, `request.n` times."""
        self.requests.append(request)
        texts = [self._reply(request) for _ in range(request.n)]
        if current_sink() is not None:
            stream = TextStream()
            for piece in word_pieces(texts[0]):
                await asyncio.sleep(self.stream_delay)
                stream.add(piece)
        prompt = sum(len(m.content.split()) for m in request.messages)
        return Generation(
            texts=texts,
            finish_reasons=["stop"] * len(texts),
            model=self.model,
            usage=Usage(prompt_tokens=prompt, completion_tokens=sum(len(t.split()) for t in texts)),
        )

    async def aclose(self) -> None:
        """Nothing to release."""
