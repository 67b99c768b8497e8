"""`POST /v1/explain/stream`: the explain operation as server-sent events, one per step.

Events (each `data` is one line of JSON):

- `status`: `{"text"}`, e.g. waiting for the model, then running;
- `model_start`: a model call has begun (the strategy asked the model; its step comes when
  the model has answered): `{"number"` (the number its step will have), `"model"`, `"html"`
  (the step in progress for the page: "Asking the model…"), `"elapsed_s", "tokens",
  "tokens_per_s"}`;
- `model_text`: the call's text as it grows, at most every `TEXT_EVERY_S` seconds:
  `{"number", "at", "text", "chars", "elapsed_s", ...}`: the text from character `at` on
  (`at` is 0 when the text starts again, e.g. a retried call), `chars` its whole length. It is
  the text in words (`backends.streaming.model_words`: a JSON reply's field values,
  "Reasoning: ..."); the model's exact text is in the call's `step`;
- `step`: a step as the strategy adds it: `{"id", "number", "kind", "step"` (the step in the
  trace schema), `"html"` (the step rendered for the page, autoescaped), `"elapsed_s",
  "tokens", "tokens_per_s"}` (tokens generated so far); an `llm_call` step ends (and on the
  page replaces) the call in progress;
- `tick`: `{"elapsed_s"}` every few seconds while nothing else happens;
- `done` (last): what `/v1/explain` returns, and more: `{"status"` (200, or 422/502 as
  `/v1/explain` would answer), `"error"`, `"trace"` (verified, with claims and trust), `"html"`
  (the result view), `"elapsed_s", "tokens", "tokens_per_s"}`;
- `error` (last, instead of `done`): `{"status", "error"}` for a failure with no trace.

Token, body size and queue limits are those of `/v1/explain`: 401, 413, and 503 with
Retry-After come before the stream starts; nothing from the request is logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from pydantic import Field, model_validator
from starlette.types import Receive, Scope, Send

from clinreason.api import service, view
from clinreason.api.web import render
from clinreason.backends import Backend
from clinreason.backends.streaming import model_words, stream_text
from clinreason.errors import ClinReasonError, ConfigError
from clinreason.trace import (
    DISCLAIMER,
    Case,
    ComponentSpec,
    GenerateRequest,
    Generation,
    Step,
    case_from_text,
)

if TYPE_CHECKING:
    from clinreason.api.app import Ticket, _State

log = logging.getLogger("clinreason.api")

TICK_S = 2.0
"""Seconds between `tick` events while a step takes long."""
TEXT_EVERY_S = 0.15
"""Seconds between `model_text` events while the model writes."""


class StreamRequest(service.ExplainRequest):
    """An explain request whose case is a Case object or plain text (as `clinreason explain -`)."""

    case: Case | None = None  # type: ignore[assignment]
    """The case in the Case schema; or give `text`."""
    text: str | None = Field(default=None, max_length=service.MAX_TEXT)
    """A note followed by 'Question: ...' and optional 'A. ...' option lines."""

    @model_validator(mode="after")
    def _one_case(self) -> StreamRequest:
        if (self.case is None) == (self.text is None):
            raise ValueError("give either 'case' or 'text'")
        return self

    def explain_request(self) -> service.ExplainRequest:
        """The plain explain request (the text parsed into a case).

        Raises:
            ConfigError: the text has no question.
        """
        if self.case is None and not (self.text or "").strip():
            raise ConfigError("no input: give a patient note and a question")
        case = self.case or case_from_text(self.text or "", case_id="web")
        return service.ExplainRequest(
            case=case, strategy=self.strategy, params=self.params, verify=self.verify
        )


def sse(event: str, data: dict[str, Any]) -> str:
    """One server-sent event (its data one line of ASCII JSON).

    >>> sse("tick", {"elapsed_s": 1.5})
    'event: tick\\ndata: {"elapsed_s": 1.5}\\n\\n'
    """
    # ASCII only: no character in the data can read as a line break to any client
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


class _GatedStream(StreamingResponse):
    """A streaming response that gives back its queue place however the stream ends."""

    def __init__(self, content: AsyncIterator[str], ticket: Ticket) -> None:
        super().__init__(
            content,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
        self._ticket = ticket

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._ticket.release()


class _Rate:
    """Elapsed time and tokens generated so far."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.tokens = 0

    def figures(self) -> dict[str, Any]:
        elapsed = time.perf_counter() - self.started
        rate = self.tokens / elapsed if elapsed > 0 and self.tokens else None
        return {"elapsed_s": round(elapsed, 3), "tokens": self.tokens, "tokens_per_s": rate}


