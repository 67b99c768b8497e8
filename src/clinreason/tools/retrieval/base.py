"""The `Index` protocol: what a strategy or verifier needs from any search engine."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from clinreason.tools.retrieval.passage import Hit, IndexInfo, Passage


@runtime_checkable
class Index(Protocol):
    """A passage index. `BM25Index` is the built-in one; another engine (for example a search
    server for corpora beyond one machine) plugs in by implementing these three methods."""

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The best `k` passages for `query`, best first (fewer, or none, when nothing matches)."""
        ...

    def get(self, passage_id: str) -> Passage | None:
        """The passage with this id (what a citation checker looks up), or None."""
        ...

    def info(self) -> IndexInfo:
        """What the index holds and how it was built."""
        ...
