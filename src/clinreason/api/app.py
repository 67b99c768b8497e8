"""The HTTP API: `create_app(backend_factory, token=..., limits=...)` builds the FastAPI app.

Endpoints (JSON; OpenAPI at /openapi.json):

- `POST /v1/explain`: a case (Case schema) + strategy -> the verified trace (trace schema)
- `POST /v1/verify`: a trace -> verdicts, claims, trust
- `POST /v1/calculate`: a calculator with inputs, or a note -> result, steps, reference
- `POST /v1/differential`: HPO ids or text -> ranked differential with HPO paths
- `GET /v1/calculators`: every calculator with its inputs and reference
- `POST /v1/whatif`: a calculator answer (trace, or calculator + inputs) with changed inputs ->
  the recomputed result and which inputs and steps changed (no model; `clinreason.api.whatif`)
- `POST /v1/why`: a trace, a step id and a question -> the model's short explanation of that
  step, each sentence checked like any other claim (`clinreason.api.why`)
- `POST /v1/explain/stream`: as /v1/explain, as server-sent events: each step as it is added,
  then the verified trace (see `clinreason.api.stream`)
- `GET /v1/runs...`: the run browser's runs, cases, traces and comparisons; `GET /runs`: its
  page (`clinreason.api.runs`)
- `GET /healthz`; `GET /`: the web page (`clinreason.api.web`)

Safety: with a token every /v1 request needs `Authorization: Bearer <token>` (401 otherwise);
bodies above `limits.max_body_bytes` get 413; generation (anything that may call the model) runs
`limits.generations` at a time with at most `limits.queue` waiting, beyond that 503 with
`Retry-After`. Bad input is a 4xx with a one-line `error`; a backend failure is a 502 whose body
holds the failed trace (never an answer). Nothing from a request body is logged.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clinreason.api import runs, service, stream, web, whatif, why
from clinreason.backends.base import Backend
from clinreason.errors import BackendError, ClinReasonError, ConfigError, MissingDependencyError
from clinreason.tools.kg.base import KnowledgeGraph
from clinreason.trace import Trace

log = logging.getLogger("clinreason.api")

BackendFactory = Callable[[], Backend]


@dataclass(frozen=True)
class Limits:
    """Request-size and concurrency limits."""

    max_body_bytes: int = 1_048_576
    """Largest request body accepted; larger gets 413."""
    generations: int = 1
    """Requests that may use the model at once (the embedded model runs one at a time)."""
    queue: int = 4
    """Requests that may wait for the model; one more gets 503 with Retry-After."""
    retry_after_s: int = 10
    """The Retry-After a 503 suggests."""


class Busy(Exception):
    """The generation queue is full."""


class GenerationGate:
    """At most `slots` generations at once and `queue` waiting; beyond that `Busy`."""

    def __init__(self, slots: int, queue: int) -> None:
        self._slots = asyncio.Semaphore(slots)
        self._capacity = slots + queue
        self.admitted = 0
        """Requests running or waiting."""

    def admit(self) -> Ticket:
        """Take a place in the queue now, or raise `Busy` when the queue is full."""
        if self.admitted >= self._capacity:
            raise Busy
        self.admitted += 1
        return Ticket(self)

    @property
    def waiting(self) -> bool:
        """Whether a newly admitted request would wait for a slot."""
        return self._slots.locked()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Hold a generation slot (for a request already admitted), waiting for one if need be."""
        async with self._slots:
            yield

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Wait for a generation slot, or raise `Busy` when the queue is full."""
        ticket = self.admit()
        try:
            async with self.running():
                yield
        finally:
            ticket.release()


class Ticket:
    """A request's place in the `GenerationGate` queue; `release` gives it back (once)."""

    def __init__(self, gate: GenerationGate) -> None:
        self._gate: GenerationGate | None = gate

    def release(self) -> None:
        """Leave the queue; later calls do nothing."""
        if self._gate is not None:
            self._gate.admitted -= 1
            self._gate = None


class BodyLimit:
    """ASGI middleware: a request body above `limit` bytes gets 413 before the app sees it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(self.limit, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _too_large(self.limit, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class Contain:
    """ASGI middleware: an unexpected exception becomes a 500 with its type, and goes no further.

    Starlette re-raises unhandled exceptions to the server, which logs the traceback; a message
    or traceback can quote the patient's text, so only the exception's type is logged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:
            log.error("internal error on %s: %s", scope.get("path"), type(exc).__name__)
            if not started:
                response = _error(500, f"internal error ({type(exc).__name__})")
                await response(scope, receive, send)