class _Announcing:
    """The server's backend as the strategy sees it: each model call tells the stream when it
    starts (`{"model_start": model}`) and ends (`{"model_end": its text}`), and its text is
    kept as it grows (the answer is unchanged)."""

    def __init__(self, inner: Backend, tell: Callable[[dict[str, Any]], None]) -> None:
        self.inner = inner
        self.tell = tell
        self.text = ""
        """The text so far of the call under way (set from the generating thread)."""

    @property
    def spec(self) -> ComponentSpec:
        """The server backend's spec (recorded in the trace)."""
        return self.inner.spec

    @property
    def max_concurrency(self) -> int:
        """The server backend's concurrency."""
        return self.inner.max_concurrency

    async def generate(self, request: GenerateRequest) -> Generation:
        """The server backend's generation, announced first and streamed into `text`."""
        self.text = ""
        self.tell({"model_start": str(self.spec.params.get("model") or self.spec.name)})
        try:
            with stream_text(self._grow):
                return await self.inner.generate(request)
        finally:
            self.tell({"model_end": self.text})

    def _grow(self, text: str) -> None:
        self.text = text

    async def aclose(self) -> None:
        """Nothing: the server closes its backend at shutdown."""


class _Sent:
    """What the page has of the model call under way."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.text = ""

    def update(self, text: str) -> dict[str, Any] | None:
        """The `model_text` data that brings the page from what it has to `text` (None: same).

        >>> sent = _Sent(2)
        >>> sent.update("The")
        {'number': 2, 'at': 0, 'text': 'The', 'chars': 3}
        >>> sent.update("The ST"), sent.update("The ST")
        ({'number': 2, 'at': 3, 'text': ' ST', 'chars': 6}, None)
        >>> sent.update("A retry")  # the text started again
        {'number': 2, 'at': 0, 'text': 'A retry', 'chars': 7}
        """
        if text == self.text:
            return None
        at = len(self.text) if text.startswith(self.text) else 0
        self.text = text
        return {"number": self.number, "at": at, "text": text[at:], "chars": len(text)}


async def explain_events(
    state: _State, req: service.ExplainRequest, strategy: Any, ticket: Ticket
) -> AsyncIterator[str]:
    """The events of one explain run: status, a step event as each step is added, then done.

    Waits for a generation slot (the request already holds its queue place, `ticket`, which is
    given back however the stream ends); a client that goes away cancels the run.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()

    def tell(item: dict[str, Any]) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, item)

    def on_step(step: Step) -> None:  # in the strategy's thread: snapshot the step now
        try:
            shown = view.step_view(step, view.step_number(step.id) or 0)
            data = step.model_dump(mode="json")
            item = {**shown, "step": data, "html": render("live_step.html", s=shown)}
        except Exception as exc:  # a display problem must not stop the run
            log.error("cannot show a step: %s", type(exc).__name__)
            return
        loop.call_soon_threadsafe(queue.put_nowait, item)

    task: asyncio.Task[Any] | None = None
    try:
        if state.gate.waiting:
            yield sse("status", {"text": "waiting for the model (another request is running)"})
        async with state.gate.running():
            yield sse("status", {"text": "running"})
            rate = _Rate()
            backend = _Announcing(state.get_backend(), tell)
            task = asyncio.create_task(
                service.explain(req, backend, state.graph, strategy=strategy, on_step=on_step)
            )
            task.add_done_callback(lambda _: loop.call_soon_threadsafe(queue.put_nowait, None))
            async for event in _events(queue, backend, rate):
                yield event
            yield _final(task, rate)
    finally:
        if task is not None and not task.done():
            task.cancel()
        ticket.release()


