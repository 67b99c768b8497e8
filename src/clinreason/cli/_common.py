"""Options and helpers shared by CLI commands."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from clinreason.errors import ConfigError
from clinreason.trace import Case, case_from_text, read_case

if TYPE_CHECKING:
    from clinreason.tools.retrieval import BM25Index

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def backend_options(func: F) -> F:
    """--backend, --model, --base-url, --endpoint-concurrency, --api-key-env, --schema-mode,
    --threads, --n-ctx, --logprobs, --prompt-cache, --no-cache."""
    options = [
        click.option(
            "--backend",
            default="embedded",
            show_default=True,
            help="embedded (llama.cpp, model from PyPI), openai (OpenAI-compatible server), fake.",
        ),
        click.option("--model", default=None, help="Model name (see `clinreason models`)."),
        click.option(
            "--base-url",
            multiple=True,
            envvar="CLINREASON_BASE_URL",
            help="OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1. Repeat it (or name a "
            "file with one URL per line) to spread requests over replicas of one model, with "
            "health checks and failover.",
        ),
        click.option(
            "--endpoint-concurrency",
            type=click.IntRange(min=1),
            default=None,
            help="Requests in flight per OpenAI-compatible server (default 4).",
        ),
        click.option(
            "--api-key-env",
            default="OPENAI_API_KEY",
            show_default=True,
            help="Environment variable holding the API key (never stored in traces).",
        ),
        click.option(
            "--schema-mode",
            type=click.Choice(["json_schema", "json_object"]),
            default="json_schema",
            show_default=True,
            help="How an OpenAI-compatible server gets a JSON schema: OpenAI's json_schema, or "
            "json_object with a schema (llama.cpp's server).",
        ),
        click.option("--threads", type=int, default=None, help="CPU threads (embedded)."),
        click.option(
            "--n-ctx",
            type=click.IntRange(min=64),
            default=None,
            help="Context window in tokens (embedded; default 4096): raise it for long notes.",
        ),
        click.option(
            "--logprobs",
            is_flag=True,
            help="Keep token probabilities (embedded; about 2.5 GB more memory for the default "
            "model): answer confidence and graded re-ask checks. OpenAI-compatible servers "
            "return them without it.",
        ),
        click.option(
            "--prompt-cache",
            is_flag=True,
            help="Reuse the evaluated prompt prefix between requests (embedded): much faster for "
            "checks that re-ask about one note, but outputs may then differ slightly with what "
            "ran before.",
        ),
        click.option("--no-cache", is_flag=True, help="Do not use the response cache."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def base_urls(values: str | tuple[str, ...] | None) -> list[str]:
    """`--base-url` values, each a URL or a file with one URL per line (# comments)."""
    if not values:
        return []
    urls: list[str] = []
    for value in [values] if isinstance(values, str) else values:
        if value.startswith(("http://", "https://")) or not Path(value).is_file():
            urls.append(value)
            continue
        lines = Path(value).read_text(encoding="utf-8").splitlines()
        found = [x.split("#")[0].strip() for x in lines if x.split("#")[0].strip()]
        if not found:
            raise ConfigError(f"--base-url {value}: the file lists no URL")
        urls += found
    return urls


def backend_from_options(
    backend: str,
    model: str | None,
    base_url: str | tuple[str, ...] | None,
    api_key_env: str,
    threads: int | None,
    no_cache: bool,
    schema_mode: str = "json_schema",
    n_ctx: int | None = None,
    endpoint_concurrency: int | None = None,
    logprobs: bool = False,
    prompt_cache: bool = False,
) -> Any:
    """Build the backend the user selected (imports lazily so `--help` stays fast)."""
    from clinreason.backends import make_backend

    options: dict[str, Any] = {}
    if backend == "openai":
        urls = base_urls(base_url)
        if not urls:
            raise ConfigError("--backend openai needs --base-url (or CLINREASON_BASE_URL)")
        options.update(base_url=urls, api_key_env=api_key_env, schema_mode=schema_mode)
        if endpoint_concurrency is not None:
            options["per_endpoint"] = endpoint_concurrency
    elif endpoint_concurrency is not None:
        raise ConfigError("--endpoint-concurrency applies to --backend openai only")
    if threads is not None:
        options["n_threads"] = threads
    if n_ctx is not None:
        if backend != "embedded":
            raise ConfigError("--n-ctx applies to the embedded backend only")
        options["n_ctx"] = n_ctx
    if logprobs and backend == "embedded":
        options["logprobs"] = True
    if prompt_cache:
        if backend != "embedded":
            raise ConfigError("--prompt-cache applies to the embedded backend only")
        options["prompt_cache"] = True
    return make_backend(backend, model=model, cache=not no_cache, **options)


def run_resumable(run: Coroutine[Any, Any, T], out: Path) -> T:
    """Run a benchmark coroutine writing into `out`; Ctrl-C ends it with one line saying the
    finished cases are kept and how to continue."""
    try:
        return asyncio.run(run)
    except KeyboardInterrupt:
        raise click.ClickException(
            f"interrupted; finished cases are kept in {out} (rerun with --resume)"
        ) from None


def parse_params(pairs: tuple[str, ...]) -> dict[str, Any]:
    """`key=value` pairs; values parsed as JSON, falling back to text.

    >>> parse_params(("k=3", "name=x"))
    {'k': 3, 'name': 'x'}
    """
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise ConfigError(f"expected key=value, got {pair!r}")
        try:
            params[key] = json.loads(raw)
        except json.JSONDecodeError:
            params[key] = raw
    return params


_KINDS = (
    (bool, (bool,), "true or false"),
    (int, (int,), "a whole number"),
    (float, (int, float), "a number"),
    (str, (str,), "text"),
)
"""A default's type, the value types it accepts (never a bool for a number), in words."""


def check_param_types(name: str, cls: Any, params: dict[str, Any]) -> None:
    """Each parameter must have the type of its default (an int is a number too), so a bad
    `-S k=abc` fails now in one line, not inside the first model call.

    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class S:
    ...     k: int = 5
    >>> check_param_types("s", S, {"k": "abc"})
    Traceback (most recent call last):
    clinreason.errors.ConfigError: strategy 's': k must be a whole number, got 'abc'
    """
    if not dataclasses.is_dataclass(cls):
        return
    for f in dataclasses.fields(cls):
        if f.name not in params or f.default is dataclasses.MISSING or f.default is None:
            continue
        value = params[f.name]
        for kind, accepted, words in _KINDS:
            if isinstance(f.default, kind):
                a_bool_for_a_number = kind is not bool and isinstance(value, bool)
                if not isinstance(value, accepted) or a_bool_for_a_number:
                    raise ConfigError(f"strategy {name!r}: {f.name} must be {words}, got {value!r}")
                break


def make_strategy(name: str, params: dict[str, Any]) -> Any:
    """A strategy from its registered name and constructor parameters.

    A strategy that searches an index (`rag`) gets it opened here, before any case runs: a bad
    path fails now in one line, and the default corpus's first build shows its progress.
    """
    from clinreason.strategies import STRATEGIES

    if name not in STRATEGIES:
        raise ConfigError(f"unknown strategy {name!r}; choose from {', '.join(sorted(STRATEGIES))}")
    check_param_types(name, STRATEGIES[name], params)
    try:
        strategy = STRATEGIES[name](**params)
    except TypeError as exc:
        raise ConfigError(f"bad parameters for strategy {name!r}: {exc}") from None
    if isinstance(getattr(strategy, "index", None), str):
        open_index_arg(strategy.index)
    return strategy


class BuildProgress:
    """One stderr line at most every two seconds while an index builds (quiet for short builds)."""

    def __init__(self, every: float = 2.0) -> None:
        self.start = self.last = time.monotonic()
        self.every = every

    def __call__(self, stage: str, count: int) -> None:
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            click.echo(f"  ... {count:,} {stage} ({now - self.start:.0f} s)", err=True)


def open_index_arg(index: str) -> BM25Index:
    """An index folder, or the default clinical index when INDEX is 'default' and no such
    folder exists (built in the user cache on first use, with progress on stderr).

    Raises:
        IndexFormatError: not an index folder, or one of another format version.
    """
    from clinreason.tools.retrieval import BM25Index, default_index
    from clinreason.tools.retrieval.corpora import default_index_path

    if index == "default" and not Path(index).exists():
        if not default_index_path().is_dir():
            click.echo("building the default clinical index once (about 30 s) ...", err=True)
        return default_index(progress=BuildProgress())
    return BM25Index.load(index)


def load_case_arg(source: str) -> Case:
    """A case from a JSON file path, or from plain text on stdin when `source` is '-'."""
    if source == "-":
        return case_from_text(sys.stdin.read())
    return read_case(Path(source))