async def _too_large(limit: int, send: Send) -> None:
    response = JSONResponse(
        {"error": f"request body too large (limit {limit:,} bytes)"}, status_code=413
    )
    await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:  # pragma: no cover - JSONResponse does not read
    return {"type": "http.disconnect"}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _one_line(exc: RequestValidationError) -> str:
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    msg = str(first.get("msg", "invalid request")).splitlines()[0]
    return f"{where}: {msg}"


def _status_of(exc: ClinReasonError) -> int:
    if isinstance(exc, BackendError):
        return 502
    if isinstance(exc, MissingDependencyError):
        return 503
    return 400 if isinstance(exc, ConfigError) else 422


class _State:
    """What the app holds for its lifetime: the backend (built on first use), gate and graph."""

    def __init__(
        self, factory: BackendFactory, limits: Limits, graph: KnowledgeGraph | None
    ) -> None:
        self.factory = factory
        self.backend: Backend | None = None
        self.gate = GenerationGate(limits.generations, limits.queue)
        self.graph = graph
        self.limits = limits

    def get_backend(self) -> Backend:
        if self.backend is None:
            self.backend = self.factory()
        return self.backend

    async def aclose(self) -> None:
        if self.backend is not None:
            await self.backend.aclose()


def _auth(token: str | None) -> Callable[[Request], None]:
    def check(request: Request) -> None:
        if token is None:
            return
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        # bytes: compare_digest refuses non-ASCII text, and a header may carry any byte
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            value.strip().encode(), token.encode()
        ):
            raise _Unauthorized

    return check


class _Unauthorized(Exception):
    pass