async def _events(
    queue: asyncio.Queue[dict[str, Any] | None], backend: _Announcing, rate: _Rate
) -> AsyncIterator[str]:
    """`model_start`, `model_text`, `step` and `tick` events until the run ends (None)."""
    calling: _Sent | None = None  # the model call under way, until its step comes
    last_number = 0
    quiet_since = time.perf_counter()
    while True:
        try:
            timeout = TEXT_EVERY_S if calling is not None else TICK_S
            item = await asyncio.wait_for(queue.get(), timeout=timeout)
        except TimeoutError:
            item = {}  # time to send the text grown since, or a tick
        if item is None:
            return
        event = None
        if "model_start" in item:
            calling = _Sent(last_number + 1)
            shown = {"number": calling.number, "model": item["model_start"]}
            html = render("live_model.html", c=shown)
            event = sse("model_start", {**shown, "html": html, **rate.figures()})
        elif "step" in item:
            calling = None if item["kind"] == "llm_call" else calling
            last_number = max(last_number, item["number"])
            rate.tokens += item["tokens"]
            keep = ("id", "number", "kind", "step", "html")
            event = sse("step", {**{k: item[k] for k in keep}, **rate.figures()})
        elif calling is not None:
            grown = calling.update(model_words(item.get("model_end", backend.text)))
            event = None if grown is None else sse("model_text", {**grown, **rate.figures()})
        if event is None and time.perf_counter() - quiet_since >= TICK_S:
            event = sse("tick", rate.figures())
        if event is not None:
            yield event
            quiet_since = time.perf_counter()


def _final(task: asyncio.Task[Any], rate: _Rate) -> str:
    """The `done` event with the verified trace and the result view, or an `error` event."""
    from clinreason.api.app import _status_of

    try:
        trace = task.result()
    except ClinReasonError as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return sse("error", {"status": _status_of(exc), "error": message})
    except Exception as exc:
        log.error("internal error on /v1/explain/stream: %s", type(exc).__name__)
        return sse("error", {"status": 500, "error": f"internal error ({type(exc).__name__})"})
    figures = rate.figures()
    kind = service.error_kind(trace)
    log.info("explain stream: %s, %.3f s", kind or "answered", figures["elapsed_s"])
    shown = view.result_view(trace, elapsed_s=figures["elapsed_s"])
    return sse(
        "done",
        {
            "status": 200 if kind is None else 502 if kind == "backend" else 422,
            "error": trace.error.message if trace.error else None,
            "trace": trace.model_dump(mode="json"),
            "html": render("result.html", r=shown, disclaimer=DISCLAIMER),
            **figures,
        },
    )


def install(app: FastAPI, state: _State, auth: Any) -> None:
    """Add `POST /v1/explain/stream` to `app`."""

    @app.post(
        "/v1/explain/stream",
        dependencies=[auth],
        tags=["reasoning"],
        response_class=StreamingResponse,
        responses={
            200: {
                "content": {"text/event-stream": {}},
                "description": (
                    "Events: status; step (one per step); model_start when a model call starts "
                    "and model_text with its words as they come; tick; then done or error."
                ),
            },
            503: {"description": "The model is busy and the queue is full."},
        },
    )
    async def explain_stream(req: StreamRequest) -> StreamingResponse:
        """Answer a case, streaming each step as it is added, then the verified trace."""
        plain = req.explain_request()
        strategy = await asyncio.to_thread(service.make_explain_strategy, plain, state.graph)
        ticket = state.gate.admit()  # 503 now when the queue is full
        return _GatedStream(explain_events(state, plain, strategy, ticket), ticket)
