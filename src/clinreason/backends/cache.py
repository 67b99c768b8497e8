"""`CachedBackend`: a SQLite response cache in front of any backend.

Reruns are deterministic and free: the key is the sha256 of the backend's name, model (and
base URL for HTTP backends, since two servers can serve different models under one name)
and the full `GenerateRequest` JSON (messages, n, temperature, seed, max tokens, stop, JSON
schema, logprobs). Only successful generations are stored; errors are never cached.

Sampled requests (temperature > 0) are cached too, also without a seed: a rerun replays the
same samples instead of drawing new ones. That is what makes reruns reproducible; pass
`--no-cache` (or use the backend directly) to draw fresh samples, or vary the seed.
Served-from-cache generations have `Generation.cached = True`; inside
`backends.streaming.stream_text(sink)` a cached text reaches the sink whole, at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from platformdirs import user_cache_dir

from clinreason.backends.base import Backend
from clinreason.backends.streaming import TextStream, current_sink
from clinreason.errors import ConfigError
from clinreason.trace import ComponentSpec, GenerateRequest, Generation

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    backend TEXT NOT NULL,
    model TEXT,
    request TEXT NOT NULL,
    generation TEXT NOT NULL,
    created_at TEXT NOT NULL
)
"""


def default_cache_path() -> Path:
    """`<user cache dir>/clinreason/responses.sqlite3` (never inside the repository)."""
    return Path(user_cache_dir("clinreason")) / "responses.sqlite3"


def cache_key(spec: ComponentSpec, request: GenerateRequest) -> str:
    """sha256 over backend name, model, base URL (if any) and the full request, in order.

    >>> from clinreason.trace import Message
    >>> req = GenerateRequest(messages=(Message(role="user", content="hi"),))
    >>> a = cache_key(ComponentSpec(name="fake", params={"model": "m"}), req)
    >>> b = cache_key(ComponentSpec(name="fake", params={"model": "m2"}), req)
    >>> len(a), a == b
    (64, False)
    """
    material = {
        "key_version": 2,  # 2: key order kept (a schema's property order changes the output)
        "backend": spec.name,
        "model": spec.params.get("model"),
        "base_url": spec.params.get("base_url"),
        "request": request.model_dump(mode="json"),
    }
    if not request.top_logprobs:  # a field added later: keys made before it stay valid
        del material["request"]["top_logprobs"]
    text = json.dumps(material, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class _InFlight:
    """A per-key lock and how many calls use it (so identical requests generate once)."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


@dataclass
class CachedBackend:
    """Wraps `inner`; answers repeated requests from SQLite.

    Safe under concurrent asyncio use: SQLite work runs in a worker thread behind a lock,
    and identical requests in flight at the same time call the inner backend once.

    Args:
        inner: The backend that generates on a miss.
        path: SQLite file; default `default_cache_path()`.
    """

    inner: Backend
    path: Path | None = None
    max_concurrency: int = field(default=1, init=False)
    """The inner backend's concurrency."""
    _conn: sqlite3.Connection | None = field(default=None, init=False, repr=False)
    _db_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _inflight: dict[str, _InFlight] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.max_concurrency = self.inner.max_concurrency

    @property
    def spec(self) -> ComponentSpec:
        """The inner backend's spec (caching does not change what generated the text)."""
        return self.inner.spec

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            path = self.path or default_cache_path()
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(path, timeout=30.0, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(_SCHEMA)
                conn.commit()
            except (OSError, sqlite3.Error) as exc:
                raise ConfigError(
                    f"response cache {path} is unusable ({exc}); delete it or use --no-cache"
                ) from None
            self._conn = conn
        return self._conn

    def _get(self, key: str) -> str | None:
        with self._db_lock:
            row = (
                self._connect()
                .execute("SELECT generation FROM responses WHERE key = ?", (key,))
                .fetchone()
            )
        return None if row is None else str(row[0])

    def _put(self, key: str, request: GenerateRequest, generation: Generation) -> None:
        spec = self.inner.spec
        row = (
            key,
            spec.name,
            str(spec.params.get("model")),
            request.model_dump_json(),
            generation.model_dump_json(),
            datetime.now(UTC).isoformat(),
        )
        with self._db_lock:
            conn = self._connect()
            conn.execute("INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?)", row)
            conn.commit()

    async def _lookup(self, key: str) -> Generation | None:
        stored = await asyncio.to_thread(self._get, key)
        if stored is None:
            return None
        try:
            generation = Generation.model_validate_json(stored)
        except ValueError:
            logger.warning("ignoring an unreadable cache entry %s", key[:12])
            return None
        return generation.model_copy(update={"cached": True})

    async def generate(self, request: GenerateRequest) -> Generation:
        """From the cache when present, else from the inner backend (then stored)."""
        key = cache_key(self.inner.spec, request)
        entry = self._inflight.setdefault(key, _InFlight())
        entry.users += 1
        try:
            async with entry.lock:
                hit = await self._lookup(key)
                if hit is not None:
                    if current_sink() is not None and hit.texts:
                        TextStream().add(hit.texts[0])
                    return hit
                generation = await self.inner.generate(request)
                await asyncio.to_thread(
                    self._put, key, request, generation.model_copy(update={"cached": False})
                )
                return generation
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._inflight[key]

    def __len__(self) -> int:
        """Number of stored responses."""
        with self._db_lock:
            row = self._connect().execute("SELECT COUNT(*) FROM responses").fetchone()
        return int(row[0])

    async def aclose(self) -> None:
        """Close the inner backend and the database."""
        await self.inner.aclose()
        with self._db_lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