def _install_handlers(app: FastAPI, state: _State) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, _one_line(exc))

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        # FastAPI's own errors (unparsable body, 404, 405) in the same one-line shape
        message = str(exc.detail).splitlines()[0] if exc.detail else "error"
        return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(ClinReasonError)
    async def _known(_: Request, exc: ClinReasonError) -> JSONResponse:
        return _error(_status_of(exc), str(exc).splitlines()[0] if str(exc) else type(exc).__name__)

    @app.exception_handler(_Unauthorized)
    async def _unauthorized(_: Request, __: Exception) -> JSONResponse:
        return JSONResponse(
            {"error": "missing or wrong access token (Authorization: Bearer <token>)"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    @app.exception_handler(Busy)
    async def _busy(_: Request, __: Exception) -> JSONResponse:
        return JSONResponse(
            {"error": "the model is busy and the queue is full; retry later"},
            status_code=503,
            headers={"Retry-After": str(state.limits.retry_after_s)},
        )


def create_app(
    backend_factory: BackendFactory,
    *,
    token: str | None = None,
    limits: Limits | None = None,
    graph: KnowledgeGraph | None = None,
    backend_label: str | None = None,
    runs_root: Path | None = None,
) -> FastAPI:
    """The API app and its web page. `backend_factory` is called once, on the first request
    that needs a model.

    Args:
        backend_factory: Builds the backend (e.g. `lambda: make_backend("fake")`).
        token: Access token every /v1 request must present as a bearer token (None: open).
        limits: Body size and concurrency limits.
        graph: Knowledge graph for the differential (default: the HPO graph).
        backend_label: How the page names the backend (e.g. 'embedded (smollm2-135m)').
        runs_root: The directory whose runs the run browser (/runs, /v1/runs) shows (None: off).
    """
    limits = limits or Limits()
    state = _State(backend_factory, limits, graph)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await state.aclose()

    app = FastAPI(
        title="clinreason",
        summary="Explainable, verifiable clinical reasoning: traces, calculators, differentials.",
        description="A research and decision-support tool, not a medical device.",
        version=_version(),
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.add_middleware(Contain)  # inside BodyLimit, outside the routes
    app.add_middleware(BodyLimit, limit=limits.max_body_bytes)
    app.state.clinreason = state
    _install_handlers(app, state)
    auth = Depends(_auth(token))
    _routes(app, state, auth)
    stream.install(app, state, auth)
    runs.install(app, runs.RunBrowser(runs_root), auth, token_required=token is not None)
    web.install(
        app,
        token_required=token is not None,
        backend_label=backend_label or "set by the server",
        runs=runs_root is not None,
    )
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("clinreason")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0"


def _routes(app: FastAPI, state: _State, auth: Any) -> None:
    @app.get("/healthz", tags=["meta"])
    async def healthz() -> dict[str, Any]:
        """Liveness: the server answers; whether the model is loaded; the generation queue."""
        return {
            "status": "ok",
            "backend_loaded": state.backend is not None,
            "queued": state.gate.admitted,
        }

    @app.get("/v1/calculators", dependencies=[auth], tags=["calculators"])
    def calculators() -> list[dict[str, Any]]:
        """Every calculator with its inputs and its published reference (DOI/PMID if known)."""
        return service.list_calculators()

    @app.post("/v1/calculate", dependencies=[auth], tags=["calculators"])
    async def calculate(req: service.CalculateRequest) -> dict[str, Any]:
        """Compute a calculator from inputs, or from a note (inputs with evidence spans)."""
        started = time.perf_counter()
        if req.note is not None and req.use_llm:
            async with state.gate.slot():
                result = await service.calculate(req, state.get_backend())
        else:
            result = await service.calculate(req)
        log.info("calculate: %.3f s", time.perf_counter() - started)
        return result

    @app.post("/v1/whatif", dependencies=[auth], tags=["calculators"])
    def what_if(
        req: whatif.WhatIfRequest,
        html: Annotated[bool, Query(description="Also the result rendered for the page.")] = False,
    ) -> dict[str, Any]:
        """Recompute a calculator answer with changed inputs (no model): the new result, the
        inputs and calculator steps that changed (old vs new); changed inputs are the user's
        assumptions."""
        result = whatif.what_if(req)
        if html:
            result["html"] = web.render("whatif.html", w=result)
        return result

    @app.post(
        "/v1/why",
        dependencies=[auth],
        tags=["reasoning"],
        responses={
            502: {"description": "The backend failed or gave an empty reply (no answer)."},
            503: {"description": "The model is busy and the queue is full."},
        },
    )
    async def why_step(
        req: why.WhyRequest,
        html: Annotated[bool, Query(description="Also the answer rendered for the page.")] = False,
    ) -> dict[str, Any]:
        """Ask "Why?" (or a follow-up) about one step: the model answers from that step, the
        steps it builds on and the note (never gold); each sentence is checked and marked
        supported, contradicted or unverifiable (said by the model, not checked)."""
        started = time.perf_counter()
        async with state.gate.slot():
            result = await why.why(req, state.get_backend())
        log.info(
            "why: %d sentences, %.3f s", len(result["sentences"]), time.perf_counter() - started
        )
        if html:
            result["html"] = web.render("why.html", w=result)
        return result

    @app.post("/v1/differential", dependencies=[auth], tags=["diagnosis"])
    async def differential(req: service.DifferentialRequest) -> dict[str, Any]:
        """Ranked differential diagnosis (HPO) with the is-a paths that explain each disease."""
        return await service.differential(req, state.graph)

    @app.post(
        "/v1/explain",
        dependencies=[auth],
        tags=["reasoning"],
        response_model=Trace,
        responses={
            502: {"description": "The backend failed; the body holds the failed trace."},
            503: {"description": "The model is busy and the queue is full."},
        },
    )
    async def explain(req: service.ExplainRequest) -> Any:
        """Answer a case with a strategy: the trace, verified, with claims and trust."""
        started = time.perf_counter()
        async with state.gate.slot():
            trace = await service.explain(req, state.get_backend(), state.graph)
        kind = service.error_kind(trace)
        log.info("explain: %s, %.3f s", kind or "answered", time.perf_counter() - started)
        if kind is not None:
            body = {"error": trace.error.message, "trace": trace.model_dump(mode="json")}  # type: ignore[union-attr]
            return JSONResponse(body, status_code=502 if kind == "backend" else 422)
        return trace

    @app.post("/v1/verify", dependencies=[auth], tags=["reasoning"])
    def verify(
        trace: Annotated[dict[str, Any], Body(description="A trace in the trace schema.")],
        verifier: Annotated[list[str] | None, Query(description="Only these verifiers.")] = None,
    ) -> dict[str, Any]:
        """Re-check a stored trace: verdicts per step, summary, claim ledger and trust."""
        return service.verify(trace, verifier)
